/**
 * engram bench --study: the study runner's figures (docs/benchmarks.md).
 * - studies/stc-protocols.yaml (4 protocols x 25 seeds on the float64 reference) with two workers
 *   and with one, in this process, from empty output folders: wall time, speed-up, and whether
 *   results.csv is the same bytes;
 * - studies/stc-protocols-cmos.yaml (the same on the cmos emulator): wall time and the outcome
 *   classes of z(8 h) against float64;
 * (--quick: only this first part)
 * - with a Slurm cluster reachable (SLURM_CONF set; scripts/slurm-cluster.sh start): an 8-run
 *   study through a job array against the local pool, and the scheduler's overhead per run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseStudy, studyCommand } from "./study.ts";
import { loadStudy } from "../study/schema.ts";
import { classOf } from "../study/summary.ts";

/** Wall time, and CPU time of this process over all its threads (the pool's workers are threads). */
async function timed(args: string[]): Promise<{ wall: number; cpu: number; code: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const code = await studyCommand(parseStudy([...args, "--quiet"]));
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, code };
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

/** quick: only the 100-run study on one and two workers. */
export async function studyBench(quick = false): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "engram-bench-study-"));
  const ref = resolve("studies/stc-protocols.yaml");
  // Other processes on the machine take cores from the pool: the load average says how many.
  const lines = [`engram bench --study (node ${process.version}; ${availableParallelism()} cores; load average at start ${loadavg().map((x) => x.toFixed(1)).join(", ")})`, ""];
  const two = await timed([ref, "--out", join(dir, "ref-2"), "--workers", "2"]);
  const one = await timed([ref, "--out", join(dir, "ref-1"), "--workers", "1"]);
  const same = readFileSync(join(dir, "ref-2", "results.csv")).equals(readFileSync(join(dir, "ref-1", "results.csv")));
  lines.push(
    "| study | runs | 1 worker: wall (s) | CPU (s) | 2 workers: wall (s) | CPU (s) | speed-up (wall) | results.csv identical |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    `| stc-protocols (reference) | 100 | ${one.wall.toFixed(1)} | ${one.cpu.toFixed(1)} | ${two.wall.toFixed(1)} | ${two.cpu.toFixed(1)} | ${(one.wall / two.wall).toFixed(2)}x | ${same ? "yes" : "NO"} |`,
    "",
  );
  if (quick) return [...lines, `load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(", ")}`];
  const cmosStudy = resolve("studies/stc-protocols-cmos.yaml");
  const cmos = await timed([cmosStudy, "--out", join(dir, "cmos"), "--workers", "2"]);
  const classes = loadStudy(cmosStudy).data.classify.z_8h!;
  const f64 = classCounts(readFileSync(join(dir, "ref-2", "results.csv"), "utf8"), classes);
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
