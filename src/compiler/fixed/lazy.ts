/**
 * Event-driven synapses in fixed point (numerics.lazy_synapses on a target with gated kernels):
 * the plan of src/ir/lazy-plan.ts, the same the float64 reference runs, lowered to IR kernels.
 *  - each synapse keeps a time stamp (__stamp, 32-bit tick count, wrapping: the first tick whose
 *    decay is not yet applied) and an activity flag (__active, the gate);
 *  - traces decay over the n = now + 1 - stamp elapsed ticks by one product with a tabulated
 *    factor D^n (LOOKUP; the last entry is 0, reached once the largest trace would round to zero),
 *    the way event-driven digital plasticity hardware decays its traces;
 *  - an event brings the traces up to date, applies its jumps and opens the gate if a trace
 *    condition now holds; the gated kernel steps the gated terms every tick and closes the gate
 *    once no condition holds; the slow kernel steps everything else for every synapse.
 */
import { lazyPlan, type LazyPlan } from "../../ir/lazy-plan.ts";
import type { Program } from "../../ir/program.ts";
import { LIMITS } from "../../ir/verify.ts";
import type { TargetCaps } from "./caps.ts";
import type { Format } from "./quantise.ts";

/** Tick counts: NOW, stamps and elapsed ticks wrap modulo 2^32, so differences stay right. */
export const TICKS: Format = { width: 32, signed: false, frac: 0, rounding: "floor", overflow: "wrap" };
export const ACTIVE: Format = { width: 1, signed: false, frac: 0, rounding: "floor", overflow: "saturate" };
export const STAMP = "__stamp";
export const GATE = "__active";

/**
 * The projections to lower event-driven, with their plans, and why the others are not: the model
 * asks for it, the target has gated kernels, the digital kernels run every tick, the projection
 * has nothing on an analog core, and each trace decays to zero within a table (checked here, so
 * the lowering never meets a trace without one).
 */
export function lazyProjections(program: Program, caps: TargetCaps, digitalPeriod: number, analog: Set<string>): { plans: Map<string, LazyPlan>; notes: string[] } {
  const plans = new Map<string, LazyPlan>();
  const notes: string[] = [];
  if (!program.numerics.lazySynapses) return { plans, notes };
  const why = (name: string, reason: string) => notes.push(`${name}: stepped every tick, not event-driven (${reason})`);
  for (const pr of program.projections) {
    if (pr.odes.length === 0) continue;
    if (!caps.gatedKernels) {
      why(pr.name, `${caps.name} has no gated kernels`);
      continue;
    }
    if (digitalPeriod !== 1) {
      why(pr.name, `the digital kernels run every ${digitalPeriod} ticks`);
      continue;
    }
    if (pr.vars.some((v) => analog.has(`${pr.name}.${v.name}`))) {
      why(pr.name, "some of its state is on the analog core");
      continue;
    }
    if (program.durationTicks >= 2 ** TICKS.width) {
      why(pr.name, `the run is longer than the 2^${TICKS.width} ticks a time stamp counts`);
      continue;
    }
    const plan = lazyPlan(pr);
    if (typeof plan === "string") {
      why(pr.name, plan);
      continue;
    }
    // Checked for the widest state the target has, so every format the quantiser picks fits.
    const widest = 2 ** Math.max(...caps.allowedWidths);
    const slowTrace = plan.traces.find((t) => decayTicks(t.rate * program.tickSeconds, widest) >= LIMITS.maxTable);
    if (slowTrace) {
      why(pr.name, `its trace ${slowTrace.name} decays too slowly for a table of ${LIMITS.maxTable} decay factors`);
      continue;
    }
    plans.set(pr.name, plan);
  }
  return { plans, notes };
}

/** Ticks after which a trace of raw magnitude `largest`, decaying by e^(rateTimesDt) per tick, rounds to zero. */
function decayTicks(rateTimesDt: number, largest: number): number {
  return Math.ceil(Math.log(2 * largest) / -rateTimesDt);
}

/**
 * D^n for n = 0 .. N in an unsigned register of `width` bits with one integer bit, N the first n
 * at which a trace of format `f` at its largest value would round to zero (entry N is 0).
 * Null when N exceeds the IR's table limit (the trace is too slow for event-driven decay).
 */
export function decayTable(rateTimesDt: number, f: Format, width: number): number[] | null {
  const N = decayTicks(rateTimesDt, 2 ** (f.width - (f.signed ? 1 : 0)));
  if (!(N > 0) || N >= LIMITS.maxTable) return null;
  const one = 2 ** (width - 1);
  return Array.from({ length: N + 1 }, (_, n) => (n === N ? 0 : Math.round(Math.exp(rateTimesDt * n) * one)));
}
