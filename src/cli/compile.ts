/** engram compile: model -> fixed-point IR image (.engram) for a target, with the quantisation report. */
import type { Limits } from "../ir/limits.ts";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed, FIXED_PASSES } from "../compiler/fixed/pipeline.ts";
import type { Rounding, VarStats } from "../compiler/fixed/quantise.ts";
import type { Program } from "../ir/program.ts";
import { encodeImage } from "../ir/image.ts";
import { safeName } from "../util/safe-name.ts";
import { getTarget } from "../../targets/registry.ts";
import { lazyPlan } from "../ir/lazy-plan.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { fractionBelow, medianChange } from "../../targets/reference/analysis.ts";
import type { VariationOptions } from "../compiler/fixed/variation.ts";
import { VERSION } from "./main.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { checkOutputFile } from "./out-dir.ts";

export interface CompileCliOptions {
  model: string;
  target: string;
  out?: string;
  rounding: Rounding;
  bits?: number;
  seed?: number;
  dumpAfter?: string;
  variation?: VariationOptions;  /** Raised resource limits (--limit NAME=N). */
  limits?: Partial<Limits>;
}

/**
 * Work limit of the range-analysis run, in dense steps times elements: large networks are analysed
 * over their first stretch of activity only (the report says how much), unless their synapses are
 * event-driven (numerics.lazy_synapses): then a second, event-driven run gives the whole run's ranges.
 */
export const ANALYSIS_BUDGET = 1e7;

/** Range analysis by simulation: an instrumented float64 run of the model with its own stimuli. */
export function analyseByRun(program: Program, opts: { wholeRun?: boolean } = {}): Map<string, VarStats> & { coveredSeconds?: number; denseSeconds?: number } {
  const ex = new Executor(program, true);
  ex.run(undefined, program.durationTicks, ANALYSIS_BUDGET);
  const out = new Map<string, VarStats>();
  for (const [key, a] of ex.analysis!) {
    out.set(key, { min: a.range[0]!, max: a.range[1]!, fractionBelow: (size) => fractionBelow(a, size), medianChange: medianChange(a) });
  }
  const plastic = program.projections.filter((pr) => pr.odes.length > 0);
  if (opts.wholeRun !== false && ex.tick < program.durationTicks && plastic.length > 0 && plastic.every((pr) => typeof lazyPlan(pr) !== "string")) {
    // Beyond the dense budget, an event-driven run (whatever the model's numerics say: it only
    // measures) covers the rest: ranges of the whole run, with the change statistics of the dense
    // stretch. Learning may come long after the budget ends.
    const lazy = new Executor(program, true, true);
    lazy.run();
    for (const [key, a] of lazy.analysis!) {
      const s = out.get(key)!;
      if (a.range[0]! <= a.range[1]!) Object.assign(s, { min: Math.min(s.min, a.range[0]!), max: Math.max(s.max, a.range[1]!) });
    }
    return Object.assign(out, { coveredSeconds: program.durationTicks * program.tickSeconds, denseSeconds: ex.tick * program.tickSeconds });
  }
  return Object.assign(out, { coveredSeconds: ex.tick * program.tickSeconds });
}

export async function compileCommand(o: CompileCliOptions): Promise<number> {
  const target = getTarget(o.target);
  const fixedPass = (FIXED_PASSES as readonly string[]).includes(o.dumpAfter ?? "");
  const dump = (t: string) => process.stdout.write(t + "\n");
  const program = compile(o.model, { target: target.name, seed: o.seed, dumpAfter: fixedPass ? undefined : o.dumpAfter, dump, extraPasses: FIXED_PASSES, limits: o.limits });
  const out = o.out ?? safeName(`${program.name}.${target.name}.engram`);
  checkOutputFile(out, o.out === undefined ? "the image file" : "-o"); // before the range analysis, which simulates
  const result = compileFixed(program, target.caps, { rounding: o.rounding, bits: o.bits, variation: o.variation, engramVersion: VERSION, analyse: analyseByRun, dumpAfter: fixedPass ? o.dumpAfter : undefined, dump });
  const bytes = encodeImage(result.ir);
  writeFileAtomic(out, bytes);
  process.stdout.write(`${result.report}\nwrote ${out} (${bytes.length} bytes, ${result.ir.kernels.length} kernels, ${result.ir.kernels.reduce((s, k) => s + k.ops.length, 0)} ops)\n`);
  return 0;
}
