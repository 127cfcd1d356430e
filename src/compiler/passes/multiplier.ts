/**
 * Weight-dependent learning-rate multiplier (issue 17; seed-models.md D; Ghosh, Mastrovito &
 * Mihalas, Algorithm 1): a synapse file's `multiplier` block rewrites the ODE of one state
 * variable w, dw/dt = drift + C xi, into
 *
 *   dw/dt = drift * M + C xi,   M = drift * (w - a) >= 0 ? m(w) : 1,   m(w) = lambda (1 - exp(-gamma (w - a)^2))
 *
 * so an update that moves w away from the attractor a (sign(dw) = sign(w - a)) is scaled by m(w)
 * and one that moves it towards a is left alone. At w = a every update counts as moving away and
 * m(a) = 0: the weight sticks (the paper's sgn(0) != sgn(g) case). Noise is not gated (its sign is
 * not known before the draw); the rule applies to the deterministic drift, which is the whole
 * update of the rate rules. The rewrite is an ordinary expression, so float64 and fixed point come
 * from this one source: on chips exp() of a variable becomes a LOOKUP table (activation.ts).
 */
import type { SourceLocation } from "../../diagnostics/diagnostic.ts";
import type { Expr } from "../../ir/expr.ts";
import { splitNoise } from "../../ir/interpret.ts";

export interface MultiplierExprs {
  a: Expr;
  gamma: Expr;
  lambda: Expr;
}

/** m(w) = lambda (1 - exp(-gamma (w - a)^2)) as an expression tree. */
export function stickyFactor(w: Expr, m: MultiplierExprs): Expr {
  const d: Expr = { op: "sub", a: w, b: m.a };
  const arg: Expr = { op: "neg", a: { op: "mul", a: m.gamma, b: { op: "mul", a: d, b: d } } };
  return { op: "mul", a: m.lambda, b: { op: "sub", a: { op: "const", value: 1 }, b: { op: "call", fn: "exp", args: [arg] } } };
}

/** The rewritten right-hand side, or a message when the noise does not enter linearly. */
export function applyMultiplier(ode: Expr, w: Expr, m: MultiplierExprs): Expr | string {
  const parts = splitNoise(ode);
  if (!parts) return "its noise does not enter linearly, so the drift cannot be separated from it";
  // H(x) = x >= 0 (any unit): the product is zero or positive when the update moves w away from a.
  const away: Expr = { op: "call", fn: "H", args: [{ op: "mul", a: parts.drift, b: { op: "sub", a: w, b: m.a } }] };
  const scaled: Expr = { op: "mul", a: parts.drift, b: { op: "cond", test: away, then: stickyFactor(w, m), else: { op: "const", value: 1 } } };
  return parts.C ? { op: "add", a: scaled, b: { op: "mul", a: parts.C, b: { op: "noise" } } } : scaled;
}

export interface MultiplierDef extends MultiplierExprs {
  var: string;
  where: SourceLocation;
}
