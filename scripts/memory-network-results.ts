/**
 * The cell-assembly experiment over seeds: runs models/stc/memory-network.yaml once per seed (as
 * `engram run` does), then prints the table of docs/results.md: recall quality Q and mutual
 * information at 10 s and 8 h after learning, and the assembly's total weight, mean ± SD.
 * Seeds run in parallel, one process per core.
 * Run: node --import tsx scripts/memory-network-results.ts [seeds=5] [outDir=out/memory-network] [-- engram run options]
 * e.g. `... 5 out/memory-network-cmos -- --target cmos --bits 16` for the cmos emulator.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dash = process.argv.indexOf("--");
const own = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
const extra = dash < 0 ? [] : process.argv.slice(dash + 1);
const n = Number(own[0] ?? 5);
const outDir = own[1] ?? "out/memory-network";
const seeds = Array.from({ length: n }, (_, i) => i + 1);

interface Analysis {
  recalls: { t: number; Q: number; mi_bits: number }[];
  weights: { t: number; classes: { class: string; mean_h: number; mean_z: number; mean_w: number; tagged_fraction: number }[] }[];
}

// Seeds are independent runs: as many at a time as there are cores (each run is one process,
// so the results are the same bytes whatever the concurrency).
const bin = fileURLToPath(new URL("../bin/engram.js", import.meta.url));
const workers = Math.max(1, Math.min(seeds.length, availableParallelism()));
const started = performance.now();
const runOne = (seed: number) =>
  new Promise<{ seed: number; wall: number; a: Analysis }>((done, fail) => {
    const out = join(outDir, `seed${seed}`);
    const t0 = performance.now();
    const p = spawn(process.execPath, [bin, "run", "models/stc/memory-network.yaml", "--seed", String(seed), "--out", out, "--force", ...extra], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "true" } });
    p.on("close", (code) => {
      if (code !== 0) return fail(new Error(`seed ${seed}: engram run exited with ${code}`));
      done({ seed, wall: (performance.now() - t0) / 1000, a: JSON.parse(readFileSync(join(out, "analysis.json"), "utf8")) as Analysis });
    });
  });
const runs: { seed: number; wall: number; a: Analysis }[] = [];
const queue = [...seeds];
await Promise.all(Array.from({ length: workers }, async () => {
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) runs.push(await runOne(s));
}));
runs.sort((x, y) => x.seed - y.seed);
const total = (performance.now() - started) / 1000;

const stats = (xs: number[], digits = 3) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
};
const recall = (r: { a: Analysis }, t: number) => r.a.recalls.find((x) => x.t === t)!;
const weight = (r: { a: Analysis }, t: number, cls: string) => r.a.weights.find((w) => w.t === t)!.classes.find((c) => c.class === cls)!;

console.log(`\nseeds ${seeds.join(", ")}${extra.length > 0 ? ` (engram run ${extra.join(" ")})` : ""}: ${total.toFixed(0)} s in all on ${workers} core(s); per run ${stats(runs.map((r) => r.wall), 1)} s (whole experiment incl. analysis and plots)\n`);
console.log("| measure | 10 s after learning (t = 20 s) | 8 h after learning (t = 28810 s) |");
console.log("| --- | --- | --- |");
console.log(`| Q | ${stats(runs.map((r) => recall(r, 20).Q))} | ${stats(runs.map((r) => recall(r, 28810).Q))} |`);
console.log(`| MI (bits) | ${stats(runs.map((r) => recall(r, 20).mi_bits))} | ${stats(runs.map((r) => recall(r, 28810).mi_bits))} |`);
for (const cls of ["CA->CA", "CA->ctrl", "ctrl->CA", "ctrl->ctrl"]) {
  console.log(`| ${cls} mean w = h + h0 z (mV) | ${stats(runs.map((r) => weight(r, 20, cls).mean_w))} | ${stats(runs.map((r) => weight(r, 28810, cls).mean_w))} |`);
}
console.log(`| CA->CA mean h (mV) | ${stats(runs.map((r) => weight(r, 20, "CA->CA").mean_h))} | ${stats(runs.map((r) => weight(r, 28810, "CA->CA").mean_h))} |`);
console.log(`| CA->CA mean z | ${stats(runs.map((r) => weight(r, 20, "CA->CA").mean_z))} | ${stats(runs.map((r) => weight(r, 28810, "CA->CA").mean_z))} |`);
const better = runs.filter((r) => recall(r, 28810).Q >= recall(r, 20).Q).length;
const heavier = runs.filter((r) => weight(r, 28810, "CA->CA").mean_w > weight(r, 20, "CA->CA").mean_w).length;
console.log(`\nassembly weight higher at 8 h than at 10 s in ${heavier} of ${runs.length} seeds; Q at 8 h >= Q at 10 s in ${better} of ${runs.length}`);
console.log("\n| seed | Q (10 s → 8 h) | MI bits (10 s → 8 h) |\n| --- | --- | --- |");
for (const r of runs) console.log(`| ${r.seed} | ${recall(r, 20).Q.toFixed(4)} → ${recall(r, 28810).Q.toFixed(4)} | ${recall(r, 20).mi_bits.toFixed(3)} → ${recall(r, 28810).mi_bits.toFixed(3)} |`);
