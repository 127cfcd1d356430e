/**
 * Dense and event-driven runs of one model on a fixed-point target, compared state by state and
 * probe by probe (bit for bit): the check behind "one physics" for time-stamped traces
 * (src/compiler/fixed/lazy.ts). Prints the number of differing raw values per state.
 * Run: node --import tsx scripts/dense-lazy-identical.ts [model=models/stc/basic-early.yaml] [target=cmos] [seed=1] [seconds]
 */
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/compile.ts";
import { getTarget } from "../targets/registry.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";

const [model = "models/stc/basic-early.yaml", target = "cmos", seedText = "1", seconds] = process.argv.slice(2);
function run(lazy: boolean) {
  const program = compile(model, { target, seed: Number(seedText) });
  program.numerics.lazySynapses = lazy;
  if (seconds) program.durationTicks = Math.round(Number(seconds) / program.tickSeconds);
  const { ir } = compileFixed(program, getTarget(target).caps, { rounding: "stochastic", engramVersion: "script", analyse: analyseByRun });
  const h = new EmulatorHandle(ir);
  const t0 = performance.now();
  h.run();
  return { ir, h, wall: (performance.now() - t0) / 1000 };
}
const e = run(true), d = run(false);
console.log(`kernels, event-driven: ${e.ir.kernels.map((k) => k.name).join(", ")}`);
console.log(`kernels, dense: ${d.ir.kernels.map((k) => k.name).join(", ")}`);
let differing = 0;
for (const s of d.ir.states) {
  const a = e.h.values(s.name), b = d.h.values(s.name);
  if (!a || !b) continue;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  if (n > 0) console.log(`${s.name}: ${n} of ${a.length} values differ`);
  differing += n;
}
let probes = 0;
const te = e.h.recorded.tables, td = d.h.recorded.tables;
td.forEach((t, j) => t.columns.forEach((c, k) => {
  const o = te[j]!.columns[k]!;
  for (let i = 0; i < t.count; i++) if (c[i] !== o[i]) probes++;
}));
console.log(`differing recorded samples: ${probes}`);
console.log(`spikes: ${e.h.recorded.spikes.count} / ${d.h.recorded.spikes.count}; differing state values: ${differing}; wall ${e.wall.toFixed(1)} / ${d.wall.toFixed(1)} s`);
