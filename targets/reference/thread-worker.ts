/**
 * A worker thread of a split reference run (threads.ts): attaches the shared state in the order
 * worker 0 allocated it, builds its own kernels for its share, and serves runs until told to stop.
 */
import { workerData } from "node:worker_threads";
import type { Program } from "../../src/ir/program.ts";
import { Executor } from "./executor.ts";
import { Barrier, SharedStore, WorkerFailed } from "./partition.ts";

const { program, buffers, index, count } = workerData as { program: Program; buffers: SharedArrayBuffer[]; index: number; count: number };
const store = new SharedStore(buffers, false);
const barrier = Barrier.create(store, count);
const control = store.f64(1);
try {
  new Executor(program, false, undefined, { index, count, store, barrier, control }).serve();
} catch (e) {
  barrier.fail();
  // worker 0 reports its own error when it has one; this one only if it is the first
  if (!(e instanceof WorkerFailed)) throw e;
}
