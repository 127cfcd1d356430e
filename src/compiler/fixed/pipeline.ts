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
import { analogVariables } from "./lower.ts";
import { interval, type Interval } from "./interval.ts";
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

/** Longest digital period that keeps every digital ODE's step below maxStepOverTau of its time constant. */
function maxDigitalPeriod(program: Program, caps: TargetCaps, stats: Map<string, VarStats>): { ticks: number; what: string } {
  const { analog } = analogVariables(program, caps);
  let best = { ticks: Number.MAX_SAFE_INTEGER, what: "nothing" };
  for (const g of [...program.populations, ...program.projections]) {
    for (const u of g.odes) {
      if (analog.has(`${g.name}.${u.var}`) || !u.linear) continue;
      const range = (name: string, scope: string): Interval => {
        const owner = scope === "self" ? g.name : scope === "pre" ? (g as { pre?: string }).pre! : (g as { post?: string }).post!;
        const s = stats.get(`${owner}.${name}`);
        if (s) return [s.min, s.max];
        const v = [...program.populations, ...program.projections].find((x) => x.name === owner)?.vars.find((x) => x.name === name);
        return v ? [Math.min(...Array.from(v.init)), Math.max(...Array.from(v.init))] : [0, 0];
      };
      const [lo, hi] = interval(u.B, range);
      const rate = Math.max(Math.abs(lo), Math.abs(hi));
      if (rate === 0 || !Number.isFinite(rate)) continue;
      const ticks = Math.floor(caps.maxStepOverTau / (rate * program.tickSeconds));
      if (ticks < best.ticks) best = { ticks, what: `${g.name}.${u.var} (fastest time constant ${(1 / rate).toPrecision(3)} s)` };
    }
  }
  return best;
}

export function compileFixed(program: Program, caps: TargetCaps, o: FixedCompileOptions): FixedCompileResult {
  if (o.bits !== undefined && !caps.allowedWidths.includes(o.bits)) {
    throw new EngramError([{ code: "bad-width", message: `${caps.name} has no ${o.bits}-bit state`, expected: `one of ${caps.allowedWidths.join(", ")}`, received: String(o.bits) }]);
  }
  const stats = o.analyse(program);
  const quantised = quantise(program, stats, caps, { rounding: o.rounding, bits: o.bits });
  // Schedule: the digital kernels run every K ticks, K the smallest period whose cycle budget holds
  // them, as long as K ticks stay short against the fastest digital time constant.
  const first = emitIr(program, quantised, caps, o.engramVersion, 1);
  const perTick = caps.clockHz * (program.tickSeconds / caps.acceleration);
  const cycles = budgets(first, caps).reduce((s, b) => s + b.cyclesPerRun, 0);
  const wanted = Number.isFinite(perTick) && perTick > 0 ? Math.max(1, Math.ceil(cycles / perTick)) : 1;
  const limit = maxDigitalPeriod(program, caps, stats);
  const period = Math.min(wanted, Math.max(1, limit.ticks));
  const ir = period === 1 ? first : emitIr(program, quantised, caps, o.engramVersion, period);
  const violations = designRuleChecks(ir, program, caps);
  if (wanted > limit.ticks) {
    violations.push({ code: "drc-period", message: `the digital kernels need a period of ${wanted} ticks to fit their ${cycles} cycles, but ${limit.what} allows at most ${limit.ticks} ticks (${caps.maxStepOverTau} of its time constant)`, expected: `<= ${limit.ticks} ticks`, received: `${wanted} ticks`, hint: "lower the acceleration, reduce the network per processor, or accept a coarser update by raising maxStepOverTau in the target description" });
  }
  if (violations.length > 0) throw new EngramError(violations.map((v) => ({ ...v, message: `does not fit ${caps.name}: ${v.message}` })));
  verify(ir, `${program.name} (${caps.name})`);
  const b = budgets(ir, caps);
  const mapping = analogVariables(program, caps);
  const placement = caps.analog ? ["placement:", ...[...mapping.analog].map((v) => `  ${v}: analog core`), ...mapping.notes.map((n) => `  ${n}`)] : [];
  const schedule = b.length === 0 || !Number.isFinite(b[0]!.cyclesAvailable) ? [] : ["schedule (digital kernels):", ...b.map((x) => `  ${x.kernel.padEnd(20)} every ${x.periodTicks} tick(s) (${(x.periodTicks * program.tickSeconds * 1e3).toPrecision(3)} ms): ${x.cyclesPerRun} of ${x.cyclesAvailable} cycles`)];
  return { ir, quantised, budgets: b, report: [quantisationReport(quantised, caps.name), ...placement, ...schedule].join("\n") };
}
