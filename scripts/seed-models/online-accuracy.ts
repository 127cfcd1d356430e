/**
 * Shared by the issue-17 experiment scripts: run a model of models/chemical/ in-process on one
 * target (reference: float64 Executor; bss2/cmos: the fixed-point IR on the emulator, as `engram
 * run --target` does, stochastic rounding) and score its online classification per block of the
 * stream's CSV: the prediction for a sample is the argmax of out.y at the end of the sample's
 * 5th step, after the signal has reached the output and before the learning gate opens.
 */
import { readFileSync } from "node:fs";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { Executor } from "../../targets/reference/executor.ts";

export type TargetName = "reference" | "cmos" | "bss2";
const HOLD = 10, READ_AT = 5, CLASSES = 3;

/** out.y[0..2] after each step (row k = state after k steps), from either kind of run. */
function outputs(file: string, target: TargetName, seed: number): { ticks: number; y: (tick: number, k: number) => number; cpu: number } {
  const t0 = process.cpuUsage();
  const program = compile(file, { target, seed });
  if (target === "reference") {
    const ex = new Executor(program);
    ex.run();
    const table = ex.recorded.tables.find((t) => t.names.includes("y[0]"))!;
    const cols = [0, 1, 2].map((k) => table.columns[table.names.indexOf(`y[${k}]`)]!);
    const cpu = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1e6;
    return { ticks: table.count, y: (tick, k) => cols[k]![tick]!, cpu };
  }
  const { ir } = compileFixed(program, getTarget(target).caps, { rounding: "stochastic", engramVersion: "experiment", analyse: analyseByRun });
  const emu = new Emulator(ir, "generated");
  emu.run(ir.header.duration_ticks);
  const p = emu.probes.find((q) => q.column === "y")!;
  const index = new Map(p.ticks.map((t, i) => [t, i]));
  const cpu = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1e6;
  // Raw integers in one format for all three outputs: the argmax needs no scaling.
  return { ticks: p.ticks.length, y: (tick, k) => p.data[index.get(tick)! * p.width + k]!, cpu };
}

export interface Scored {
  /** Accuracy per block of the CSV (block column), in block order. */
  blocks: number[];
  cpu: number;
}

export function score(file: string, csv: string, target: TargetName, seed: number): Scored {
  const lines = readFileSync(csv, "utf8").trim().split("\n");
  const head = lines[0]!.split(",");
  const [li, bi] = [head.indexOf("label"), head.indexOf("block")];
  const { y, cpu } = outputs(file, target, seed);
  const hits: number[] = [], seen: number[] = [];
  for (let s = 0; s * HOLD + 1 < lines.length; s++) {
    const row = lines[1 + s * HOLD]!.split(",");
    const label = Number(row[li]), block = Number(row[bi]);
    const tick = s * HOLD + READ_AT;
    let best = 0;
    for (let k = 1; k < CLASSES; k++) if (y(tick, k) > y(tick, best)) best = k;
    hits[block] = (hits[block] ?? 0) + (best === label ? 1 : 0);
    seen[block] = (seen[block] ?? 0) + 1;
  }
  return { blocks: seen.map((n, b) => hits[b]! / n), cpu };
}

export const meanSd = (v: number[]): string => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};
