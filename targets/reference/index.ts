import type { Target } from "../target.ts";
import { Executor } from "./executor.ts";
import { spec } from "./spec.ts";

export const target: Target = {
  spec,
  execute: (program) => new Executor(program),
};
