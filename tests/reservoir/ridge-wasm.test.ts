/** The battery's fits on the WebAssembly SIMD kernel (ridge-wasm.ts) against the plain-JS ridge.ts path. */
import { describe, expect, it } from "vitest";
import { evaluateTasks } from "../../src/analysis/tasks/evaluate.ts";
import type { TaskPlan } from "../../src/analysis/tasks/check.ts";
import { arChannels } from "../../src/compiler/rate/streams.ts";
import { Rng } from "../../src/util/rng.ts";

describe("ridge fits on the SIMD kernel", () => {
  // Three partially predictable channels; "states" are 13 noisy mixtures of their recent values
  // (odd counts everywhere: 13 + 1 features, 1201 train and 601 test samples, 3 x 7 x 3 = 63 tasks).
  const n = 2000, K = 3, N = 13;
  const s = arChannels(K, undefined, 4, n);
  const rng = new Rng(11, "ridge-wasm-test");
  const ticks = Float64Array.from({ length: n + 1 }, (_, t) => t);
  const mix = Array.from({ length: N }, () => Array.from({ length: 3 * K }, () => rng.normal()));
  const columns = mix.map((m) => Float64Array.from(ticks, (t) => {
    let v = 0.1 * rng.normal();
    for (let lag = 1; lag <= 3; lag++) for (let c = 0; c < K; c++) if (t - lag >= 0) v += m[(lag - 1) * K + c]! * s.values[(t - lag) * K + c]!;
    return Math.tanh(v);
  }));
  const plan = (ridge: number): TaskPlan => ({
    tasks: { states: "res.x", stream: 0, washout: 20, train: 1201, test: 601, ridge, shifts: [-3, -2, -1, 0, 1, 2, 3], powers: [1, 2, 3], where: {} },
    recording: 0,
    stream: { kind: "stream", target: "res", neurons: Int32Array.from([0]), startTick: 0, stopTick: n, input: "I_in", channels: K, names: ["u0", "u1", "u2"], values: s.values, weights: new Float64Array(K) },
    channels: [0, 1, 2],
    length: n,
  });
  for (const ridge of [1e-6, 0]) {
    it(`gives every task's R² of the plain-JS fit to rounding (ridge ${ridge})`, () => {
      const js = evaluateTasks(plan(ridge), { ticks, columns }, "js");
      const wasm = evaluateTasks(plan(ridge), { ticks, columns }, "wasm");
      expect(wasm).toHaveLength(63);
      expect(js.some((r) => r.r2 > 0.8) && js.some((r) => r.r2 < 0.1)).toBe(true); // a spread of scores, not a degenerate case
      wasm.forEach((r, j) => {
        expect([r.channel, r.shift, r.power]).toEqual([js[j]!.channel, js[j]!.shift, js[j]!.power]);
        expect(Math.abs(r.r2 - js[j]!.r2)).toBeLessThan(1e-10);
      });
    });
  }
});
