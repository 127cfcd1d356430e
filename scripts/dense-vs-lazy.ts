/**
 * The small cell-assembly network (models/stc/memory-network-small.yaml, to its end at 5 s) on a
 * fixed-point chip, with its E->E synapses event-driven and stepped densely: mean early-phase
 * weight h of the assembly's internal and of the control synapses, spikes, wall time. The table
 * "Event-driven synapses in fixed point" of docs/numerics.md.
 * Run: node --import tsx scripts/dense-vs-lazy.ts [seeds=2] [target=cmos] [first seed=1] [-- --bits N]
 */
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/compile.ts";
import { getTarget } from "../targets/registry.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";

const MODEL = "models/stc/memory-network-small.yaml";
const ASSEMBLY = 15; // the model's analysis.assembly
const args = process.argv.slice(2);
const dash = args.indexOf("--");
const own = dash < 0 ? args : args.slice(0, dash);
const bitsAt = dash < 0 ? -1 : args.indexOf("--bits", dash);
const bits = bitsAt < 0 ? undefined : Number(args[bitsAt + 1]);
const n = Number(own[0] ?? 2);
const target = own[1] ?? "cmos";
const first = Number(own[2] ?? 1);

function run(lazy: boolean, seed: number) {
  const program = compile(MODEL, { target, seed });
  program.numerics.lazySynapses = lazy;
  const { ir } = compileFixed(program, getTarget(target).caps, { rounding: "stochastic", bits, engramVersion: "script", analyse: analyseByRun });
  const h = new EmulatorHandle(ir);
  const t0 = performance.now();
  h.run();
  const wall = (performance.now() - t0) / 1000;
  const ee = program.projections.find((p) => p.name === "ee")!;
  const hv = h.values("ee.h")!;
  const lsb = 2 ** -ir.states.find((s) => s.name === "ee.h")!.format.frac;
  let a = 0, na = 0, c = 0, nc = 0;
  for (let k = 0; k < ee.size; k++) {
    if (ee.preIndex[k]! < ASSEMBLY && ee.postIndex[k]! < ASSEMBLY) (a += hv[k]!), na++;
    else if (ee.preIndex[k]! >= ASSEMBLY && ee.postIndex[k]! >= ASSEMBLY) (c += hv[k]!), nc++;
  }
  return { assembly: (a / na) * 1e3, control: (c / nc) * 1e3, lsb: lsb * 1e3, spikes: h.recorded.spikes.count, wall };
}

console.log(`| seed | assembly h, event-driven / dense (mV) | control h, event-driven / dense (mV) | difference (LSB of h: assembly, control) | spikes, event-driven / dense | wall time, event-driven / dense (s) |`);
console.log("| --- | --- | --- | --- | --- | --- |");
for (let seed = first; seed < first + n; seed++) {
  const e = run(true, seed), d = run(false, seed);
  const lsb = (x: number, y: number) => ((x - y) / d.lsb).toFixed(2);
  console.log(`| ${seed} | ${e.assembly.toFixed(4)} / ${d.assembly.toFixed(4)} | ${e.control.toFixed(4)} / ${d.control.toFixed(4)} | ${lsb(e.assembly, d.assembly)}, ${lsb(e.control, d.control)} (LSB ${d.lsb.toExponential(2)} mV) | ${e.spikes} / ${d.spikes} | ${e.wall.toFixed(1)} / ${d.wall.toFixed(1)} |`);
}
