/**
 * Part of `engram bench --simd`: the WebAssembly SIMD kernels inside the emulator's tick loop
 * (targets/emulator/simd-runner.ts) against the generated JS path, on whole runs, and which
 * kernels of the cmos memory network take the SIMD path (and why the others do not).
 */
import { Emulator } from "../../targets/emulator/emulator.ts";
import { fullChipProgram } from "../../targets/emulator/wasm/fullchip.ts";
import { generateSimd } from "../../targets/emulator/wasm/generator.ts";
import { shapeProblems } from "../../targets/emulator/wasm/shape.ts";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import { analyseByRun } from "./compile.ts";
import { getTarget } from "../../targets/registry.ts";

/** One run of the program in the mode: wall seconds, plastic-synapse updates and the final states. */
function timedRun(ir: ReturnType<typeof fullChipProgram>["ir"], mode: "simd" | "generated"): { wall: number; updates: number; state: Float64Array[]; paths: string[]; fallbacks: number } {
  const e = new Emulator(ir, mode);
  const t0 = performance.now();
  e.run();
  return { wall: (performance.now() - t0) / 1000, updates: e.stats.synapseUpdates, state: e.state, paths: e.kernelPaths(), fallbacks: e.simdFallbacks() };
}

/**
 * basic-early on a full bss2 chip (131072 synapses, nearest rounding) for `ticks` ticks through the
 * whole tick loop, JS and SIMD paths alternating (three runs each, the fastest reported), outputs compared.
 */
export function simdLoopBench(quick: boolean): string[] {
  const ticks = quick ? 400 : 1600;
  const lines = [
    `tick loop, full chip (basic-early on bss2, ${ticks} ticks = ${ticks / 8} syn.update runs; best of 3 runs per path, alternating)`,
    "",
    "| rounding | path | wall (s) | synapse updates / wall s | kernels on SIMD |",
    "| --- | --- | --- | --- | --- |",
  ];
  const notes: string[] = [];
  for (const rounding of ["nearest", "stochastic"] as const) {
    const r = loopRows(rounding, ticks);
    lines.push(...r.rows);
    notes.push(r.note);
  }
  const small = compile("models/stc/memory-network-small.yaml", { target: "cmos" });
  const { ir: net } = compileFixed(small, getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "bench", analyse: analyseByRun });
  const reasons = net.kernels.map((k) => {
    const m = generateSimd(k, net);
    return `${k.name}: ${m.ok ? "SIMD" : shapeProblems(k, net).join(", ") || m.reason}`;
  });
  return [...lines, "", ...notes, `memory network on cmos (stochastic rounding, models/stc/memory-network-small.yaml's kernels): ${reasons.join("; ")}`];
}

function loopRows(rounding: "nearest" | "stochastic", ticks: number): { rows: string[]; note: string } {
  const { ir } = fullChipProgram(rounding);
  ir.header.duration_ticks = ticks;
  const runs: Record<"simd" | "generated", ReturnType<typeof timedRun>[]> = { simd: [], generated: [] };
  for (let i = 0; i < 3; i++) for (const mode of ["generated", "simd"] as const) runs[mode].push(timedRun(ir, mode));
  const best = (m: "simd" | "generated") => runs[m].reduce((a, b) => (b.wall < a.wall ? b : a));
  const js = best("generated"), simd = best("simd");
  const same = js.state.every((a, i) => a.every((v, e) => v === simd.state[i]![e]));
  const onSimd = ir.kernels.filter((_, i) => simd.paths[i] === "simd").map((k) => k.name);
  return {
    rows: [
      `| ${rounding} | generated JS (ENGRAM_KERNELS=js) | ${js.wall.toFixed(2)} | ${(js.updates / js.wall).toExponential(2)} | none |`,
      `| ${rounding} | WebAssembly SIMD where the ops allow (default) | ${simd.wall.toFixed(2)} | ${(simd.updates / simd.wall).toExponential(2)} | ${onSimd.join(", ")} |`,
    ],
    note: `${rounding}: SIMD / JS = ${(js.wall / simd.wall).toFixed(1)}x; final states of both paths ${same ? "identical" : "DIFFER"}; SIMD runs that fell back to JS (draws did not settle): ${simd.fallbacks}`,
  };
}
