import { describe, expect, it } from "vitest";
import { DotArena, wasmDotsAvailable } from "../../../src/util/f64-dots.ts";
import { CapacityEstimator } from "../../../src/analysis/ipc/estimator.ts";
import { informationProcessingCapacity, IPC_DEFAULTS } from "../../../src/analysis/ipc/search.ts";
import { runEsn } from "../../../src/analysis/ipc/esn.ts";
import { Rng } from "../../../src/util/rng.ts";

// The WebAssembly SIMD products (src/util/f64-dots.ts) against the plain-JS path: the same sums up
// to rounding, and the IPC search evaluates and keeps the same basis functions with the same
// capacities to far below the printed digits.
describe("f64 dot kernel (WebAssembly SIMD)", () => {
  it("is available on the supported Node versions", () => {
    expect(wasmDotsAvailable()).toBe(true);
  });

  it("equals sequential dot products for every block shape, padding and time chunk", () => {
    const rng = new Rng(3, "f64-dots-test");
    const T = 1001, S = T + 1, na = 7, nb = 5; // 7 = 4 + 3 and 5 = 2 + 2 + 1 exercise all four block shapes
    const ar = new DotArena(S * (na + nb) + 2 * na * nb);
    const A = ar.alloc(S * na), B = ar.alloc(S * nb), O = ar.alloc(na * nb);
    for (let j = 0; j < na; j++) for (let t = 0; t < T; t++) ar.f64[A + j * S + t] = rng.normal();
    for (let q = 0; q < nb; q++) for (let t = 0; t < T; t++) ar.f64[B + q * S + t] = rng.normal() + 3; // an offset: large sums
    for (const chunk of [64, 2, S]) {
      ar.f64.fill(0, O, O + na * nb);
      ar.dots(A, S, na, B, S, nb, 0, S, O, na, chunk);
      for (let q = 0; q < nb; q++) for (let j = 0; j < na; j++) {
        let s = 0, mag = 0;
        for (let t = 0; t < T; t++) {
          s += ar.f64[A + j * S + t]! * ar.f64[B + q * S + t]!;
          mag += Math.abs(ar.f64[A + j * S + t]! * ar.f64[B + q * S + t]!);
        }
        expect(Math.abs(ar.f64[O + q * na + j]! - s)).toBeLessThanOrEqual(1e-13 * mag);
        expect(ar.f64[O + q * na + j]).not.toBe(0);
      }
    }
    // It accumulates: a second call (one chunk, as the last) doubles every sum exactly.
    const once = ar.f64.slice(O, O + na * nb);
    ar.dots(A, S, na, B, S, nb, 0, S, O, na);
    once.forEach((v, i) => expect(ar.f64[O + i]).toBe(2 * v));
  });

  it("rejects odd time ranges and allocations past its capacity", () => {
    const ar = new DotArena(10);
    expect(() => ar.dots(0, 4, 1, 4, 4, 1, 0, 3, 8, 1)).toThrow(/even/);
    ar.alloc(9);
    expect(() => ar.alloc(ar.f64.length)).toThrow(/do not fit/);
    // Beyond a WebAssembly memory (4 GiB) there is no arena: callers fall back to plain JS.
    expect(DotArena.tryCreate(2 ** 30)).toBeUndefined();
  });

  it("gives the capacities of the plain-JS estimator to rounding, a constant target included", () => {
    const T = 2001, N = 9, rng = new Rng(5, "ipc-kernel-test");
    const X = Float64Array.from({ length: T * N }, () => rng.normal());
    const js = new CapacityEstimator(X, T, N, "js"), wasm = new CapacityEstimator(X, T, N, "wasm");
    expect(wasm.rank).toBe(js.rank);
    const targets = Array.from({ length: 11 }, (_, b) => (b === 2 ? new Float64Array(T).fill(3) : Float64Array.from({ length: T }, (_, t) => X[t * N + (b % N)]! * (b % 3) + rng.normal())));
    const a = new Float64Array(11), b = new Float64Array(11);
    js.capacities(targets.map((z) => Float64Array.from(z)), 11, a);
    wasm.capacities(targets.map((z) => Float64Array.from(z)), 11, b);
    expect(b[2]).toBe(0);
    a.forEach((c, i) => expect(Math.abs(b[i]! - c)).toBeLessThan(1e-12));
    // Built in the estimator's own buffers (no copy) gives the same as passed in from outside.
    const own = wasm.buffers(), c = new Float64Array(11);
    for (let i = 0; i < 11; i++) own[i]!.set(targets[i]!);
    wasm.capacities([...own].slice(0, 11), 11, c);
    c.forEach((v, i) => expect(v).toBe(b[i]));
    // Its own buffers out of order (copied, none overwriting another) give the same, permuted.
    for (let i = 0; i < 11; i++) own[i]!.set(targets[i]!);
    const order = [3, 0, 1, 2, 10, 9, 8, 7, 6, 5, 4], d = new Float64Array(11);
    wasm.capacities(order.map((i) => own[i]!), 11, d);
    order.forEach((i, at) => expect(d[at]).toBe(b[i]));
  });

  it("makes the IPC search evaluate and keep the same basis functions as plain JS", () => {
    for (const [activation, inputScale] of [["tanh", 1.0], ["tanh", 0.1], ["linear", 0.1]] as const) {
      const T = 4000, N = 22, maxDelay = 40;
      const { u, states } = runEsn({ units: N, samples: T, washout: maxDelay, inputScale, spectralRadius: 0.9, activation, seed: 2 });
      const js = informationProcessingCapacity(u, maxDelay, states, T, N, { ...IPC_DEFAULTS, maxDelay, kernel: "js" });
      const wasm = informationProcessingCapacity(u, maxDelay, states, T, N, { ...IPC_DEFAULTS, maxDelay, kernel: "wasm" });
      expect(js.terms.length).toBeGreaterThan(10);
      expect(wasm.evaluated).toBe(js.evaluated);
      expect(wasm.speculative).toBe(js.speculative);
      expect(wasm.terms.map((t) => [t.delays.join(), t.degrees.join()])).toEqual(js.terms.map((t) => [t.delays.join(), t.degrees.join()]));
      // The near-linear reservoirs' state covariance is ill-conditioned (eigenvalues over ~6 decades),
      // so rounding differences of 1e-16 in the products reach ~1e-10 in C: far below the 3-4 printed digits.
      wasm.terms.forEach((t, i) => expect(Math.abs(t.capacity - js.terms[i]!.capacity)).toBeLessThan(1e-9));
      expect(wasm.total.toFixed(4)).toBe(js.total.toFixed(4));
    }
  }, 60_000);
});
