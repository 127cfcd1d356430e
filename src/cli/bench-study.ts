/**
 * engram bench --study: the study runner's figures (docs/benchmarks.md).
 * - the study workers' bundle (built or checked) and what one worker thread pays to load the
 *   toolchain from it and from the TypeScript sources;
 * - the machine's ceiling: two threads of plain floating-point work against one;
 * - studies/stc-protocols.yaml (4 protocols x 25 seeds on the float64 reference) run exactly as
 *   `engram study --workers 1` (the main thread alone) and `--workers 2` (the main thread and one
 *   worker thread), in this process, after a warm-up study, three rounds alternating, from empty
 *   output folders: wall and CPU time (process, main thread, V8's background threads), the runs'
 *   own summed wall and CPU, how many runs the main thread took, the study's phases, each
 *   thread's span, speed-up (best and medians), the CPU bound, and whether results.csv is the
 *   same bytes; then what a cold worker isolate costs on the same 100 runs; then the same study
 *   as whole `engram study` processes;
 * - a 16-run subset of studies/stc-protocols-cmos.yaml (longer runs) the same way, one round;
 * - studies/stc-protocols-cmos.yaml (the same on the cmos emulator): wall time and the outcome
 *   classes of z(8 h) against float64;
 * (--quick: only this first part)
 * - with a Slurm cluster reachable (SLURM_CONF set; scripts/slurm-cluster.sh start): an 8-run
 *   study through a job array against the local pool, and the scheduler's overhead per run.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseStudy, studyCommand } from "./study.ts";
import { loadStudy } from "../study/schema.ts";
import { classOf } from "../study/summary.ts";
import { studyWorkerBundle } from "../study/worker-bundle.ts";
import { threadCpuSeconds } from "../study/thread-cpu.ts";
import { Piscina } from "piscina";
import { expandStudy } from "../study/expand.ts";
import { overridesOf } from "../study/check.ts";
import { compileRun, type RunRecord, type RunTask } from "../study/run-one.ts";
import { runProgram } from "../study/run-program.ts";
import type { WorkerJob } from "../study/worker.ts";
import { VERSION } from "./main.ts";

/**
 * CPU seconds of this process's threads that are neither the main thread nor a worker thread of
 * ours: V8's compiler and garbage-collector threads, libuv's pool (Linux: /proc/self/task; else
 * undefined). Worker threads that have exited are no longer listed, which is why a difference
 * over a study counts only these long-lived threads.
 */
function backgroundCpu(): Map<string, number> | undefined {
  try {
    const m = new Map<string, number>();
    for (const tid of readdirSync("/proc/self/task")) {
      if (tid === String(process.pid)) continue;
      const f = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
      m.set(tid, (Number(f[11]) + Number(f[12])) / 100);
    }
    return m;
  } catch {
    return undefined;
  }
}

/**
 * Wall time, CPU time of this process over all its threads (the pool's workers are threads), of
 * the main thread alone, and of its background threads.
 */
async function timed(args: string[]): Promise<{ wall: number; cpu: number; mainCpu?: number; background?: number; code: number }> {
  const b0 = backgroundCpu();
  const m0 = threadCpuSeconds();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const code = await studyCommand(parseStudy([...args, "--quiet"]));
  const c = process.cpuUsage(c0);
  const m1 = threadCpuSeconds();
  const b1 = backgroundCpu();
  const background = b0 && b1 ? [...b1].reduce((a, [tid, t]) => a + t - (b0.get(tid) ?? 0), 0) : undefined;
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, mainCpu: m0 !== undefined && m1 !== undefined ? m1 - m0 : undefined, background, code };
}

/** Outcome class counts per model from a results.csv (column names from its header). */
function classCounts(csv: string, classes: Record<string, { above?: number; below?: number }>): Map<string, Map<string, number>> {
  const [head, ...lines] = csv.trim().split("\n");
  const cols = head!.split(",");
  const zi = cols.indexOf("z_8h"), mi = cols.indexOf("model"), si = cols.indexOf("status");
  const out = new Map<string, Map<string, number>>();
  for (const l of lines) {
    const c = l.split(",");
    const m = c[mi]!.replace(/^.*\//, "").replace(/\.yaml$/, "");
    const counts = out.get(m) ?? new Map(Object.keys(classes).map((k) => [k, 0]));
    const cls = c[si] === "ok" ? classOf(Number(c[zi]), classes) : "failed";
    counts.set(cls, (counts.get(cls) ?? 0) + 1);
    out.set(m, counts);
  }
  return out;
}

/**
 * Sums over a finished study's runs (its manifest.json): wall and thread CPU seconds, and how many
 * runs (and how much CPU) the main thread took.
 */
function runSums(out: string): { wall: number; cpu: number; mainRuns: number; mainCpu: number; timeline: string; phases: string } {
  type Run = { wall_s: number | null; cpu_s: number | null; executor: string | null; started: string | null; ended: string | null };
  const m = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { runs: Run[]; execution: { started: string; phases: { read_s: number; runs_s: number; outputs_s: number } } };
  const runs = m.runs;
  const main = runs.filter((r) => r.executor === "local main thread");
  const cpu = (rs: typeof runs) => rs.reduce((a, r) => a + (r.cpu_s ?? 0), 0);
  // Each thread's first start and last end (s after the study started) and the time its runs
  // took (between their own start and end: the compile the main thread did for a worker's run is
  // not in it, writing result.json is not either): the rest of its span is waiting and writing.
  const t0 = Date.parse(m.execution.started);
  const threads = new Map<string, { first: number; last: number; busy: number }>();
  for (const r of runs) {
    if (r.started === null || r.ended === null || r.executor === null) continue;
    const s = (Date.parse(r.started) - t0) / 1000, e = (Date.parse(r.ended) - t0) / 1000;
    const t = threads.get(r.executor) ?? { first: Infinity, last: 0, busy: 0 };
    threads.set(r.executor, { first: Math.min(t.first, s), last: Math.max(t.last, e), busy: t.busy + e - s });
  }
  const timeline = [...threads].map(([k, t]) => `${k.replace(/^local /, "").replace(/ \d+$/, "")} ${t.first.toFixed(2)}-${t.last.toFixed(2)} (runs ${t.busy.toFixed(2)})`).join("; ");
  const p = m.execution.phases;
  return { wall: runs.reduce((a, r) => a + (r.wall_s ?? 0), 0), cpu: cpu(runs), mainRuns: main.length, mainCpu: cpu(main), timeline, phases: `${p.read_s.toFixed(2)} / ${p.runs_s.toFixed(2)} / ${p.outputs_s.toFixed(2)}` };
}

/**
 * One study with `--workers 1` and then `--workers 2` in this process, `rounds` times, each from an
 * empty output folder: wall, CPU of the process, the runs' sums, and whether every results.csv
 * is the same bytes as `reference`'s (or as the first one's).
 */
async function oneAndTwo(study: string, dir: string, name: string, rounds: number, reference?: string) {
  type Row = { wall: number; cpu: number; threadCpu?: number; background?: number; runWall: number; runCpu: number; mainRuns: number; mainCpu: number; timeline: string; phases: string };
  const results: Record<1 | 2, Row[]> = { 1: [], 2: [] };
  let same = true;
  let first = reference;
  for (let round = 0; round < rounds; round++) {
    for (const w of [1, 2] as const) {
      const out = join(dir, `${name}-${w}-${round}`);
      const t = await timed([study, "--out", out, "--workers", String(w)]);
      const sums = runSums(out);
      results[w].push({ wall: t.wall, cpu: t.cpu, threadCpu: t.mainCpu, background: t.background, runWall: sums.wall, runCpu: sums.cpu, mainRuns: sums.mainRuns, mainCpu: sums.mainCpu, timeline: sums.timeline, phases: sums.phases });
      first ??= join(out, "results.csv");
      same &&= readFileSync(join(out, "results.csv")).equals(readFileSync(first));
    }
  }
  const best = (w: 1 | 2) => results[w].reduce((a, b) => (b.wall < a.wall ? b : a));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const f = (x: number) => x.toFixed(1);
  const f2 = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(2));
  const table = [
    "| workers | round | wall (s) | CPU (s) | main thread CPU (s) | runs: wall summed (s) | runs: CPU summed (s) | runs on the main thread (their CPU, s) | V8 background threads: CPU (s) | phases: read / runs / outputs (s) | each thread: first start - last end (its runs' time), s after the start |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...Array.from({ length: rounds }, (_, round) => round).flatMap((round) =>
      ([1, 2] as const).map((w) => {
        const r = results[w][round]!;
        return `| ${w} | ${round + 1} | ${f2(r.wall)} | ${f2(r.cpu)} | ${f2(r.threadCpu)} | ${f(r.runWall)} | ${f2(r.runCpu)} | ${r.mainRuns} (${f2(r.mainCpu)}) | ${f2(r.background)} | ${r.phases} | ${r.timeline} |`;
      }),
    ),
    "",
    `speed-up (best wall of each): ${(best(1).wall / best(2).wall).toFixed(2)}x (${f2(best(1).wall)} s with one worker, ${f2(best(2).wall)} s with two); of the medians: ${(median(results[1].map((r) => r.wall)) / median(results[2].map((r) => r.wall))).toFixed(2)}x; CPU ratio two/one (same rounds): ${(best(2).cpu / best(1).cpu).toFixed(2)}; results.csv identical in all ${2 * rounds} studies${reference ? " and the warm-up" : ""}: ${same ? "yes" : "NO"}`,
  ];
  // On two cores the two-worker study cannot take less than half the CPU it uses (all threads), so
  // no schedule gets a speed-up above 2 x (wall, one worker) / (CPU, two workers). On a quiet
  // machine the one-worker wall is about its main thread's CPU plus waiting for the disk (fsync).
  const w1 = median(results[1].map((r) => r.wall)), m1 = median(results[1].map((r) => r.threadCpu ?? NaN)), c2 = median(results[2].map((r) => r.cpu));
  table.push(`CPU bound on two cores (medians): the two-worker study uses ${f2(c2)} s of CPU, so it takes at least ${f2(c2 / 2)} s: speed-up at most 2 x ${f2(w1)} / ${f2(c2)} = ${((2 * w1) / c2).toFixed(2)}x (one worker's main thread alone used ${f2(m1)} s of CPU: 2 x ${f2(m1)} / ${f2(c2)} = ${((2 * m1) / c2).toFixed(2)}x)`);
  return [...table, ""];
}

/**
 * What one worker thread pays before its first run: a fresh thread loading `url`, in wall and in
 * CPU seconds of this process (all threads: tsx transpiles on a loader thread of its own; the main
 * thread only waits meanwhile). The two differ when other processes hold the cores.
 */
function workerStart(url: string): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return new Promise((done, fail) => {
    const w = new Worker(`import(${JSON.stringify(url)}).then(() => require("node:worker_threads").parentPort.postMessage("ready"));`, { eval: true });
    w.once("message", () => {
      const c = process.cpuUsage(c0);
      done({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
      void w.terminate();
    });
    w.once("error", fail);
  });
}

/**
 * What two threads of plain computation gain over one on this machine: the ceiling for any study.
 * Two worker threads, warmed up, each run a fixed floating-point loop over a small Float64Array
 * (no allocation, no I/O: like a run's integrator); one thread doing two units one after the other
 * against both threads doing one unit at once, alternating, `rounds` times. Two virtual cores that
 * are hyperthreads of one physical core, or a busy machine, show here as a ratio well below 2.
 */
async function twoThreadCeiling(rounds: number): Promise<{ one: number; two: number }[]> {
  const code = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (n) => {
  const x = new Float64Array(64).fill(0.5);
  for (let k = 0; k < n; k++) for (let i = 0; i < 64; i++) x[i] += (0.3 - 0.01 * x[i]) * 1e-3 - Math.exp(-x[i]) * 1e-4;
  parentPort.postMessage(x[0]);
});`;
  const threads = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
  const unit = (w: Worker, n: number) => new Promise((done) => { w.once("message", done); w.postMessage(n); });
  const n = 200_000; // about 0.15 s per unit on an idle core of the machine this was written on
  try {
    await Promise.all(threads.map((w) => unit(w, n / 4)));
    const out: { one: number; two: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      await unit(threads[0]!, n);
      await unit(threads[0]!, n);
      const one = (performance.now() - t0) / 1000;
      t0 = performance.now();
      await Promise.all(threads.map((w) => unit(w, n)));
      out.push({ one, two: (performance.now() - t0) / 1000 });
    }
    return out;
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}

/**
 * What a fresh worker thread (a V8 isolate of its own) pays for being cold: the 100 runs of
 * `study`, compiled once on this thread, run one at a time in one new worker thread, twice (the
 * first pass while V8 warms up that isolate, the second warm), then on this thread (warm from
 * the studies before), then half on each thread at once (both warm). CPU seconds of the thread
 * that ran them (the compile not counted), and of the process's other threads (V8's compiler and
 * garbage collector) during each pass. The last pass against the two before it shows what running
 * at the same time costs each thread (two virtual cores sharing one physical core, caches, memory).
 */
async function coldIsolate(study: string, dir: string): Promise<string[]> {
  const s = loadStudy(study);
  const out = join(dir, "cold-isolate");
  mkdirSync(join(out, "runs"), { recursive: true });
  const tasks: RunTask[] = expandStudy(s).map((spec) => ({ spec, out, collect: s.data.collect, atSeconds: s.atSeconds, overrides: overridesOf(s, spec), keep: s.data.keep, executor: "bench" }));
  const compiled = tasks.map((t) => ({ ...compileRun(t), wall_s: 0, cpu_s: 0 }));
  // All of the worker thread's runs of the last pass are handed over at once (it runs them one after
  // another), so that it never waits for this thread, busy with runs of its own, to send the next.
  const pool = new Piscina({ filename: (await studyWorkerBundle()).url, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: tasks.length });
  // `worker`: the runs' thread is one of the "other" threads, its runs' CPU is taken out of them.
  const pass = async (where: string, worker: boolean, run: (i: number) => Promise<RunRecord>) => {
    const b0 = backgroundCpu();
    const t0 = performance.now();
    let cpu = 0;
    for (let i = 0; i < tasks.length; i++) cpu += (await run(i)).cpu_s ?? NaN;
    const b1 = backgroundCpu();
    const bg = (b0 && b1 ? [...b1].reduce((a, [tid, t]) => a + t - (b0.get(tid) ?? 0), 0) : NaN) - (worker ? cpu : 0);
    return `| ${where} | ${((performance.now() - t0) / 1000).toFixed(2)} | ${cpu.toFixed(2)} | ${bg.toFixed(2)} |`;
  };
  try {
    await pool.run(null);
    const inWorker = (i: number) => pool.run({ task: tasks[i]!, compiled: compiled[i]!, version: VERSION } satisfies WorkerJob) as Promise<RunRecord>;
    const onMain = (i: number) => runProgram({ ...tasks[i]!, executor: "bench" }, () => compiled[i]!, VERSION);
    const both = async () => {
      const b0 = backgroundCpu();
      const t0 = performance.now();
      const inW = tasks.map((_, i) => i).filter((i) => i % 2 === 0).map(inWorker);
      let main = 0;
      for (let i = 1; i < tasks.length; i += 2) main += (await onMain(i)).cpu_s ?? NaN;
      const worker = (await Promise.all(inW)).reduce((a, r) => a + (r.cpu_s ?? NaN), 0);
      const wall = (performance.now() - t0) / 1000;
      const b1 = backgroundCpu();
      const bg = (b0 && b1 ? [...b1].reduce((a, [tid, t]) => a + t - (b0.get(tid) ?? 0), 0) : NaN) - worker;
      return `| both threads at once (warm), every other run on each | ${wall.toFixed(2)} | ${(main + worker).toFixed(2)} (main thread ${main.toFixed(2)}, worker ${worker.toFixed(2)}) | ${bg.toFixed(2)} |`;
    };
    return [
      `${tasks.length} runs of ${basename(study)} compiled once, then run one at a time:`,
      "",
      "| where | wall (s) | the runs' CPU on their thread (s) | the process's other threads' CPU (s): V8's compiler and garbage collector |",
      "| --- | --- | --- | --- |",
      await pass("new worker thread, first pass (cold isolate)", true, inWorker),
      await pass("the same worker thread, second pass (warm)", true, inWorker),
      await pass("main thread (warm)", false, onMain),
      await both(),
      "",
    ];
  } finally {
    await pool.destroy();
  }
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(", ");

/** quick: only the 100-run study on one and two workers. */
export async function studyBench(quick = false): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "engram-bench-study-"));
  const ref = resolve("studies/stc-protocols.yaml");
  // Other processes on the machine take cores from the pool: the load average says how many.
  const lines = [`engram bench --study (node ${process.version}; ${availableParallelism()} cores; load average at start ${load()})`, ""];
  const b0 = performance.now();
  const bundle = await studyWorkerBundle();
  lines.push(`worker bundle (.cache/study-worker): ${bundle.built ? "built" : "up to date, checked"} in ${((performance.now() - b0) / 1000).toFixed(2)} s`);
  const bundled = await workerStart(bundle.url);
  const sources = await workerStart(new URL("../study/worker-entry.js", import.meta.url).href);
  lines.push(
    `one worker thread loading its module (what runs a compiled program): ${bundled.cpu.toFixed(2)} s CPU (${bundled.wall.toFixed(2)} s wall) from the bundle; ${sources.cpu.toFixed(2)} s CPU (${sources.wall.toFixed(2)} s wall) from the TypeScript sources through tsx`,
    "",
  );
  const ceiling = await twoThreadCeiling(5);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  lines.push(
    `this machine, two threads of plain floating-point work against one (the ceiling for any study): ${ceiling.map((c) => `${(c.one / c.two).toFixed(2)}x`).join(", ")} (median ${med(ceiling.map((c) => c.one / c.two)).toFixed(2)}x; one thread ${med(ceiling.map((c) => c.one)).toFixed(3)} s, two ${med(ceiling.map((c) => c.two)).toFixed(3)} s)`,
    "",
  );
  // Warm-up, not counted: the main thread loads what writing the outputs needs (Arrow, Vega) once.
  await timed([ref, "--out", join(dir, "warm-up"), "--workers", "2"]);
  const rounds = 3;
  lines.push(
    `studies/stc-protocols.yaml (100 runs on reference), ${rounds} rounds of --workers 1 (the main thread alone) then --workers 2 (the main thread and one worker thread), after one warm-up study; wall and CPU of this process (all threads); runs: the runs' own wall and thread CPU summed`,
    "",
    ...(await oneAndTwo(ref, dir, "ref", rounds, join(dir, "warm-up", "results.csv"))),
    ...(await coldIsolate(ref, dir)),
  );
  const f = (x: number) => x.toFixed(1);
  // What a user sees: the whole `engram study` process (Node, the TypeScript loader loading the
  // command in the main thread, the study), one worker and two.
  const whole = ([1, 2] as const).map((w) => {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [fileURLToPath(new URL("../../bin/engram.js", import.meta.url)), "study", ref, "--out", join(dir, `whole-${w}`), "--workers", String(w), "--quiet"], { stdio: "ignore" });
    return { wall: (performance.now() - t0) / 1000, code: p.status };
  });
  lines.push(`whole process, \`engram study studies/stc-protocols.yaml --workers N\`: ${f(whole[0]!.wall)} s with one worker (exit ${whole[0]!.code}), ${f(whole[1]!.wall)} s with two (exit ${whole[1]!.code}), ${(whole[0]!.wall / whole[1]!.wall).toFixed(2)}x`, "");
  // Longer runs: the same protocols on the cmos emulator (each run several times longer), 4 seeds.
  const cmosSubset = join(dir, "cmos-subset.yaml");
  writeFileSync(cmosSubset, `study: 1\nname: cmos-subset\nmodel: [${["stet", "wtet", "slfs", "wlfs"].map((m) => resolve(`models/stc/${m}.yaml`)).join(", ")}]\ngrid:\n  target: [cmos]\n  rounding: [stochastic]\n  seeds: { from: 1, to: 4 }\ncollect:\n  z_8h: { trace: z, at: 8 h }\n`);
  lines.push("stc-protocols-cmos, seeds 1-4 (16 runs on the cmos emulator: longer runs), one round of --workers 1 then --workers 2:", "", ...(await oneAndTwo(cmosSubset, dir, "cmos-subset", 1)));
  if (quick) return [...lines, `load average at the end: ${load()}`];
  const cmosStudy = resolve("studies/stc-protocols-cmos.yaml");
  const cmos = await timed([cmosStudy, "--out", join(dir, "cmos"), "--workers", "2"]);
  const classes = loadStudy(cmosStudy).data.classify.z_8h!;
  const f64 = classCounts(readFileSync(join(dir, "warm-up", "results.csv"), "utf8"), classes);
  const fixed = classCounts(readFileSync(join(dir, "cmos", "results.csv"), "utf8"), classes);
  const names = Object.keys(classes);
  lines.push(
    `stc-protocols-cmos (100 runs on the cmos emulator, 2 workers): ${cmos.wall.toFixed(1)} s wall, ${cmos.cpu.toFixed(1)} s CPU, exit ${cmos.code}. Outcome classes of z(8 h), runs of 25 (float64 / cmos):`,
    "",
    `| protocol | ${names.join(" | ")} |`,
    `| --- | ${names.map(() => "---").join(" | ")} |`,
    ...[...f64.keys()].map((m) => `| ${m} | ${names.map((n) => `${f64.get(m)!.get(n) ?? 0} / ${fixed.get(m)?.get(n) ?? 0}`).join(" | ")} |`),
    "",
  );
  lines.push(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(", ")}`, "");
  if (!process.env.SLURM_CONF) {
    lines.push("Slurm: skipped (no SLURM_CONF; start a cluster with scripts/slurm-cluster.sh start)");
    return lines;
  }
  const eight = join(dir, "eight.yaml");
  writeFileSync(eight, `study: 1\nname: slurm-bench\nmodel: [${resolve("models/stc/stet.yaml")}, ${resolve("models/stc/wlfs.yaml")}]\ngrid:\n  target: [reference]\n  seeds: { from: 1, to: 4 }\ncollect:\n  z_8h: { trace: z, at: 8 h }\n`);
  const local = await timed([eight, "--out", join(dir, "eight-local"), "--workers", "2"]);
  const slurm = await timed([eight, "--out", join(dir, "eight-slurm"), "--slurm"]);
  const identical = readFileSync(join(dir, "eight-slurm", "results.csv")).equals(readFileSync(join(dir, "eight-local", "results.csv")));
  const runWall = (JSON.parse(readFileSync(join(dir, "eight-slurm", "manifest.json"), "utf8")) as { runs: { wall_s: number }[] }).runs.reduce((a, r) => a + r.wall_s, 0);
  lines.push(
    "| 8-run study | wall (s) | results.csv identical to local |",
    "| --- | --- | --- |",
    `| local pool, 2 workers | ${local.wall.toFixed(1)} | |`,
    `| Slurm job array (8 tasks, 2 CPUs) | ${slurm.wall.toFixed(1)} | ${identical ? "yes" : "NO"} |`,
    "",
    `Slurm overhead per run: ${((slurm.wall - local.wall) / 8).toFixed(2)} s against the local pool (each array task is a whole engram process: start-up, study expansion, then the run; the runs themselves took ${runWall.toFixed(1)} s in all).`,
  );
  return lines;
}
