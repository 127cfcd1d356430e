/**
 * The fixed-point compiler's range analysis by simulation (an instrumented float64 run of the
 * model), shared by engram compile, engram run on a chip and a study's runs. A module of its own,
 * so that what runs a compiled program (src/cli/execute-run.ts) does not load the compiler's
 * front end with engram compile.
 */
import type { VarStats } from "../compiler/fixed/quantise.ts";
import type { Program } from "../ir/program.ts";
import { lazyPlan } from "../ir/lazy-plan.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { fractionBelow, medianChange } from "../../targets/reference/analysis.ts";

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

