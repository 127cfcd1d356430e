/**
 * Deterministic check "basic early" (stc-model.md section 7): seven presynaptic spikes at
 * 10, 20, 30, 40, 50, 60 and 100 ms, plasticity noise off.
 *
 * Hand-derived: the postsynaptic neuron never fires (each PSP is far below threshold), so Ca is a
 * sum of unit jumps arriving 18.8 ms (94 steps) after each presynaptic spike, each decaying by
 * q = exp(-10 ms / 48.8 ms) per 10 ms. Its maximum comes with the sixth jump:
 * Ca_max = 1 + q + ... + q^5 = (1 - q^6) / (1 - q) = 3.8188, above theta_p = 3: the brief LTP episode.
 * h is then checked against a direct transcription of the authors' per-step update (section 5),
 * written here independently of the compiler, and against their published h(0.2 s) = 4.233 mV.
 */
import { describe, expect, it } from "vitest";
import { runModel, max } from "../helpers/run.ts";
import { toStepStart } from "../../src/analysis/time-label.ts";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { captureOutput } from "../helpers/capture-output.ts";

const captured = captureOutput();

const dt = 0.2e-3;
const tauCa = 48.8e-3, thetaP = 3.0, thetaD = 1.2;
const tauH = 688.4, gammaP = 1645.6, gammaD = 313.1, hMax = 10; // mV
const h0 = (0.5 * hMax * gammaP) / (gammaP + gammaD);

/**
 * The authors' step (section 5) for one synapse without noise: Ca decays, jumps, then h advances.
 * Rows are labelled the authors' way: the value after the step from t to t + dt at time t (the
 * start of the step); engram labels the same state t + dt (src/analysis/time-label.ts).
 */
function directTranscription(steps: number): { t: number[]; h: number[]; ca: number[] } {
  const preTicks = [10, 20, 30, 40, 50, 60, 100].map((ms) => Math.round(ms / 0.2));
  const caArrival = new Set(preTicks.map((t) => t + 94));
  let ca = 0;
  let h = h0;
  const ts: number[] = [], hs: number[] = [], cas: number[] = [];
  for (let j = 0; j < steps; j++) {
    ca *= Math.exp(-dt / tauCa);
    if (caArrival.has(j)) ca += 1.0;
    const ltp = ca >= thetaP ? 1 : 0;
    const ltd = ca >= thetaD ? 1 : 0;
    // tau_h dh/dt = 0.1 (h0 - h) + gamma_p (h_max - h) LTP - gamma_d h LTD, exact for constant Ca regime
    const a = (0.1 * h0 + gammaP * hMax * ltp) / tauH;
    const b = -(0.1 + gammaP * ltp + gammaD * ltd) / tauH;
    h = -a / b + (h + a / b) * Math.exp(b * dt);
    ts.push(j * dt);
    hs.push(h);
    cas.push(ca);
  }
  return { t: ts, h: hs, ca: cas };
}

describe("basic early (deterministic, no noise)", () => {
  const r = runModel("models/stc/basic-early.yaml");
  const h = r.column("h");
  const ca = r.column("ca");

  it("calcium peaks at the hand-derived sum of six decayed jumps", () => {
    const q = Math.exp(-10e-3 / tauCa);
    const caMax = (1 - q ** 6) / (1 - q); // 3.8188
    expect(caMax).toBeCloseTo(3.8188, 4);
    expect(max(ca)).toBeCloseTo(caMax, 10);
    expect(max(ca)).toBeGreaterThan(thetaP);
  });

  it("h follows the direct transcription of the authors' update step by step", () => {
    const ref = directTranscription(1000);
    expect(h.length).toBe(1001);
    expect(h[0]).toBeCloseTo(h0, 12); // row 0: the initial state
    const table = r.ex.recorded.tables.find((t) => t.names.includes("h"))!;
    const time = Array.from(table.ticks.subarray(0, table.count), (k) => k * dt); // traces.csv's time_s
    for (let i = 1; i <= 1000; i++) {
      // engram's row at t (end of the step) is the authors' row at t - dt (start of the step)
      const j = Math.round(toStepStart(time[i]!, dt) / dt);
      expect(ref.t[j]).toBeCloseTo(toStepStart(time[i]!, dt), 12);
      expect(Math.abs(h[i]! - ref.h[j]!)).toBeLessThan(1e-12);
    }
  });

  it("h(0.2 s) matches the authors' published 4.233 mV", () => {
    expect(h.at(-1)).toBeCloseTo(4.233, 3);
    expect(r.final("z")).toBe(0);
    expect(r.final("p")).toBe(0);
  });

  it("engram run --time-label start writes the authors' labels: traces.csv's h at time_s is their h at time_s, row for row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-time-label-"));
    const csv = (sub: string) => readFileSync(join(dir, sub, "traces.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    expect(await main(["run", "models/stc/basic-early.yaml", "--out", join(dir, "start"), "--time-label", "start"]), captured.stderr).toBe(0);
    expect(await main(["run", "models/stc/basic-early.yaml", "--out", join(dir, "end")]), captured.stderr).toBe(0);
    const start = csv("start"), end = csv("end");
    const col = start[0]!.indexOf("h");
    const ref = directTranscription(1000);
    expect(start.length).toBe(1 + 1000); // no row for the initial state
    for (let i = 1; i <= 1000; i++) {
      const t = Number(start[i]![0]);
      const j = Math.round(t / dt);
      expect(ref.t[j]).toBeCloseTo(t, 12);
      expect(Math.abs(Number(start[i]![col]) - ref.h[j]!)).toBeLessThan(1e-12);
      expect(start[i]!.slice(1)).toEqual(end[i + 1]!.slice(1)); // the same rows, one dt earlier
      expect(Number(end[i + 1]![0]) - t).toBeCloseTo(dt, 12);
    }
    const manifest = (sub: string) => JSON.parse(readFileSync(join(dir, sub, "manifest.json"), "utf8")).traces_csv;
    expect(manifest("start").time_label).toBe("start");
    expect(manifest("start").time_s).toContain("start of step");
    expect(manifest("end").time_label).toBe("end");
    expect(manifest("end").time_s).toContain("end of step");
  });

  it("--time-label takes end or start: anything else is a usage error quoting it", async () => {
    expect(await main(["run", "models/stc/basic-early.yaml", "--time-label", "middle"])).toBe(2);
    expect(captured.stderr).toContain('--time-label takes end or start, got "middle"');
  });
});
