/**
 * `engram run --threads N` on the reference target: one run split over N threads (partition.ts).
 * The calling thread is worker 0 and drives the run through its Executor as usual; N - 1
 * worker_threads step their shares in lockstep. A pool package (piscina, used by studies) hands
 * out independent tasks; these workers block on shared-memory barriers for the whole run, so they
 * are plain worker_threads, started once and stopped by close().
 */
import { Worker } from "node:worker_threads";
import type { Program } from "../../src/ir/program.ts";
import { Executor } from "./executor.ts";
import { Barrier, SharedStore, type Partition } from "./partition.ts";

export interface ThreadedRun {
  executor: Executor;
  /**
   * Stops the workers: after the last run (failed = false), or after worker 0 threw (failed =
   * true: the others are stopped where they are). Throws a worker's own error if one failed.
   */
  close(failed?: boolean): Promise<void>;
}

/** Most threads a run may ask for. */
export const MAX_THREADS = 64;

/** Why a program cannot be split (events that write presynaptic neurons cross the partition), or null. */
export function unsplittable(program: Program): string | null {
  for (const pr of program.projections) {
    for (const e of [...pr.onPre, ...pr.onPost]) if (e.assigns.some((a) => a.scope === "pre")) return `projection ${pr.name} writes its presynaptic neurons' variables at events`;
  }
  return null;
}

/** Starts a run over `threads` threads; one thread (with a note on stderr) when the program cannot be split. */
export function startThreads(program: Program, threads: number): ThreadedRun {
  const why = threads > 1 ? unsplittable(program) : null;
  if (why) process.stderr.write(`engram: note: --threads ${threads}: this run stays on one thread (${why}; workers split synapses by postsynaptic neuron)\n`);
  if (threads <= 1 || why) return { executor: new Executor(program), close: async () => {} };
  const store = new SharedStore();
  const barrier = Barrier.create(store, threads);
  const control = store.f64(1);
  const part: Partition = { index: 0, count: threads, store, barrier, control };
  const executor = new Executor(program, false, undefined, part);
  const workers = Array.from({ length: threads - 1 }, (_, i) => new Worker(new URL("./thread-worker-entry.js", import.meta.url), {
    workerData: { program, buffers: store.buffers, index: i + 1, count: threads },
  }));
  const errors: Error[] = [];
  const exits = workers.map((w) => new Promise((r) => w.once("exit", r)));
  for (const w of workers) {
    w.on("error", (e: Error) => { errors.push(e); barrier.fail(); });
    w.unref(); // a run that stops on an error before close() must not hang the process
  }
  return {
    executor,
    close: async (failed = false) => {
      for (const w of workers) w.ref(); // wait for them here
      if (failed || errors.length > 0) barrier.fail();
      else executor.stopWorkers();
      // each worker returns (or throws at the failed barrier) on its own; terminate any that do not
      await Promise.all(workers.map((w, i) => Promise.race([exits[i], new Promise((r) => setTimeout(r, 5000))]).then(() => w.terminate())));
      if (errors.length > 0) throw errors[0];
    },
  };
}
