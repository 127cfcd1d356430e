/**
 * Runs a study's missing runs on a local pool of worker threads (piscina: a maintained pool, so
 * no hand-written scheduling). Results do not depend on the pool: each run writes its own
 * folder, and the collector reads them in grid order.
 */
import { Piscina } from "piscina";
import { lostRun, type RunRecord, type RunTask } from "./run-one.ts";

export interface LocalOptions {
  workers: number;
  /** Called as each run finishes (in completion order: for progress only). */
  onDone?: (record: RunRecord) => void;
}

export async function executeLocal(tasks: RunTask[], o: LocalOptions): Promise<RunRecord[]> {
  if (tasks.length === 0) return [];
  const threads = Math.max(1, Math.min(o.workers, tasks.length));
  const pool = new Piscina({
    filename: new URL("./worker-entry.js", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
  });
  try {
    return await Promise.all(
      tasks.map(async (t) => {
        // A run's own errors come back as failed records; this catches a worker that died.
        const record = await (pool.run(t) as Promise<RunRecord>).catch((e: Error): RunRecord => lostRun(t, `the worker running it stopped: ${e.message}`));
        o.onDone?.(record);
        return record;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
