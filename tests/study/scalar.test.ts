/** Scalar paths into a run's manifest and analysis (hand-written documents, values checked by eye). */
import { describe, expect, it } from "vitest";
import { lookup, readScalar } from "../../src/study/scalar.ts";
import type { RunResult } from "../../src/analysis/run-output.ts";

const analysis = {
  recalls: [{ t: 20, Q: 0.03, mi_bits: 0.9 }, { t: 28810, Q: 0.04, mi_bits: null }],
  weights: [{ t: 20, classes: [{ class: "CA->CA", mean_w: 7.1 }, { class: "ctrl->CA", mean_w: 5.2 }] }],
};

describe("scalar paths", () => {
  it("follows keys, [key=value] selectors and [index]", () => {
    expect(lookup(analysis, "recalls[t=28810].Q")).toBe(0.04);
    expect(lookup(analysis, "weights[t=20].classes[class=ctrl->CA].mean_w")).toBe(5.2);
    expect(lookup(analysis, "recalls[0].mi_bits")).toBe(0.9);
    expect(lookup({ integration: { dense_steps: 16256 } }, "integration.dense_steps")).toBe(16256);
  });
  it("is undefined where nothing matches", () => {
    expect(lookup(analysis, "recalls[t=21].Q")).toBeUndefined();
    expect(lookup(analysis, "recalls.Q")).toBeUndefined();
    expect(lookup(analysis, "nope[0]")).toBeUndefined();
  });
});

describe("trace scalars", () => {
  // A run of 100 ticks of 0.5 s (50 s), sampled every 10 ticks: z = tick / 10.
  const ticks = Float64Array.from({ length: 11 }, (_, i) => 10 * i);
  const result = {
    program: { tickSeconds: 0.5, durationTicks: 100 },
    tables: [{ names: ["z"], columns: [Float64Array.from(ticks, (t) => t / 10)], ticks, count: 11 }],
  } as unknown as RunResult;
  const at = (s: number | undefined) => readScalar({ trace: "z" }, { result, manifest: {}, analysis: undefined, atSeconds: s });
  it("takes the last sample at or before the time, or the last sample without one", () => {
    expect(at(24)).toEqual({ value: 4 }); // tick 48: the sample at tick 40
    expect(at(50)).toEqual({ value: 10 });
    expect(at(undefined)).toEqual({ value: 10 });
  });
  it("is missing, with the reason, at a time after the run has ended", () => {
    const r = at(51);
    expect(r.value).toBeNull();
    expect(r.missing).toContain("ends at 50 s");
  });
});
