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

/**
 * Splits a product e = rest x factor, where factor collects the multiplicative factors that read
 * only parameters (a division by a parameter counts as a factor 1 / parameter); null when there is
 * none. The exponential-Euler inflow A x phi can then fold factor into the per-element phi: for
 * A = f(...) / tau the product phi / tau = 1 - exp(-dt / tau) lies in [0, 1] for every tau, while
 * 1 / tau and phi apart span as many decades as tau does (a gamma draw of tau = 1e-12 s gives
 * 1 / tau = 1e12, and one format for that rounds every ordinary 1 / tau to 0).
 */
export function parameterFactor(group: GroupIR, e: Expr): { rest: Expr; factor: Expr | null } {
  const one: Expr = { op: "const", value: 1 };
  const times = (a: Expr | null, b: Expr | null): Expr | null => (a === null ? b : b === null ? a : { op: "mul", a, b });
  if (e.op !== "const" && parameterOnly(group, e)) return { rest: one, factor: e };
  if (e.op === "mul") {
    const a = parameterFactor(group, e.a), b = parameterFactor(group, e.b);
    return { rest: { op: "mul", a: a.rest, b: b.rest }, factor: times(a.factor, b.factor) };
  }
  if (e.op === "div" && e.b.op !== "const" && parameterOnly(group, e.b)) {
    const a = parameterFactor(group, e.a);
    return { rest: a.rest, factor: { op: "div", a: a.factor ?? one, b: e.b } };
  }
  return { rest: e, factor: null };
}
