/** engram compile: model -> fixed-point IR image (.engram) for a target, with the quantisation report. */
import type { Limits } from "../ir/limits.ts";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed, FIXED_PASSES } from "../compiler/fixed/pipeline.ts";
import type { Rounding } from "../compiler/fixed/quantise.ts";
import type { Program } from "../ir/program.ts";
import { encodeImage } from "../ir/image.ts";
import { safeName } from "../util/safe-name.ts";
import { getTarget } from "../../targets/registry.ts";
import type { VariationOptions } from "../compiler/fixed/variation.ts";
import { VERSION } from "./main.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { checkOutputFile } from "./out-dir.ts";
import { analyseByRun } from "./analyse-by-run.ts";

export interface CompileCliOptions {
  model: string;
  target: string;
  out?: string;
  rounding: Rounding;
  bits?: number;
  seed?: number;
  dumpAfter?: string;
  variation?: VariationOptions;  /** Raised resource limits (--limit NAME=N). */
  limits?: Partial<Limits>;
}

// The range analysis by simulation lives in its own module, which a study's worker threads load
// without the compiler's front end (src/study/run-program.ts).
export { ANALYSIS_BUDGET, analyseByRun } from "./analyse-by-run.ts";

export async function compileCommand(o: CompileCliOptions): Promise<number> {
  const target = getTarget(o.target);
  const fixedPass = (FIXED_PASSES as readonly string[]).includes(o.dumpAfter ?? "");
  const dump = (t: string) => process.stdout.write(t + "\n");
  const program = compile(o.model, { target: target.name, seed: o.seed, dumpAfter: fixedPass ? undefined : o.dumpAfter, dump, extraPasses: FIXED_PASSES, limits: o.limits });
  const out = o.out ?? safeName(`${program.name}.${target.name}.engram`);
  checkOutputFile(out, o.out === undefined ? "the image file" : "-o"); // before the range analysis, which simulates
  const result = compileFixed(program, target.caps, { rounding: o.rounding, bits: o.bits, variation: o.variation, engramVersion: VERSION, analyse: analyseByRun, dumpAfter: fixedPass ? o.dumpAfter : undefined, dump });
  const bytes = encodeImage(result.ir);
  writeFileAtomic(out, bytes);
  process.stdout.write(`${result.report}\nwrote ${out} (${bytes.length} bytes, ${result.ir.kernels.length} kernels, ${result.ir.kernels.reduce((s, k) => s + k.ops.length, 0)} ops)\n`);
  return 0;
}
