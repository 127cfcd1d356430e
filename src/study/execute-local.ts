/**
 * Runs a study's missing runs locally: in the main thread, which has the toolchain loaded and
 * warm already, and in N-1 worker threads of a piscina pool (a maintained pool: it starts,
 * feeds and stops the threads). `--workers N` means N threads running runs, the main thread
 * being one of them, so `--workers 1` starts no thread at all.
 *
 * All of them take runs from one queue, longest first (queue.ts): the main thread takes a run
 * whenever it is free; a worker thread starts taking runs once it has loaded the toolchain (so the main
 * thread does runs meanwhile instead of waiting for it). The main thread compiles the runs it
 * hands to worker threads (a few milliseconds each): a worker thread then loads and warms up
 * only what running a program takes, not the compiler's front end (YAML, zod, mathjs). Which thread ran which run depends on
 * timing; results do not: each run's seed comes from its grid point, each run writes its own
 * folder, and the collector reads them in grid order.
 */
import { Piscina } from "piscina";
import { compileRun, lostRun, runOne, type RunRecord, type RunTask } from "./run-one.ts";
import type { Compiled } from "./run-program.ts";
import type { WorkerJob } from "./worker.ts";
import { VERSION } from "../cli/main.ts";
import { studyWorkerBundle } from "./worker-bundle.ts";
import { RunQueue } from "./queue.ts";

/** Worker threads (beside the main thread), started ahead of the runs. */
export interface Helpers {
  threads: number;
  pool: Piscina;
  /** Resolves when every thread has loaded the toolchain; rejects if one could not. */
  ready: Promise<void>;
}

/**
 * Runs a worker thread keeps in hand: one running and two queued, so that it goes on to its
 * next runs without waiting for the main thread, which answers a finished run only between runs
 * of its own. With one queued the worker thread still waited for work 8 % of its time (profiled
 * under load: piscina's Atomics.wait), whenever the main thread's run outlasted its queued one.
 * The second queued run is only for short runs (SHORT_RUN): one long run queued covers the main
 * thread's latency, and long runs waiting in a hand made a cmos study's worker thread finish
 * seconds after the main thread.
 */
const RUNS_IN_HAND = 3;
const SHORT_RUN = 0.1; // seconds

/**
 * The module each worker loads: the precompiled bundle (worker-bundle.ts), or, where the project
 * folder cannot hold one, the TypeScript sources through tsx (worker-entry.js; same results,
 * slower start).
 */
async function workerModule(): Promise<string> {
  try {
    return (await studyWorkerBundle()).url;
  } catch (e) {
    process.stderr.write(`engram: note: study workers load the TypeScript sources (a slower start, the same results): the worker bundle could not be built: ${(e as Error).message.split("\n")[0]}\n`);
    return new URL("./worker-entry.js", import.meta.url).href;
  }
}

/**
 * Starts `threads` worker threads at once (piscina starts minThreads right away and each loads
 * the worker module before saying it is ready), so that they load the toolchain while the main
 * thread reads and checks the study. Zero threads: undefined.
 */
export async function startHelpers(threads: number): Promise<Helpers | undefined> {
  if (threads < 1) return undefined;
  const pool = new Piscina({
    filename: await workerModule(),
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: RUNS_IN_HAND,
    idleTimeout: 1000,
  });
  // A ping per thread (worker.ts answers null at once): it resolves once a thread has loaded the
  // module. With two or more threads, two pings may land on the same one (each takes RUNS_IN_HAND
  // tasks), so runs can be handed out while another thread still loads: they wait in piscina's
  // queue for a free thread, a small loss that --workers 2 (one thread) never has.
  const ready = Promise.all(Array.from({ length: threads }, () => pool.run(null))).then(() => undefined);
  ready.catch(() => {}); // observed by runLocal; a study that ends before its helpers are ready ignores it
  return { threads, pool, ready };
}

/**
 * Runs the tasks on the main thread and the helpers (if any) from one queue; `onDone` is called
 * as each finishes (completion order: for progress only). Returns the records in task order.
 */
export async function runLocal(tasks: RunTask[], helpers: Helpers | undefined, onDone?: (record: RunRecord) => void): Promise<RunRecord[]> {
  const records: RunRecord[] = new Array(tasks.length);
  const queue = new RunQueue(tasks);
  let drained = false;
  const finish = (i: number, r: RunRecord) => {
    records[i] = r;
    // The run's own time on its thread (not the wait in a worker's hand) orders the queue.
    if (r.started !== undefined && r.ended !== undefined) queue.finished(tasks[i]!, (Date.parse(r.ended) - Date.parse(r.started)) / 1000);
    onDone?.(r);
  };
  // Runs the helpers have taken and not yet finished.
  const inFlight = new Set<Promise<void>>();
  if (helpers) {
    const { pool, ready } = helpers;
    // `leave`: stop taking runs when no more than this many are left. Near the end of the queue
    // a worker thread gets one run at a time: a run waiting in its hand while the main thread
    // has none would only make the study wait for it. The extra lanes stop while twice as many
    // runs as all hands hold are left, so that a worker's hand has emptied to one run by the end
    // even when the runs are long (with long runs it ended holding three: a cmos study's worker
    // thread finished 2.2 s after the main thread, its last runs waiting in its hand).
    const take = async (leave: number, shortOnly: boolean) => {
      while (queue.size > leave) {
        if (shortOnly && !((queue.nextSeconds() ?? Infinity) < SHORT_RUN)) {
          // The next run is long or of unknown length: look again when a run in hand is done.
          if (inFlight.size === 0) return;
          await Promise.race(inFlight);
          continue;
        }
        const { at: i, task } = queue.take()!;
        let compiled: Compiled;
        try {
          compiled = compileRun(task);
        } catch {
          // A run whose model does not compile fails here as on any thread: the main thread
          // records it (compiling again, which fails the same way at once).
          finish(i, await runOne({ ...task, executor: "local main thread" }));
          continue;
        }
        // A run's own errors come back as failed records; this catches a worker that died.
        const run = (pool.run({ task, compiled, version: VERSION } satisfies WorkerJob) as Promise<RunRecord>)
          .catch((e: Error): RunRecord => lostRun(task, `the worker running it stopped: ${e.message}`))
          .then((r) => finish(i, r));
        inFlight.add(run);
        await run;
        inFlight.delete(run);
      }
    };
    ready.then(
      () => {
        const held = helpers.threads * RUNS_IN_HAND;
        for (let k = 0; k < held; k++) void take(k < helpers.threads ? 0 : 2 * held, k >= 2 * helpers.threads);
      },
      // Workers that cannot start leave every run to the main thread (same results, slower).
      (e: Error) => drained || void process.stderr.write(`engram: note: study worker threads did not start (${e.message.split("\n")[0]}); the main thread runs the study alone\n`),
    );
  }
  // The main thread's lane: between runs it lets the event loop turn, so that workers' finished
  // runs are counted and they get their next ones.
  for (let next = queue.take(); next; next = queue.take()) {
    finish(next.at, await runOne({ ...next.task, executor: "local main thread" }));
    await new Promise((r) => setImmediate(r));
  }
  // The queue is empty: wait for the runs the helpers still have (a helper still loading the
  // toolchain has none and is not waited for).
  drained = true;
  while (inFlight.size > 0) await Promise.all(inFlight);
  return records;
}
