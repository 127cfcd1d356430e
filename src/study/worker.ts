/**
 * A pool worker: runs study runs in this thread, one after another, from programs the main
 * thread compiled (execute-local.ts). It loads only what running a program needs
 * (run-program.ts), once per worker, not once per run.
 */
import { threadId } from "node:worker_threads";
import { runProgram, type Compiled, type RunRecord, type RunTask } from "./run-program.ts";

/** One run handed to a worker thread: the task, its compiled program, and the engram version to record. */
export interface WorkerJob {
  task: RunTask;
  compiled: Compiled;
  version: string;
}

/**
 * The run before this one: a thread holds several runs (execute-local.ts, RUNS_IN_HAND), and
 * piscina may start all of them back to back, each up to its first `await`, which for most
 * models is after the whole simulation. Each run therefore starts when the one before it has
 * ended, so that its clocks (wall, CPU, started, ended) measure it alone.
 */
let previous: Promise<unknown> = Promise.resolve();

/** A null job is a ping: it answers once this thread has loaded the toolchain (execute-local.ts). */
export default async function work(job: WorkerJob | null): Promise<RunRecord | null> {
  if (job === null) return null;
  const run = previous.then(() => runProgram({ ...job.task, executor: `local worker ${threadId}` }, () => job.compiled, job.version));
  previous = run.catch(() => {});
  return run;
}
