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

/** A null job is a ping: it answers once this thread has loaded the toolchain (execute-local.ts). */
export default async function work(job: WorkerJob | null): Promise<RunRecord | null> {
  if (job === null) return null;
  return runProgram({ ...job.task, executor: `local worker ${threadId}` }, () => job.compiled, job.version);
}
