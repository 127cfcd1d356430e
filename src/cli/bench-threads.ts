/**
 * engram bench --network-threads: the memory-network experiment on the reference target run as a
 * user runs it, with --threads 1 and --threads 2 in the same bench run (1, 2, 1, 2: alternating,
 * so a change in the machine's load hits both), each whole command's wall and CPU time, the
 * machine's load, and whether the two runs' outputs are byte-identical.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const NETWORK = "models/stc/memory-network.yaml";
/** Files of a run that must not depend on the thread count (manifest.json holds timings; analysis.json is compared without its "dir"). */
const COMPARED = ["traces.csv", "spikes.csv", "analysis.json"];

interface Timed {
  wall: number;
  cpu: number | undefined;
  simulation: number;
  out: string;
}

function runOnce(threads: number): Timed {
  const bin = fileURLToPath(new URL("../../bin/engram.js", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), `engram-bench-threads-${threads}-`));
  const args = [bin, "run", NETWORK, "--threads", String(threads), "--out", out];
  // /usr/bin/time gives the child's CPU time (user + system, all threads) where it exists
  const time = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const p = time
    ? spawnSync("/usr/bin/time", ["-f", "engram-bench-cpu %U %S", process.execPath, ...args], { encoding: "utf8", env: { ...process.env, CI: "true" } })
    : spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, CI: "true" } });
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`engram run ${NETWORK} --threads ${threads} failed: ${p.stderr}`);
  const m = /engram-bench-cpu ([\d.]+) ([\d.]+)/.exec(p.stderr);
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { wall_s: number };
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : undefined, simulation: manifest.wall_s, out };
}

/** A file's bytes; analysis.json without its "dir" field (the run's own folder). */
function content(dir: string, f: string): string | undefined {
  if (!existsSync(join(dir, f))) return undefined;
  const text = readFileSync(join(dir, f), "utf8");
  if (f !== "analysis.json") return text;
  const { dir: _, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify(rest);
}

const same = (a: string, b: string) => COMPARED.every((f) => content(a, f) === content(b, f));

export function threadsBench(quick: boolean): string[] {
  const load = loadavg()[0]!;
  const order = quick ? [1, 2] : [1, 2, 1, 2];
  const runs = order.map((n) => ({ n, r: runOnce(n) }));
  const loadAfter = loadavg()[0]!;
  const best = (n: number) => runs.filter((x) => x.n === n).map((x) => x.r).sort((a, b) => a.wall - b.wall)[0]!;
  const one = best(1), two = best(2);
  const identical = runs.every((x) => same(runs[0]!.r.out, x.r.out));
  const s = (x: number | undefined) => (x === undefined ? "n/a" : x.toFixed(1));
  return [
    `memory network (${NETWORK}, reference target), --threads 1 against --threads 2 in one bench run (order ${order.join(", ")}; the faster of each); node ${process.version}, ${cpus().length} CPUs, load average ${load.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    "",
    "| threads | whole command (s) | simulation (s) | CPU, user + system (s) |",
    "| --- | --- | --- | --- |",
    `| 1 | ${s(one.wall)} | ${s(one.simulation)} | ${s(one.cpu)} |`,
    `| 2 | ${s(two.wall)} | ${s(two.simulation)} | ${s(two.cpu)} |`,
    "",
    `speed-up of the whole command: ${(one.wall / two.wall).toFixed(2)}x; outputs (${COMPARED.join(", ")}) of all ${runs.length} runs ${identical ? "byte-identical" : "DIFFER"}`,
  ];
}
