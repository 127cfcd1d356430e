/**
 * Experiment (a) of issue 17 (docs/seed-models.md, "Short-term plasticity"): STSP-RNN next-step
 * prediction of the Lorenz system with weights and STSP parameters loaded from files, against the
 * same network without STSP, on float64 (reference), cmos and bss2; and, on float64 only, the
 * network without STSP with its weights scaled by the STSP run's mean u x ("gain-matched"), to
 * tell the effect of STSP's dynamics from that of its mean attenuation of the weights.
 *
 *   node --import tsx scripts/stsp-experiment.ts [--seeds 1,2,3,4,5] [--targets reference,cmos,bss2] [--out runs/stsp-experiment]
 *
 * Per seed: scripts/stsp-lorenz-data.ts writes the files (weights, per-neuron tau_x, tau_u, U, the
 * Lorenz series) into OUT/seed-S/data/, the two model files of models/stsp/ are copied beside them
 * (component paths made absolute), and `engram run` runs each on each target. The test MSE per
 * channel is (1 - R^2) x the variance of that channel's targets over the test samples (R^2 from
 * tasks.csv; the targets are the CSV rows washout + train + 1 ... + test, shift 1). Writes
 * OUT/results.csv (one row per seed, variant, target, channel) and OUT/summary.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeStspData } from "./stsp-lorenz-data.ts";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const seeds = arg("seeds", "1,2,3,4,5").split(",").map(Number);
const out = resolve(arg("out", "runs/stsp-experiment"));
const root = resolve(import.meta.dirname, "..");
const components = join(root, "models/components");
const variants = [["stsp", "stsp-rnn-lorenz.yaml"], ["no STSP", "stsp-rnn-lorenz-plain.yaml"]] as const;
const targets = arg("targets", "reference,cmos,bss2").split(",");
if (!targets.includes("reference")) throw new Error("--targets must include reference (the float64 baseline)");
const WASHOUT = 200, TRAIN = 3000, TEST = 1500, SHIFT = 1;

/** Variance of each channel's test targets (CSV rows WASHOUT + TRAIN + SHIFT, ...). */
function testVariance(csv: string): number[] {
  const rows = readFileSync(csv, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  const from = WASHOUT + TRAIN + SHIFT;
  return [0, 1, 2].map((k) => {
    const ys = rows.slice(from, from + TEST).map((r) => r[k]!);
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    return ys.reduce((a, y) => a + (y - m) ** 2, 0) / ys.length;
  });
}

const lines = ["seed,variant,target,channel,r2,mse"];
const mse = new Map<string, number[]>(); // "variant|target" -> mean MSE over channels, per seed
const gains: number[] = [];
for (const seed of seeds) {
  const dir = join(out, `seed-${seed}`);
  console.log(writeStspData(join(dir, "data"), seed, 16));
  for (const [, file] of variants) writeFileSync(join(dir, file), readFileSync(join(root, "models/stsp", file), "utf8").replaceAll("../components/", `${components}/`));
  // The STSP model also records x and u, for the gain of the gain-matched control.
  const stspFile = join(dir, variants[0][1]);
  writeFileSync(stspFile, readFileSync(stspFile, "utf8").replace("record_spikes: []", "  - { var: res.x, as: x, elements: all, every: 10 ms }\n  - { var: res.u, as: u, elements: all, every: 10 ms }\nrecord_spikes: []"));
  const variance = testVariance(join(dir, "data/lorenz.csv"));
  for (const [variant, file] of variants) {
    for (const target of targets) {
      const runDir = join(dir, `${file.replace(".yaml", "")}.${target}`);
      execFileSync(process.execPath, [join(root, "bin/engram.js"), "run", join(dir, file), "--target", target, "--out", runDir, "--force", "--seed", String(seed)], { stdio: ["ignore", "ignore", "inherit"] });
      const rows = readFileSync(join(runDir, "tasks.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
      let sum = 0;
      for (const r of rows) {
        const k = Number(r[0]);
        const r2 = Number(r[4]);
        const e = (1 - r2) * variance[k]!;
        sum += e;
        lines.push([seed, variant, target, r[1], r2, e.toExponential(6)].join(","));
      }
      const key = `${variant}|${target}`;
      mse.set(key, [...(mse.get(key) ?? []), sum / rows.length]);
      console.log(`seed ${seed} ${variant} ${target}: mean test MSE ${(sum / rows.length).toExponential(4)}`);
    }
  }
  // Gain-matched control (float64): g = mean over units and post-washout samples of u x in the STSP run.
  const traces = readFileSync(join(dir, "stsp-rnn-lorenz.reference", "traces.csv"), "utf8").trim().split("\n");
  const head = traces[0]!.split(",");
  const xs = head.flatMap((h, j) => (h.startsWith("x[") ? [j] : []));
  let g = 0, count = 0;
  for (const line of traces.slice(1 + WASHOUT)) {
    const c = line.split(",").map(Number);
    for (const j of xs) (g += c[j]! * c[head.indexOf(head[j]!.replace("x[", "u["))]!), count++;
  }
  g /= count;
  gains.push(g);
  const gm = join(dir, "stsp-rnn-lorenz-gain.yaml");
  writeFileSync(gm, `engram: 1\nkind: network\nextends: stsp-rnn-lorenz-plain.yaml\nname: stsp-rnn-lorenz-gain\nprojections:\n  rec:\n    params: { g: ${g} }\n`);
  const runDir = join(dir, "stsp-rnn-lorenz-gain.reference");
  execFileSync(process.execPath, [join(root, "bin/engram.js"), "run", gm, "--out", runDir, "--force", "--seed", String(seed)], { stdio: ["ignore", "ignore", "inherit"] });
  const rows = readFileSync(join(runDir, "tasks.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
  let sum = 0;
  for (const r of rows) {
    const e = (1 - Number(r[4])) * variance[Number(r[0])]!;
    sum += e;
    lines.push([seed, "no STSP, gain-matched", "reference", r[1], r[4], e.toExponential(6)].join(","));
  }
  mse.set("gain|reference", [...(mse.get("gain|reference") ?? []), sum / rows.length]);
  console.log(`seed ${seed} no STSP, gain-matched (g = ${g.toFixed(4)}) reference: mean test MSE ${(sum / rows.length).toExponential(4)}`);
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "results.csv"), lines.join("\n") + "\n");
const ms = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toExponential(3)} ± ${sd.toExponential(2)}`;
};
const table = ["| network | float64 | cmos | bss2 | cmos − float64 (max over seeds) | bss2 − float64 (max over seeds) |", "| --- | --- | --- | --- | --- | --- |"];
for (const [variant] of variants) {
  const f = mse.get(`${variant}|reference`)!, c = mse.get(`${variant}|cmos`), b = mse.get(`${variant}|bss2`);
  const dmax = (xs: number[] | undefined) => (xs ? Math.max(...xs.map((x, i) => Math.abs(x - f[i]!))).toExponential(2) : "-");
  table.push(`| ${variant} | ${ms(f)} | ${c ? ms(c) : "-"} | ${b ? ms(b) : "-"} | ${dmax(c)} | ${dmax(b)} |`);
}
table.push(`| no STSP, weights x mean u x (g ${gains.map((g) => g.toFixed(3)).join(", ")}) | ${ms(mse.get("gain|reference")!)} | - | - | - | - |`);
const winsGain = seeds.filter((_, i) => mse.get("stsp|reference")![i]! < mse.get("gain|reference")![i]!).length;
const wins = seeds.filter((_, i) => mse.get("stsp|reference")![i]! < mse.get("no STSP|reference")![i]!).length;
const summary = `Test MSE of next-step prediction (mean over x, y, z), mean ± SD over seeds ${seeds.join(", ")}:\n\n${table.join("\n")}\n\nSTSP lower than no STSP (float64) in ${wins} of ${seeds.length} seeds; lower than the gain-matched network without STSP in ${winsGain} of ${seeds.length}.\n`;
writeFileSync(join(out, "summary.md"), summary);
console.log(summary);
