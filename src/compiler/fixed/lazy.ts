/**
 * Event-driven synapses in fixed point (numerics.lazy_synapses on a target with gated kernels),
 * and time-stamped traces (caps.stampedTraces): the plan of src/ir/lazy-plan.ts, the same the
 * float64 reference runs, lowered to IR kernels.
 *  - a trace is stored as its value after the last event; its value at a tick is that value times
 *    D^n, n the ticks since (a tabulated factor, LOOKUP; the last entry is 0, reached once the
 *    largest trace would round to zero), rounded once with the register rounding. An event stores
 *    the decayed value (rounded with the chip's decay rule) plus its jump. No per-tick rounding is
 *    iterated, so there is no dead zone, and the values do not depend on how often they are read;
 *  - event-driven (gated): each synapse keeps a time stamp (__stamp, 32-bit tick count, wrapping:
 *    the tick of its last event + 1) and an activity flag (__active, the gate); n = now + 1 - stamp.
 *    An event opens the gate if a trace condition now holds; the gated kernel steps the gated
 *    terms every tick over the open synapses and closes the gate once no condition holds;
 *  - dense (stamped traces without numerics.lazy_synapses, or a target without gated kernels):
 *    each synapse keeps n itself (__elapsed, saturating at the table's end), and the same kernel
 *    runs over every synapse every tick. Both read the same n at every tick, so the two hold the
 *    same values bit for bit (tests/compile/dense-lazy-decay.test.ts);
 *  - the slow kernel steps everything else for every synapse, in both.
 */
import { lazyPlan, type LazyPlan } from "../../ir/lazy-plan.ts";
import type { Program } from "../../ir/program.ts";
import { LIMITS } from "../../ir/verify.ts";
import type { TargetCaps } from "./caps.ts";
import type { Format } from "./quantise.ts";
import type { StateSlot } from "./lower.ts";

/** Tick counts: NOW, stamps and elapsed ticks wrap modulo 2^32, so differences stay right. */
export const TICKS: Format = { width: 32, signed: false, frac: 0, rounding: "floor", overflow: "wrap" };
export const ACTIVE: Format = { width: 1, signed: false, frac: 0, rounding: "floor", overflow: "saturate" };
export const STAMP = "__stamp";
export const GATE = "__active";
export const ELAPSED = "__elapsed";
/** The state a recorded trace is read into at its sampling ticks (its value decayed to the sample). */
export const seenName = (trace: string) => `__seen_${trace}`;

/** Ticks since the last event (dense stamped traces), counted up to the longest table's end. */
export function elapsedFormat(maxIndex: number): Format {
  return { width: Math.max(1, Math.ceil(Math.log2(maxIndex + 1))), signed: false, frac: 0, rounding: "floor", overflow: "saturate" };
}

/**
 * The projections whose traces are time-stamped, with their plans, whether idle synapses are
 * skipped (gated: event-driven) or every synapse is stepped every tick, and why the others are
 * not: the model asks for event-driven synapses on a target with gated kernels, or the target
 * keeps its traces stamped (caps.stampedTraces); the digital kernels run every tick, the
 * projection has nothing on an analog core, and each trace decays to zero within a table
 * (checked here, so the lowering never meets a trace without one).
 */
export function lazyProjections(program: Program, caps: TargetCaps, digitalPeriod: number, analog: Set<string>): { plans: Map<string, LazyPlan>; notes: string[]; gated: boolean } {
  const plans = new Map<string, LazyPlan>();
  const notes: string[] = [];
  const gated = program.numerics.lazySynapses && caps.gatedKernels;
  if (!program.numerics.lazySynapses && !caps.stampedTraces) return { plans, notes, gated };
  const what = gated || !caps.stampedTraces ? "not event-driven" : "traces not time-stamped";
  const why = (name: string, reason: string) => notes.push(`${name}: stepped every tick, ${what} (${reason})`);
  for (const pr of program.projections) {
    if (pr.odes.length === 0) continue;
    if (!caps.gatedKernels && !caps.stampedTraces) {
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
    if (gated && program.durationTicks >= 2 ** TICKS.width) {
      why(pr.name, `the run is longer than the 2^${TICKS.width} ticks a time stamp counts`);
      continue;
    }
    const plan = lazyPlan(pr);
    if (typeof plan === "string") {
      // without lazy_synapses a projection with no plan is plainly stepped: nothing to explain
      if (program.numerics.lazySynapses) why(pr.name, plan);
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
  return { plans, notes, gated };
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

type Slot = StateSlot & { init: number[]; unit: string; unitScale: number; groupIndex: number };

/** The table index at which each trace of a plan reaches 0 (its table's last entry), by name. */
export function traceTables(plan: LazyPlan, group: string, states: Map<string, StateSlot>, tickSeconds: number, registerWidth: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const tr of plan.traces) {
    const table = decayTable(tr.rate * tickSeconds, states.get(`${group}.${tr.name}`)!.format, registerWidth);
    if (table) out.set(tr.name, table);
  }
  return out;
}

/**
 * The hidden states of stamped projections: stamp and gate (event-driven) or the ticks elapsed
 * (dense, starting at 1: tick 0 reads one decay), and for each recorded trace the state it is
 * read into at its sampling ticks (same format, unit and initial value as the trace).
 */
export function addStampStates(states: Map<string, Slot>, program: Program, caps: TargetCaps, plans: Map<string, LazyPlan>, gated: boolean, groupOrder: string[]): void {
  for (const [name, plan] of plans) {
    const gi = groupOrder.indexOf(name);
    const add = (n: string, format: Format, range: [number, number], init: number[], unit = "ticks") => states.set(`${name}.${n}`, { index: states.size, group: name, name: n, format, range, init, unit, unitScale: 1, groupIndex: gi });
    if (gated) {
      add(STAMP, TICKS, [0, 2 ** TICKS.width - 1], [0]);
      add(GATE, ACTIVE, [0, 1], [0], "1");
    } else {
      const last = Math.max(...[...traceTables(plan, name, states, program.tickSeconds, caps.registerWidth).values()].map((t) => t.length - 1));
      add(ELAPSED, elapsedFormat(last), [0, last], [Math.min(1, last)]);
    }
    for (const r of program.recordings) {
      if (r.group !== name || !plan.traces.some((t) => t.name === r.var)) continue;
      const s = states.get(`${name}.${r.var}`)!;
      if (!states.has(`${name}.${seenName(r.var)}`)) states.set(`${name}.${seenName(r.var)}`, { ...s, index: states.size, name: seenName(r.var), format: { ...s.format, rounding: caps.registerRounding } });
    }
  }
}
