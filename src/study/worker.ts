/**
 * A pool worker: runs study runs in this thread, one after another. The toolchain (compiler,
 * targets, emulator) is loaded once per worker, not once per run.
 */
import { threadId } from "node:worker_threads";
import { runOne, type RunRecord, type RunTask } from "./run-one.ts";

/** A null task is a ping: it answers once this thread has loaded the toolchain (execute-local.ts). */
export default async function work(task: RunTask | null): Promise<RunRecord | null> {
  if (task === null) return null;
  return runOne({ ...task, executor: `local worker ${threadId}` });
}
