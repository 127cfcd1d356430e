/**
 * Operator splitting of an ODE update dx/dt = A + B x + C xi: the terms gated by conditions on
 * fast variables (they need a short step) and the rest (a long step is enough). Shared by the
 * fixed-point lowering (fast and slow kernels) and the reference target's event-driven synapses.
 */
import { fold } from "./interpret.ts";
import { walk, type Expr } from "./expr.ts";
import type { OdeUpdate } from "./program.ts";

const add = (a: Expr, b: Expr): Expr => ({ op: "add", a, b });
const c = (value: number): Expr => ({ op: "const", value });

/** The terms of an ODE update that one kernel applies: dx/dt = A + B x + C xi. */
export interface UpdateParts {
  A: Expr;
  B: Expr;
  C: Expr | null;
  linear: boolean;
}

/** Sum-of-terms view of an expression (distributing constants and small products). */
function terms(e: Expr): Expr[] {
  const f = fold(e);
  switch (f.op) {
    case "add":
      return [...terms(f.a), ...terms(f.b)];
    case "sub":
      return [...terms(f.a), ...terms(f.b).map((t): Expr => ({ op: "neg", a: t }))];
    case "neg":
      return terms(f.a).map((t): Expr => ({ op: "neg", a: t }));
    case "div":
      return f.b.op === "const" ? terms(f.a).map((t): Expr => ({ op: "div", a: t, b: f.b })) : [f];
    case "mul": {
      const ta = terms(f.a), tb = terms(f.b);
      if (ta.length * tb.length > 16) return [f];
      return ta.flatMap((x) => tb.map((y): Expr => ({ op: "mul", a: x, b: y })));
    }
    default:
      return [f];
  }
}

const sumOf = (ts: Expr[]): Expr => fold(ts.reduce((acc, t) => add(acc, t), c(0)));

/**
 * Splits an update into the terms gated by conditions on fast variables (they need the fast
 * period) and the rest (slow: a long period is enough). Returns null parts when empty.
 */
export function splitUpdate(u: OdeUpdate, fast: (name: string) => boolean): { fast: UpdateParts | null; slow: UpdateParts | null } {
  const gatedByFast = (t: Expr): boolean => {
    let yes = false;
    walk(t, (n) => {
      if (n.op === "cmp" || (n.op === "call" && n.fn === "H")) {
        walk(n, (m) => {
          if (m.op === "sym" && m.scope === "self" && fast(m.name)) yes = true;
        });
      }
    });
    return yes;
  };
  const part = (keep: (t: Expr) => boolean): UpdateParts | null => {
    const A = sumOf(terms(u.A).filter(keep));
    const B = sumOf(terms(u.B).filter(keep));
    const C = u.C && keep(u.C) ? u.C : null;
    const empty = A.op === "const" && A.value === 0 && B.op === "const" && B.value === 0 && !C;
    return empty ? null : { A, B, C, linear: u.linear };
  };
  if (!u.linear) return { fast: u, slow: null };
  return { fast: part(gatedByFast), slow: part((t) => !gatedByFast(t)) };
}

