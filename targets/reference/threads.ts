/**
 * `engram run --threads N` on the reference target: one run split over N threads (partition.ts).
 * The calling thread is worker 0 and drives the run through its Executor as usual; N - 1
 * worker_threads step their shares in lockstep. A pool package (piscina, used by studies) hands
 * out independent tasks; these workers block on shared-memory barriers for the whole run, so they
 * are plain worker_threads, started once and stopped by close().
 */
import { Worker } from "node:worker_threads";
import type { Program } from "../../src/ir/program.ts";
import { walk, type Expr } from "../../src/ir/expr.ts";
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

/**
 * Why a program cannot be split, or null. Workers own neurons and the synapses onto them, so a
 * synapse may write only its postsynaptic neuron, and may read its presynaptic neuron only where
 * that neuron's own update writes it (done before the barrier that precedes the synapses): not a
 * value other synapses write (summed values, event jumps), which its owner may be changing.
 */
export function unsplittable(program: Program): string | null {
  const writtenBySynapses = new Set<string>(); // "population.var"
  for (const pr of program.projections) {
    for (const e of [...pr.onPre, ...pr.onPost]) {
      for (const a of e.assigns) {
        if (a.scope === "pre") return `projection ${pr.name} writes its presynaptic neurons' ${a.target} at events`;
        if (a.scope === "post") writtenBySynapses.add(`${pr.post}.${a.target}`);
      }
    }
    for (const x of pr.summed) {
      if (x.scope === "pre") return `projection ${pr.name} sums into its presynaptic neurons' ${x.target}`;
      writtenBySynapses.add(`${pr.post}.${x.target}`);
    }
  }
  for (const pr of program.projections) {
    const exprs: Expr[] = [...pr.odes.flatMap((u) => [u.A, u.B, ...(u.C ? [u.C] : [])]), ...pr.summed.map((x) => x.value), ...[...pr.onPre, ...pr.onPost].flatMap((e) => e.assigns.map((a) => a.value))];
    let read: string | null = null;
    for (const e of exprs) walk(e, (n) => {
      if (n.op === "sym" && n.scope === "pre" && writtenBySynapses.has(`${pr.pre}.${n.name}`)) read = n.name;
    });
    if (read) return `projection ${pr.name} reads its presynaptic neurons' ${read}, which synapses write`;
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
      // each worker returns (or throws at the failed barrier) on its own; terminate any that do not.
      // The wait is long: on a loaded machine a worker may still be loading its modules, and Node 20
      // can abort the process when a worker is terminated mid-instantiation.
      await Promise.all(workers.map((w, i) => Promise.race([exits[i], new Promise((r) => setTimeout(r, 60_000).unref())]).then(() => w.terminate())));
      if (errors.length > 0) throw errors[0];
    },
  };
}
