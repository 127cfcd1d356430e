/**
 * The compiler: one ordered list of named passes, the only place their order lives.
 * model file -> resolve -> check-units -> check-numbers (+ limits) -> elaborate -> discretise -> emit -> IR program.
 * `dumpAfter` prints the stage after the named pass (engram compile/run --dump-after PASS).
 */
import { Collector, resolveModel } from "./passes/resolve.ts";
import { checkUnits } from "./passes/check-units.ts";
import { checkNumbers } from "./passes/check-numbers.ts";
import { checkLimits } from "./check-limits.ts";
import { limitsWith, type Limits } from "../ir/limits.ts";
import { elaborate } from "./passes/elaborate.ts";
import { discretise } from "./passes/discretise.ts";
import { emit } from "./passes/emit.ts";
import { dumpStage } from "./dump.ts";
import type { Program } from "../ir/program.ts";
import { EngramError } from "../diagnostics/diagnostic.ts";
import type { ModelOverride } from "../model/load.ts";

export const PASSES = ["resolve", "check-units", "check-numbers", "elaborate", "discretise", "emit"] as const;
export type PassName = (typeof PASSES)[number];

export interface CompileOptions {
  target: string;
  /** Overrides the model's seed. */
  seed?: number;
  /** Overrides numerics.accelerate. */
  accelerate?: boolean;
  dumpAfter?: string;
  dump?: (text: string) => void;
  /** Values set on top of the model file (a study's grid point): src/model/load.ts. */
  overrides?: ModelOverride[];
  /** Pass names handled by a later stage (accepted by --dump-after here, printed there). */
  extraPasses?: readonly string[];
  /** Raised resource limits (--limit NAME=N); the rest keep DEFAULT_LIMITS. */
  limits?: Partial<Limits>;
}

export function compile(file: string, options: CompileOptions): Program {
  const known = [...PASSES, ...(options.extraPasses ?? [])];
  if (options.dumpAfter !== undefined && !known.includes(options.dumpAfter)) {
    throw new EngramError([{ code: "unknown-pass", message: `no pass named "${options.dumpAfter}"`, expected: `one of ${known.join(", ")}`, received: options.dumpAfter }]);
  }
  const dump = (pass: PassName, stage: unknown) => {
    if (options.dumpAfter === pass) (options.dump ?? console.log)(dumpStage(pass, stage));
  };
  const { model, modelHash, elaborated } = elaborateModel(file, options, dump);
  const c = new Collector();
  const discrete = discretise(elaborated, c);
  c.throwIfAny();
  dump("discretise", discrete);
  const program = emit(model, discrete, modelHash, options.target);
  dump("emit", program);
  return program;
}

/**
 * The passes up to elaboration (resolve, check-units, check-numbers and the limits, elaborate):
 * what compile() lowers further, and what an exporter reads (src/interchange/model-to-nir.ts).
 */
export function elaborateModel(file: string, options: Omit<CompileOptions, "target"> = {}, dump: (pass: PassName, stage: unknown) => void = () => {}) {
  const c = new Collector();
  const limits = limitsWith(options.limits);
  const { model, modelHash } = resolveModel(file, options.overrides, limits.modelFileBytes);
  if (options.seed !== undefined) model.seed = options.seed;
  if (options.accelerate !== undefined) model.numerics.accelerate = options.accelerate;
  dump("resolve", model);
  checkUnits(model, c);
  c.throwIfAny();
  dump("check-units", model);
  checkNumbers(model, c);
  c.throwIfAny();
  // Before elaboration allocates anything: sizes, durations and rates against the limits.
  checkLimits(model, limits);
  dump("check-numbers", model);
  const elaborated = elaborate(model, c);
  c.throwIfAny();
  dump("elaborate", elaborated);
  return { model, modelHash, elaborated };
}
