/**
 * Bad-checkpoint campaign (issue 11, "Numbers it must reach"): a checkpoint of basic-early on cmos
 * (stochastic rounding) taken mid-run, then damaged field by field: every corruption once with
 * its digest left as written (damage: refused by the digest) and, where a range check can see it,
 * once re-sealed with a fresh digest (an edit: refused by the field's range check); identity
 * mismatches (the run asks for another seed, rounding, width, ...); and damage to the file's
 * text (truncation, flipped bytes, not JSON, the old digest-less format). Each case is resumed
 * the way `engram run --resume` does it (resumeCheckpoint), in-process, timed. Required: no case
 * accepted, 0 internal errors, 0 slow cases, every refusal naming the file and the field.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { checkpointText, resumeCheckpoint, type CheckpointIdentity } from "../../src/cli/checkpoint.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { encodeImage, storedDigestHex } from "../../src/ir/image.ts";
import { rawRange } from "../../src/ir/verify.ts";
import { Rng } from "../../src/util/rng.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { getTarget } from "../../targets/registry.ts";

const CASE_LIMIT_MS = 2000;
const tmp = mkdtempSync(join(tmpdir(), "engram-checkpoint-campaign-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The corruptions edit arbitrary parsed JSON. */
type Json = any;

describe("checkpoint campaign", () => {
  it("every corrupted or mismatched checkpoint is refused, naming the file and the field", () => {
    const program = compile("models/stc/basic-early.yaml", { target: "cmos" });
    const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "campaign", analyse: analyseByRun });
    const identity: CheckpointIdentity = { engram_version: "campaign", target: "cmos", model_name: program.name, seed: program.seed, rounding: "stochastic", state_bits: "target default", image_sha256: storedDigestHex(encodeImage(ir)) };
    const run = new Emulator(ir);
    run.run(260); // 52 ms: five input spikes recorded, the next one pending
    const tick = run.tick;
    const snap = run.snapshot();
    snap.stats.wallSeconds = 0; // the only field that differs run to run: fixed so the text (and the counts below) are the same every time
    const good = JSON.parse(checkpointText(identity, snap, undefined));
    expect(good.body.snapshot.spikes.ticks.length).toBeGreaterThan(0);
    const noWeights = () => undefined;

    // The intact checkpoint resumes (the campaign's control).
    const intact = join(tmp, "intact.json");
    writeFileSync(intact, JSON.stringify(good));
    expect(() => resumeCheckpoint(intact, identity, new Emulator(ir), noWeights)).not.toThrow();

    const [lo, hi] = rawRange(ir.states[0]!.format);
    const signed = ir.states.findIndex((s) => s.format.signed);
    const reads = ir.kernels.findIndex((k) => k.ops.some((o) => o.op === 1));
    // [name, edit of the body, the field a range check names (undefined: only the digest can see it)]
    const edits: [string, (b: Json) => void, string | undefined][] = [
      ["tick past the end", (b) => (b.snapshot.tick = ir.header.duration_ticks + 1), "snapshot.tick"],
      ["tick negative", (b) => (b.snapshot.tick = -1), "snapshot.tick"],
      ["tick a string", (b) => (b.snapshot.tick = String(tick)), "snapshot.tick"],
      ["tick null", (b) => (b.snapshot.tick = null), "snapshot.tick"],
      ["tick fractional", (b) => (b.snapshot.tick = tick + 0.5), "snapshot.tick"],
      ["tick huge", (b) => (b.snapshot.tick = 1e300), "snapshot.tick"],
      ["tick earlier (spikes then lie in the future)", (b) => (b.snapshot.tick = 100), "snapshot."],
      ["state above its range", (b) => (b.snapshot.state[0][0] = hi + 1), "snapshot.state[0][0]"],
      ["state below its range", (b) => (b.snapshot.state[0][0] = lo - 1), "snapshot.state[0][0]"],
      ["signed state below its range", (b) => (b.snapshot.state[signed][0] = rawRange(ir.states[signed]!.format)[0] - 1), `snapshot.state[${signed}][0]`],
      ["state null", (b) => (b.snapshot.state[0][0] = null), "snapshot.state[0][0]"],
      ["state a string", (b) => (b.snapshot.state[0][0] = "1"), "snapshot.state[0][0]"],
      ["state fractional", (b) => (b.snapshot.state[0][0] = 0.5), "snapshot.state[0][0]"],
      ["state array null", (b) => (b.snapshot.state[1] = null), "snapshot.state[1]"],
      ["state array one value short", (b) => b.snapshot.state[0].pop(), "snapshot.state[0]"],
      ["state array missing", (b) => b.snapshot.state.pop(), "snapshot.state"],
      ["state list null", (b) => (b.snapshot.state = null), "snapshot.state"],
      ["stimulus random state zeroed", (b) => b.snapshot.rngs.stimuli[0].fill(0, 0, 4), "snapshot.rngs.stimuli[0]"],
      ["random word above 32 bits", (b) => (b.snapshot.rngs.stimuli[0][0] = 2 ** 32), "snapshot.rngs.stimuli[0][0]"],
      ["random state short", (b) => b.snapshot.rngs.stimuli[0].pop(), "snapshot.rngs.stimuli[0]"],
      ["random spare flag 2", (b) => (b.snapshot.rngs.stimuli[0][5] = 2), "snapshot.rngs.stimuli[0][5]"],
      ["a checkpoint from before IR version 4 (sequential kernel draws)", (b) => (b.snapshot.format = "engram-emulator-snapshot-1"), "snapshot.format"],
      ["random state null", (b) => (b.snapshot.rngs = null), "snapshot.rngs"],
      ["next stimulus tick before the checkpoint", (b) => (b.snapshot.stimNext[0] = tick - 1), "snapshot.stimNext[0]"],
      ["next stimulus tick a string", (b) => (b.snapshot.stimNext[0] = "x"), "snapshot.stimNext[0]"],
      ["pending stimulus spike of a neuron that does not exist", (b) => (b.snapshot.stimPending[0] = [99999]), "snapshot.stimPending[0][0]"],
      ["stimulus cursor past the list", (b) => (b.snapshot.stimCursor[0] = 999), "snapshot.stimCursor[0]"],
      ["stimulus cursor negative", (b) => (b.snapshot.stimCursor[0] = -1), "snapshot.stimCursor[0]"],
      ["spike ring one slot longer", (b) => b.snapshot.fired.push(b.snapshot.fired[0]), "snapshot.fired"],
      ["spike ring with a neuron that does not exist", (b) => (b.snapshot.fired[0][0] = [99999]), "snapshot.fired[0][0][0]"],
      ["spike ring tick in the future", (b) => (b.snapshot.firedTick[0] = tick + 5), "snapshot.firedTick[0]"],
      ["recent spike in the future", (b) => (b.snapshot.recentSpikes[0] = [tick + 10]), "snapshot.recentSpikes[0][0]"],
      ["idle flag 2", (b) => (b.snapshot.idle[0] = 2), "snapshot.idle[0]"],
      ["idle versions negative", (b) => (b.snapshot.idleAt[reads] = b.snapshot.idleAt[reads].map(() => -1)), `snapshot.idleAt[${reads}][0]`],
      ["state version negative", (b) => (b.snapshot.versions[0] = -1), "snapshot.versions[0]"],
      ["state version null", (b) => (b.snapshot.versions[0] = null), "snapshot.versions[0]"],
      ["activity counters short", (b) => b.snapshot.activity.pop(), "snapshot.activity"],
      ["digital backlog negative", (b) => (b.snapshot.backlog = -1), "snapshot.backlog"],
      ["digital backlog null", (b) => (b.snapshot.backlog = null), "snapshot.backlog"],
      ["current resets of inputs that do not exist", (b) => (b.snapshot.currentZeroedAt = [1, 2, 3]), "snapshot.currentZeroedAt"],
      ["recordings emptied", (b) => b.snapshot.probes.forEach((p: Json) => ((p.ticks = []), (p.data = []))), "snapshot.probes[0].ticks"],
      ["recording sample time moved", (b) => (b.snapshot.probes[0].ticks[1] = 7), "snapshot.probes[0].ticks[1]"],
      ["recording sample value dropped", (b) => b.snapshot.probes[0].data.pop(), "snapshot.probes[0].data"],
      ["recording value out of range", (b) => (b.snapshot.probes[0].data[0] = 2 ** 40), "snapshot.probes[0].data[0]"],
      ["recording value null", (b) => (b.snapshot.probes[0].data[3] = null), "snapshot.probes[0].data[3]"],
      ["recording removed", (b) => b.snapshot.probes.pop(), "snapshot.probes"],
      ["forged spike after the checkpoint", (b) => (b.snapshot.spikes.ticks.push(tick + 1), b.snapshot.spikes.groups.push(0), b.snapshot.spikes.elements.push(0)), "snapshot.spikes.ticks"],
      ["forged spike of a neuron that does not exist", (b) => (b.snapshot.spikes.ticks.push(tick), b.snapshot.spikes.groups.push(0), b.snapshot.spikes.elements.push(99999)), "snapshot.spikes.elements"],
      ["forged spike of a group that does not exist", (b) => (b.snapshot.spikes.ticks.push(tick), b.snapshot.spikes.groups.push(99), b.snapshot.spikes.elements.push(0)), "snapshot.spikes.groups"],
      ["forged spike of a synapse group", (b) => (b.snapshot.spikes.ticks.push(tick), b.snapshot.spikes.groups.push(ir.groups.findIndex((g) => g.kind === 2)), b.snapshot.spikes.elements.push(0)), "snapshot.spikes.groups"],
      ["forged spike out of order", (b) => (b.snapshot.spikes.ticks.unshift(tick), b.snapshot.spikes.groups.unshift(0), b.snapshot.spikes.elements.unshift(0)), "snapshot.spikes.ticks[1]"],
      ["spike lists of unequal length", (b) => b.snapshot.spikes.groups.pop(), "snapshot.spikes.groups"],
      ["statistics negative", (b) => (b.snapshot.stats.overruns = -1), "snapshot.stats.overruns"],
      ["statistics missing", (b) => delete b.snapshot.stats, "snapshot.stats"],
      ["snapshot format changed", (b) => (b.snapshot.format = "engram-emulator-snapshot-0"), "snapshot.format"],
      ["weights where the model has no analysis", (b) => (b.weights = []), "weights"],
      ["snapshot of another model", (b) => (b.snapshot.modelSha256 = "0".repeat(64)), "snapshot"],
      // Only the digest sees these: in range, but not what the run computed.
      ["spikes emptied", (b) => ((b.snapshot.spikes.ticks = []), (b.snapshot.spikes.groups = []), (b.snapshot.spikes.elements = [])), undefined],
      ["a past spike removed", (b) => (b.snapshot.spikes.ticks.splice(1, 1), b.snapshot.spikes.groups.splice(1, 1), b.snapshot.spikes.elements.splice(1, 1)), undefined],
      ["a state value changed within range", (b) => (b.snapshot.state[0][0] = b.snapshot.state[0][0] === lo ? lo + 1 : lo), undefined],
      ["a random word changed", (b) => (b.snapshot.rngs.stimuli[0][1] ^= 1), undefined],
      ["identity seed edited to match the run's request", (b) => (b.identity.seed = 2), undefined],
    ];

    type Outcome = "refused: digest" | "refused: identity" | "refused: range check" | "refused: file (not JSON, format)" | "ACCEPTED" | "INTERNAL ERROR" | "SLOW";
    const counts = new Map<Outcome, number>();
    const bad: string[] = [];
    let n = 0;
    const attempt = (name: string, text: string, want: CheckpointIdentity, field: string) => {
      const file = join(tmp, `case-${n++}.json`);
      writeFileSync(file, text);
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        resumeCheckpoint(file, want, new Emulator(ir), noWeights);
        outcome = "ACCEPTED";
      } catch (e) {
        if (!(e instanceof EngramError)) {
          outcome = "INTERNAL ERROR";
          bad.push(`${name}: ${(e as Error).stack}`);
        } else {
          const m = e.message;
          const at = m.match(/ at (\S+): cannot resume: /)?.[1] ?? "";
          outcome = at === "sha256" ? "refused: digest" : at.startsWith("identity.") ? "refused: identity" : at.startsWith("snapshot") || at.startsWith("weights") ? "refused: range check" : "refused: file (not JSON, format)";
          // Located: the file, and the field (for "*", any field, or where the JSON parser stopped: its position, the end, or the quoted text around the bad character).
          const located = field === "*" ? at !== "" || /it is not JSON \(.*(position \d+|end of JSON input|is not valid JSON)/.test(m) : at.startsWith(field);
          if (!m.startsWith(file) || !located) bad.push(`${name}: expected the file and field "${field}", got: ${m}`);
        }
      }
      if (performance.now() - t0 > CASE_LIMIT_MS) outcome = "SLOW";
      if (outcome === "ACCEPTED" || outcome === "SLOW") bad.push(`${name}: ${outcome}`);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    };
    const seal = (body: Json) => `{"format":"engram-checkpoint-2","sha256":"${createHash("sha256").update(JSON.stringify(body)).digest("hex")}","body":${JSON.stringify(body)}}`;
    for (const [name, edit, field] of edits) {
      const damaged = structuredClone(good);
      edit(damaged.body);
      attempt(`${name} (digest as written)`, JSON.stringify(damaged), identity, "sha256");
      if (field !== undefined) attempt(`${name} (digest recomputed)`, seal(damaged.body), identity, field);
    }
    // The run asks for something else than the checkpoint continues.
    const asks: [keyof CheckpointIdentity, unknown][] = [["seed", 2], ["rounding", "nearest"], ["state_bits", 12], ["engram_version", "0.0.1"], ["target", "bss2"], ["model_name", "other"], ["image_sha256", "f".repeat(64)]];
    for (const [key, value] of asks) attempt(`resume asking for ${key} ${value}`, JSON.stringify(good), { ...identity, [key]: value }, `identity.${key}`);
    // Damage to the text itself.
    const text = JSON.stringify(good);
    const rng = new Rng(11, "checkpoint-campaign");
    for (const cut of [0, 1, 40, text.length >> 1, text.length - 1]) attempt(`truncated to ${cut} of ${text.length} characters`, text.slice(0, cut), identity, "*");
    for (let k = 0; k < 12; k++) {
      const at = rng.nextU32() % text.length;
      const b = Buffer.from(text);
      b[at]! ^= 1 << (rng.nextU32() % 7);
      attempt(`bit flipped in character ${at}`, b.toString("latin1"), identity, "*");
    }
    attempt("empty file", "", identity, "*");
    attempt("null", "null", identity, "format");
    attempt("a list", "[]", identity, "format");
    attempt("a checkpoint of the old, digest-less format", JSON.stringify(good.body.snapshot), identity, "format");
    attempt("concatenated with itself", text + text, identity, "*");

    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`checkpoint campaign: ${total} cases\n` + [...counts].map(([k, v]) => `  ${k}: ${v}`).join("\n"));
    expect(total).toBeGreaterThanOrEqual(50);
    expect(bad).toEqual([]);
  });
});
