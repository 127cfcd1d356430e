/**
 * z(8 h) of the four STC protocols in float64 and on the emulated chips, by rounding mode,
 * averaged over seeds: the table in docs/low-precision.md.
 * Run: node --import tsx scripts/low-precision.ts [seeds=3]
 */
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/compile.ts";
import { getTarget } from "../targets/registry.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";
import { Executor } from "../targets/reference/executor.ts";
import type { RunHandle } from "../targets/target.ts";

const n = Number(process.argv[2] ?? 3);
const seeds = Array.from({ length: n }, (_, i) => i + 1);
const finalZ = (h: RunHandle) => {
  for (const t of h.recorded.tables) {
    const j = t.names.indexOf("z");
    if (j >= 0) return t.columns[j]![t.count - 1]!;
  }
  return NaN;
};
const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};
const variants = [["bss2", "stochastic"], ["bss2", "nearest"], ["cmos", "stochastic"], ["cmos", "nearest"]] as const;
console.log(`| protocol | float64 | ${variants.map(([t, r]) => `${t}, ${r}`).join(" | ")} |`);
console.log(`| --- | --- | ${variants.map(() => "---").join(" | ")} |`);
for (const m of ["stet", "wtet", "slfs", "wlfs"]) {
  const file = `models/stc/${m}.yaml`;
  const float = seeds.map((seed) => {
    const ex = new Executor(compile(file, { target: "reference", seed }));
    ex.run();
    return finalZ(ex);
  });
  const cells = variants.map(([target, rounding]) =>
    stats(seeds.map((seed) => {
      const program = compile(file, { target, seed });
      const h = new EmulatorHandle(compileFixed(program, getTarget(target).caps, { rounding, engramVersion: "doc", analyse: analyseByRun }).ir);
      h.run();
      return finalZ(h);
    })),
  );
  console.log(`| ${m} | ${stats(float)} | ${cells.join(" | ")} |`);
}
