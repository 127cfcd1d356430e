/**
 * Runs a study's missing runs on a local pool of worker threads (piscina: a maintained pool, so
 * no hand-written scheduling). Results do not depend on the pool: each run writes its own
 * folder, and the collector reads them in grid order.
 */
import { Piscina } from "piscina";
import { lostRun, type RunRecord, type RunTask } from "./run-one.ts";
import { studyWorkerBundle } from "./worker-bundle.ts";

export interface LocalPool {
  threads: number;
  /** Runs the tasks; `onDone` is called as each finishes (completion order: for progress only). */
  run(tasks: RunTask[], onDone?: (record: RunRecord) => void): Promise<RunRecord[]>;
  destroy(): Promise<void>;
}

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
 * Starts the workers right away (piscina starts minThreads at once), so that they load the
 * toolchain while the main thread checks the study.
 */
export async function startPool(workers: number): Promise<LocalPool> {
  const threads = Math.max(1, workers);
  const pool = new Piscina({
    filename: await workerModule(),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
  });
  return {
    threads,
    run: (tasks, onDone) =>
      Promise.all(
        tasks.map(async (t) => {
          // A run's own errors come back as failed records; this catches a worker that died.
          const record = await (pool.run(t) as Promise<RunRecord>).catch((e: Error): RunRecord => lostRun(t, `the worker running it stopped: ${e.message}`));
          onDone?.(record);
          return record;
        }),
      ),
    destroy: () => pool.destroy(),
  };
}
