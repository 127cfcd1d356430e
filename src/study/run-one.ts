/**
 * One run of a study, in-process: compile the grid point's model, execute it as `engram run`
 * does, read the study's scalars and write runs/<id>/ atomically (built in a temporary folder,
 * then renamed). A run that fails records its error instead; it never stops the study.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { compile } from "../compiler/pipeline.ts";
import { EngramError, renderDiagnostics } from "../diagnostics/diagnostic.ts";
import { manifest, spikesCsv, tracesCsv, writeRunOutputs, type RunResult } from "../analysis/run-output.ts";
// analyze.ts and run.ts (the cell-assembly analysis, with its plots) load only for models that
// have an analysis block: the plotting stack would double a worker's start-up.
import type { ClassStats } from "../analysis/assembly.ts";
import type { ModelOverride } from "../model/load.ts";
import { getTarget } from "../../targets/registry.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { energyOfRun } from "../cli/run-energy.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { prepareRun, recordHardware } from "../cli/execute-run.ts";
import { VERSION } from "../cli/main.ts";
import type { RunSpec } from "./expand.ts";
import type { ScalarSpec } from "./schema.ts";
import { readScalar } from "./scalar.ts";
import { threadCpuSeconds } from "./thread-cpu.ts";
import { collectsTasks, taskSummary } from "./task-scalars.ts";

/** What runs/<id>/result.json holds. */
export interface RunRecord {
  id: string;
  index: number;
  seed: number;
  status: "ok" | "failed";
  /** Collected scalars (null where this run did not write one; `missing` says why). */
  scalars: Record<string, number | null>;
  missing?: Record<string, string>;
  error?: string;
  wall_s: number;
  /** CPU seconds of the thread that ran it (thread-cpu.ts; absent where the system does not say). */
  cpu_s?: number;
  host: string;
  /** Where it ran: "local worker <thread id>" or "slurm <job>_<task>". */
  executor: string;
  engram_version: string;
}

/** All a worker needs to do one run (plain data: it crosses to worker threads and Slurm tasks). */
export interface RunTask {
  spec: RunSpec;
  /** The study's output folder. */
  out: string;
  collect: Record<string, ScalarSpec>;
  atSeconds: Record<string, number | undefined>;
  overrides: ModelOverride[];
  keep: ("traces" | "spikes" | "plots")[];
  executor: string;
}

export const runDir = (out: string, id: string) => join(out, "runs", id);
export const resultFile = (out: string, id: string) => join(runDir(out, id), "result.json");

export async function runOne(task: RunTask): Promise<RunRecord> {
  const { spec, out } = task;
  const started = performance.now();
  const cpu0 = threadCpuSeconds();
  const tmp = join(out, "runs", `.${spec.id}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`);
  mkdirSync(tmp, { recursive: true });
  const base = { id: spec.id, index: spec.index, seed: spec.seed, host: hostname(), executor: task.executor, engram_version: VERSION };
  let record: RunRecord;
  try {
    const { scalars, missing } = await execute(task, tmp);
    record = { ...base, status: "ok", scalars, ...(Object.keys(missing).length > 0 ? { missing } : {}), wall_s: 0 };
  } catch (e) {
    // Any failure is this run's result; the study goes on with the others.
    const message = e instanceof EngramError ? renderDiagnostics(e.diagnostics) : `internal error: ${(e as Error).message ?? String(e)}`;
    record = { ...base, status: "failed", scalars: Object.fromEntries(Object.keys(task.collect).map((k) => [k, null])), error: message, wall_s: 0 };
  }
  record.wall_s = Number(((performance.now() - started) / 1000).toPrecision(4));
  const cpu1 = threadCpuSeconds();
  if (cpu0 !== undefined && cpu1 !== undefined) record.cpu_s = Number((cpu1 - cpu0).toFixed(2));
  writeFileAtomic(join(tmp, "result.json"), JSON.stringify(record, null, 2) + "\n");
  // The run becomes visible in one step: a folder with result.json, or nothing.
  const final = runDir(out, spec.id);
  if (existsSync(final)) rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return record;
}

async function execute(task: RunTask, dir: string): Promise<{ scalars: Record<string, number | null>; missing: Record<string, string> }> {
  const { spec } = task;
  const target = getTarget(spec.target);
  const program = compile(spec.model, { target: target.name, seed: spec.seed, overrides: task.overrides });
  let weights: { t: number; classes: ClassStats[] }[] | undefined;
  const variation = { mismatch: spec.mismatch === true, noise: spec.noise === true };
  const { handle, hardware } = prepareRun(program, target, { rounding: spec.rounding ?? "stochastic", bits: spec.bits, variation, engramVersion: VERSION });
  const runWithSnapshots = program.analysis ? (await import("../cli/run.ts")).runWithSnapshots : undefined;
  if (handle instanceof EmulatorHandle) {
    const em = handle;
    if (runWithSnapshots) weights = runWithSnapshots(program, (t) => em.runTo(t), (name) => em.values(`${program.analysis!.projection}.${name}`));
    else em.run();
  } else if (handle instanceof Executor && runWithSnapshots && program.analysis) {
    const ex = handle, g = ex.groups.get(program.analysis.projection);
    weights = runWithSnapshots(program, (t) => ex.run(undefined, t), (name) => g?.arrays.get(name));
  } else handle.run();
  recordHardware(handle, hardware);

  const result: RunResult = { program, ...handle.recorded, neuronOffset: handle.neuronOffset, stats: handle.stats };
  const extras = { engramVersion: VERSION, modelFile: spec.modelLabel, modelFiles: program.modelFiles, wallTotalSeconds: handle.stats.wallSeconds, hardware, energy: energyOfRun(program, handle, target.name) };
  if (task.keep.includes("plots")) await writeRunOutputs(dir, result, extras);
  else {
    if (task.keep.includes("traces")) writeFileSync(join(dir, "traces.csv"), tracesCsv(result));
    // The cell-assembly analysis reads spikes.csv back.
    if (task.keep.includes("spikes") || program.analysis) writeFileSync(join(dir, "spikes.csv"), spikesCsv(result));
  }
  const man = manifest(result, extras);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(man, null, 2) + "\n");
  let analysis: unknown;
  if (program.analysis) {
    const a = program.analysis;
    const { analyseRun } = await import("../cli/analyze.ts");
    await analyseRun(dir, { assembly: a.size, recallFraction: a.recallFraction, learn: a.learn, recall: a.recall, weights });
    // The analysis names the folder it read: the run's final one, not the temporary one.
    analysis = { ...(JSON.parse(readFileSync(join(dir, "analysis.json"), "utf8")) as object), dir: runDir(task.out, spec.id) };
    writeFileSync(join(dir, "analysis.json"), JSON.stringify(analysis, null, 2) + "\n");
    if (!task.keep.includes("spikes")) rmSync(join(dir, "spikes.csv"));
  }

  let tasks: unknown;
  if (program.tasks && collectsTasks(task.collect)) {
    const t = taskSummary(program, result.tables);
    tasks = t.summary;
    writeFileSync(join(dir, "tasks.csv"), t.csv);
  }
  const scalars: Record<string, number | null> = {};
  const missing: Record<string, string> = {};
  for (const [name, s] of Object.entries(task.collect)) {
    const r = readScalar(s, { result, manifest: man, analysis, tasks, atSeconds: task.atSeconds[name] });
    scalars[name] = r.value;
    if (r.missing) missing[name] = r.missing;
  }
  return { scalars, missing };
}

/** A run that ended without writing its result (a dead worker or Slurm task): not saved, so a rerun retries it. */
export function lostRun(task: RunTask, why: string): RunRecord {
  const s = task.spec;
  return { id: s.id, index: s.index, seed: s.seed, status: "failed", scalars: Object.fromEntries(Object.keys(task.collect).map((k) => [k, null])), error: why, wall_s: 0, host: hostname(), executor: task.executor, engram_version: VERSION };
}
