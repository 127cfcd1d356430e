/**
 * Pass "check-numbers": the numbers of a resolved model, checked where they can be known before
 * anything runs. Every quantity the user wrote already obeys the one range rule
 * (NUMBER_RANGE in src/model/units.ts: 0 or a magnitude in [1e-100, 1e100], finite); this pass
 * adds what follows from the equations:
 *   - a part of an equation made of constants and fixed parameters only (a "derived constant")
 *     must evaluate to a finite number in that range: log(-1), sqrt(-1), 1/0, exp(1e5) are refused;
 *   - a division by a parameter that is 0, or by a distribution that can draw 0, is refused at
 *     the parameter;
 *   - a time drawn from a distribution must not go negative: a normal distribution needs an
 *     explicit "min" (truncation by the user's choice), or use lognormal;
 *   - a distribution's draws (8 standard deviations either side) stay in the range rule.
 * Divisions by state variables cannot be judged here: the run-time guard of the float64 reference
 * target (targets/reference/guard.ts) stops a run whose state turns non-finite.
 */
import { show, type Expr, type Scope } from "../../ir/expr.ts";
import { evaluate } from "../../ir/interpret.ts";
import { NUMBER_RANGE, parseUnit, sameDimension } from "../../model/units.ts";
import { formatLocation, type SourceLocation } from "../../diagnostics/diagnostic.ts";
import type { Collector } from "./resolve.ts";
import type { GroupDef, ParamDef, ParamDistribution, PopulationDef, ProjectionDef, ResolvedModel } from "../model.ts";

const TIME = parseUnit("s").dimension;

function inRange(x: number): boolean {
  const m = Math.abs(x);
  return Number.isFinite(x) && (m === 0 || (m >= NUMBER_RANGE.min && m <= NUMBER_RANGE.max));
}

/** Smallest and largest values a distribution can produce (draws beyond 8 sd are never expected). */
export function distributionSpan(d: ParamDistribution): [number, number] {
  if (d.dist === "uniform") return [d.low, d.high];
  if (d.dist === "lognormal") return [d.median * Math.exp(-8 * d.sigma), d.median * Math.exp(8 * d.sigma)];
  if (d.dist === "values") return [d.values.reduce((a, b) => Math.min(a, b), Infinity), d.values.reduce((a, b) => Math.max(a, b), -Infinity)];
  // Draws are floored at 1e-9 of the mean (elaborate.ts); the upper end is generous for skew.
  if (d.dist === "gamma") return [1e-9 * d.shape * d.scale, d.shape * d.scale + 16 * Math.sqrt(d.shape) * d.scale];
  return [d.min ?? d.mean - 8 * d.sd, d.max ?? d.mean + 8 * d.sd];
}

function describe(d: ParamDistribution): string {
  if (d.dist === "uniform") return `uniform(${d.low}, ${d.high})`;
  if (d.dist === "lognormal") return `lognormal(median ${d.median}, sigma ${d.sigma})`;
  if (d.dist === "values") return `${d.values.length} listed values`;
  if (d.dist === "gamma") return `gamma(shape ${d.shape}, scale ${d.scale})`;
  return `normal(mean ${d.mean}, sd ${d.sd}${d.min !== undefined ? `, min ${d.min}` : ""}${d.max !== undefined ? `, max ${d.max}` : ""})`;
}

function checkDistribution(c: Collector, g: GroupDef, p: ParamDef): void {
  const d = p.distribution;
  if (!d) return;
  const isTime = sameDimension(p.dimension, TIME);
  if (isTime && d.dist === "normal" && (d.min === undefined || d.min < 0)) {
    c.add({
      code: "unbounded-distribution",
      message: `parameter "${p.name}" of "${g.name}" is a time, but ${describe(d)} (SI) ${d.min === undefined ? "has no lower bound and" : "has a negative min and"} can draw negative values`,
      where: p.where,
      received: describe(d),
      hint: 'add "min: ..." (draws below it are redrawn: a truncation you choose) or use "dist: lognormal", which stays positive',
    });
    return;
  }
  const [lo, hi] = distributionSpan(d);
  if (!inRange(lo) || !inRange(hi)) {
    c.add({
      code: "out-of-range",
      message: `parameter "${p.name}" of "${g.name}": ${describe(d)} (SI) can draw values from ${lo.toExponential(3)} to ${hi.toExponential(3)}, outside the range every engram number must be in (0 or a magnitude between ${NUMBER_RANGE.min} and ${NUMBER_RANGE.max})`,
      where: p.where,
      received: describe(d),
    });
  }
}

interface Scopes {
  self: GroupDef;
  pre?: GroupDef;
  post?: GroupDef;
}

function paramOf(name: string, scope: Scope, s: Scopes): ParamDef | undefined {
  const g = scope === "self" ? s.self : scope === "pre" ? s.pre : s.post;
  if (!g || g.vars.has(name)) return undefined;
  return g.params.get(name);
}

/** Checks one expression; reports the first problem it finds (one per equation is enough to act on). */
function checkExpr(c: Collector, e: Expr, where: SourceLocation, s: Scopes, divisorOnly = false): void {
  let reported = false;
  const report = (d: Parameters<Collector["add"]>[0]) => {
    if (!reported) c.add(d);
    reported = true;
  };
  const used = new Map<string, ParamDef>();
  const lookup = (name: string, scope: Scope): number => paramOf(name, scope, s)?.value ?? NaN;
  /** Whether `n` is made of constants and fixed parameters only. */
  const fixed = (n: Expr): boolean => {
    switch (n.op) {
      case "const":
        return true;
      case "sym": {
        const p = paramOf(n.name, n.scope, s);
        if (p?.value !== undefined) used.set(n.name, p);
        return p?.value !== undefined;
      }
      case "noise":
        return false;
      case "neg":
      case "not":
        return fixed(n.a);
      case "call":
        return n.args.map(fixed).every(Boolean);
      case "cond":
        return [fixed(n.test), fixed(n.then), fixed(n.else)].every(Boolean);
      default:
        return [fixed(n.a), fixed(n.b)].every(Boolean);
    }
  };
  const divisor = (b: Expr, whole: string) => {
    if (b.op === "sym") {
      const p = paramOf(b.name, b.scope, s);
      if (p?.distribution) {
        const [lo, hi] = distributionSpan(p.distribution);
        if (lo <= 0 && hi >= 0) {
          report({
            code: "division-by-zero",
            message: `"${whole}" (${formatLocation(where)}) divides by parameter "${p.name}", whose distribution ${describe(p.distribution)} (SI) can draw 0`,
            where: p.where,
            received: describe(p.distribution),
            hint: 'bound it away from 0 ("min: ..." for a normal distribution) or use "dist: lognormal"',
          });
        }
        return;
      }
    }
    used.clear();
    if (!fixed(b)) return;
    const v = evaluate(b, lookup);
    if (v === 0) {
      const ps = [...used.values()];
      report({
        code: "division-by-zero",
        message: `"${whole}" (${formatLocation(where)}) divides by ${show(b)}, which is 0${ps.length > 0 ? ` (${ps.map((p) => `${p.name} = ${p.value}`).join(", ")})` : ""}`,
        where: ps.length === 1 ? ps[0]!.where : where,
        received: ps.length > 0 ? ps.map((p) => `${p.name} = ${p.value} (SI)`).join(", ") : show(b),
        hint: b.op === "sym" && ps.length === 1 && sameDimension(ps[0]!.dimension, TIME) ? "a time constant must be positive" : undefined,
      });
    }
  };
  const children = (n: Expr): Expr[] => {
    switch (n.op) {
      case "const":
      case "sym":
      case "noise":
        return [];
      case "neg":
      case "not":
        return [n.a];
      case "call":
        return n.args;
      case "cond":
        return [n.test, n.then, n.else];
      default:
        return [n.a, n.b];
    }
  };
  // Innermost first, so the report names the smallest part that goes wrong ("log(k)", not the whole equation).
  const visit = (n: Expr, whole: string): void => {
    for (const x of children(n)) visit(x, whole);
    if (reported) return;
    if (n.op === "div") divisor(n.b, whole);
    if (reported || n.op === "const" || n.op === "sym") return;
    used.clear();
    if (!fixed(n)) return;
    const v = evaluate(n, lookup);
    if (inRange(v)) return;
    const ps = [...used.values()];
    report({
      code: "non-finite",
      message: `${show(n)} in "${whole}" is ${v}${Number.isFinite(v) ? `, outside the range every engram number must be in (0 or a magnitude between ${NUMBER_RANGE.min} and ${NUMBER_RANGE.max})` : ", not a finite number"}${ps.length > 0 ? ` with ${ps.map((p) => `${p.name} = ${p.value}`).join(", ")} (SI)` : ""}`,
      where,
      received: ps.length > 0 ? ps.map((p) => `${p.name} = ${p.value} (SI)`).join(", ") : show(n),
    });
  };
  const text = show(e);
  if (divisorOnly) divisor(e, text);
  else visit(e, text);
}

function checkGroup(c: Collector, g: GroupDef, s: Scopes): void {
  for (const p of g.params.values()) checkDistribution(c, g, p);
  for (const v of g.vars.values()) {
    if (v.ode) checkExpr(c, v.ode.value, v.ode.where, s);
    if (v.init && v.init.value.op !== "const") checkExpr(c, v.init.value, v.init.where, s);
  }
}

export function checkNumbers(model: ResolvedModel, c: Collector): void {
  const byName = new Map<string, GroupDef>(model.populations.map((p) => [p.name, p]));
  for (const p of model.populations as PopulationDef[]) {
    const s = { self: p };
    checkGroup(c, p, s);
    if (p.threshold) checkExpr(c, p.threshold.value, p.threshold.where, s);
    for (const a of p.reset) {
      checkExpr(c, a.value, a.where, s);
      if (a.op === "/=") checkExpr(c, a.value, a.where, s, true);
    }
  }
  for (const pr of model.projections as ProjectionDef[]) {
    const s = { self: pr, pre: byName.get(pr.pre), post: byName.get(pr.post) };
    checkGroup(c, pr, s);
    for (const ev of [...pr.onPre, ...pr.onPost]) {
      for (const a of ev.assigns) {
        checkExpr(c, a.value, a.where, s);
        if (a.op === "/=") checkExpr(c, a.value, a.where, s, true);
      }
    }
    for (const x of pr.summed) checkExpr(c, x.value, x.where, s);
  }
}
