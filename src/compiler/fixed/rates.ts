/**
 * Decay rates of linear ODE updates per element: a constant, or a rate that differs per element
 * but not in time (a time constant drawn from a distribution), evaluated from the group's
 * per-element parameters. Shared by the analog placement (lower.ts), the chip's mismatch
 * (variation.ts) and the heterogeneity report.
 */
import { walk, type Expr } from "../../ir/expr.ts";
import { evaluate, fold } from "../../ir/interpret.ts";
import type { GroupIR, OdeUpdate } from "../../ir/program.ts";

/** True when e reads only the group's parameters (per-element constants) and numbers. */
export function parameterOnly(group: GroupIR, e: Expr): boolean {
  let ok = true;
  walk(e, (n) => {
    if (n.op === "noise" || n.op === "cmp" || (n.op === "call" && n.fn === "H")) ok = false;
    if (n.op === "sym" && (n.scope !== "self" || group.vars.find((v) => v.name === n.name)?.kind !== "param")) ok = false;
  });
  return ok;
}

/** Value of a parameter-only expression for element i. */
export function evaluateAt(group: GroupIR, e: Expr, i: number): number {
  return evaluate(e, (name) => {
    const init = group.vars.find((v) => v.name === name)!.init;
    return init[init.length === 1 ? 0 : i]!;
  });
}

/** The rate B of a linear update per element (one value when constant); null when B varies in time. */
export function ratesPerElement(group: GroupIR, u: OdeUpdate): Float64Array | null {
  if (!u.linear) return null;
  const B = fold(u.B);
  if (B.op === "const") return Float64Array.of(B.value);
  if (!parameterOnly(group, B)) return null;
  return Float64Array.from({ length: group.size }, (_, i) => evaluateAt(group, B, i));
}
