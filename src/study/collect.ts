/**
 * Gathers the study's rows in grid order from runs/<id>/result.json, whoever wrote them (this
 * process, a pool worker, a Slurm task, an earlier interrupted invocation).
 */
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { RunSpec } from "./expand.ts";
import { resultFile, type RunRecord } from "./run-one.ts";

export interface Row {
  spec: RunSpec;
  /** undefined: the run has not finished (or ended without a result). */
  record: RunRecord | undefined;
}

export function readRecord(out: string, spec: RunSpec): RunRecord | undefined {
  const file = resultFile(out, spec.id);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as RunRecord;
  } catch {
    return undefined; // unreadable (edited by hand?): the run counts as missing and runs again
  }
}

/** Runs still to do: no result yet, or (with retryFailed) a failed one. */
export function pendingRuns(out: string, runs: RunSpec[], retryFailed: boolean): RunSpec[] {
  return runs.filter((r) => {
    const rec = readRecord(out, r);
    return rec === undefined || (retryFailed && rec.status === "failed");
  });
}

/** Leftovers of runs that were interrupted while writing (their partial folders). */
export function removePartials(out: string): void {
  const dir = join(out, "runs");
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.endsWith(".partial")) rmSync(join(dir, name), { recursive: true, force: true });
}

/** Rows in grid order; `lost` supplies records for runs that ended without writing one. */
export function collectRows(out: string, runs: RunSpec[], lost: Map<string, RunRecord> = new Map()): Row[] {
  return runs.map((spec) => ({ spec, record: readRecord(out, spec) ?? lost.get(spec.id) }));
}
