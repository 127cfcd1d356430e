/**
 * engram study STUDY.yaml: expands a study's grid into runs, runs what is missing (local worker
 * pool or a Slurm job array), and writes results.csv, results.arrow, summary.md, one plot per
 * scalar and the study's manifest.json into the output folder (docs/studies.md).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { loadStudy, type Study } from "../study/schema.ts";
import { expandStudy, type RunSpec } from "../study/expand.ts";
import { checkStudy, overridesOf } from "../study/check.ts";
import { collectRows, pendingRuns, readRecord, removePartials, type Row } from "../study/collect.ts";
import { runLocal, startHelpers, type Helpers } from "../study/execute-local.ts";
import { jobStates, submitStudy, taskListFile, waitForJob } from "../study/execute-slurm.ts";
import { lostRun, runOne, type RunRecord, type RunTask } from "../study/run-one.ts";
import { resultsArrow, resultsCsv, status } from "../study/write-table.ts";
import { summaryMarkdown } from "../study/summary.ts";
import { scalarPlots } from "../study/plots.ts";
import { countBar } from "./progress.ts";
import { UsageError, VERSION } from "./main.ts";

export interface StudyOptions {
  file: string;
  out?: string;
  workers: number;
  retryFailed: boolean;
  slurm: boolean;
  partition?: string;
  chunk: number;
  sbatchArgs: string[];
  /** Internal: run array task I of a submitted study (what the Slurm job script calls). */
  taskIndex?: number;
  quiet: boolean;
  /**
   * In-process callers only (no flag): wait for the worker threads to load before the first run,
   * so that every thread takes runs whatever the timing (a worker thread still loading when the
   * main thread has drained the queue takes none). Results never depend on it; tests use it to
   * check that runs on worker threads give the same bytes.
   */
  awaitWorkers?: boolean;
}

export function parseStudy(args: string[]): StudyOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        workers: { type: "string" },
        "retry-failed": { type: "boolean", default: false },
        slurm: { type: "boolean", default: false },
        partition: { type: "string" },
        chunk: { type: "string" },
        "sbatch-arg": { type: "string", multiple: true },
        "task-index": { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`study needs exactly one study file, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const count = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} takes a positive integer, got "${text}"`);
    return Number(text);
  };
  if (!v.slurm && (v.partition !== undefined || v.chunk !== undefined || v["sbatch-arg"] !== undefined)) throw new UsageError("--partition, --chunk and --sbatch-arg go with --slurm");
  const taskText = v["task-index"];
  if (taskText !== undefined && !/^\d+$/.test(taskText)) throw new UsageError(`--task-index takes an array task number (0, 1, ...), got "${taskText}"`);
  const taskIndex = taskText === undefined ? undefined : Number(taskText);
  return {
    file: positionals[0]!,
    out: v.out,
    workers: count("workers", v.workers, Math.max(1, availableParallelism())),
    retryFailed: v["retry-failed"] === true,
    slurm: v.slurm === true,
    partition: v.partition,
    chunk: count("chunk", v.chunk, 1),
    sbatchArgs: v["sbatch-arg"] ?? [],
    taskIndex,
    quiet: v.quiet === true,
  };
}

export async function studyCommand(o: StudyOptions): Promise<number> {
  const started = performance.now();
  // Worker threads beside the main thread start first, so that they load the toolchain while
  // the main thread reads, expands and checks the study.
  const local = !o.slurm && o.taskIndex === undefined;
  const starting = local ? startHelpers(o.workers - 1) : Promise.resolve(undefined);
  let stopped: Promise<void> | undefined;
  // Idempotent: called as soon as the runs are done, and again (harmlessly) on the way out.
  // A helper is not terminated while it still loads its module: Node 20 can abort the whole process
  // (an assertion in ModuleWrap) when a worker is terminated mid-instantiation, which a study that
  // ends early (a bad study file, all runs done on the main thread) would otherwise do.
  const stopHelpers = () => (stopped ??= starting.then(async (h) => {
    if (!h) return;
    await h.ready.catch(() => {});
    await h.pool.destroy();
  }, () => {}));
  try {
    return await studyWith(o, started, starting, stopHelpers);
  } finally {
    await stopHelpers();
  }
}

async function studyWith(o: StudyOptions, started: number, starting: Promise<Helpers | undefined>, stopHelpers: () => Promise<void>): Promise<number> {
  const study = loadStudy(o.file);
  const runs = expandStudy(study);
  const out = o.out ?? join("out", "studies", study.data.name);
  const taskOf = (spec: RunSpec, executor: string): RunTask => ({ spec, out, collect: study.data.collect, atSeconds: study.atSeconds, overrides: overridesOf(study, spec), keep: study.data.keep, executor });
  if (o.taskIndex !== undefined) return slurmTask(o.taskIndex, runs, out, taskOf);

  mkdirSync(join(out, "runs"), { recursive: true });
  removePartials(out);
  const todo = pendingRuns(out, runs, o.retryFailed);
  checkStudy(study, runs);
  const workers = Math.min(o.workers, Math.max(1, todo.length));
  // Phase timers for the manifest (where a study's wall time goes: docs/benchmarks.md, "Studies").
  const readDone = performance.now();
  const say = (text: string) => o.quiet || process.stdout.write(text);
  say(`${study.data.name}: ${runs.length} runs, ${runs.length - todo.length} already done, ${todo.length} to run${o.slurm ? " on Slurm" : ` on ${workers} worker(s)`}\n`);
  const bar = o.quiet ? countBar("", 0) : countBar(study.data.name, todo.length);
  const lost = new Map<string, RunRecord>();
  let finished = 0;
  let mode: Record<string, unknown>;
  if (!o.slurm) {
    if (todo.length > 0) {
      const helpers = todo.length > 1 ? await starting : undefined;
      if (helpers && o.awaitWorkers) await helpers.ready.catch(() => {});
      const records = await runLocal(todo.map((s) => taskOf(s, "local")), helpers, () => bar.update(++finished));
      for (const r of records) if (!readRecord(out, runs[r.index]!)) lost.set(r.id, r);
    }
    await stopHelpers();
    mode = { mode: "local", workers };
  } else {
    mode = { mode: "slurm", chunk: o.chunk, partition: o.partition ?? null };
    if (todo.length > 0) {
      const sub = submitStudy(o.file, out, todo, { partition: o.partition, chunk: o.chunk, sbatchArgs: o.sbatchArgs, pollSeconds: 1 });
      say(`submitted Slurm job ${sub.jobId}: ${sub.tasks.length} array task(s); logs in ${displayPath(sub.logs)}\n`);
      let note = "";
      await waitForJob(sub.jobId, { partition: o.partition, chunk: o.chunk, sbatchArgs: o.sbatchArgs, pollSeconds: 1, onPoll: (s) => (note = `${s.running} running, ${s.pending} pending`) }, () => {
        bar.update(todo.filter((r) => readRecord(out, r) !== undefined).length, note);
      });
      for (const [i, ids] of sub.tasks.entries()) {
        for (const id of ids) {
          const spec = todo.find((r) => r.id === id)!;
          if (!readRecord(out, spec)) lost.set(id, lostRun(taskOf(spec, `slurm ${sub.jobId}_${i}`), `the Slurm task ended without writing this run's result (see ${join(sub.logs, `${sub.jobId}_${i}.log`)})`));
        }
      }
      mode.job = sub.jobId;
      mode.array_tasks = sub.tasks.length;
    }
  }
  bar.done();
  const runsDone = performance.now();
  const rows = collectRows(out, runs, lost);
  const command = ["engram study", displayPath(study.file), ...(o.slurm ? ["--slurm"] : [])].join(" ");
  const s = (ms: number) => Number((ms / 1000).toFixed(3));
  await writeOutputs(study, rows, out, command, (outputsMs) => ({
    ...mode,
    ran_now: todo.length,
    started: new Date(performance.timeOrigin + started).toISOString(),
    // read: load, expand and check the study, find what is left; runs: until every run (and the
    // worker threads) stopped; outputs: results, summary, plots (the manifest itself not counted).
    phases: { read_s: s(readDone - started), runs_s: s(runsDone - readDone), outputs_s: s(outputsMs) },
    wall_s: s(performance.now() - started),
  }));
  const failed = rows.filter((r) => status(r) !== "ok");
  say(`wrote ${join(out, "results.csv")}, results.arrow, summary.md, manifest.json and plots/ (${rows.length - failed.length} ok, ${failed.length} failed)\n`);
  checkScalarsWritten(study, rows);
  if (failed.length > 0) {
    process.stderr.write(`engram: ${failed.length} of ${rows.length} runs failed (reasons in ${join(out, "summary.md")}); rerun with --retry-failed to try them again\n`);
    return 1;
  }
  return 0;
}

/** A Slurm array task: its chunk of runs, one after another, in this process. */
async function slurmTask(index: number, runs: RunSpec[], out: string, taskOf: (s: RunSpec, executor: string) => RunTask): Promise<number> {
  const list = JSON.parse(readFileSync(taskListFile(out), "utf8")) as { tasks: string[][] };
  const ids = list.tasks[index];
  if (!ids) throw new EngramError([{ code: "bad-task-index", message: `task ${index} is not in ${taskListFile(out)} (${list.tasks.length} tasks)` }]);
  const executor = `slurm ${process.env.SLURM_ARRAY_JOB_ID ?? "?"}_${process.env.SLURM_ARRAY_TASK_ID ?? index}`;
  for (const id of ids) {
    const spec = runs.find((r) => r.id === id);
    if (!spec) throw new EngramError([{ code: "study-changed", message: `run ${id} is no longer in the study (the study file changed after submission)` }]);
    const r = await runOne(taskOf(spec, executor));
    process.stdout.write(`${id}: ${r.status} in ${r.wall_s} s on ${hostname()}\n`);
  }
  return 0;
}

/** `execution` is called once the other outputs are written, with how long they took (ms). */
async function writeOutputs(study: Study, rows: Row[], out: string, command: string, execution: (outputsMs: number) => Record<string, unknown>): Promise<void> {
  const t0 = performance.now();
  writeFileAtomic(join(out, "results.csv"), resultsCsv(study, rows));
  writeFileAtomic(join(out, "results.arrow"), resultsArrow(study, rows));
  writeFileAtomic(join(out, "summary.md"), summaryMarkdown(study, rows, command));
  mkdirSync(join(out, "plots"), { recursive: true });
  for (const [scalar, svg] of await scalarPlots(study, rows)) writeFileAtomic(join(out, "plots", `${scalar}.svg`), svg);
  const manifest = {
    engram_version: VERSION,
    study: { name: study.data.name, file: displayPath(study.file), sha256: study.sha256 },
    grid: study.data.grid,
    models: study.models.map(displayPath),
    collect: study.data.collect,
    execution: execution(performance.now() - t0),
    outputs: ["results.csv", "results.arrow", "summary.md", ...Object.keys(study.data.collect).map((s) => `plots/${s}.svg`), "manifest.json"],
    runs: rows.map((r) => ({ id: r.spec.id, seed: r.spec.seed, status: status(r), wall_s: r.record?.wall_s ?? null, cpu_s: r.record?.cpu_s ?? null, host: r.record?.host ?? null, executor: r.record?.executor ?? null, started: r.record?.started ?? null, ended: r.record?.ended ?? null, engram_version: r.record?.engram_version ?? null })),
  };
  writeFileAtomic(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
}

/** A scalar that no successful run wrote is a mistake in the study file: say where. */
function checkScalarsWritten(study: Study, rows: Row[]): void {
  const ok = rows.filter((r) => r.record?.status === "ok");
  if (ok.length === 0) return;
  const problems = Object.keys(study.data.collect)
    .filter((s) => ok.every((r) => r.record!.scalars[s] === null))
    .map((s) => ({ code: "scalar-not-written", message: `no run wrote the scalar "${s}": ${ok[0]!.record!.missing?.[s] ?? "no value"}`, where: study.locate(["collect", s]) }));
  if (problems.length > 0) throw new EngramError(problems);
}
