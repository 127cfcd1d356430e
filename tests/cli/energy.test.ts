/** The energy section of run manifests (issue 15): labelled figures, measured on the chip's emulator, score per energy of a task run. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { captureOutput } from "../helpers/capture-output.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";

const out = captureOutput();
const tmp = mkdtempSync(join(tmpdir(), "engram-energy-"));
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));

describe("energy in run manifests", () => {
  it("a cmos run: every model's total is the sum of its terms, figures carry a source or an assumption, cmos is measured", { timeout: 60_000 }, async () => {
    const dir = join(tmp, "cmos");
    expect(await main(["run", "models/stc/basic-early.yaml", "--target", "cmos", "--out", dir]), out.stderr).toBe(0);
    const e = manifestOf(dir).energy;
    for (const name of ["biology", "bss2", "cmos"]) {
      const m = e.models[name];
      const sum = m.terms.reduce((s: number, t: { value: number }) => s + t.value, 0);
      expect(name === "biology" ? m.atp : m.joules).toBeCloseTo(sum, 12);
      for (const f of Object.values(m.figures) as Record<string, unknown>[]) expect("source" in f || "assumption" in f).toBe(true);
    }
    expect(e.models.cmos.basis).toMatch(/^measured/);
    expect(e.models.bss2.basis).toMatch(/^estimated/);
    expect(e.activity.digitalCycles).toBeGreaterThan(0);
    expect(e.activity.seconds).toBeCloseTo(manifestOf(dir).simulated_s, 12);
    // static power x real time (the cmos chip runs in real time): 50 µW x simulated seconds
    expect(e.models.cmos.static_j).toBeCloseTo(50e-6 * e.activity.seconds, 15);
  });

  it("the emulator counts each spike once (its spike list) and spike-triggered updates within all synapse updates", { timeout: 60_000 }, () => {
    const program = compile("models/stc/basic-early.yaml", { target: "cmos" });
    const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding: "nearest", variation: { mismatch: false, noise: false }, engramVersion: "test", analyse: analyseByRun });
    const h = new EmulatorHandle(ir);
    h.run();
    const s = h.emulator.stats;
    expect(s.spikes).toBe(h.emulator.spikes.ticks.length);
    expect(s.spikes).toBeGreaterThan(0);
    expect(s.eventSynapseUpdates).toBeGreaterThan(0);
    expect(s.eventSynapseUpdates).toBeLessThanOrEqual(s.synapseUpdates);
  });

  it("a task run reports its mean R² per ATP and per joule of each model", { timeout: 60_000 }, async () => {
    const dir = join(tmp, "esn");
    expect(await main(["run", "tests/fixtures/energy/tiny-esn.yaml", "--out", dir]), out.stderr).toBe(0);
    const e = manifestOf(dir).energy;
    expect(e.score.metric).toBe("mean R²");
    expect(e.score.per_atp).toBeCloseTo(e.score.value / e.models.biology.atp, 20);
    expect(e.score.per_joule.cmos).toBeCloseTo(e.score.value / e.models.cmos.joules, 6);
    expect(e.activity.spikes).toBeGreaterThan(0); // rate units counted through the stated rate mapping
    expect(e.notes.join(" ")).toContain("assumption");
    expect(out.stdout).toContain("per ATP");
  });
});
