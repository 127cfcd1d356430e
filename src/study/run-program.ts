/**
 * One run of a study from its compiled program: execute it as `engram run` does, read the
 * study's scalars and write runs/<id>/ atomically (built in a temporary folder, then renamed). A
 * run that fails records its error instead; it never stops the study.
 *
 * This half of a run imports no compiler front end (YAML, zod model schemas, mathjs units): a
 * study's worker threads load only this (worker.ts) and get each run's program compiled by the
 * main thread (execute-local.ts), so a worker thread starts, and warms up, in a fraction of the
 * time (docs/benchmarks.md, "Studies"). run-one.ts adds the compile, for the main thread and Slurm.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { EngramError, renderDiagnostics } from "../diagnostics/diagnostic.ts";
import { manifest, spikesCsvChunks, tracesCsvChunks, writeRunOutputs, type RunResult } from "../analysis/run-output.ts";
import { writeFileChunks } from "../util/write-chunks.ts";
// analyze.ts and run.ts (the cell-assembly analysis, with its plots) load only for models that
// have an analysis block: the plotting stack would double a worker's start-up.
import type { ClassStats } from "../analysis/assembly.ts";
import type { ModelOverride } from "../model/load.ts";
import type { Program } from "../ir/program.ts";
import { getTarget } from "../../targets/registry.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { energyOfRun } from "../cli/run-energy.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { prepareRun, recordHardware } from "../cli/execute-run.ts";
import type { RunSpec } from "./expand.ts";
import type { ScalarSpec } from "./schema.ts";
import { readScalar } from "./scalar.ts";
import { threadCpuSeconds } from "./thread-cpu.ts";

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
  /** CPU seconds of the thread(s) that compiled and ran it (thread-cpu.ts; absent where the system does not say). */
  cpu_s?: number;
  host: string;
  /** Where it ran: "local worker <thread id>" or "slurm <job>_<task>". */
  executor: string;
  /**
   * When its thread started and finished it (ISO 8601, ms): with `executor`, the study's timeline
   * (which thread was busy when). A worker thread's run starts when that thread takes it; the
   * compile the main thread did for it earlier is in `wall_s`, not between these two.
   */
  started?: string;
  ended?: string;
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

/** A run's program, compiled (by this thread or, for a worker thread, by the main thread), and what compiling it cost. */
export interface Compiled {
  program: Program;
  /** Wall and CPU seconds the compile took where it ran, counted into the run's own. */
  wall_s: number;
  cpu_s?: number;
}

export const runDir = (out: string, id: string) => join(out, "runs", id);
export const resultFile = (out: string, id: string) => join(runDir(out, id), "result.json");

/**
 * Compiles (through `compile`, which may throw: the run then fails with that error) and runs one
 * run, writing runs/<id>/. `version` is the engram version recorded with it.
 */
export async function runProgram(task: RunTask, compile: () => Compiled, version: string): Promise<RunRecord> {
  const { spec, out } = task;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const cpu0 = threadCpuSeconds();
  const tmp = join(out, "runs", `.${spec.id}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`);
  mkdirSync(tmp, { recursive: true });
  const base = { id: spec.id, index: spec.index, seed: spec.seed, host: hostname(), executor: task.executor, engram_version: version };
  let record: RunRecord;
  let compiled: Compiled | undefined;
  try {
    compiled = compile();
    const { scalars, missing } = await execute(task, compiled.program, tmp, version);
    record = { ...base, status: "ok", scalars, ...(Object.keys(missing).length > 0 ? { missing } : {}), wall_s: 0 };
  } catch (e) {
    // Any failure is this run's result; the study goes on with the others.
    const message = e instanceof EngramError ? renderDiagnostics(e.diagnostics) : `internal error: ${(e as Error).message ?? String(e)}`;
    record = { ...base, status: "failed", scalars: Object.fromEntries(Object.keys(task.collect).map((k) => [k, null])), error: message, wall_s: 0 };
  }
  record.wall_s = Number(((performance.now() - started) / 1000 + (compiled?.wall_s ?? 0)).toPrecision(4));
  const cpu1 = threadCpuSeconds();
  if (cpu0 !== undefined && cpu1 !== undefined) record.cpu_s = Number((cpu1 - cpu0 + (compiled?.cpu_s ?? 0)).toFixed(2));
  record.started = startedAt;
  record.ended = new Date().toISOString();
  // Not flushed to disk one by one (an fsync per run was 5 ms of every run's 10-50, measured under
  // load): the folder's rename below is what makes a run appear whole or not at all, and a
  // result.json that a system crash left truncated reads as missing (collect.ts), so the run is
  // simply run again.
  writeFileSync(join(tmp, "result.json"), JSON.stringify(record, null, 2) + "\n");
  // The run becomes visible in one step: a folder with result.json, or nothing.
  const final = runDir(out, spec.id);
  if (existsSync(final)) rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return record;
}

async function execute(task: RunTask, program: Program, dir: string, version: string): Promise<{ scalars: Record<string, number | null>; missing: Record<string, string> }> {
  const { spec } = task;
  const target = getTarget(spec.target);
  let weights: { t: number; classes: ClassStats[] }[] | undefined;
  const variation = { mismatch: spec.mismatch === true, noise: spec.noise === true };
  const { handle, hardware } = prepareRun(program, target, { rounding: spec.rounding ?? "stochastic", bits: spec.bits, variation, engramVersion: version });
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
  const extras = { engramVersion: version, modelFile: spec.modelLabel, modelFiles: program.modelFiles, wallTotalSeconds: handle.stats.wallSeconds, hardware, energy: energyOfRun(program, handle, target.name) };
  if (task.keep.includes("plots")) await writeRunOutputs(dir, result, extras);
  else {
    if (task.keep.includes("traces")) writeFileChunks(join(dir, "traces.csv"), tracesCsvChunks(result));
    // The cell-assembly analysis reads spikes.csv back.
    if (task.keep.includes("spikes") || program.analysis) writeFileChunks(join(dir, "spikes.csv"), spikesCsvChunks(result));
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
  if (program.tasks) {
    // The readout fit (ml-matrix) loads only for models with tasks: a worker's start-up stays light.
    const { collectsTasks, taskSummary } = await import("./task-scalars.ts");
    if (collectsTasks(task.collect)) {
      const t = taskSummary(program, result.tables);
      tasks = t.summary;
      writeFileSync(join(dir, "tasks.csv"), t.csv);
    }
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
