/**
 * The four classic plasticity protocols (Sajikumar-style outcome table) on the float64 reference,
 * over several seeds. Expected classes and values: stc-model.md section 7 (25 trials of the
 * authors' code): STET late LTP, z(8 h) = 0.73 +- 0.02; WTET early LTP only (h peak 134 % h0,
 * back to 101 % at 8 h, no protein synthesis); SLFS late LTD, z(8 h) = -0.27 +- 0.07 (range -0.35
 * to -0.10); WLFS early LTD only (h down to 72 % h0, 99 % at 8 h).
 */
import { describe, expect, it } from "vitest";
import { runModel, max, min } from "../helpers/run.ts";

const H0 = 4.20075; // mV, 0.5 h_max gamma_p / (gamma_p + gamma_d)
const SEEDS = [1, 2, 3, 4, 5];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("STC protocols on the reference target", () => {
  it("STET gives late-phase LTP (z(8 h) ~ 0.73, proteins made)", () => {
    const z = SEEDS.map((seed) => {
      const r = runModel("models/stc/stet.yaml", { seed });
      expect(max(r.column("p"))).toBeGreaterThan(0.5); // authors: p peaks 0.76
      expect(max(r.column("h"))).toBeGreaterThan(1.8 * H0); // authors: 8.27 mV = 197 %
      return r.final("z");
    });
    for (const v of z) expect(v).toBeGreaterThan(0.6);
    expect(Math.abs(mean(z) - 0.73)).toBeLessThan(0.05);
  });

  it("WTET gives early LTP only (h returns near h0, z stays exactly 0)", () => {
    for (const seed of SEEDS) {
      const r = runModel("models/stc/wtet.yaml", { seed });
      expect(max(r.column("h"))).toBeGreaterThan(1.1 * H0); // authors: peak 134 %
      expect(r.final("z")).toBe(0);
      expect(max(r.column("p"))).toBe(0); // no protein synthesis
      expect(Math.abs(r.final("h") / H0 - 1)).toBeLessThan(0.05); // authors: 101 %
    }
  });

  it("SLFS gives late-phase LTD (z(8 h) ~ -0.27)", () => {
    const z = SEEDS.map((seed) => {
      const r = runModel("models/stc/slfs.yaml", { seed });
      expect(min(r.column("h"))).toBeLessThan(0.5 * H0); // authors: down to 8 %
      return r.final("z");
    });
    for (const v of z) expect(v).toBeLessThan(-0.1);
    for (const v of z) expect(v).toBeGreaterThanOrEqual(-0.5); // z is bounded below by -0.5
    expect(mean(z)).toBeGreaterThan(-0.4);
    expect(mean(z)).toBeLessThan(-0.15);
  });

  it("WLFS gives early LTD only (h dips, z stays exactly 0)", () => {
    for (const seed of SEEDS) {
      const r = runModel("models/stc/wlfs.yaml", { seed });
      expect(min(r.column("h"))).toBeLessThan(0.9 * H0); // authors: 72 %
      expect(r.final("z")).toBe(0);
      expect(max(r.column("p"))).toBe(0);
      expect(Math.abs(r.final("h") / H0 - 1)).toBeLessThan(0.05); // authors: 99 %
    }
  });
});
