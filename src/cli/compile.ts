/** engram compile: model -> fixed-point IR image (.engram) for a target, with the quantisation report. */
import { writeFileSync } from "node:fs";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import type { Rounding, VarStats } from "../compiler/fixed/quantise.ts";
import type { Program } from "../ir/program.ts";
import { encode } from "../ir/codec.ts";
import { getTarget } from "../../targets/registry.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { fractionBelow, medianChange } from "../../targets/reference/analysis.ts";
import { VERSION } from "./main.ts";

export interface CompileCliOptions {
  model: string;
  target: string;
  out?: string;
  rounding: Rounding;
  bits?: number;
  seed?: number;
  dumpAfter?: string;
}

/** Range analysis by simulation: an instrumented float64 run of the model with its own stimuli. */
export function analyseByRun(program: Program): Map<string, VarStats> {
  const ex = new Executor(program, true);
  ex.run();
  const out = new Map<string, VarStats>();
  for (const [key, a] of ex.analysis!) {
    out.set(key, { min: a.range[0]!, max: a.range[1]!, fractionBelow: (size) => fractionBelow(a, size), medianChange: medianChange(a) });
  }
  return out;
}

export async function compileCommand(o: CompileCliOptions): Promise<number> {
  const target = getTarget(o.target);
  const program = compile(o.model, { target: target.name, seed: o.seed, dumpAfter: o.dumpAfter, dump: (t) => process.stdout.write(t + "\n") });
  const result = compileFixed(program, target.caps, { rounding: o.rounding, bits: o.bits, engramVersion: VERSION, analyse: analyseByRun });
  const out = o.out ?? `${program.name}.${target.name}.engram`;
  const bytes = encode(result.ir);
  writeFileSync(out, bytes);
  process.stdout.write(`${result.report}\nwrote ${out} (${bytes.length} bytes, ${result.ir.kernels.length} kernels, ${result.ir.kernels.reduce((s, k) => s + k.ops.length, 0)} ops)\n`);
  return 0;
}
