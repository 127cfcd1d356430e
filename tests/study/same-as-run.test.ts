/**
 * A study's run is the run `engram run` does: the scalars a study collects from a network with a
 * cell-assembly analysis equal the values in the analysis.json and manifest.json that
 * `engram run` writes for the same model and seed.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseStudy, studyCommand } from "../../src/cli/study.ts";
import { runCommand } from "../../src/cli/run.ts";

describe("study runs and engram run", () => {
  it("collect the same Q, weights and spike count from memory-network-small", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-study-run-"));
    const model = resolve("models/stc/memory-network-small.yaml");
    const study = join(dir, "s.yaml");
    writeFileSync(study, `study: 1\nname: same\nmodel: ${model}\ngrid:\n  seeds: { from: 3, to: 3 }\ncollect:\n  Q: { analysis: "recalls[t=4].Q" }\n  MI: { analysis: "recalls[t=4].mi_bits" }\n  w: { analysis: "weights[t=5].classes[class=CA->CA].mean_w" }\n  spikes: { manifest: spikes }\n`);
    expect(await studyCommand(parseStudy([study, "--out", join(dir, "study"), "--quiet"]))).toBe(0);
    const runDir = join(dir, "run");
    expect(await runCommand({ model, target: "reference", seed: 3, out: runDir, plain: false, rounding: "stochastic", variation: { mismatch: false, noise: false } })).toBe(0);
    const a = JSON.parse(readFileSync(join(runDir, "analysis.json"), "utf8"));
    const m = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8"));
    const [head, row] = readFileSync(join(dir, "study", "results.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    const cell = (name: string) => Number(row![head!.indexOf(name)]);
    const recall = a.recalls.find((r: { t: number }) => r.t === 4);
    expect(cell("Q")).toBe(recall.Q);
    expect(cell("MI")).toBe(recall.mi_bits);
    expect(cell("w")).toBe(a.weights.find((w: { t: number }) => w.t === 5).classes.find((c: { class: string }) => c.class === "CA->CA").mean_w);
    expect(cell("spikes")).toBe(m.spikes);
    expect(m.spikes).toBeGreaterThan(0);
  });
});
