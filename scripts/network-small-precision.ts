/**
 * The 200-neuron cell-assembly network (models/stc/memory-network-small.yaml) right after
 * learning (2.2 s): mean early-phase weight h of the control->assembly synapses, whose calcium
 * comes from the assembly's postsynaptic spikes alone, in float64 and on cmos at 12 and 16 bits,
 * event-driven and dense. The comparison in docs/low-precision.md, "In a network".
 * Run: node --import tsx scripts/network-small-precision.ts [seed=1]
 */
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/compile.ts";
import { getTarget } from "../targets/registry.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";
import { Executor } from "../targets/reference/executor.ts";
import type { Program } from "../src/ir/program.ts";

const MODEL = "models/stc/memory-network-small.yaml";
const ASSEMBLY = 15, AT = 2.2; // s, after the last learning pulse (2.0-2.1 s)
const seed = Number(process.argv[2] ?? 1);

const ctrlToCa = (program: Program, h: ArrayLike<number>) => {
  const ee = program.projections.find((p) => p.name === "ee")!;
  let s = 0, n = 0;
  for (let k = 0; k < ee.size; k++) if (ee.preIndex[k]! >= ASSEMBLY && ee.postIndex[k]! < ASSEMBLY) (s += h[k]!), n++;
  return (s / n) * 1e3;
};
const program = (target: string, lazy: boolean) => {
  const p = compile(MODEL, { target, seed });
  p.numerics.lazySynapses = lazy;
  p.durationTicks = Math.round(AT / p.tickSeconds);
  return p;
};
const pf = program("reference", false);
const ex = new Executor(pf);
ex.run();
console.log(`seed ${seed}, control->assembly mean h at ${AT} s: float64 ${ctrlToCa(pf, ex.groups.get("ee")!.arrays.get("h")!).toFixed(3)} mV`);
for (const bits of [12, 16]) {
  const row: string[] = [];
  for (const lazy of [true, false]) {
    const p = program("cmos", lazy);
    const h = new EmulatorHandle(compileFixed(p, getTarget("cmos").caps, { rounding: "stochastic", bits, engramVersion: "script", analyse: analyseByRun }).ir);
    h.run();
    row.push(`${lazy ? "event-driven" : "dense"} ${ctrlToCa(p, h.values("ee.h")!).toFixed(3)} mV`);
  }
  console.log(`cmos ${bits}-bit: ${row.join(", ")}`);
}
