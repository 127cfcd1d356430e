/**
 * McMillan's chemical synapse (seed-models.md C.2) for any number L of chemicals, written out as a
 * synapse file: equations as data, so float64 and fixed point come from the one file it writes.
 *
 *   npx tsx scripts/seed-models/chemical-synapse.ts --L 5 [--tau-min 1] [--tau-max 50]
 *       [--K K.npy] [--P P.csv] [--v v.npy] [--terms 0,2,9 | all] [--out FILE]
 *
 * h_i <- y_i h_i + z_i phi(sum_j K_ij h_j + sum_r P_ir F_r),  w = v . h,  z_i = 1/tau_i, y_i = 1 - z_i,
 * y_0 = 1 (chemical 0 integrates), tau_i = tau_min (tau_max / tau_min)^(i / (L - 1)) steps (the
 * source code's linspace exponent). K is L x L, P is L x (number of terms), v has L entries; each
 * may come from a .npy or .csv file (read by the model loader's reader, src/model/param-file.ts,
 * so a PyTorch meta-learning run's tensors load as they are) and is checked for its shape. Without
 * them the source code's defaults: K = 0, P[:, 0] = 0.01 (the pseudo-gradient's rate), v = 1/L.
 * The terms are the source's pool F0..F9 (seed-models.md C.1 table, in the variables of
 * pool-layer-unit.yaml / pool-output-unit.yaml for F5-F8); the default is the "rosenbaum" set
 * {F0, F2, F9} of the released code. models/chemical/chemical-synapse-1.yaml and -3.yaml are this
 * generator's output (tests/chemical/chemical-any-l.test.ts checks they are).
 */
import { writeFileSync, renameSync } from "node:fs";
import { resolve } from "node:path";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { readParamFile } from "../../src/model/param-file.ts";

/** The update terms F_r of the pool in the synapse's variables; W is the weight expression. */
export const TERMS: Record<number, { expr: (W: string) => string; doc: string }> = {
  0: { expr: () => "(-e_post * y_pre)", doc: "-e_post y_pre (pseudo-gradient)" },
  1: { expr: () => "(-y_post * e_pre)", doc: "-y_post e_pre" },
  2: { expr: () => "(-e_post * e_pre)", doc: "-e_post e_pre (error-Hebb)" },
  3: { expr: (W) => `(-${W})`, doc: "-w (decay)" },
  4: { expr: () => "(-e_pre)", doc: "-e_pre" },
  5: { expr: () => "(-sy_post * e_post * y_pre)", doc: "-(1^T y_post) e_post y_pre (sy: layer sum of y)" },
  6: { expr: () => "(-y_post * q6_post * e_pre)", doc: "-y_post (y_post^T W e_pre) e_pre (q6)" },
  7: { expr: () => "(-e_post * q6_post * y_pre)", doc: "-e_post (y_post^T W e_pre) y_pre (q6)" },
  8: { expr: () => "(-y_post * q8_post * e_pre)", doc: "-y_post (y_pre^T W^T e_post) e_pre (q8)" },
  9: { expr: () => "(y_post * y_pre - y_post * r_pre)", doc: "y_post y_pre - y_post (W^T y_post)_pre (Oja)" },
};
export const ROSENBAUM = [0, 2, 9];
export const ALL_TERMS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

export interface ChemicalOptions {
  L: number;
  tauMin?: number;
  tauMax?: number;
  /** L x L mixing matrix (row i: what chemical i reads). */
  K?: number[][];
  /** L x terms.length: row i, column k is P_i,terms[k]. */
  P?: number[][];
  v?: number[];
  terms?: number[];
}

const num = (x: number) => String(x);

/** The synapse file's text. */
export function chemicalSynapseYaml(o: ChemicalOptions): string {
  const L = o.L;
  if (!Number.isInteger(L) || L < 1) throw new Error(`L must be a whole number of at least 1, got ${L}`);
  const terms = o.terms ?? ROSENBAUM;
  for (const r of terms) if (!(r in TERMS)) throw new Error(`term ${r} is not in the pool F0..F9`);
  const tauMin = o.tauMin ?? 1, tauMax = o.tauMax ?? 50;
  if (!(tauMin > 0) || !(tauMax >= tauMin)) throw new Error(`need 0 < tau_min <= tau_max, got ${tauMin}, ${tauMax}`);
  // Names: K_ij while indices are single digits, K_i_j beyond (K_110 would be ambiguous).
  const k = (i: number, j: number) => (L <= 10 ? `K_${i}${j}` : `K_${i}_${j}`);
  const idx = [...Array(L).keys()];
  const W = `(${idx.map((i) => `v_${i} * h_${i}`).join(" + ")})`;
  const tau = (i: number) => (L === 1 ? "tau_min" : `tau_${i}`);
  const lines: string[] = [];
  lines.push("engram: 1", "kind: synapse", `name: chemical-synapse-${L}`, "doc: >");
  lines.push(`  McMillan's recurrent chemical network synapse (seed-models.md C.2) with L = ${L} chemical${L > 1 ? "s" : ""} h_i,`);
  lines.push(`  written by scripts/seed-models/chemical-synapse.ts (--L ${L}${terms.join() === ROSENBAUM.join() ? "" : ` --terms ${terms.join(",")}`}):`);
  lines.push("    h_i <- y_i h_i + z_i phi(sum_j K_ij h_j + sum_r P_ir F_r),  w = v . h,  z_i = 1/tau_i, y_i = 1 - z_i, y_0 = 1,");
  lines.push("  tau_i = tau_min (tau_max / tau_min)^(i / (L - 1)) steps, F_r the update terms of the source's pool:");
  for (const r of terms) lines.push(`  F${r} = ${TERMS[r]!.doc},`);
  lines.push("  As an ODE, dh_i/dt = (-c_i h_i + phi(u_i)) / (tau_i dt_tick) with c_0 = 0 (the integrator) and c_i = 1:");
  lines.push("  exact (exponential Euler) where u_i does not depend on h_i, forward Euler where it does. phi is");
  lines.push("  tanh (phi_tanh = 1, the source code's default) or the identity (phi_tanh = 0). Defaults: K = 0,");
  lines.push("  P[:, 0] = 0.01, v = 1/L (the source code's), not meta-learned values; --K, --P, --v load a host's.");
  if (L === 1) lines.push("  With K = 0, v = 1, tau = 1 and phi the identity this is exactly the plain rule (three-term-synapse.yaml,", "  pool-synapse.yaml; tests/chemical/reduction.test.ts checks it bit for bit on every target).");
  const note = (s: string, c: string) => `${s.padEnd(20)} # ${c}`;
  lines.push("params:", "  w0: { dist: uniform, low: -0.5, high: 0.5 }", note("  dt_tick: 10 ms", "the network's dt: one update per step"), note(`  tau_min: ${num(tauMin)}`, "in steps"));
  if (L > 1) {
    lines.push(note(`  tau_max: ${num(tauMax)}`, "in steps"));
    for (const i of idx) lines.push(`  tau_${i}: ${i === 0 ? "tau_min" : i === L - 1 ? "tau_max" : `tau_min * (tau_max / tau_min)^${exponent(i, L - 1)}`}`);
    for (const i of idx) lines.push(i === 0 ? note("  c_0: 0", "1 - y_0 with the default y_0 = 1: chemical 0 integrates") : `  c_${i}: 1`);
  } else {
    lines.push(note("  c_0: 0", "1 - y_0 with the default y_0 = 1 (integrator)"));
  }
  const K = check("K", o.K ?? idx.map(() => idx.map(() => 0)), L, L);
  for (const i of idx) for (const j of idx) lines.push(`  ${k(i, j)}: ${num(K[i]![j]!)}`);
  const P = check("P", o.P ?? idx.map(() => terms.map((r) => (r === 0 ? 0.01 : 0))), L, terms.length);
  for (const i of idx) terms.forEach((r, c) => lines.push(`  P_${i}_${r}: ${num(P[i]![c]!)}`));
  const v = check("v", o.v ? [o.v] : undefined, 1, L)?.[0];
  for (const i of idx) lines.push(`  v_${i}: ${v ? num(v[i]!) : L === 1 ? "1" : `1 / ${L}`}`);
  lines.push("  phi_tanh: 1", "state:");
  for (const i of idx) {
    const u = [...idx.map((j) => `${k(i, j)} * h_${j}`), ...terms.map((r) => `P_${i}_${r} * ${TERMS[r]!.expr(W)}`)].join(" + ");
    lines.push(`  h_${i}:`, "    unit: 1", "    init: w0", "    ode: >");
    lines.push(`      (-c_${i} * h_${i} + (phi_tanh > 0.5 ? tanh(${u})`);
    lines.push(`      : ${u})) / (${tau(i)} * dt_tick)`);
  }
  lines.push("summed:", `  I_rec_post: ${W} * y_pre`, `  R_pre: ${W} * y_post`);
  if (terms.includes(6) || terms.includes(7)) lines.push(`  WE_post: ${W} * e_pre      # (W e_pre)_post, for q6 (F6, F7)`);
  return lines.join("\n") + "\n";
}

/** i / n as the shortest exact decimal when there is one (0.5, 0.25), else "(i / n)". */
function exponent(i: number, n: number): string {
  const x = i / n;
  return Number.isInteger(x * 2 ** 10) ? String(x) : `(${i} / ${n})`;
}

function check(name: string, m: number[][] | undefined, rows: number, cols: number): number[][] {
  if (!m) return m as unknown as number[][];
  if (m.length !== rows || m.some((r) => r.length !== cols)) {
    throw new Error(`${name} must be ${rows === 1 ? `a vector of ${cols}` : `a ${rows} x ${cols} matrix`}, found ${m.length === 1 ? m[0]!.length : `${m.length} x ${m[0]?.length ?? 0}`}`);
  }
  return m;
}

/** A matrix from a .npy/.csv file ([rows, cols]; a vector [n] reads as one row), shape-checked. */
export function matrixFromFile(file: string, name: string, rows: number, cols: number): number[][] {
  const where = { file: resolve(file), path: [`--${name}`] };
  const a = readParamFile(resolve(file), where);
  const shape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const want = rows === 1 ? `[${cols}]` : `[${rows}, ${cols}]`;
  if (shape.length !== 2 || shape[0] !== rows || shape[1] !== cols) {
    throw new EngramError([{ code: "shape-mismatch", message: `${name} from "${file}": expected shape ${want}, found [${a.shape.join(", ")}]`, where }]);
  }
  return Array.from({ length: rows }, (_, i) => Array.from(a.values.subarray(i * cols, (i + 1) * cols)));
}

function main(argv: string[]): void {
  const arg = (n: string) => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const L = Number(arg("L"));
  if (!Number.isInteger(L) || L < 1) throw new Error(`--L takes a whole number of at least 1, got "${arg("L")}"`);
  const t = arg("terms");
  const terms = t === undefined ? ROSENBAUM : t === "all" ? ALL_TERMS : t.split(",").map(Number);
  const file = (n: string, rows: number, cols: number) => (arg(n) === undefined ? undefined : matrixFromFile(arg(n)!, n, rows, cols));
  const yaml = chemicalSynapseYaml({
    L,
    terms,
    tauMin: arg("tau-min") === undefined ? undefined : Number(arg("tau-min")),
    tauMax: arg("tau-max") === undefined ? undefined : Number(arg("tau-max")),
    K: file("K", L, L),
    P: file("P", L, terms.length),
    v: file("v", 1, L)?.[0],
  });
  const out = arg("out");
  if (!out) return void process.stdout.write(yaml);
  // Atomic: a reader never sees half a file.
  writeFileSync(`${out}.tmp`, yaml);
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${out} (L = ${L}, terms ${terms.join(",")})`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    const msg = e instanceof EngramError ? e.diagnostics.map((d) => d.message).join("\n") : (e as Error).message;
    console.error(`chemical-synapse: ${msg}`);
    process.exit(1);
  }
}
