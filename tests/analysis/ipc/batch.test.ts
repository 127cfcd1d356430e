import { describe, expect, it } from "vitest";
import { CapacityEstimator } from "../../../src/analysis/ipc/estimator.ts";
import { informationProcessingCapacity, IPC_DEFAULTS } from "../../../src/analysis/ipc/search.ts";
import { runEsn } from "../../../src/analysis/ipc/esn.ts";
import { Rng } from "../../../src/util/rng.ts";

// Batching (several targets per pass over the states, runs advanced together, speculative targets
// discarded) must change no result: every capacity is compared bit for bit (Object.is) with the
// one-target-at-a-time path (batch 1), for both product kernels (plain JS and WebAssembly SIMD).
describe("batched IPC search", () => {
  it("gives bit-identical capacities, terms, sums and target counts to batch 1 (N = 22 leaves a column tail)", () => {
    for (const [activation, inputScale, kernel] of [["tanh", 1.0, "js"], ["tanh", 0.1, "js"], ["linear", 0.1, "js"], ["tanh", 0.1, "wasm"], ["linear", 0.1, "wasm"]] as const) {
      const T = 4000, N = 22, maxDelay = 40;
      const { u, states } = runEsn({ units: N, samples: T, washout: maxDelay, inputScale, spectralRadius: 0.9, activation, seed: 2 });
      const one = informationProcessingCapacity(u, maxDelay, states, T, N, { ...IPC_DEFAULTS, maxDelay, batch: 1, kernel });
      expect(one.speculative).toBe(0);
      expect(one.terms.length).toBeGreaterThan(10);
      for (const batch of [3, 8, 16]) {
        const r = informationProcessingCapacity(u, maxDelay, states, T, N, { ...IPC_DEFAULTS, maxDelay, batch, kernel });
        expect(r.evaluated).toBe(one.evaluated);
        expect(r.terms.map((t) => [t.delays.join(), t.degrees.join()])).toEqual(one.terms.map((t) => [t.delays.join(), t.degrees.join()]));
        r.terms.forEach((t, i) => expect(Object.is(t.capacity, one.terms[i]!.capacity)).toBe(true));
        r.byDegree.forEach((c, i) => expect(Object.is(c, one.byDegree[i])).toBe(true));
        expect(Object.is(r.total, one.total)).toBe(true);
      }
    }
  }, 60_000);
  it("capacities() of a batch equals capacity() per target bit for bit, a constant target included", () => {
    const T = 1000, N = 7, rng = new Rng(5, "ipc-batch-test");
    const X = Float64Array.from({ length: T * N }, () => rng.normal());
    for (const kernel of ["js", "wasm"] as const) {
      const est = new CapacityEstimator(X, T, N, kernel);
      const targets = Array.from({ length: 5 }, (_, b) => (b === 2 ? new Float64Array(T).fill(3) : Float64Array.from({ length: T }, (_, t) => X[t * N + b]! + rng.normal())));
      const single = targets.map((z) => est.capacity(Float64Array.from(z)));
      const out = new Float64Array(5);
      est.capacities(targets.map((z) => Float64Array.from(z)), 5, out);
      expect(single[2]).toBe(0);
      single.forEach((c, b) => expect(Object.is(out[b], c)).toBe(true));
    }
  });
});
