import type { Target } from "../target.ts";
import { Executor } from "./executor.ts";
import { caps } from "./caps.ts";

export const target: Target = {
  name: "reference",
  doc: "float64 reference executor: exponential-Euler integration of the model's equations at its dt, with quiet-stretch acceleration",
  caps,
  execute: (program) => new Executor(program),
};
