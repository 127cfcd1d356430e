/**
 * The fixed-point half of the compiler, after the shared passes (resolve ... discretise):
 * range analysis (instrumented float64 run) -> quantise -> lower -> emit-ir -> design-rule checks
 * -> schedule report -> verify.
 */
import { stpPlacement, withCircuitUtilisation } from "./stp.ts";
import { EngramError } from "../../diagnostics/diagnostic.ts";
import type { IrProgram } from "../../ir/codec.ts";
import { verify } from "../../ir/verify.ts";
import { printProgram } from "../../ir/print.ts";
import type { Program } from "../../ir/program.ts";
import { walk } from "../../ir/expr.ts";
import type { TargetCaps } from "./caps.ts";
import { budgets, CHECKS, designRuleChecks, streamBudgets, type KernelBudget } from "./drc.ts";
import { analogVariables, drivenVariables, fastVariables, splitUpdate } from "./lower.ts";
import { mapToCrossbar } from "./map.ts";
import { lazyProjections } from "./lazy.ts";
import { extent, interval, type Interval } from "./interval.ts";
import { emitIr, unsupportedStimuli, type VariationData } from "./emit-ir.ts";
import { IDEAL, mismatchArrays, noiseCoefficients, tauHeterogeneity, type VariationOptions } from "./variation.ts";
import { quantise, quantisationReport, RANGE_MARGIN, type QuantisedVar, type Rounding, type VarStats } from "./quantise.ts";

/** Design-rule checks that read only the network, not its formats. */
const RESOURCE_CHECKS = ["neurons", "synapses", "fan-in"];

/** The fixed-point passes, in order, as --dump-after knows them. */
export const FIXED_PASSES = ["range-analysis", "quantise", "map", "lower", "schedule", "drc", "emit-ir"] as const;

/** Longest slow-kernel period: one second of biological time. */
const SLOW_PERIOD_CAP_TICKS = (p: Program) => Math.max(1, Math.round(1 / p.tickSeconds));

/** Observed range of a variable seen from group g (own, pre or post), else the range of its initial values. */
function observedRange(program: Program, stats: Map<string, VarStats>, g: Program["populations"][number] | Program["projections"][number]) {
  return (name: string, scope: string): Interval => {
    const owner = scope === "self" ? g.name : scope === "pre" ? (g as { pre?: string }).pre! : (g as { post?: string }).post!;
    const s = stats.get(`${owner}.${name}`);
    if (s) return [s.min, s.max];
    const v = [...program.populations, ...program.projections].find((x) => x.name === owner)?.vars.find((x) => x.name === name);
    return v ? extent(v.init) : [0, 0];
  };
}

/** Longest slow period that keeps every slow term's step below maxStepOverTau of its time constant. */
function maxSlowPeriod(program: Program, caps: TargetCaps, stats: Map<string, VarStats>): number {
  const { analog } = analogVariables(program, caps);
  const fastVars = fastVariables(program);
  const driven = drivenVariables(program, fastVars);
  let best = Number.MAX_SAFE_INTEGER;
  for (const g of [...program.populations, ...program.projections]) {
    for (const u of g.odes) {
      if (analog.has(`${g.name}.${u.var}`) || fastVars.has(`${g.name}.${u.var}`) || driven.has(`${g.name}.${u.var}`) || !u.linear) continue;
      const parts = splitUpdate(u, (name) => fastVars.has(`${g.name}.${name}`));
      if (!parts.slow) continue;
      const range = observedRange(program, stats, g);
      const [lo, hi] = interval(parts.slow.B, range);
      const rate = Math.max(Math.abs(lo), Math.abs(hi));
      if (rate > 0 && Number.isFinite(rate)) best = Math.min(best, Math.floor(caps.maxStepOverTau / (rate * program.tickSeconds)));
    }
  }
  return Math.max(1, best);
}

export interface FixedCompileOptions {
  /** false: one digital kernel per group (no slow kernel). */
  split?: boolean;
  /** Prints the stage after this pass. */
  dumpAfter?: string;
  dump?: (text: string) => void;
  rounding: Rounding;
  bits?: number;
  /** The analog core's mismatch and noise (default: off, an ideal chip). */
  variation?: VariationOptions;
  engramVersion: string;
  /** Runs the model in float64 with instrumentation and returns per-variable statistics. */
  /** Range analysis; wholeRun false: a budgeted look suffices (the program cannot fit anyway). */
  analyse: (program: Program, opts?: { wholeRun?: boolean }) => Map<string, VarStats>;
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
      const range = observedRange(program, stats, g);
      const [lo, hi] = interval(u.B, range);
      const rate = Math.max(Math.abs(lo), Math.abs(hi));
      if (rate === 0 || !Number.isFinite(rate)) continue;
      const ticks = Math.floor(caps.maxStepOverTau / (rate * program.tickSeconds));
      if (ticks < best.ticks) best = { ticks, what: `${g.name}.${u.var} (fastest time constant ${(1 / rate).toPrecision(3)} s)` };
    }
  }
  // A digital kernel that samples an analog variable into a summed input (a continuous coupling:
  // NIR's LI -> LIF, a rate unit's output) holds the sample for the whole period, so the period
  // must also stay short against the sampled variable's time constant.
  for (const pr of program.projections) {
    for (const x of pr.summed) {
      walk(x.value, (n) => {
        if (n.op !== "sym" || n.scope === "self") return;
        const owner = n.scope === "pre" ? program.populations.find((p) => p.name === pr.pre) : program.populations.find((p) => p.name === pr.post);
        const u = owner?.odes.find((o) => o.var === n.name);
        if (!owner || !u || !u.linear || !analog.has(`${owner.name}.${u.var}`)) return;
        const [lo, hi] = interval(u.B, observedRange(program, stats, owner));
        const rate = Math.max(Math.abs(lo), Math.abs(hi));
        if (rate === 0 || !Number.isFinite(rate)) return;
        const ticks = Math.floor(caps.maxStepOverTau / (rate * program.tickSeconds));
        if (ticks < best.ticks) best = { ticks, what: `${pr.name}'s summed input ${x.scope === "pre" ? pr.pre : pr.post}.${x.target}, sampled from the analog ${owner.name}.${u.var} (time constant ${(1 / rate).toPrecision(3)} s)` };
      });
    }
  }
  return best;
}

export function compileFixed(model: Program, caps: TargetCaps, options: FixedCompileOptions): FixedCompileResult {
  // Short-term plasticity mapped onto a target's circuits takes their resolution of U from here on.
  const stp = stpPlacement(model, caps);
  const program = withCircuitUtilisation(model, caps, stp);
  // --bits, else the model's numerics.state_bits, else the target's own widths
  const o = { ...options, bits: options.bits ?? program.numerics.stateBits };
  if (o.bits !== undefined && !caps.allowedWidths.includes(o.bits)) {
    const from = options.bits !== undefined ? "--bits" : "the model's numerics.state_bits";
    throw new EngramError([{ code: "bad-width", message: `${caps.name} has no ${o.bits}-bit state (${from})`, expected: `one of ${caps.allowedWidths.join(", ")}`, received: String(o.bits) }]);
  }
  const dump = (pass: string, text: () => string) => {
    if (o.dumpAfter === pass) (o.dump ?? console.log)(`=== after pass "${pass}" ===\n${text()}`);
  };
  // A network over the chip's neuron, synapse or fan-in limits cannot fit whatever its formats:
  // the formats then only feed the report, and a budgeted range analysis suffices.
  const overLimits = CHECKS.filter((c) => RESOURCE_CHECKS.includes(c.name)).some((c) => c.run(undefined as never, program, caps).length > 0);
  const stats = o.analyse(program, { wholeRun: !overLimits });
  dump("range-analysis", () => [...stats].map(([k, s]) => `${k}: [${s.min}, ${s.max}] (SI), median |change|/tick ${s.medianChange.toExponential(3)}`).join("\n"));
  const quantised = quantise(program, stats, caps, { rounding: o.rounding, bits: o.bits });
  dump("quantise", () => quantisationReport(quantised, caps.name));
  // Schedule: the digital kernels run every K ticks, K the smallest period whose cycle budget holds
  // them, as long as K ticks stay short against the fastest digital time constant.
  const mapped = mapToCrossbar(program, caps);
  dump("map", () => [...mapped.placements].map(([name, pl]) => `${name}: rows used ${new Set(Array.from(pl.row, (r, k) => `${pl.array[k]}:${r}`)).size}, max label ${Math.max(0, ...pl.label.slice(0, 10000))}`).join("\n") || "(no synapse crossbar)");
  const first = emitIr(program, quantised, caps, o.engramVersion, 1, mapped.placements);
  const perTick = caps.clockHz * (program.tickSeconds / caps.acceleration);
  const cycles = budgets(first, caps).reduce((s, b) => s + b.cyclesPerRun, 0);
  // Streams take their cycles every tick; the kernels get the rest (if none is left, the DRC says so).
  const streamTick = streamBudgets(first, caps).reduce((s, b) => s + b.cyclesPerTick, 0);
  const spare = perTick - streamTick > 0 ? perTick - streamTick : perTick;
  const wanted = Number.isFinite(perTick) && perTick > 0 ? Math.max(1, Math.ceil(cycles / spare)) : 1;
  const limit = maxDigitalPeriod(program, caps, stats);
  const period = Math.min(wanted, Math.max(1, limit.ticks));
  dump("lower", () => printProgram(first));
  dump("schedule", () => `digital kernels need ${cycles} cycles per tick-period; ${perTick} cycles per tick; chosen period ${period} tick(s) (accuracy allows ${limit.ticks}, bound by ${limit.what})`);
  // Terms not gated by fast variables (relaxations, consolidation) run in a slow kernel.
  // Event-driven synapses: the slow kernel covers every synapse, so it may step as long as the
  // model's quiet step (its declared step for slow dynamics), within the accuracy bound.
  const { analog, notes: analogNotes } = analogVariables(program, caps);
  const lazy = lazyProjections(program, caps, period, analog);
  const cap = lazy.plans.size > 0 ? Math.max(SLOW_PERIOD_CAP_TICKS(program), program.numerics.quietStepTicks) : SLOW_PERIOD_CAP_TICKS(program);
  const slow = o.split === false || !caps.splitSlow ? period : Math.max(period, Math.min(cap, maxSlowPeriod(program, caps, stats)));
  dump("schedule", () => `slow kernel period ${slow} tick(s) (${(slow * program.tickSeconds).toPrecision(3)} s)`);
  // Now that the digital period is known, judge each variable's changes per update, not per tick.
  const fastVars = fastVariables(program);
  const drivenVars = drivenVariables(program, fastVars);
  const slowPeriodOf = (group: string, name: string): number => {
    const g = [...program.populations, ...program.projections].find((x) => x.name === group);
    const u = g?.odes.find((x) => x.var === name);
    if (!u || fastVars.has(`${group}.${name}`) || drivenVars.has(`${group}.${name}`)) return period;
    // Split variables: their changes between bursts of activity (the bulk of the statistics) are
    // applied by the slow kernel, so that is the period to judge them at.
    const parts = splitUpdate(u, (n) => fastVars.has(`${group}.${n}`));
    return parts.slow || !parts.fast ? slow : period;
  };
  const periodOf = (group: string, name: string) => (analog.has(`${group}.${name}`) ? 1 : slowPeriodOf(group, name));
  const stamped = new Set([...lazy.plans].flatMap(([g, plan]) => plan.traces.map((t) => `${g}.${t.name}`)));
  const final = quantise(program, stats, caps, { rounding: o.rounding, bits: o.bits, periodOf, analog, fast: fastVars, stamped });
  const v = o.variation ?? IDEAL;
  const variation: VariationData | undefined = v.mismatch || v.noise ? { arrays: v.mismatch ? mismatchArrays(program, caps, analog, program.seed) : [], noise: v.noise ? noiseCoefficients(program, caps, analog, final) : new Map(), noisePeriod: v.noisePeriodTicks ?? defaultNoisePeriod(program, analog, slow) } : undefined;
  const ir = period === 1 && slow === 1 && !variation ? first : emitIr(program, final, caps, o.engramVersion, period, mapped.placements, slow, variation);
  const violations = [...mapped.violations, ...designRuleChecks(ir, program, caps), ...unsupportedStimuli(program, caps)];
  dump("drc", () => (violations.length === 0 ? "no violations" : violations.map((v) => v.message).join("\n")));
  // One tick is the model's own step (the float64 reference takes it too), so it is never too coarse:
  // a reservoir stepped once per sample (tau of a few ticks) fits when its kernels fit one tick.
  if (wanted > Math.max(1, limit.ticks)) {
    violations.push({ code: "drc-period", message: `the digital kernels need a period of ${wanted} ticks to fit their ${cycles} cycles${streamTick > 0 && streamTick < perTick ? ` in the ${Math.floor(perTick - streamTick)} cycles per tick the streams leave` : ""}, but ${limit.what} allows at most ${Math.max(1, limit.ticks)} tick(s) (${caps.maxStepOverTau} of its time constant)`, expected: `<= ${Math.max(1, limit.ticks)} ticks`, received: `${wanted} ticks`, hint: "lower the acceleration, reduce the network per processor, or accept a coarser update by raising maxStepOverTau in the target description" });
  }
  if (violations.length > 0) throw new EngramError(violations.map((v) => ({ ...v, message: `does not fit ${caps.name}: ${v.message}` })));
  verify(ir, `${program.name} (${caps.name})`);
  dump("emit-ir", () => printProgram(ir));
  const b = budgets(ir, caps);
  const mapping = { analog, notes: analogNotes };
  const placement = caps.analog ? ["placement:", ...[...mapping.analog].map((v) => `  ${v}: analog core`), ...mapping.notes.map((n) => `  ${n}`)] : [];
  const sb = streamBudgets(ir, caps);
  const tickCycles = Math.floor(perTick);
  const schedule = (b.length === 0 && sb.length === 0) || !Number.isFinite(perTick) ? [] : [sb.length === 0 ? "schedule (digital kernels):" : "schedule (digital kernels and streams):", ...b.map((x) => `  ${x.kernel.padEnd(20)} every ${x.periodTicks} tick(s) (${(x.periodTicks * program.tickSeconds * 1e3).toPrecision(3)} ms): ${x.cyclesPerRun} of ${x.cyclesAvailable} cycles`), ...sb.map((x) => `  ${x.stream} every tick: ${x.cyclesPerTick} of ${tickCycles} cycles`)];
  const covered = (stats as { coveredSeconds?: number }).coveredSeconds;
  const simulated = program.durationTicks * program.tickSeconds;
  const dense = (stats as { denseSeconds?: number }).denseSeconds;
  const coverage = covered !== undefined && covered < simulated ? [`range analysis: the float64 run covered the first ${covered.toPrecision(3)} s of ${simulated} s (work limit); ranges beyond it are extrapolated by the x${RANGE_MARGIN} margin`] : dense !== undefined ? [`range analysis: ranges from an event-driven float64 run of all ${simulated} s; changes per update from its first ${dense.toPrecision(3)} s stepped densely`] : [];
  const eventDriven = lazy.plans.size + lazy.notes.length === 0 ? [] : [lazy.gated ? "event-driven synapses (numerics.lazy_synapses):" : "time-stamped traces (every synapse stepped every tick):", ...[...lazy.plans.keys()].map((n) => `  ${n}: traces stored at events, read as stored x D^n (tabulated, rounded ${caps.registerRounding}); ${lazy.gated ? "gated terms run only while a trace condition holds" : "gated terms stepped every tick"}`), ...lazy.notes.map((n) => `  ${n}`)];
  const heterogeneity = caps.analog ? tauHeterogeneity(program, analog, variation?.arrays ?? []) : [];
  const stpLines = stp.length ? ["short-term plasticity:", ...stp.map((d) => `  ${d.line}`)] : [];
  return { ir, quantised: final, budgets: b, report: [quantisationReport(final, caps.name), ...coverage, ...placement, ...stpLines, ...heterogeneity, ...eventDriven, ...schedule].join("\n") };
}

/**
 * Ticks between trial-to-trial noise draws unless asked (noise-step.ts): the slow kernel's period
 * when the model has digital state (plasticity, read by the slow kernels on that time scale), so
 * quiet stretches stay jumps; every tick for a purely analog network, whose noise shapes its
 * spiking and which has no quiet stretches to gain.
 */
function defaultNoisePeriod(program: Program, analog: Set<string>, slow: number): number {
  const digital = [...program.populations, ...program.projections].some((g) => g.odes.some((u) => !analog.has(`${g.name}.${u.var}`)));
  return digital ? slow : 1;
}
