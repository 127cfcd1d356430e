/**
 * Trial-to-trial noise on bss2, lumped (one draw per noise period, noise-step.ts) against dense
 * (one draw per tick): emulation CPU time, stepped and jumped ticks, and the distribution over seeds
 * of the recorded variables at the end of the run (mean, SD, Welch's t, two-sample
 * Kolmogorov-Smirnov). One IR per mode, compiled once at seed 1 (formats from its float64 range
 * analysis); each seed sets the header seed, which draws the noise and rounding streams.
 * Run: node --import tsx scripts/noise-lumped.ts [MODEL] [SEEDS] [modes, e.g. 1,5000] [FIRST_SEED]
 * (mode 1: dense; default: the slow kernel's period; off: no noise; default list: 1,default).
 */
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/compile.ts";
import { getTarget } from "../targets/registry.ts";
import { Emulator } from "../targets/emulator/emulator.ts";
import type { IrProgram } from "../src/ir/codec.ts";
import { erf } from "mathjs";

const model = process.argv[2] ?? "models/stc/stet.yaml";
const seeds = Number(process.argv[3] ?? 20);
const modes = (process.argv[4] ?? "1,default").split(",");
const firstSeed = Number(process.argv[5] ?? 1);
const caps = getTarget("bss2").caps;
const program = compile(model, { target: "bss2", seed: 1 });

function build(mode: string): IrProgram {
  const noisePeriodTicks = mode === "default" || mode === "off" ? undefined : Number(mode);
  return compileFixed(program, caps, { rounding: "stochastic", variation: { mismatch: false, noise: mode !== "off", noisePeriodTicks }, engramVersion: "noise-lumped", analyse: analyseByRun }).ir;
}

/** Final recorded value of each probe column (real value in its display unit). */
function finals(ir: IrProgram, e: Emulator): Map<string, number> {
  const out = new Map<string, number>();
  ir.probes.forEach((p, i) => {
    const s = ir.states[p.state]!;
    const d = e.probes[i]!.data;
    out.set(p.column, (d[d.length - 1]! * 2 ** -s.format.frac) / (s.unit_scale || 1));
  });
  return out;
}

const meanSd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1))] as const;
};
/** Welch's t with a two-sided p from the normal approximation (df >= 30 here). */
function welch(a: number[], b: number[]): [number, number] {
  const [ma, sa] = meanSd(a), [mb, sb] = meanSd(b);
  const se = Math.sqrt(sa ** 2 / a.length + sb ** 2 / b.length);
  if (se === 0) return [0, 1];
  const t = (ma - mb) / se;
  return [t, 1 - (erf(Math.abs(t) / Math.SQRT2) as number)];
}
/** Two-sample KS statistic D and its asymptotic p-value. */
function ks(a: number[], b: number[]): [number, number] {
  const xs = [...new Set([...a, ...b])].sort((x, y) => x - y);
  let d = 0;
  for (const x of xs) d = Math.max(d, Math.abs(a.filter((v) => v <= x).length / a.length - b.filter((v) => v <= x).length / b.length));
  const ne = (a.length * b.length) / (a.length + b.length);
  const l = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * l * l);
  return [d, Math.min(1, Math.max(0, p))];
}

const results = new Map<string, Map<string, number[]>>();
for (const mode of modes) {
  const ir = build(mode);
  const noiseKernel = ir.kernels.find((k) => k.name.endsWith(".noise"));
  const label = mode === "off" ? "no noise" : noiseKernel ? `lumped, every ${noiseKernel.periodic!.period_ticks} ticks` : "dense";
  const cols = new Map<string, number[]>();
  let cpu = 0, stepped = 0, jumped = 0;
  for (let s = firstSeed; s < firstSeed + seeds; s++) {
    const seeded = { ...ir, header: { ...ir.header, seed: s } };
    const e = new Emulator(seeded);
    const c0 = process.cpuUsage();
    e.run();
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1e6;
    stepped += e.stats.ticks;
    jumped += e.stats.jumpedTicks;
    for (const [k, v] of finals(ir, e)) (cols.get(k) ?? cols.set(k, []).get(k)!).push(v);
    console.error(`${label} seed ${s}: cpu ${((c.user + c.system) / 1e6).toFixed(2)} s, stepped ${e.stats.ticks}, jumped ${e.stats.jumpedTicks}, ${[...finals(ir, e)].map(([k, v]) => `${k} ${v.toPrecision(5)}`).join(", ")}`);
  }
  console.log(`${label}: emulation CPU ${(cpu / seeds).toFixed(3)} s per run; stepped ${(stepped / seeds).toFixed(0)} / jumped ${(jumped / seeds).toFixed(0)} ticks per run`);
  results.set(label, cols);
}
const labels = [...results.keys()];
console.log(`\n| variable | ${labels.map((l) => `${l}: mean ± SD (n = ${seeds})`).join(" | ")} | Welch t (p) | KS D (p) |`);
console.log(`| --- | ${labels.map(() => "---").join(" | ")} | --- | --- |`);
for (const col of results.get(labels[0]!)!.keys()) {
  const xs = labels.map((l) => results.get(l)!.get(col)!);
  const cells = xs.map((x) => {
    const [m, sd] = meanSd(x);
    return `${m.toPrecision(5)} ± ${sd.toPrecision(2)}`;
  });
  const [t, pt] = xs.length > 1 ? welch(xs[0]!, xs[1]!) : [NaN, NaN];
  const [d, pk] = xs.length > 1 ? ks(xs[0]!, xs[1]!) : [NaN, NaN];
  console.log(`| ${col} (end) | ${cells.join(" | ")} | ${t.toFixed(2)} (${pt.toFixed(2)}) | ${d.toFixed(2)} (${pk.toFixed(2)}) |`);
}
