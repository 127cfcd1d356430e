/**
 * Pass "check-units": every equation must be dimensionally consistent. ODE right-hand sides must
 * have the unit of their variable per second, thresholds compare like with like, assignments
 * keep their target's unit, exp/log take dimensionless arguments. xi (white noise) is s^-1/2.
 */
import { show, type Expr, type Scope } from "../../ir/expr.ts";
import { formatDimension, isDimensionless, sameDimension, type Dimension, DIMENSIONLESS_DIM } from "../../model/units.ts";
import type { Collector } from "./resolve.ts";
import type { GroupDef, ProjectionDef, ResolvedModel } from "../model.ts";

export class DimensionError extends Error {}

const TIME: Dimension = [0, 0, 1, 0, 0, 0, 0, 0, 0];
const add = (a: Dimension, b: Dimension, k = 1) => a.map((x, i) => x + k * (b[i] ?? 0));
const scale = (a: Dimension, k: number) => a.map((x) => x * k);

/** Dimension of e; throws DimensionError naming the offending sub-expression. */
export function exprDimension(e: Expr, dimOf: (name: string, scope: Scope) => Dimension, text: string): Dimension {
  const go = (n: Expr): Dimension => {
    switch (n.op) {
      case "const":
        return DIMENSIONLESS_DIM;
      case "sym":
        return dimOf(n.name, n.scope);
      case "noise":
        return scale(TIME, -0.5);
      case "neg":
        return go(n.a);
      case "not":
      case "and":
      case "or":
        return DIMENSIONLESS_DIM;
      case "add":
      case "sub":
      case "cmp": {
        const a = go(n.a);
        const b = go(n.b);
        // A literal 0 is compatible with anything (e.g. "V > 0" is not, but "x + 0" is harmless).
        if (!sameDimension(a, b)) {
          throw new DimensionError(`units do not match in ${show(n)} (in "${text.trim()}"): ${show(n.a)} is ${formatDimension(a)}, ${show(n.b)} is ${formatDimension(b)}`);
        }
        return n.op === "cmp" ? DIMENSIONLESS_DIM : a;
      }
      case "mul":
        return add(go(n.a), go(n.b));
      case "div":
        return add(go(n.a), go(n.b), -1);
      case "pow": {
        const base = go(n.a);
        if (isDimensionless(base)) return base;
        if (n.b.op !== "const") throw new DimensionError(`a quantity with units can only be raised to a constant power (in "${text.trim()}")`);
        return scale(base, n.b.value);
      }
      case "cond": {
        go(n.test);
        const a = go(n.then);
        const b = go(n.else);
        if (!sameDimension(a, b)) throw new DimensionError(`the two branches of ${show(n)} have different units (in "${text.trim()}")`);
        return a;
      }
      case "call": {
        const args = n.args.map(go);
        switch (n.fn) {
          case "exp":
          case "log":
          case "tanh":
          case "logistic":
            if (!isDimensionless(args[0]!)) throw new DimensionError(`${n.fn}() needs a dimensionless argument, ${show(n.args[0]!)} is ${formatDimension(args[0]!)} (in "${text.trim()}")`);
            return DIMENSIONLESS_DIM;
          case "sqrt":
            return scale(args[0]!, 0.5);
          case "abs":
          case "relu":
            return args[0]!;
          case "H":
          case "heaviside":
            return DIMENSIONLESS_DIM;
          default:
            for (const a of args.slice(1)) {
              if (!sameDimension(a, args[0]!)) throw new DimensionError(`the arguments of ${n.fn}() have different units (in "${text.trim()}")`);
            }
            return args[0]!;
        }
      }
    }
  };
  return go(e);
}

function dimLookup(g: GroupDef, groups: Map<string, GroupDef>, pre?: string, post?: string) {
  return (name: string, scope: Scope): Dimension => {
    const target = scope === "self" ? g : groups.get(scope === "pre" ? pre! : post!)!;
    const v = target.vars.get(name);
    if (v) return v.dimension;
    const p = target.params.get(name);
    if (p) return p.dimension;
    return DIMENSIONLESS_DIM; // unresolved names were reported by "resolve"
  };
}

export function checkUnits(model: ResolvedModel, c: Collector): void {
  const groups = new Map<string, GroupDef>([...model.populations, ...model.projections].map((g) => [g.name, g]));
  const each = (g: GroupDef, pre?: string, post?: string) => {
    const dim = dimLookup(g, groups, pre, post);
    const targetDim = (name: string, scope: Scope) => dim(name, scope);
    const m = "multiplier" in g ? (g as ProjectionDef).multiplier : undefined;
    for (const v of g.vars.values()) {
      if (m && m.var === v.name) {
        // The rewritten equation is the compiler's, not the user's: check the rule as written and
        // each part of the multiplier at its own line, so a wrong unit is reported where it is.
        checkMultiplier(c, m, v, dim);
        const rule = m.rule;
        c.attempt(rule.where, () => {
          const d = exprDimension(rule.value, dim, show(rule.value));
          const want = add(v.dimension, TIME, -1);
          if (!sameDimension(d, want)) throw new DimensionError(`d${v.name}/dt must be in ${v.unit === "1" ? "1" : v.unit}/s (${formatDimension(want)}), but the right-hand side is ${formatDimension(d)}`);
        }, "wrong-unit");
      } else if (v.ode) {
        const ode = v.ode;
        c.attempt(ode.where, () => {
          const d = exprDimension(ode.value, dim, show(ode.value));
          const want = add(v.dimension, TIME, -1);
          if (!sameDimension(d, want)) {
            throw new DimensionError(`d${v.name}/dt must be in ${v.unit === "1" ? "1" : v.unit}/s (${formatDimension(want)}), but the right-hand side is ${formatDimension(d)}`);
          }
        }, "wrong-unit");
      }
      if (v.init && v.init.value.op !== "const") {
        const init = v.init;
        c.attempt(init.where, () => {
          const d = exprDimension(init.value, dim, show(init.value));
          if (!sameDimension(d, v.dimension)) throw new DimensionError(`initial value of ${v.name} must be in ${v.unit}, but it is ${formatDimension(d)}`);
        }, "wrong-unit");
      }
    }
    return { dim, targetDim };
  };
  for (const p of model.populations) {
    const { dim } = each(p);
    if (p.threshold) {
      const t = p.threshold;
      c.attempt(t.where, () => exprDimension(t.value, dim, show(t.value)), "wrong-unit");
    }
    for (const a of p.reset) checkAssign(c, a, dim);
  }
  for (const pr of model.projections) {
    const { dim } = each(pr, pr.pre, pr.post);
    for (const ev of [...pr.onPre, ...pr.onPost]) for (const a of ev.assigns) checkAssign(c, a, dim);
    for (const s of pr.summed) {
      c.attempt(s.where, () => {
        const d = exprDimension(s.value, dim, show(s.value));
        const want = dim(s.target, s.scope ?? "post");
        if (!sameDimension(d, want)) throw new DimensionError(`summed value must have the unit of ${s.target}_${s.scope ?? "post"} (${formatDimension(want)}), but it is ${formatDimension(d)}`);
      }, "wrong-unit");
    }
  }
}

/**
 * The multiplier m(w) = lambda (1 - exp(-gamma (w - a)^2)) is dimensionless when a has w's unit,
 * gamma the inverse of its square and lambda none. Each failure names the part's line and the rule
 * it rewrites (file:line of the ODE as written).
 */
function checkMultiplier(c: Collector, m: NonNullable<ProjectionDef["multiplier"]>, v: { name: string; unit: string; dimension: Dimension }, dim: (n: string, s: Scope) => Dimension): void {
  const w = v.unit === "1" ? "1 (dimensionless)" : v.unit;
  const want = { a: v.dimension, gamma: scale(v.dimension, -2), lambda: DIMENSIONLESS_DIM };
  const in_ = {
    a: `the unit of ${v.name}, ${w}`,
    gamma: v.unit === "1" ? `1 (dimensionless), as ${v.name} is` : `${v.unit}^-2 (1 / the square of ${v.name}'s unit), so that gamma (${v.name} - a)^2 is dimensionless`,
    lambda: "1 (dimensionless): it scales the rule's update",
  };
  const rule = `${m.rule.where.file}${m.rule.where.line !== undefined ? `:${m.rule.where.line}:${m.rule.where.column ?? 1}` : ""}`;
  for (const p of m.parts) {
    c.attempt(p.where, () => {
      const d = exprDimension(p.value, dim, show(p.value));
      if (!sameDimension(d, want[p.key])) {
        throw new DimensionError(`multiplier on "${m.var}" (it rewrites the rule d${m.var}/dt at ${rule}): ${p.key} must be in ${in_[p.key]}, but ${show(p.value)} is ${formatDimension(d)}`);
      }
    }, "wrong-unit");
  }
}

function checkAssign(c: Collector, a: { target: string; scope: Scope; op: string; value: Expr; where: import("../../diagnostics/diagnostic.ts").SourceLocation }, dim: (n: string, s: Scope) => Dimension): void {
  c.attempt(a.where, () => {
    const d = exprDimension(a.value, dim, show(a.value));
    const want = dim(a.target, a.scope);
    const needed = a.op === "*=" || a.op === "/=" ? DIMENSIONLESS_DIM : want;
    if (!sameDimension(d, needed)) {
      throw new DimensionError(`"${a.op}" on ${a.target} needs a value in ${formatDimension(needed)}, but ${show(a.value)} is ${formatDimension(d)}`);
    }
  }, "wrong-unit");
}
