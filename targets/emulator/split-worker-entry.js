// Entry of a split emulator run's worker thread (split.ts): worker threads do not inherit the
// TypeScript loader that bin/engram.js registers, so it is registered here before the worker loads.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
try {
  await import("./split-worker.ts");
} catch (e) {
  // a worker that cannot load tells the waiting thread (the first shared buffer holds the signal words)
  const sig = new Int32Array(workerData.buffers[0]);
  Atomics.store(sig, 2, 1);
  Atomics.notify(sig, 1);
  throw e;
}
