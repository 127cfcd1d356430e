import type { TargetSpec } from "../target.ts";

/** The float64 reference: what the model means. It runs in host time, so no acceleration factor applies. */
export const spec: TargetSpec = {
  name: "reference",
  doc: "float64 reference executor: exponential-Euler integration of the model's equations at its dt, with exact quiet-stretch acceleration",
  numbers: { kind: "float64" },
  acceleration: 1,
  assumptions: [],
};
