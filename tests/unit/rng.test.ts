import { describe, expect, it } from "vitest";
import { Rng } from "../../src/util/rng.ts";

describe("seeded random numbers", () => {
  it("same seed and stream give the same sequence; other streams differ", () => {
    const a = new Rng(5, "noise"), b = new Rng(5, "noise"), c = new Rng(5, "other"), d = new Rng(6, "noise");
    const take = (r: Rng) => Array.from({ length: 8 }, () => r.nextU32());
    const sa = take(a);
    expect(take(b)).toEqual(sa);
    expect(take(c)).not.toEqual(sa);
    expect(take(d)).not.toEqual(sa);
  });

  it("uniform, normal and geometric draws have the right moments (n = 200k, 5-sigma bounds)", () => {
    const r = new Rng(1);
    const n = 200_000;
    let su = 0, sn = 0, sn2 = 0, sg = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      su += u;
      const x = r.normal();
      sn += x;
      sn2 += x * x;
      sg += r.geometric(0.02);
    }
    expect(Math.abs(su / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sn / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    // Geometric(p): mean 1/p = 50, variance (1-p)/p^2 = 2450
    expect(Math.abs(sg / n - 50)).toBeLessThan(5 * Math.sqrt(2450 / n));
  });

  it("save/load continues the identical sequence", () => {
    const r = new Rng(9);
    r.normal();
    const state = r.save();
    const next = [r.normal(), r.normal(), r.uniform()];
    const s = new Rng(0);
    s.load(state);
    expect([s.normal(), s.normal(), s.uniform()]).toEqual(next);
  });
});
