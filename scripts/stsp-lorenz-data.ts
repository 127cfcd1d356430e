/**
 * Generates the data of the STSP experiment (docs/seed-models.md, "Short-term plasticity"), seeded
 * and deterministic: `node --import tsx scripts/stsp-lorenz-data.ts [--seed 1] [--units 16] [--out DIR]`
 * (default DIR: models/stsp/data, the files the model files name; scripts/stsp-experiment.ts calls
 * writeStspData once per seed). Writes into DIR:
 *  - lorenz.csv: the Lorenz system (sigma 10, rho 28, beta 8/3) from (1, 1, 1), classical RK4 at
 *    h = 0.005, one sample every 4 steps (0.02 time units), the first 1000 samples dropped, 5000
 *    samples, each channel min-max scaled to [-1, 1];
 *  - W_in.npy: input weights [units, 3], U(-1, 1);
 *  - W_rec.npy: recurrent weights [units, units] = W[post][pre], N(0, 1/units) with a zero diagonal,
 *    scaled to spectral radius 0.9 (so the same weights without STSP stay stable under ReLU);
 *  - stsp.csv: per-neuron tau_x, tau_u (ms) and U: Masse's sets alternating by index (even:
 *    facilitating 200/1500 ms, U 0.15; odd: depressing 1500/200 ms, U 0.45), each tau scaled by
 *    exp(0.3 N(0, 1)): heterogeneous, as Burnham's learned time constants become.
 * These stand in for trained parameters (no BPTT here: see the docs); the readout is fitted by the
 * model's ridge `tasks` on each target's own states.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { dump } from "npyjs";
import { Matrix, EigenvalueDecomposition } from "ml-matrix";
import { Rng } from "../src/util/rng.ts";

export function writeStspData(out: string, seed: number, N: number): string {
mkdirSync(out, { recursive: true });

// Lorenz by RK4.
const f = ([x, y, z]: number[]) => [10 * (y! - x!), x! * (28 - z!) - y!, x! * y! - (8 / 3) * z!];
let s = [1, 1, 1];
const h = 0.005, every = 4, drop = 1000, keep = 5000;
const rows: number[][] = [];
for (let n = 0; n < (drop + keep) * every; n++) {
  const k1 = f(s), k2 = f(s.map((v, i) => v + (h / 2) * k1[i]!)), k3 = f(s.map((v, i) => v + (h / 2) * k2[i]!)), k4 = f(s.map((v, i) => v + h * k3[i]!));
  s = s.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
  if ((n + 1) % every === 0 && (n + 1) / every > drop) rows.push(s);
}
const lo = [0, 1, 2].map((k) => Math.min(...rows.map((r) => r[k]!)));
const hi = [0, 1, 2].map((k) => Math.max(...rows.map((r) => r[k]!)));
const scaled = rows.map((r) => r.map((v, k) => (2 * (v - lo[k]!)) / (hi[k]! - lo[k]!) - 1));
writeFileSync(join(out, "lorenz.csv"), "x,y,z\n" + scaled.map((r) => r.map((v) => v.toPrecision(10)).join(",")).join("\n") + "\n");

const rng = new Rng(seed, "stsp-lorenz:weights");
const Win = Float64Array.from({ length: N * 3 }, () => 2 * rng.uniform() - 1);
writeFileSync(join(out, "W_in.npy"), new Uint8Array(dump(Win, [N, 3])));
const W = Matrix.zeros(N, N);
for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j) W.set(i, j, rng.normal() / Math.sqrt(N));
const eig = new EigenvalueDecomposition(W);
const rho = Math.max(...eig.realEigenvalues.map((re, i) => Math.hypot(re, eig.imaginaryEigenvalues[i]!)));
const Wrec = Float64Array.from(W.to1DArray(), (v) => (v * 0.9) / rho);
writeFileSync(join(out, "W_rec.npy"), new Uint8Array(dump(Wrec, [N, N])));

const het = new Rng(seed, "stsp-lorenz:taus");
const lines = ["neuron,tau_x,tau_u,U"];
for (let i = 0; i < N; i++) {
  const fac = i % 2 === 0;
  const [tx, tu, U] = fac ? [200, 1500, 0.15] : [1500, 200, 0.45];
  lines.push([i, (tx * Math.exp(0.3 * het.normal())).toFixed(3), (tu * Math.exp(0.3 * het.normal())).toFixed(3), U].join(","));
}
writeFileSync(join(out, "stsp.csv"), lines.join("\n") + "\n");
return `wrote ${out}: lorenz.csv (${keep} x 3), W_in.npy [${N}, 3], W_rec.npy [${N}, ${N}] (spectral radius 0.9 from ${rho.toFixed(3)}), stsp.csv (${N} neurons)`;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const arg = (name: string, def: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1]! : def;
  };
  console.log(writeStspData(arg("out", join(import.meta.dirname, "../models/stsp/data")), Number(arg("seed", "1")), Number(arg("units", "16"))));
}
