/**
 * A pool worker: runs study runs in this thread, one after another. The toolchain (compiler,
 * targets, emulator) is loaded once per worker, not once per run.
 */
import { threadId } from "node:worker_threads";
import { runOne, type RunRecord, type RunTask } from "./run-one.ts";

export default async function work(task: RunTask): Promise<RunRecord> {
  return runOne({ ...task, executor: `local worker ${threadId}` });
}
