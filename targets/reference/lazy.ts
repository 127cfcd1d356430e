/**
 * Event-driven synapses (numerics.lazy_synapses) for networks where most synapses are idle most
 * of the time. Derived from the equations, not from a model's name:
 *  - traces: synaptic variables that only decay (dx/dt = B x, B constant) and jump at events. An
 *    idle synapse's traces are advanced in closed form, x * e^(B dt n), when its next event
 *    arrives (stamp[k] = first tick not yet applied);
 *  - the other variables' updates are split (src/ir/split.ts) into the terms gated by conditions
 *    on traces ("fast": plasticity while calcium is above a threshold, with its noise) and the
 *    rest ("slow": relaxation, consolidation), like the fixed-point lowering does;
 *  - a synapse is active while a trace condition holds. Traces only decay towards zero, and every
 *    condition is false at zero, so a condition can switch on only at an event: the event kernel
 *    activates the synapse, and the active kernel steps the fast terms every tick until all its
 *    conditions are off again;
 *  - the slow terms of every synapse, and the summed reductions, are applied every slow_step
 *    (and over each quiet step) with the exponential-Euler update for that step length.
 * What it costs in accuracy (operator splitting, summed values held for a slow step) is measured
 * against full stepping in tests/stc/lazy.test.ts and docs/numerics.md.
 */
import type { EventAssign, OdeUpdate } from "../../src/ir/program.ts";
import type { LazyPlan } from "../../src/ir/lazy-plan.ts";
import { jsExpr, literal, Memo, odeStatements } from "./codegen.ts";
import { arr, Bindings, loopOver, synapseSymbols, type ProjectionContext } from "./kernels.ts";
import type { Csr } from "./layout.ts";
import { analysisKey } from "./analysis.ts";

/**
 * Range recording for the range analysis (analysis.ts) of an event-driven run: the values of the
 * listed variables of synapse k after an update. Traces peak right after their events, where they
 * are recorded; their decay between events only lowers them.
 */
function rangeText(b: Bindings, ctx: ProjectionContext, names: string[]): string {
  return names
    .map((n) => {
      const a = ctx.analysis?.get(analysisKey(ctx.pr.name, n));
      if (!a) return "";
      const r = b.ref(a.range), x = `${b.ref(arr(ctx.g, n))}[k]`;
      return `if (${x} < ${r}[0]) ${r}[0] = ${x}; if (${x} > ${r}[1]) ${r}[1] = ${x};`;
    })
    .join(" ");
}

/** Per-projection bookkeeping shared by the lazy kernels. */
export class LazyState {
  /** stamp: first tick whose trace decay is not yet applied, per synapse. */
  readonly active: Uint8Array;
  /** Active synapses: list[0 .. count[0]). */
  readonly list: Int32Array;
  /**
   * stamp: shared between workers (recordings read any synapse's); count: this worker's slot of
   * the shared active counts (the quiet test reads them all).
   */
  constructor(size: number, readonly stamp: Float64Array = new Float64Array(size), readonly count: Int32Array = new Int32Array(1)) {
    this.active = new Uint8Array(size);
    this.list = new Int32Array(size);
  }
}

/** Statements that bring synapse k's traces to the start of tick `t` + 1 (this tick applied). */
function advanceTraces(b: Bindings, ctx: ProjectionContext, plan: LazyPlan, st: LazyState): string {
  const stamp = b.ref(st.stamp);
  const dt = ctx.tickSeconds;
  const decays = plan.traces.map((tr) => {
    const a = b.ref(arr(ctx.g, tr.name));
    // one tick: the constant factor (as dense stepping); more: the closed form
    return `${a}[k] = n === 1 ? ${a}[k] * ${literal(Math.exp(tr.rate * dt))} : ${a}[k] * Math.exp(${literal(tr.rate * dt)} * n);`;
  });
  return `{ const n = t + 1 - ${stamp}[k]; if (n > 0) { ${decays.join(" ")} ${stamp}[k] = t + 1; } }`;
}

function conditionText(b: Bindings, ctx: ProjectionContext, plan: LazyPlan): string {
  const sym = synapseSymbols(b, ctx, (name) => `${b.ref(arr(ctx.g, name))}[k]`);
  return plan.conditions.length === 0 ? "false" : plan.conditions.map((c) => `${jsExpr(c, sym)} !== 0`).join(" || ");
}

/** Event handler: traces brought up to date, jumps applied, the synapse activated if a condition now holds. */
export function lazyEventKernel(ctx: ProjectionContext, plan: LazyPlan, st: LazyState, assigns: EventAssign[], csr: Csr, now: Float64Array): (list: Int32Array, offset: number, count: number) => void {
  const b = new Bindings();
  const self = (name: string) => `${b.ref(arr(ctx.g, name))}[k]`;
  const sym = synapseSymbols(b, ctx, self);
  const touchesTrace = assigns.some((a) => a.scope === "self");
  const statements = assigns.map((a) => `${a.scope === "self" ? self(a.target) : sym(a.target, a.scope)} ${a.op} ${jsExpr(a.value, sym)};`).join("\n");
  const activate = touchesTrace
    ? `if (${b.ref(st.active)}[k] === 0 && (${conditionText(b, ctx, plan)})) { ${b.ref(st.active)}[k] = 1; ${b.ref(st.list)}[${b.ref(st.count)}[0]++] = k; }`
    : "";
  const body = `
const start = ${b.ref(csr.start)}, order = ${b.ref(csr.order)};
const preIndex = ${b.ref(ctx.pr.preIndex)}, postIndex = ${b.ref(ctx.pr.postIndex)};
const now = ${b.ref(now)};
return function deliver(list, offset, count) {
  const t = now[0];
  for (let j = offset, end = offset + count; j < end; j++) {
    const n0 = list[j];
    for (let s = start[n0], e = start[n0 + 1]; s < e; s++) {
      const k = order[s];
      const pre = preIndex[k], post = postIndex[k];
      ${touchesTrace ? advanceTraces(b, ctx, plan, st) : ""}
      ${statements}
      ${rangeText(b, ctx, assigns.filter((a) => a.scope === "self").map((a) => a.target))}
      ${activate}
    }
  }
};`;
  return b.build(body);
}

/** Every tick: the active synapses' traces decay one tick and their gated terms are stepped. */
export function lazyActiveKernel(ctx: ProjectionContext, plan: LazyPlan, st: LazyState, now: Float64Array): () => void {
  return updateKernel(ctx, plan.fast, (b, body) => `
const list = ${b.ref(st.list)}, count = ${b.ref(st.count)}, active = ${b.ref(st.active)};
const now = ${b.ref(now)};
return function stepActive() {
  const dt = clock[0], sqrtDt = clock[1];
  if (dt !== lastDt[0]) { lastDt[0] = dt; ONDT }
  const t = now[0];
  for (let j = 0; j < count[0]; j++) {
    const k = list[j];
    const pre = preIndex[k], post = postIndex[k];
    ${advanceTraces(b, ctx, plan, st)}
    ${body}
    ${rangeText(b, ctx, [...plan.traces.map((t) => t.name), ...plan.fast.map((u) => u.var)])}
    if (!(${conditionText(b, ctx, plan)})) { active[k] = 0; list[j] = list[--count[0]]; j--; }
  }
};`);
}

/** Every slow step (or quiet step): the ungated terms of every synapse, then the summed reductions. */
export function lazySlowKernel(ctx: ProjectionContext, plan: LazyPlan): () => void {
  return updateKernel(ctx, plan.slow, (b, body, sym) => {
    const summed = ctx.pr.summed.map((s) => (s.scope === "pre" ? `${b.ref(arr(ctx.pre, s.target))}[pre] += ` : `${b.ref(arr(ctx.post, s.target))}[post] += `) + `${jsExpr(s.value, sym)};`).join("\n");
    return `
return function stepSlow() {
  const dt = clock[0], sqrtDt = clock[1];
  if (dt !== lastDt[0]) { lastDt[0] = dt; ONDT }
  ${loopOver(b, ctx)}
    const pre = preIndex[k], post = postIndex[k];
    ${body}
    ${rangeText(b, ctx, plan.slow.map((u) => u.var))}
    ${summed}
  }
};`;
  });
}

/** A loop over synapses applying `updates` (loads, ODE statements, stores) inside `shape`. */
function updateKernel(ctx: ProjectionContext, updates: OdeUpdate[], shape: (b: Bindings, body: string, sym: ReturnType<typeof synapseSymbols>) => string): () => void {
  const b = new Bindings();
  const sym = synapseSymbols(b, ctx, (name) => `${b.ref(arr(ctx.g, name))}[k]`);
  const memo = new Memo();
  const onDt: string[] = [];
  const vars = [...new Set(updates.map((u) => u.var))];
  const localOf = new Map(vars.map((v, i) => [v, `x${i}`]));
  const localSym = synapseSymbols(b, ctx, (name) => localOf.get(name) ?? `${b.ref(arr(ctx.g, name))}[k]`);
  const load = vars.map((v) => `let ${localOf.get(v)} = ${b.ref(arr(ctx.g, v))}[k];`).join(" ");
  // The event-driven mode draws plasticity noise with the ziggurat (its own streams, ~4x faster).
  const steps = updates.map((u, i) => odeStatements(u, localOf.get(u.var)!, localSym, i, memo, onDt, "fastNormal")).join("\n");
  const store = vars.map((v) => `${b.ref(arr(ctx.g, v))}[k] = ${localOf.get(v)};`).join(" ");
  const lastDt = memo.slot("lastDt");
  const text = shape(b, `${load}\n${steps}\n${store}`, sym).replace("ONDT", onDt.join(" ")).replace(/lastDt\[0\]/g, lastDt);
  const body = `
const rng = ${b.ref(ctx.rng)};
const preIndex = ${b.ref(ctx.pr.preIndex)}, postIndex = ${b.ref(ctx.pr.postIndex)};
const clock = ${b.ref(ctx.clock)};
const m = ${b.ref(memo)}.create();
${text}`;
  return b.build(body);
}
