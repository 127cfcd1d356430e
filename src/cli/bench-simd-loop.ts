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
import { generateKernel } from "../../targets/emulator/codegen.ts";

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
  return [...lines, "", ...notes, `memory network on cmos (stochastic rounding, models/stc/memory-network-small.yaml's kernels): ${reasons.join("; ")}`, "", ...jsKernelWork(small)];
}

/**
 * What the generated JS (codegen.ts) makes of the cmos memory network's kernels, with stochastic
 * rounding (`engram run`'s default) and nearest: IR ops per element against ops that run per
 * element (the others are reused values, tables over comparisons, constants), and conversions
 * that still round or clamp.
 */
export function jsKernelWork(program: ReturnType<typeof compile>): string[] {
  const rows: string[] = ["memory network on cmos, generated JS kernels per element (models/stc/memory-network-small.yaml; `engram run` rounds stochastically by default):", "", "| rounding | kernel | IR ops | ops run | reused | tabled | conversions rounding | conversions clamping |", "| --- | --- | --- | --- | --- | --- | --- | --- |"];
  for (const rounding of ["stochastic", "nearest"] as const) rows.push(...jsKernelRows(program, rounding));
  return rows;
}

function jsKernelRows(program: ReturnType<typeof compile>, rounding: "stochastic" | "nearest"): string[] {
  const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding, engramVersion: "bench", analyse: analyseByRun });
  const e = new Emulator(ir, "generated");
  const rows = ir.kernels.map((k) => {
    const g = generateKernel(k, ir, { state: e.state, activity: new Float64Array(3), versions: new Float64Array(ir.states.length), round: () => 0.5, normal: () => 0, spike: () => {}, now: new Float64Array(1), saturations: new Float64Array(1) });
    const s = g.stats;
    return `| ${rounding} | ${k.name} | ${s.ops} | ${s.computed} | ${s.reused} | ${s.tabled} | ${s.rounded} | ${s.bounded} |`;
  });
  return rows;
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
