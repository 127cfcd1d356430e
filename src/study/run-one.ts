/**
 * One run of a study, in-process: compile the grid point's model, then run it (run-program.ts).
 * The main thread and Slurm tasks run runs this way; the main thread also compiles the runs it
 * hands to worker threads (compileRun), which then need no compiler of their own.
 */
import { hostname } from "node:os";
import { compile } from "../compiler/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";
import { VERSION } from "../cli/main.ts";
import type { Program } from "../ir/program.ts";
import { runProgram, type Compiled, type RunRecord, type RunTask } from "./run-program.ts";
import { threadCpuSeconds } from "./thread-cpu.ts";

export { resultFile, runDir, type RunRecord, type RunTask } from "./run-program.ts";

function programOf(task: RunTask): Program {
  const { spec } = task;
  return compile(spec.model, { target: getTarget(spec.target).name, seed: spec.seed, overrides: task.overrides });
}

/** Compiles and runs one run in this thread (its clocks count the compile). */
export function runOne(task: RunTask): Promise<RunRecord> {
  return runProgram(task, () => ({ program: programOf(task), wall_s: 0, cpu_s: 0 }), VERSION);
}

/**
 * The run's program, compiled in this thread for a worker thread to run (throws the compiler's
 * located errors), with what compiling it cost here, which the worker adds to the run's times.
 */
export function compileRun(task: RunTask): Compiled {
  const started = performance.now();
  const cpu0 = threadCpuSeconds();
  const program = programOf(task);
  const cpu1 = threadCpuSeconds();
  return { program, wall_s: (performance.now() - started) / 1000, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpu_s: cpu1 - cpu0 } : {}) };
}

/** A run that ended without writing its result (a dead worker or Slurm task): not saved, so a rerun retries it. */
export function lostRun(task: RunTask, why: string): RunRecord {
  const s = task.spec;
  return { id: s.id, index: s.index, seed: s.seed, status: "failed", scalars: Object.fromEntries(Object.keys(task.collect).map((k) => [k, null])), error: why, wall_s: 0, host: hostname(), executor: task.executor, engram_version: VERSION };
}
