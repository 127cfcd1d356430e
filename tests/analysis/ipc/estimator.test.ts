import { describe, expect, it } from "vitest";
import { chi2Isf, regularisedGammaP } from "../../../src/analysis/ipc/chi2.ts";
import { legendreTable } from "../../../src/analysis/ipc/legendre.ts";
import { CapacityEstimator } from "../../../src/analysis/ipc/estimator.ts";
import { capacityThreshold, combinations, compositions, informationProcessingCapacity, IPC_DEFAULTS } from "../../../src/analysis/ipc/search.ts";
import { runEsn } from "../../../src/analysis/ipc/esn.ts";
import { Rng } from "../../../src/util/rng.ts";

describe("chi-squared quantile", () => {
  it("matches printed tables of the chi-squared distribution", () => {
    // Upper-tail critical values from standard tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
    expect(chi2Isf(1e-3, 1)).toBeCloseTo(10.828, 3);
    expect(chi2Isf(1e-3, 10)).toBeCloseTo(29.588, 3);
    expect(chi2Isf(1e-3, 20)).toBeCloseTo(45.315, 3);
    expect(chi2Isf(0.05, 2)).toBeCloseTo(5.991, 3);
    expect(chi2Isf(1e-3, 100)).toBeCloseTo(149.449, 3);
  });
  it("P(a, x) of the exponential case a = 1 is 1 - e^-x (both branches)", () => {
    for (const x of [0.3, 1.5, 4, 20]) expect(regularisedGammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 12);
  });
  it("threshold: orth_factor * chi2.isf(p, rank) / T (hand: 2 * 45.3147 / 19900)", () => {
    expect(capacityThreshold(20, 19900, 2, 1e-3)).toBeCloseTo((2 * 45.31474661811444) / 19900, 9);
    expect(capacityThreshold(0, 100, 2, 1e-3)).toBe(Infinity);
  });
});

describe("basis", () => {
  it("normalised Legendre polynomials: sqrt(2d+1) P_d (hand values at u = 0.5)", () => {
    const t = legendreTable(Float64Array.of(0.5, -1, 1), 3);
    expect(t[1]![0]).toBeCloseTo(Math.sqrt(3) * 0.5, 14);
    expect(t[2]![0]).toBeCloseTo(Math.sqrt(5) * ((3 * 0.25 - 1) / 2), 14);
    expect(t[3]![0]).toBeCloseTo(Math.sqrt(7) * ((5 * 0.125 - 3 * 0.5) / 2), 14);
    expect(t[3]![1]).toBeCloseTo(-Math.sqrt(7), 14); // P_d(-1) = (-1)^d
    expect(t[2]![2]).toBeCloseTo(Math.sqrt(5), 14);
  });
  it("enumerates ordered degree splits and interior delays", () => {
    expect(compositions(3, 2)).toEqual([[1, 2], [2, 1]]);
    expect(compositions(3, 3)).toEqual([[1, 1, 1]]);
    expect(combinations(4, 2)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(combinations(3, 0)).toEqual([[]]);
  });
});

describe("capacity of one target", () => {
  it("is 1 for a target in the span of the states and T*C ~ chi2(N) for unrelated noise", () => {
    const T = 4000, N = 10, rng = new Rng(3, "ipc-test");
    const X = Float64Array.from({ length: T * N }, () => rng.normal());
    const est = new CapacityEstimator(X, T, N);
    expect(est.rank).toBe(N);
    const inSpan = Float64Array.from({ length: T }, (_, t) => 2 * X[t * N]! - X[t * N + 3]! + 5);
    expect(est.capacity(inSpan)).toBeCloseTo(1, 10);
    // E[T C] = N for a target independent of the states: the mean over 400 targets is within 4 SD (sqrt(2N/400)).
    let sum = 0;
    for (let k = 0; k < 400; k++) sum += T * est.capacity(Float64Array.from({ length: T }, () => rng.normal()));
    expect(Math.abs(sum / 400 - N)).toBeLessThan(4 * Math.sqrt((2 * N) / 400));
  });
  it("rank counts independent columns (a duplicated column adds none)", () => {
    const T = 500, rng = new Rng(4, "ipc-test");
    const X = new Float64Array(T * 3);
    for (let t = 0; t < T; t++) {
      X[t * 3] = rng.normal();
      X[t * 3 + 1] = rng.normal();
      X[t * 3 + 2] = 3 * X[t * 3]!;
    }
    expect(new CapacityEstimator(X, T, 3).rank).toBe(2);
  });
});

describe("IPC of echo-state networks (seed-models.md E, N = 20, rho = 0.9, T = 19 900)", () => {
  const ipc = (activation: "linear" | "tanh", inputScale: number) => {
    const { u, states } = runEsn({ units: 20, samples: 19900, washout: 100, inputScale, spectralRadius: 0.9, activation, seed: 1 });
    return informationProcessingCapacity(u, 100, states, 19900, 20, { ...IPC_DEFAULTS, maxDelay: 100 });
  };
  it("linear network: total within 2 % of N, all of it in degree 1", () => {
    const r = ipc("linear", 0.1);
    expect(r.rank).toBe(20);
    expect(Math.abs(r.total - 20)).toBeLessThan(0.4);
    expect(r.byDegree[0]!).toBeGreaterThan(19.6);
    expect(r.byDegree.slice(1).reduce((a, b) => a + b, 0)).toBeLessThan(0.01);
  }, 60_000);
  it("tanh network, input scaling 1.0: degree-3 capacity, no even degree, total <= N", () => {
    const r = ipc("tanh", 1.0);
    // spec (own port): 7.43 + 0.00 + 10.82 = 18.25
    expect(r.byDegree[2]!).toBeGreaterThan(8);
    expect(r.byDegree[1]!).toBeLessThan(0.05);
    expect(r.byDegree[0]!).toBeLessThan(10);
    expect(r.total).toBeLessThanOrEqual(20);
    // memory trades against non-linear capacity as input scaling grows
    const small = ipc("tanh", 0.1);
    expect(small.byDegree[0]!).toBeGreaterThan(r.byDegree[0]! + 5);
    expect(small.byDegree[2]!).toBeLessThan(r.byDegree[2]!);
  }, 60_000);
});
