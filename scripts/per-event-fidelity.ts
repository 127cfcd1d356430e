/**
 * Per-event fidelity on the chips: the early-phase change of basic-early (seven presynaptic
 * spikes, no plasticity noise, 0.2 s), Delta h = h(0.2 s) - h0, as a share of the authors'
 * (4.233 - h0 mV), on each chip and with one cause changed at a time: the kernel period (bss2's
 * plasticity kernels run every 8 ticks; a faster clock gives 1), the width of calcium and h
 * (--bits), the decay rule of calcium (caps.decay) and the rounding of h (nearest, or stochastic
 * averaged over seeds). The table in docs/low-precision.md, "Per-event fidelity".
 * With --stet: the spread of STET's h(8 h) across seeds on cmos (stochastic rounding), by
 * calcium decay rule and width, against float64.
 * Run: node --import tsx scripts/per-event-fidelity.ts [seeds=8] [--stet]
 */
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/compile.ts";
import type { TargetCaps } from "../src/compiler/fixed/caps.ts";
import { getTarget } from "../targets/registry.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";
import { Executor } from "../targets/reference/executor.ts";

const MODEL = "models/stc/basic-early.yaml";
const H0 = 4.20075; // mV, stc-synapse.yaml
const AUTHORS = 4.233 - H0; // the authors' published h(0.2 s)
const n = Number(process.argv[2] ?? 8);
const seeds = Array.from({ length: n }, (_, i) => i + 1);

const finalH = (h: { recorded: { tables: { names: string[]; columns: Float64Array[]; count: number }[] } }) => {
  const t = h.recorded.tables.find((x) => x.names.includes("h"))!;
  return t.columns[t.names.indexOf("h")]![t.count - 1]!;
};
function chip(caps: TargetCaps, rounding: "nearest" | "stochastic", bits: number | undefined, seed: number) {
  const program = compile(MODEL, { target: caps.name, seed });
  const fixed = compileFixed(program, caps, { rounding, bits, engramVersion: "script", analyse: analyseByRun });
  const h = new EmulatorHandle(fixed.ir);
  h.run();
  const period = fixed.ir.kernels.find((k) => ["syn.update", "syn.stepped", "syn.active"].includes(k.name))?.periodic?.period_ticks ?? 1;
  const ca = fixed.quantised.find((v) => v.name === "Ca")!.format;
  return { dh: finalH(h) - H0, period, ca: `${ca.signed ? "s" : "u"}Q${ca.width - ca.frac - (ca.signed ? 1 : 0)}.${ca.frac} ${ca.rounding}` };
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const pct = (x: number) => `${((100 * x) / AUTHORS).toFixed(0)} %`;

const bss2 = getTarget("bss2").caps, cmos = getTarget("cmos").caps;
const decay = (c: TargetCaps, rounding: TargetCaps["decay"]["rounding"]): TargetCaps => ({ ...c, decay: { ...c.decay, rounding } });
/** cmos as it was before its traces were time-stamped: calcium stepped x <- x D every tick with the decay rule. */
const stepped = (c: TargetCaps): TargetCaps => ({ ...c, stampedTraces: false });
if (process.argv.includes("--stet")) {
  const stet = "models/stc/stet.yaml";
  const floatH = seeds.map((seed) => {
    const x = new Executor(compile(stet, { target: "reference", seed }));
    x.run();
    return finalH(x);
  });
  const chipH = (caps: TargetCaps, bits?: number) =>
    seeds.map((seed) => {
      const h = new EmulatorHandle(compileFixed(compile(stet, { target: "cmos", seed }), caps, { rounding: "stochastic", bits, engramVersion: "script", analyse: analyseByRun }).ir);
      h.run();
      return finalH(h);
    });
  console.log(`| STET h(8 h), seeds 1-${n} | mean (mV) | SD (mV) |\n| --- | --- | --- |`);
  console.log(`| float64 | ${mean(floatH).toFixed(3)} | ${sd(floatH).toFixed(3)} |`);
  for (const [label, caps, bits] of [["cmos stochastic (12-bit synapses, time-stamped calcium)", cmos, undefined], ["cmos stochastic, stepped calcium, stochastic decays (before)", stepped(cmos), undefined], ["cmos stochastic, stepped calcium, nearest decays (before that)", decay(stepped(cmos), "nearest"), undefined], ["cmos stochastic 16-bit", cmos, 16]] as const) {
    const hs = chipH(caps, bits);
    console.log(`| ${label} | ${mean(hs).toFixed(3)} | ${sd(hs).toFixed(3)} |`);
  }
  process.exit(0);
}
const ex = new Executor(compile(MODEL, { target: "reference", seed: 1 }));
ex.run();
console.log(`authors' Delta h ${AUTHORS.toFixed(4)} mV; float64 ${(finalH(ex) - H0).toFixed(4)} mV (${pct(finalH(ex) - H0)})\n`);
console.log("| variant | kernel period (ticks) | calcium format | Delta h, nearest | Delta h, stochastic (mean ± SD over seeds) |");
console.log("| --- | --- | --- | --- | --- |");
const fastClock = (c: TargetCaps): TargetCaps => ({ ...c, clockHz: c.clockHz * 64 });
const variants: [string, TargetCaps, number | undefined][] = [
  ["bss2 (16-bit, floor decays)", bss2, undefined],
  ["bss2, kernels every tick", fastClock(bss2), undefined],
  ["bss2, kernels every tick, nearest decays", decay(fastClock(bss2), "nearest"), undefined],
  ["bss2, kernels every tick, stochastic decays", decay(fastClock(bss2), "stochastic"), undefined],
  ["cmos (12-bit synapses, time-stamped calcium, stochastic at events)", cmos, undefined],
  ["cmos, time-stamped calcium, nearest at events", decay(cmos, "nearest"), undefined],
  ["cmos, stepped calcium, stochastic decays (before)", stepped(cmos), undefined],
  ["cmos, stepped calcium, nearest decays (before that)", decay(stepped(cmos), "nearest"), undefined],
  ["cmos, stepped calcium, floor decays", decay(stepped(cmos), "floor"), undefined],
  ["cmos 16-bit", cmos, 16],
  ["cmos 16-bit, stepped calcium, stochastic decays", stepped(cmos), 16],
];
for (const [label, caps, bits] of variants) {
  const near = chip(caps, "nearest", bits, 1);
  const st = seeds.map((s) => chip(caps, "stochastic", bits, s).dh);
  console.log(`| ${label} | ${near.period} | ${near.ca} | ${near.dh.toFixed(4)} mV (${pct(near.dh)}) | ${mean(st).toFixed(4)} ± ${sd(st).toFixed(4)} mV (${pct(mean(st))}) |`);
}
