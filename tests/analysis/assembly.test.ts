/**
 * Measures of the cell-assembly experiment on small hand-derived cases (every expected value is
 * worked out in the comment next to it).
 */
import { describe, expect, it } from "vitest";
import { binnedRates, mutualInformation, rateWindow, rates, recallQuality, weightStats } from "../../src/analysis/assembly.ts";

const f64 = (xs: number[]) => Float64Array.from(xs);
const i32 = (xs: number[]) => Int32Array.from(xs);

describe("rates", () => {
  it("counts spikes in [t0, t1) per neuron and divides by the span", () => {
    // Window [1, 1.5): neuron 0 has spikes at 1.0 and 1.2 (1.5 excluded) -> 2 / 0.5 s = 4 Hz;
    // neuron 2 has 1.499 -> 2 Hz; the spike at 0.999 and neuron 5 (out of range) are dropped.
    const t = f64([0.999, 1.0, 1.2, 1.499, 1.5, 1.3]);
    const n = i32([0, 0, 0, 2, 0, 5]);
    expect(Array.from(rates(t, n, 3, 1, 1.5))).toEqual([4, 0, 2]);
  });

  it("uses the authors' window: 0.5 s centred 0.1 s after onset", () => {
    const [a, b] = rateWindow(20);
    expect((a + b) / 2).toBeCloseTo(20.1, 12);
    // Bounds equal the parsed decimals exactly (a spike at "0.4000" is outside): 0.05 + 0.35 in
    // doubles is 0.39999999999999997, one ulp below 0.4.
    expect(0.05 + 0.35).not.toBe(0.4);
    expect(rateWindow(0.05)).toEqual([-0.1, 0.4]);
    expect([a, b]).toEqual([19.85, 20.35]);
  });
});

describe("recallQuality", () => {
  it("Q = (nu_ans - nu_ctrl) / nu_as on a constructed rate vector", () => {
    // nExc 8, assembly 4, recalled 2: as = [0,2) rates 10, 30 -> 20 Hz; ans = [2,4) 6, 4 -> 5 Hz;
    // ctrl = [4,8) 1, 1, 1, 1 -> 1 Hz; Q = (5 - 1) / 20 = 0.2. Index 8 (inhibitory) is ignored.
    const r = f64([10, 30, 6, 4, 1, 1, 1, 1, 99]);
    const q = recallQuality(r, 4, 2, 8);
    expect(q).toEqual({ Q: 0.2, nu_as: 20, nu_ans: 5, nu_ctrl: 1 });
  });

  it("gives NaN for a silent stimulated part and rejects inconsistent sizes", () => {
    expect(recallQuality(f64([0, 0, 1, 0]), 2, 1, 4).Q).toBeNaN();
    expect(() => recallQuality(f64([1, 2]), 3, 1, 2)).toThrow(RangeError);
    expect(() => recallQuality(f64([1, 2]), 1, 0, 2)).toThrow(RangeError);
  });
});

describe("mutualInformation", () => {
  it("of a vector with itself, k equally likely values, is log2 k", () => {
    // H(X) = log2 k, H(X,X) = H(X): MI = log2 k. k = 4 -> 2 bits; k = 3 -> log2 3.
    const x4 = f64([0, 1.5, 2, 7, 0, 1.5, 2, 7]);
    expect(mutualInformation(x4, x4)).toBeCloseTo(2, 12);
    const x3 = f64([5, 6, 7, 5, 6, 7]);
    expect(mutualInformation(x3, x3)).toBeCloseTo(Math.log2(3), 12);
  });

  it("is zero for independent vectors and for a constant one", () => {
    // x, y each uniform on two values and every pair (x, y) occurs once: p(x,y) = p(x) p(y).
    expect(mutualInformation(f64([0, 0, 1, 1]), f64([0, 1, 0, 1]))).toBeCloseTo(0, 12);
    expect(mutualInformation(f64([3, 3, 3]), f64([1, 2, 3]))).toBe(0);
  });

  it("treats exact values as symbols and ignores their magnitude (relabelling)", () => {
    // y is a bijective relabelling of x: MI = H(X). x: values a, a, b, c -> p = 1/2, 1/4, 1/4,
    // H = 0.5 + 0.5 + 0.5 = 1.5 bits. Close but unequal values stay distinct symbols.
    const x = f64([2, 2, 2.0000001, 4]);
    const y = f64([100, 100, -1, 0]);
    expect(mutualInformation(x, y)).toBeCloseTo(1.5, 12);
  });

  it("partial dependence: hand-computed joint table", () => {
    // x = 0,0,1,1; y = 0,0,0,1. H(X) = 1, H(Y) = -(3/4 log2 3/4 + 1/4 log2 1/4) = 0.811278,
    // joint (0,0):2, (1,0):1, (1,1):1 -> H = 1.5. MI = 1 + 0.811278 - 1.5 = 0.311278.
    const expected = 1 + -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)) - 1.5;
    expect(mutualInformation(f64([0, 0, 1, 1]), f64([0, 0, 0, 1]))).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.311278, 6);
  });
});

describe("weightStats", () => {
  it("splits four synapses into the four classes with w = h + h0 z and the tag", () => {
    // assembly = 2 (neurons 0, 1), h0 = 4, theta_tag = 0.5 (binary-exact values throughout).
    // 0->1 CA->CA: h 6 (|6-4| = 2 tagged), z 0.5 -> w = 6 + 4 * 0.5 = 8
    // 1->3 CA->ctrl: h 4.25 (0.25, not tagged), z 0 -> w 4.25
    // 2->0 ctrl->CA: h 3.5 (exactly 0.5 below h0: tagged, ">=" as in the model), z -0.25 -> w 2.5
    // 3->2 ctrl->ctrl: h 4, z 0 -> w 4, not tagged
    const s = weightStats(i32([0, 1, 2, 3]), i32([1, 3, 0, 2]), f64([6, 4.25, 3.5, 4]), f64([0.5, 0, -0.25, 0]), 2, 4, 0.5);
    expect(s.map((c) => c.class)).toEqual(["CA->CA", "CA->ctrl", "ctrl->CA", "ctrl->ctrl"]);
    expect(s.map((c) => c.count)).toEqual([1, 1, 1, 1]);
    expect(s.map((c) => c.mean_w)).toEqual([8, 4.25, 2.5, 4]);
    expect(s.map((c) => c.tagged_fraction)).toEqual([1, 0, 1, 0]);
    expect(s[2]!.mean_z).toBe(-0.25);
  });

  it("averages within a class and leaves an empty class NaN", () => {
    // Two CA->CA synapses: h 5 and 7 -> mean 6, z 0 and 1 -> mean 0.5, w = 6 + 2 * 0.5 = 7;
    // tags: |5-2| = 3 and |7-2| = 5, both >= 1 -> 1. No other class occurs.
    const s = weightStats(i32([0, 1]), i32([1, 0]), f64([5, 7]), f64([0, 1]), 2, 2, 1);
    expect(s[0]).toEqual({ class: "CA->CA", count: 2, mean_h: 6, mean_z: 0.5, mean_w: 7, tagged_fraction: 1 });
    expect(s[3]!.count).toBe(0);
    expect(s[3]!.mean_h).toBeNaN();
  });
});

describe("binnedRates", () => {
  it("gives Hz per neuron per bin for each group", () => {
    // Bins of 0.5 s from 0 to 1: group [0, 2) has spikes at 0.1 (n0), 0.2 (n1) in bin 0 ->
    // 2 / (2 neurons * 0.5 s) = 2 Hz; group [2, 3) has 0.7 in bin 1 -> 1 / 0.5 = 2 Hz.
    const r = binnedRates(f64([0.1, 0.2, 0.7, 1.2]), i32([0, 1, 2, 2]), [[0, 2], [2, 3]], 0, 1, 0.5);
    expect(Array.from(r.time)).toEqual([0.25, 0.75]);
    expect(Array.from(r.values[0]!)).toEqual([2, 0]);
    expect(Array.from(r.values[1]!)).toEqual([0, 2]);
  });
});
