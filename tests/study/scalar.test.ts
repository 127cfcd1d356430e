/** Scalar paths into a run's manifest and analysis (hand-written documents, values checked by eye). */
import { describe, expect, it } from "vitest";
import { lookup } from "../../src/study/scalar.ts";

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
