/**
 * z(8 h) of the four STC protocols in float64 and on the emulated chips, by rounding mode,
 * averaged over seeds, then z(8 h) of STET and SLFS by state width and rounding mode: the tables
 * in docs/low-precision.md (--widths: only the tables by width).
 * Run: node --import tsx scripts/low-precision.ts [seeds=3]
 * With --mismatch: only z(8 h) on bss2 with its analog core's fixed-pattern mismatch, by seed.
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
const chipZ = (file: string, target: string, rounding: "nearest" | "stochastic", bits?: number, mismatch = false) =>
  seeds.map((seed) => {
    const program = compile(file, { target, seed });
    const variation = { mismatch, noise: false };
    const h = new EmulatorHandle(compileFixed(program, getTarget(target).caps, { rounding, bits, variation, engramVersion: "doc", analyse: analyseByRun }).ir);
    h.run();
    return finalZ(h);
  });
const floatZ = (file: string) =>
  seeds.map((seed) => {
    const ex = new Executor(compile(file, { target: "reference", seed }));
    ex.run();
    return finalZ(ex);
  });
if (process.argv.includes("--mismatch")) {
  console.log("| protocol | float64 | bss2 stochastic, ideal | bss2 stochastic, --mismatch |");
  console.log("| --- | --- | --- | --- |");
  for (const m of ["stet", "slfs"]) {
    const file = `models/stc/${m}.yaml`;
    console.log(`| ${m} | ${stats(floatZ(file))} | ${stats(chipZ(file, "bss2", "stochastic"))} | ${stats(chipZ(file, "bss2", "stochastic", undefined, true))} |`);
  }
  process.exit(0);
}
const variants = [["bss2", "stochastic"], ["bss2", "nearest"], ["cmos", "stochastic"], ["cmos", "nearest"]] as const;
console.log(`| protocol | float64 | ${variants.map(([t, r]) => `${t}, ${r}`).join(" | ")} |`);
console.log(`| --- | --- | ${variants.map(() => "---").join(" | ")} |`);
if (!process.argv.includes("--widths")) for (const m of ["stet", "wtet", "slfs", "wlfs"]) {
  const file = `models/stc/${m}.yaml`;
  console.log(`| ${m} | ${stats(floatZ(file))} | ${variants.map(([target, rounding]) => stats(chipZ(file, target, rounding))).join(" | ")} |`);
}

// By state width: the widths each chip allows, both rounding modes.
// With 8- or 10-bit state (cmos STET, nearest: measured) the state never settles, so the emulator cannot
// jump and steps all 144 M ticks of 8 h (minutes per run): those widths are left out of the table.
const widths = [["cmos", [12, 14, 16]], ["bss2", [16]]] as const;
for (const m of ["stet", "wtet", "slfs", "wlfs"]) {
  const file = `models/stc/${m}.yaml`;
  console.log(`\n${m}: z(8 h) by state width; float64 ${stats(floatZ(file))}\n`);
  console.log("| target | bits | nearest | stochastic |");
  console.log("| --- | --- | --- | --- |");
  for (const [target, list] of widths) {
    for (const bits of list) console.log(`| ${target} | ${bits} | ${stats(chipZ(file, target, "nearest", bits))} | ${stats(chipZ(file, target, "stochastic", bits))} |`);
  }
}
