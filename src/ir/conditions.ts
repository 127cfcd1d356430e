/**
 * Expressions that depend on variables only through conditions (H(...), comparisons) take one
 * value per combination of those conditions: the float64 kernels tabulate their decay factors this
 * way, and the fixed-point lowering tabulates functions the target lacks.
 */
import { show, type Expr } from "./expr.ts";

/** The condition sub-expressions of e if its variables appear only inside conditions, else null. */
export function conditionsOnly(e: Expr): Expr[] | null {
  const conds: Expr[] = [];
  let free = false;
  const visit = (n: Expr, inCond: boolean): void => {
    const isCond = n.op === "cmp" || (n.op === "call" && n.fn === "H");
    if (isCond && !inCond && !conds.some((c) => show(c) === show(n))) conds.push(n);
    if ((n.op === "sym" || n.op === "noise") && !inCond) free = true;
    const kids: Expr[] = n.op === "call" ? n.args : n.op === "cond" ? [n.test, n.then, n.else] : n.op === "neg" || n.op === "not" ? [n.a] : "b" in n ? [n.a, n.b] : [];
    for (const k of kids) visit(k, inCond || isCond);
  };
  visit(e, false);
  return free || conds.length === 0 ? null : conds;
}

/** e with each listed condition replaced by a constant 0 or 1. */
export function substituteConditions(e: Expr, fixed: Map<string, number>): Expr {
  return rewriteTopDown(e, (n) => {
    const isCond = n.op === "cmp" || (n.op === "call" && n.fn === "H");
    return isCond && fixed.has(show(n)) ? { op: "const", value: fixed.get(show(n))! } : null;
  });
}

function rewriteTopDown(e: Expr, f: (n: Expr) => Expr | null): Expr {
  const r = f(e);
  if (r) return r;
  switch (e.op) {
    case "const":
    case "sym":
    case "noise":
      return e;
    case "neg":
    case "not":
      return { ...e, a: rewriteTopDown(e.a, f) };
    case "call":
      return { ...e, args: e.args.map((a) => rewriteTopDown(a, f)) };
    case "cond":
      return { ...e, test: rewriteTopDown(e.test, f), then: rewriteTopDown(e.then, f), else: rewriteTopDown(e.else, f) };
    default:
      return { ...e, a: rewriteTopDown(e.a, f), b: rewriteTopDown(e.b, f) } as Expr;
  }
}
