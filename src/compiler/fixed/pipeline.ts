/**
 * The fixed-point half of the compiler, after the shared passes (resolve ... discretise):
 * range analysis (instrumented float64 run) -> quantise -> lower -> emit-ir -> design-rule checks
 * -> schedule report -> verify.
 */
import { EngramError } from "../../diagnostics/diagnostic.ts";
import type { IrProgram } from "../../ir/codec.ts";
import { verify } from "../../ir/verify.ts";
import type { Program } from "../../ir/program.ts";
import type { TargetCaps } from "./caps.ts";
import { budgets, designRuleChecks, type KernelBudget } from "./drc.ts";
import { emitIr } from "./emit-ir.ts";
import { quantise, quantisationReport, type QuantisedVar, type Rounding, type VarStats } from "./quantise.ts";

export interface FixedCompileOptions {
  rounding: Rounding;
  bits?: number;
  engramVersion: string;
  /** Runs the model in float64 with instrumentation and returns per-variable statistics. */
  analyse: (program: Program) => Map<string, VarStats>;
}

export interface FixedCompileResult {
  ir: IrProgram;
  quantised: QuantisedVar[];
  report: string;
  budgets: KernelBudget[];
}

export function compileFixed(program: Program, caps: TargetCaps, o: FixedCompileOptions): FixedCompileResult {
  if (o.bits !== undefined && !caps.allowedWidths.includes(o.bits)) {
    throw new EngramError([{ code: "bad-width", message: `${caps.name} has no ${o.bits}-bit state`, expected: `one of ${caps.allowedWidths.join(", ")}`, received: String(o.bits) }]);
  }
  const stats = o.analyse(program);
  const quantised = quantise(program, stats, caps, { rounding: o.rounding, bits: o.bits });
  const ir = emitIr(program, quantised, caps, o.engramVersion);
  const violations = designRuleChecks(ir, program, caps);
  if (violations.length > 0) throw new EngramError(violations.map((v) => ({ ...v, message: `does not fit ${caps.name}: ${v.message}` })));
  verify(ir, `${program.name} (${caps.name})`);
  const b = budgets(ir, caps);
  const schedule = b.length === 0 || !Number.isFinite(b[0]!.cyclesAvailable) ? [] : ["schedule:", ...b.map((x) => `  ${x.kernel.padEnd(20)} every ${x.periodTicks} tick(s): ${x.cyclesPerRun} of ${x.cyclesAvailable} cycles`)];
  return { ir, quantised, budgets: b, report: [quantisationReport(quantised, caps.name), ...schedule].join("\n") };
}
