/**
 * The bad-input campaign for model files (issue 11, "Numbers it must reach"): several hundred
 * mutated model files, generated deterministically from the repository's models (wrong units,
 * non-finite and extreme numbers, zero and negative time constants, unbounded distributions,
 * missing fields, wrong types, huge sizes, traversal and special paths, alias bombs, unknown keys,
 * and harmless changes that must still run). Each is loaded and compiled in a child process
 * (model-runner.ts) and run briefly on the reference target where cheap, under a per-case timeout.
 *
 * Asserted: no internal error, no hang, every refusal names a file and the field it is about and
 * quotes the offending value; a mutation that must be refused is refused (no silent wrong
 * result); a harmless mutation runs with finite results. The counts per outcome class are printed
 * (for docs/reliability.md).
 */
import { afterAll, describe, expect, it } from "vitest";
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { resolveModel } from "../../src/compiler/passes/resolve.ts";
import { loadModelFile } from "../../src/model/load.ts";
import { NetworkFile } from "../../src/model/schema.ts";
import { parseUnit, sameDimension, type Dimension } from "../../src/model/units.ts";
import type { CaseRequest, CaseResult } from "./model-runner.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-campaign-"));
const CASE_TIMEOUT_MS = 5000;

type Expect = "refuse" | "accept" | "either";
interface Case {
  name: string;
  file: string;
  expect: Expect;
  /** The field the error must name (a path element or text in the location). */
  key?: string;
  /** Text the error must quote (the offending value). */
  quote?: string | RegExp;
}

const BASES = [
  "models/stc/basic-early.yaml",
  "models/stc/slfs.yaml",
  "models/examples/heterogeneous-lif.yaml",
  "models/examples/analog-population.yaml",
  "models/stc/memory-network-small.yaml",
].map((f) => resolve(f));

const UNITS: [string, string][] = [["s", "ms"], ["V", "mV"], ["A", "nA"], ["ohm", "Mohm"], ["Hz", "Hz"], ["1", ""]];
function unitFor(d: Dimension): { si: string; shown: string; scale: number } | undefined {
  for (const [si, shown] of UNITS) {
    if (sameDimension(parseUnit(si).dimension, d)) return { si, shown, scale: shown === "" ? 1 : parseUnit(shown).si };
  }
  return undefined;
}

let counter = 0;
function write(text: string, ext = "yaml"): string {
  const f = join(dir, `case-${String(++counter).padStart(4, "0")}.${ext}`);
  writeFileSync(f, text);
  return f;
}
const J = (v: unknown) => JSON.stringify(v);
const net = (base: string, body: string) => write(`engram: 1\nkind: network\nextends: ${base}\n${body}\n`);

function generate(): Case[] {
  const cases: Case[] = [];
  const add = (c: Omit<Case, "file"> & { body?: string; file?: string }, base?: string) => cases.push({ ...c, file: c.file ?? net(base!, c.body!) });
  const special = join(dir, "a-directory");
  mkdirSync(special, { recursive: true });

  for (const base of BASES) {
    const short = base.split("/").slice(-1)[0]!.replace(".yaml", "");
    const raw = loadModelFile(base, NetworkFile).data;
    const { model } = resolveModel(base);

    // top-level numbers and types
    const top: [string, string, Expect, string?][] = [
      ["duration", `"NaN ms"`, "refuse", "NaN ms"], ["duration", `"-1 s"`, "refuse", "-1 s"], ["duration", `"0 s"`, "refuse", "0 s"],
      ["duration", `"1e30 s"`, "refuse", "ticks"], ["duration", `"8 mV"`, "refuse", "8 mV"], ["duration", `"abc"`, "refuse", "abc"],
      ["duration", "1e400", "refuse", "Infinity"], ["duration", ".nan", "refuse", "NaN"], ["duration", "[1, 2]", "refuse", "[1,2]"],
      ["dt", `"0 ms"`, "refuse", "0 ms"], ["dt", `"-0.1 ms"`, "refuse", "-0.1 ms"], ["dt", `"1e-300 s"`, "refuse", "1e-300 s"],
      ["dt", `"1 V"`, "refuse", "1 V"], ["dt", `"NaN s"`, "refuse", "NaN s"], ["dt", `"1e-90 s"`, "refuse", "ticks"],
      ["seed", "-1", "refuse", "-1"], ["seed", "1.5", "refuse", "1.5"], ["seed", `"x"`, "refuse", "x"], ["seed", "3", "accept"],
      // engram and kind repeat the generated header's keys: a duplicate-key error naming the key
      ["duraton", `"1 h"`, "refuse", "duraton"], ["engram", "2", "refuse", "engram"], ["kind", "neuron", "refuse", "kind"],
    ];
    // the whole list on two bases; the others differ from them in their groups, not their header
    const topHere = base === BASES[0] || base === BASES[2] ? top : top.filter((_, i) => i % 4 === 0);
    for (const [key, value, expect, quote] of topHere) add({ name: `${short}: ${key}: ${value}`, body: `${key}: ${value}`, expect, key, quote }, base);

    // populations
    for (const p of model.populations) {
      const path = (body: string) => `populations:\n  ${p.name}: ${body}`;
      const sizes: [string, Expect, string][] = [["0", "refuse", "0"], ["1.5", "refuse", "1.5"], ["1e9", "refuse", "1.00e+9"], [`"many"`, "refuse", "many"]];
      for (const [v, expect, quote] of sizes) add({ name: `${short}: ${p.name}.size = ${v}`, body: path(`{ size: ${v} }`), expect, key: p.name, quote }, base);
      add({ name: `${short}: ${p.name} unknown key`, body: path(`{ sise: 3 }`), expect: "refuse", key: "sise", quote: "sise" }, base);
      if (p.source) continue;
      const files: [string, string][] = [["/dev/zero", "/dev/zero"], ["/etc/passwd", "mapping"], ["../../../../../../../../etc/shadow", "shadow"], [special, "directory"], ["/proc/self/mem", "mem"]];
      for (const [f, quote] of files) add({ name: `${short}: ${p.name}.neuron = ${f}`, body: path(`{ neuron: ${J(f)} }`), expect: "refuse", key: "neuron", quote }, base);
      paramCases(short, base, "populations", p.name, [...p.params.values()].slice(0, 2), add);
    }

    // projections
    // the first two projections (the others are built alike)
    for (const pr of model.projections.slice(0, 2)) {
      const path = (body: string) => `projections:\n  ${pr.name}: ${body}`;
      // (a mapping merges with the base's connect mapping: pairs next to a random connect's "p" is refused for "p")
      const connects: [string, string | RegExp][] = [[`{ kind: random, p: 2 }`, "2"], [`{ kind: random, p: -0.1 }`, "-0.1"], [`one_to_some`, "one_to_some"], [`{ kind: pairs, pairs: [[0, 99999]] }`, /99999|"p"/]];
      for (const [c, quote] of connects) add({ name: `${short}: ${pr.name}.connect = ${c}`, body: path(`{ connect: ${c} }`), expect: "refuse", key: "connect", quote }, base);
      for (const [f, quote] of [["/dev/zero", "/dev/zero"], [special, "directory"]]) add({ name: `${short}: ${pr.name}.synapse = ${f}`, body: path(`{ synapse: ${J(f)} }`), expect: "refuse", key: "synapse", quote }, base);
      paramCases(short, base, "projections", pr.name, [...pr.params.values()].slice(0, 2), add);
    }

    // stimuli: replace the list by a mutated copy of the first stimulus
    const s0 = raw.stimuli?.[0] as Record<string, unknown> | undefined;
    if (s0) {
      const muts: [Record<string, unknown>, Expect, string, string][] = [];
      if (s0.kind === "poisson") muts.push([{ rate: "1e308 Hz" }, "refuse", "rate", "1e308 Hz"], [{ rate: "-5 Hz" }, "refuse", "rate", "-5 Hz"], [{ rate: "5 ms" }, "refuse", "rate", "5 ms"], [{ rate: "NaN Hz" }, "refuse", "rate", "NaN Hz"]);
      if (s0.kind === "spikes") muts.push([{ times: ["NaN ms"] }, "refuse", "times", "NaN ms"], [{ times: ["-5 ms"] }, "refuse", "times", "-5 ms"], [{ times: ["1e300 s"] }, "refuse", "times", "1e300 s"], [{ times: [] }, "refuse", "times", "[]"]);
      if (s0.kind === "ou_current") muts.push([{ tau: "0 ms" }, "refuse", "tau", "0 ms"], [{ sd: "-1 nA" }, "refuse", "sd", "-1 nA"], [{ mean: "1e308 nA" }, "refuse", "mean", "1e308 nA"]);
      if (s0.kind === "current") muts.push([{ amplitude: "NaN nA" }, "refuse", "amplitude", "NaN nA"], [{ amplitude: "1 ms" }, "refuse", "amplitude", "1 ms"]);
      if (s0.kind !== "spikes") muts.push([{ start: "1e300 s" }, "refuse", "start", "1e300 s"], [{ stop: "-1 s" }, "refuse", "stop", "-1 s"]);
      muts.push([{ target: "nope" }, "refuse", "target", "nope"], [{ colour: "red" }, "refuse", "colour", "colour"]);
      for (const [m, expect, key, quote] of muts) add({ name: `${short}: stimuli[0] ${J(m)}`, body: `stimuli: [${J({ ...s0, ...m })}]`, expect, key, quote }, base);
    }

    // recordings: replace the list by one mutated recording
    const r0 = raw.recordings?.[0] as Record<string, unknown> | undefined;
    if (r0) {
      const muts: [Record<string, unknown>, Expect, string, string][] = [
        [{ every: "0 ms" }, "refuse", "every", "0 ms"], [{ every: "1e-300 s" }, "refuse", "every", "1e-300 s"], [{ every: "NaN ms" }, "refuse", "every", "NaN ms"],
        [{ var: `${String(r0.var).split(".")[0]}.nope` }, "refuse", "var", "nope"], [{ elements: [99999999] }, "refuse", "recordings", "99999999"], [{ every: "1 V" }, "refuse", "every", "1 V"],
      ];
      for (const [m, expect, key, quote] of muts) add({ name: `${short}: recordings[0] ${J(m)}`, body: `recordings: [${J({ ...r0, ...m })}]`, expect, key, quote }, base);
    }
  }

  // whole files: syntax, structure, special paths, alias bombs
  const base = BASES[0]!;
  const bomb = ["engram: 1", "kind: network", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`)].join("\n");
  const files: [string, string, string, string][] = [
    ["alias bomb", bomb, "case", "alias"],
    ["YAML syntax error", `engram: 1\nkind: network\nextends: ${base}\nduration: [1 s\n`, "case", "YAML"],
    ["a list, not a mapping", `- engram: 1\n- kind: network\n`, "case", "list"],
    ["duplicate key", `engram: 1\nkind: network\nextends: ${base}\nduration: 1 s\nduration: 2 s\n`, "duration", "duration"],
    ["extends a directory", `engram: 1\nkind: network\nextends: ${special}\n`, "extends", "directory"],
    ["extends /etc/passwd", `engram: 1\nkind: network\nextends: /etc/passwd\n`, "extends", "plain text"],
    ["extends /etc/shadow (a mapping that is no model)", `engram: 1\nkind: network\nextends: /etc/shadow\n`, "extends", "shadow"],
    ["extends /dev/zero", `engram: 1\nkind: network\nextends: /dev/zero\n`, "extends", "device"],
    ["extends itself", "", "extends", "cycle"],
    ["extends a missing file", `engram: 1\nkind: network\nextends: ../../nowhere/none.yaml\n`, "extends", "none.yaml"],
    ["empty file", "", "case", "empty"],
    ["huge file", `engram: 1\nkind: network\nextends: ${base}\ndoc: ${"x".repeat(2 << 20)}\n`, "case", "bytes"],
  ];
  for (const [name, text, key, quote] of files) {
    const file = write(text);
    if (name === "extends itself") writeFileSync(file, `engram: 1\nkind: network\nextends: ${file}\n`);
    // "case": the whole file is at fault; naming the file is the location
    cases.push({ name: `file: ${name}`, file, expect: "refuse", key: key === "case" ? undefined : key, quote });
  }
  cases.push({ name: "file: the model path is a directory", file: special, expect: "refuse", key: "a-directory", quote: "directory" });
  return cases;
}

/** Parameter mutations of one group: wrong units, non-finite and extreme values, zeros, distributions. */
function paramCases(short: string, base: string, section: string, group: string, params: { name: string; value?: number; dimension: Dimension }[], add: (c: Omit<Case, "file"> & { body: string }, base: string) => void) {
  for (const p of params) {
    const u = unitFor(p.dimension);
    if (!u || p.value === undefined) continue;
    const isTime = u.si === "s";
    const body = (v: string) => `${section}:\n  ${group}:\n    params: { ${p.name}: ${v} }`;
    const m = (v: string, expect: Expect, quote: string | RegExp) => add({ name: `${short}: ${group}.${p.name} = ${v}`, body: body(v), expect, key: p.name, quote }, base);
    const shown = (x: number) => `${x / u.scale}${u.shown ? ` ${u.shown}` : ""}`;
    m(J(`NaN ${u.shown}`.trim()), "refuse", "NaN");
    m(J(`1e308 ${u.shown}`.trim()), "refuse", "1e308");
    m(J("1e200 * 1e200"), "refuse", "1e200 * 1e200");
    m(isTime ? `"5 mV"` : `"5 ms"`, "refuse", isTime ? "5 mV" : "5 ms");
    m("[1, 2]", "refuse", "[1,2]");
    m(J(`${p.name}_typo`), "refuse", `${p.name}_typo`);
    if (isTime) {
      m(`"-5 ms"`, "refuse", "-5 ms");
      m(`"0 ms"`, p.name.startsWith("tau") ? "refuse" : "either", "0");
      m(`{ dist: normal, mean: ${J(shown(p.value))}, sd: ${J(shown(p.value))} }`, "refuse", /normal|distribution/);
    }
    // harmless: twice the value (a delay stays on the dt grid)
    if (p.value !== 0) m(J(shown(p.value * 2)), "accept", "");
  }
}

interface Outcome {
  c: Case;
  r: CaseResult | { kind: "hang" };
  ms: number;
}

class Runner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private start(): Promise<void> {
    this.child = fork(resolve("tests/campaign/model-runner.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    return new Promise((ok) => this.child!.once("message", () => ok()));
  }
  async run(c: Case, id: number): Promise<Outcome> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child!;
    const t0 = performance.now();
    const r = await new Promise<CaseResult | { kind: "hang" }>((ok) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        this.ready = undefined;
        ok({ kind: "hang" });
      }, CASE_TIMEOUT_MS);
      child.once("message", (m) => {
        clearTimeout(timer);
        ok(m as CaseResult);
      });
      child.send({ id, file: c.file } satisfies CaseRequest);
    });
    return { c, r, ms: performance.now() - t0 };
  }
  stop(): void {
    this.child?.kill();
  }
}

/** The outcome class of one case; anything but the first three is a failure. */
function classify(o: Outcome): string {
  const { c, r } = o;
  if (r.kind === "hang") return "hang (over the timeout)";
  if (r.kind === "internal") return "internal error (stack trace)";
  if (r.kind === "ran") {
    if (!r.finite) return "silent wrong result (non-finite output)";
    if (c.expect === "refuse") return "silent wrong result (should be refused)";
    return "ran with finite results";
  }
  if (c.expect === "accept") return "false refusal (harmless change refused)";
  const located = r.diagnostics.every((d) => d.file !== undefined && d.file !== "");
  const names = c.key === undefined || r.diagnostics.some((d) => d.path.some((x) => String(x).includes(c.key!)) || (d.file ?? "").includes(c.key!)) || r.text.includes(c.key);
  if (!located || !names) return "unlocated error";
  const quoted = c.quote === undefined || c.quote === "" || (typeof c.quote === "string" ? r.text.includes(c.quote) : c.quote.test(r.text));
  if (!quoted) return "error without the offending value";
  return r.stage === "run" ? "stopped by the run-time guard, located" : "refused with a located error";
}

const GOOD = new Set(["ran with finite results", "refused with a located error", "stopped by the run-time guard, located"]);

describe("model campaign: mutated model files", () => {
  const runner = new Runner();
  afterAll(() => runner.stop());

  it("at least 200 mutations: no internal error, no hang, located and quoted errors, no silent wrong result", async () => {
    const cases = generate();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < cases.length; i++) outcomes.push(await runner.run(cases[i]!, i));
    const counts = new Map<string, number>();
    for (const o of outcomes) counts.set(classify(o), (counts.get(classify(o)) ?? 0) + 1);
    const table = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`).join("\n");
    const expected = { refuse: 0, accept: 0, either: 0 };
    for (const c of cases) expected[c.expect]++;
    console.log(`model campaign: ${cases.length} mutated model files (${expected.refuse} must be refused, ${expected.accept} must run, ${expected.either} either)\n${table}\n  slowest cases: ${[...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 3).map((o) => `${o.c.name} (${o.ms.toFixed(0)} ms)`).join("; ")}`);
    if (process.env.CAMPAIGN_TIMES) for (const o of outcomes) console.log(`${o.ms.toFixed(0)}\t${classify(o)}\t${o.c.name}`);
    const bad = outcomes.filter((o) => !GOOD.has(classify(o)));
    const report = bad.slice(0, 20).map((o) => `${classify(o)}: ${o.c.name} (${o.c.file})\n${"text" in o.r ? o.r.text.split("\n").slice(0, 4).join("\n") : JSON.stringify(o.r)}`).join("\n\n");
    expect(bad.length, report).toBe(0);
  }, 300_000);
});
