/**
 * The event-driven plan of a projection (numerics.lazy_synapses), derived from its equations and
 * shared by the float64 reference (targets/reference/lazy.ts) and the fixed-point lowering
 * (src/compiler/fixed/lower.ts):
 *  - traces: synaptic variables that only decay (dx/dt = B x, B constant) and jump at events;
 *  - the other variables' updates split (split.ts) into the terms gated by conditions on traces
 *    ("fast") and the rest ("slow");
 *  - the conditions; a synapse is active while one holds. Each is false when its traces are zero,
 *    so one can switch on only at an event.
 */
import { rewrite, show, walk, type Expr } from "./expr.ts";
import { fold } from "./interpret.ts";
import type { OdeUpdate, ProjectionIR } from "./program.ts";
import { splitUpdate, type UpdateParts } from "./split.ts";

export interface LazyPlan {
  /** Decaying traces and their constant rate B (1/s). */
  traces: { name: string; rate: number }[];
  /** Gated terms of the other variables (stepped every tick while active). */
  fast: OdeUpdate[];
  /** Ungated terms (applied every slow step). */
  slow: OdeUpdate[];
  /** Conditions on traces; the synapse is active while any is true. */
  conditions: Expr[];
}

const asUpdate = (u: OdeUpdate, p: UpdateParts): OdeUpdate => ({ ...u, A: p.A, B: p.B, C: p.C, linear: p.linear, autonomous: false });

/** The lazy plan of a projection, or the reason it cannot have one. */
export function lazyPlan(pr: ProjectionIR): LazyPlan | string {
  const traces = pr.odes
    .filter((u) => u.linear && u.B.op === "const" && u.B.value < 0 && fold(u.A).op === "const" && (fold(u.A) as { value: number }).value === 0 && !u.C)
    .map((u) => ({ name: u.var, rate: (u.B as { value: number }).value }));
  if (traces.length === 0) return "no decaying traces";
  const isTrace = (n: string) => traces.some((t) => t.name === n);
  const fast: OdeUpdate[] = [];
  const slow: OdeUpdate[] = [];
  // Keyed by text: the same condition (H(Ca - theta_p)) gates several terms; test it once per synapse.
  const conditions = new Map<string, Expr>();
  let mixed = false;
  for (const u of pr.odes) {
    if (isTrace(u.var)) continue;
    if (!u.linear) return `${u.var} is not linear in itself`;
    const parts = splitUpdate(u, isTrace);
    if (parts.slow?.C) return `${u.var} has noise that no trace condition gates`;
    let readsTrace = false;
    if (parts.slow) for (const e of [parts.slow.A, parts.slow.B]) walk(e, (m) => { if (m.op === "sym" && m.scope === "self" && isTrace(m.name)) readsTrace = true; });
    if (readsTrace) return `${u.var} reads a trace outside a condition`;
    if (parts.fast) fast.push(asUpdate(u, parts.fast));
    if (parts.slow) slow.push(asUpdate(u, parts.slow));
    walk(u.rhs, (n) => {
      if (n.op !== "cmp" && !(n.op === "call" && n.fn === "H")) return;
      let traceNames = 0, other = false;
      walk(n, (m) => {
        if (m.op === "sym") {
          if (m.scope === "self" && isTrace(m.name)) traceNames++;
          else other = true;
        }
      });
      if (traceNames > 0) conditions.set(show(n), n);
      if (traceNames > 0 && other) mixed = true;
    });
  }
  if (mixed) return "a condition mixes traces with other variables";
  // Every condition must be off when its traces have decayed to zero.
  for (const c of conditions.values()) {
    const atZero = fold(substituteTraces(c, isTrace));
    if (!(atZero.op === "const" && atZero.value === 0)) return "a trace condition is on at zero";
  }
  return { traces, fast, slow, conditions: [...conditions.values()] };
}

const substituteTraces = (e: Expr, isTrace: (n: string) => boolean): Expr =>
  rewrite(e, (n) => (n.op === "sym" && n.scope === "self" && isTrace(n.name) ? { op: "const", value: 0 } : n));

