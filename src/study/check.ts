/**
 * Checks a study before any run starts: every grid point's model compiles with its overrides
 * (an unknown parameter is reported at the study file's line), and every trace or analysis
 * scalar is one that the runs write.
 */
import { compile } from "../compiler/pipeline.ts";
import { EngramError, didYouMean, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { ModelOverride } from "../model/load.ts";
import type { RunSpec } from "./expand.ts";
import type { Study } from "./schema.ts";
import { planTasks } from "../analysis/tasks/check.ts";
import { collectsTasks } from "./task-scalars.ts";

/** A grid point's parameter values as model overrides, located at their grid line. */
export function overridesOf(study: Study, spec: RunSpec): ModelOverride[] {
  return Object.entries(spec.params).map(([name, value]) => ({
    path: name.split("."),
    value,
    where: study.locate(["grid", "params", name]),
    file: study.file,
  }));
}

export function checkStudy(study: Study, runs: RunSpec[]): void {
  const problems: Diagnostic[] = [];
  const done = new Set<string>();
  for (const run of runs) {
    const key = JSON.stringify([run.model, run.params]);
    if (done.has(key)) continue;
    done.add(key);
    // Target-independent stages only: chip-specific limits are each run's own result.
    const program = compile(run.model, { target: "reference", seed: run.seed, overrides: overridesOf(study, run) });
    if (program.tasks && collectsTasks(study.data.collect)) planTasks(program); // bad task specs fail before any run
    const columns = program.recordings.flatMap((r) => r.columns);
    for (const [name, spec] of Object.entries(study.data.collect)) {
      const where = study.locate(["collect", name]);
      if ("trace" in spec && !columns.includes(spec.trace)) {
        const hint = didYouMean(spec.trace, columns);
        problems.push({ code: "scalar-not-written", message: `no run of ${run.modelLabel} writes the trace "${spec.trace}" that scalar "${name}" reads`, where, expected: `a recorded column: ${columns.join(", ") || "(the model records nothing)"}`, received: spec.trace, ...(hint ? { hint: `did you mean "${hint}"?` } : {}) });
      }
      const at = study.atSeconds[name];
      if ("trace" in spec && at !== undefined && Math.round(at / program.tickSeconds) > program.durationTicks) {
        problems.push({ code: "scalar-not-written", message: `scalar "${name}" reads ${spec.trace} at ${at} s, but every run of ${run.modelLabel} ends at ${Number((program.durationTicks * program.tickSeconds).toPrecision(12))} s`, where: study.locate(["collect", name, "at"]), expected: `a time up to ${Number((program.durationTicks * program.tickSeconds).toPrecision(12))} s`, received: String(spec.at) });
      }
      if ("tasks" in spec && !program.tasks) {
        problems.push({ code: "scalar-not-written", message: `scalar "${name}" reads the readout tasks, but ${run.modelLabel} has no tasks block`, where, received: spec.tasks });
      }
      if ("analysis" in spec && !program.analysis) {
        problems.push({ code: "scalar-not-written", message: `scalar "${name}" reads analysis.json, which no run of ${run.modelLabel} writes: the model has no analysis block`, where, received: spec.analysis });
      }
    }
  }
  if (problems.length > 0) throw new EngramError(dedupe(problems));
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = JSON.stringify(d);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
