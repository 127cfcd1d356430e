/**
 * Pass "elaborate": turns the resolved model into concrete arrays. Parameter distributions are
 * drawn per element from seeded streams (one per group and parameter, so adding a parameter never
 * changes another's draws); fixed parameters are inlined into the equations as constants; initial
 * values are evaluated per element; connectivity is expanded into pre/post index arrays.
 */
import { Rng } from "../../util/rng.ts";
import { rewrite, show, type Expr, type Scope } from "../../ir/expr.ts";
import { evaluate, fold } from "../../ir/interpret.ts";
import type { VarDecl } from "../../ir/program.ts";
import type { Collector } from "./resolve.ts";
import type { AssignDef, GroupDef, ParamDef, PopulationDef, ProjectionDef, ResolvedModel } from "../model.ts";
import type { SourceLocation } from "../../diagnostics/diagnostic.ts";
import { drawGamma } from "../rate/gamma.ts";
import { scaleToSpectralRadius } from "../rate/spectral.ts";

export interface ElaboratedGroup {
  def: GroupDef;
  size: number;
  vars: VarDecl[];
  /** ODE right-hand sides with fixed parameters inlined, in declaration order. */
  odes: { var: string; rhs: Expr; hold: boolean; where: SourceLocation; rewrittenBy?: string }[];
}
export interface ElaboratedPopulation extends ElaboratedGroup {
  def: PopulationDef;
  threshold: Expr | null;
  reset: AssignDef[];
}
export interface ElaboratedProjection extends ElaboratedGroup {
  def: ProjectionDef;
  preIndex: Int32Array;
  postIndex: Int32Array;
  onPre: { delay: number; where: SourceLocation; assigns: AssignDef[] }[];
  onPost: { delay: number; where: SourceLocation; assigns: AssignDef[] }[];
  summed: { target: string; value: Expr; scope?: "pre" }[];
}
export interface ElaboratedModel {
  resolved: ResolvedModel;
  populations: ElaboratedPopulation[];
  projections: ElaboratedProjection[];
}

export function drawParam(p: ParamDef, size: number, seed: number, group: string): Float64Array {
  const out = new Float64Array(size);
  const d = p.distribution;
  if (!d) return out.fill(p.value!);
  // Explicit values: their count is checked against the group's size in elaborate (located error).
  if (d.dist === "values") return (out.set(d.values.subarray(0, size)), out);
  const rng = new Rng(seed, `param:${group}.${p.name}`);
  for (let i = 0; i < size; i++) {
    if (d.dist === "uniform") out[i] = d.low + (d.high - d.low) * rng.uniform();
    else if (d.dist === "lognormal") out[i] = d.median * Math.exp(d.sigma * rng.normal());
    // Floored at 1e-9 of the mean, so a drawn time constant is never 0 (underflow for small k).
    else if (d.dist === "gamma") out[i] = Math.max(drawGamma(rng, d.shape, d.scale), 1e-9 * d.shape * d.scale);
    else {
      // Truncated normal by redrawing (bounded tries; the bound is then clamped).
      let x = d.mean + d.sd * rng.normal();
      for (let k = 0; k < 64 && ((d.min !== undefined && x < d.min) || (d.max !== undefined && x > d.max)); k++) x = d.mean + d.sd * rng.normal();
      if (d.min !== undefined && x < d.min) x = d.min;
      if (d.max !== undefined && x > d.max) x = d.max;
      out[i] = x;
    }
  }
  return out;
}

/** Replaces fixed parameters (own, pre, post) by constants and folds. */
function inline(e: Expr, groups: Map<string, GroupDef>, self: GroupDef, pre?: string, post?: string): Expr {
  return fold(
    rewrite(e, (n) => {
      if (n.op !== "sym") return n;
      const g = n.scope === "self" ? self : groups.get(n.scope === "pre" ? pre! : post!)!;
      const p = g.params.get(n.name);
      return p && p.value !== undefined && !g.vars.has(n.name) ? { op: "const", value: p.value } : n;
    }),
  );
}

function connect(pr: ProjectionDef, nPre: number, nPost: number, seed: number, c: Collector): { pre: Int32Array; post: Int32Array } {
  const spec = pr.connect.value;
  const pre: number[] = [];
  const post: number[] = [];
  if (spec.kind === "one_to_one") {
    if (nPre !== nPost) {
      c.add({ code: "size-mismatch", message: `one_to_one needs equal population sizes, got ${nPre} (pre) and ${nPost} (post)`, where: pr.connect.where });
    }
    for (let i = 0; i < Math.min(nPre, nPost); i++) {
      pre.push(i);
      post.push(i);
    }
  } else if (spec.kind === "pairs") {
    spec.pairs.forEach(([i, j], k) => {
      if (i >= nPre || j >= nPost) c.add({ code: "index-out-of-range", message: `pair ${k} connects ${i} -> ${j}, but the populations have ${nPre} and ${nPost} neurons`, where: pr.connect.where, received: `[${i}, ${j}]` });
      pre.push(i);
      post.push(j);
    });
  } else {
    const rng = spec.kind === "random" ? new Rng(seed, `connect:${pr.name}`) : null;
    const samePop = pr.pre === pr.post;
    // Post-major order: synapses onto one neuron are contiguous, which the summed reduction likes.
    for (let j = 0; j < nPost; j++) {
      for (let i = 0; i < nPre; i++) {
        if (samePop && i === j && !spec.autapses) continue;
        if (rng && rng.uniform() >= (spec as { p: number }).p) continue;
        pre.push(i);
        post.push(j);
      }
    }
  }
  return { pre: Int32Array.from(pre), post: Int32Array.from(post) };
}

export function elaborate(model: ResolvedModel, c: Collector): ElaboratedModel {
  const groups = new Map<string, GroupDef>([...model.populations, ...model.projections].map((g) => [g.name, g]));
  const sizes = new Map(model.populations.map((p) => [p.name, p.size]));

  // `scaleParams` rescales drawn parameters before the states' initial values are computed from them.
  const build = (g: GroupDef, size: number, pre?: { name: string; index: Int32Array }, post?: { name: string; index: Int32Array }, scaleParams?: (vars: VarDecl[]) => void): ElaboratedGroup => {
    const vars: VarDecl[] = [];
    const paramArrays = new Map<string, Float64Array>();
    for (const p of g.params.values()) {
      if (p.distribution) {
        if (p.distribution.dist === "values" && p.distribution.file) {
          const bound = bindFileValues(p, p.distribution.values, p.distribution.file, g.name, size, pre && post ? { pre: pre.index, post: post.index, nPre: sizes.get(pre.name)!, nPost: sizes.get(post.name)! } : null, c);
          const arr = new Float64Array(size);
          if (bound) arr.set(bound);
          paramArrays.set(p.name, arr);
          vars.push({ name: p.name, kind: "param", unit: "", unitScale: 1, init: arr });
          continue;
        }
        if (p.distribution.dist === "values" && p.distribution.values.length !== size) {
          c.add({ code: "size-mismatch", message: `parameter "${p.name}" of "${g.name}" lists ${p.distribution.values.length} values, but "${g.name}" has ${size} elements`, where: p.where, hint: "give one value per neuron (populations) or per synapse in connection order (projections)" });
        }
        const arr = drawParam(p, size, model.seed, g.name);
        paramArrays.set(p.name, arr);
        vars.push({ name: p.name, kind: "param", unit: "", unitScale: 1, init: arr });
      }
    }
    scaleParams?.(vars);
    const lookupFor = (i: number) => (name: string, scope: Scope): number => {
      const owner = scope === "self" ? g : groups.get(scope === "pre" ? pre!.name : post!.name)!;
      const p = owner.params.get(name);
      if (p?.value !== undefined) return p.value;
      if (scope === "self" && paramArrays.has(name)) return paramArrays.get(name)![i]!;
      return NaN;
    };
    for (const v of g.vars.values()) {
      const init = new Float64Array(size);
      if (v.init) {
        const initExpr = v.init.value;
        for (let i = 0; i < size; i++) init[i] = evaluate(initExpr, lookupFor(i));
        if (size > 0 && init.some((x) => !Number.isFinite(x))) {
          c.add({ code: "bad-initial-value", message: `initial value of ${v.name} ("${show(initExpr)}") must use fixed parameters only and be finite`, where: v.init.where });
        }
      }
      vars.push({ name: v.name, kind: v.kind, unit: v.unit, unitScale: v.unitScale, init, settle: v.settle, ...(v.format ? { format: v.format } : {}) });
    }
    const m = "multiplier" in g ? (g as ProjectionDef).multiplier : undefined;
    const at = (w: SourceLocation) => `${w.file}${w.line !== undefined ? `:${w.line}:${w.column ?? 1}` : ""}`;
    const odes = [...g.vars.values()].filter((v) => v.ode).map((v) => ({ var: v.name, rhs: inline(v.ode!.value, groups, g, pre?.name, post?.name), hold: v.holdWhenRefractory, where: v.ode!.where, ...(m?.var === v.name ? { rewrittenBy: at(m.at) } : {}) }));
    return { def: g, size, vars, odes };
  };

  const inlineAssign = (a: AssignDef, g: GroupDef, pre?: string, post?: string): AssignDef => ({ ...a, value: inline(a.value, groups, g, pre, post) });

  const populations = model.populations.map((p): ElaboratedPopulation => ({
    ...build(p, p.size),
    def: p,
    threshold: p.threshold ? inline(p.threshold.value, groups, p) : null,
    reset: p.reset.map((a) => inlineAssign(a, p)),
  }));
  const projections = model.projections.map((pr): ElaboratedProjection => {
    const { pre, post } = connect(pr, sizes.get(pr.pre)!, sizes.get(pr.post)!, model.seed, c);
    pr.size = pre.length;
    const ev = (list: ProjectionDef["onPre"]) => list.map((e) => ({ delay: e.delay.value, where: e.delay.where, assigns: e.assigns.map((a) => inlineAssign(a, pr, pr.pre, pr.post)) }));
    // The spectral radius scales the drawn weight parameter before any state starts from it
    // (plastic-synapse.yaml's w starts at w0).
    const scale = pr.spectralRadius ? (vars: VarDecl[]) => scaleToSpectralRadius(pr, vars, pre, post, sizes.get(pr.post)!, c) : undefined;
    const group = build(pr, pre.length, { name: pr.pre, index: pre }, { name: pr.post, index: post }, scale);
    return {
      ...group,
      def: pr,
      preIndex: pre,
      postIndex: post,
      onPre: ev(pr.onPre),
      onPost: ev(pr.onPost),
      summed: pr.summed.map((s) => ({ target: s.target, value: inline(s.value, groups, pr, pr.pre, pr.post), ...(s.scope ? { scope: s.scope } : {}) })),
    };
  });
  return { resolved: model, populations, projections };
}

/**
 * A parameter bound from a file (issue 17), checked against the group's shape: per neuron a vector
 * of the population's size ([n], [n, 1] or [1, n]); per synapse a matrix [n_post, n_pre] read at
 * W[post][pre] for each synapse, or a vector in connection order. A mismatch is a located error
 * with both shapes.
 */
function bindFileValues(p: ParamDef, values: Float64Array, file: { path: string; shape: number[] }, group: string, size: number, conn: { pre: Int32Array; post: Int32Array; nPre: number; nPost: number } | null, c: Collector): Float64Array | null {
  const found = `[${file.shape.join(", ")}]`;
  const isVector = (n: number) => file.shape.filter((d) => d !== 1).length <= 1 && values.length === n;
  if (!conn) {
    if (isVector(size)) return values;
    c.add({ code: "shape-mismatch", message: `parameter "${p.name}" of "${group}" from "${file.path}": expected shape [${size}] (one value per neuron of "${group}"), found ${found}`, where: p.where, expected: `[${size}]`, received: found });
    return null;
  }
  const [rows, cols] = file.shape;
  if (file.shape.length === 2 && rows === conn.nPost && cols === conn.nPre) {
    const out = new Float64Array(size);
    for (let k = 0; k < size; k++) out[k] = values[conn.post[k]! * conn.nPre + conn.pre[k]!]!;
    return out;
  }
  if (isVector(size)) return values;
  c.add({ code: "shape-mismatch", message: `parameter "${p.name}" of "${group}" from "${file.path}": expected shape [${conn.nPost}, ${conn.nPre}] (W[post][pre]) or [${size}] (one value per synapse, in connection order), found ${found}`, where: p.where, expected: `[${conn.nPost}, ${conn.nPre}] or [${size}]`, received: found });
  return null;
}
