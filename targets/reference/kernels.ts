/**
 * Builds the step kernels of one program from its IR: per population (ODEs in declaration order,
 * refractory hold, threshold, reset), per projection (ODEs with event jumps applied right after
 * their variable's update, summed reductions), per synaptic event handler, and the quiet test used
 * by the accelerated mode. All state is bound at build time; a kernel call allocates nothing.
 */
import { walk, type Expr, type Scope } from "../../src/ir/expr.ts";
import type { EventAssign, OdeUpdate, PopulationIR, ProjectionIR } from "../../src/ir/program.ts";
import type { ElementRng } from "../../src/util/element-rng.ts";
import { instantiate, jsExpr, literal, Memo, odeStatements, type SymbolMap } from "./codegen.ts";
import type { Csr, GroupState } from "./layout.ts";
import { analysisKey, F64, recordStatements, U32, type VarAnalysis } from "./analysis.ts";

/** Wraps an ODE update with range/change recording when the variable is analysed. */
function instrumented(b: Bindings, analysis: Map<string, VarAnalysis> | undefined, group: string, u: OdeUpdate, x: string, update: string): string {
  const a = analysis?.get(analysisKey(group, u.var));
  if (!a) return update;
  const f64 = b.ref(F64), u32 = b.ref(U32);
  return `{ const old = ${x};\n${update}\n${recordStatements(b.ref(a), x, "old").replace(/F64/g, f64).replace(/U32/g, u32)} }`;
}

/** Gives generated code positional names for the arrays it touches. */
export class Bindings {
  readonly values: unknown[] = [];
  private readonly names = new Map<unknown, string>();
  ref(value: unknown): string {
    let n = this.names.get(value);
    if (!n) {
      n = `a${this.values.length}`;
      this.names.set(value, n);
      this.values.push(value);
    }
    return n;
  }
  build<T>(body: string): T {
    const params = this.values.map((_, i) => `a${i}`);
    return instantiate<T>(params, body, this.values);
  }
}

/**
 * Kernels read the step length from a shared Float64Array clock = [dt, sqrt(dt)] rather than from
 * arguments: a double passed to a call that is not inlined is boxed on every call.
 */
export type PopulationKernel = () => number;
export type ProjectionKernel = () => void;
/** Delivers the spikes list[offset .. offset+count) to their synapses. */
export type EventKernel = (list: Int32Array, offset: number, count: number) => void;
/** True when every element may take a step of `dt` seconds with coefficients held. */
export type QuietKernel = (dt: number) => boolean;

export const arr = (g: GroupState, name: string): Float64Array => {
  const a = g.arrays.get(name);
  if (!a) throw new Error(`internal: no array for ${name}`);
  return a;
};

/** Local-variable name for a group's variable inside a loop body. */
const local = (index: number) => `v${index}`;

/**
 * range: the neurons this worker steps ([0, size) in a single-thread run); spikeOut receives their
 * indices in ascending order from position 0.
 */
export function populationKernel(p: PopulationIR, g: GroupState, refr: Int32Array, spikeOut: Int32Array, rng: ElementRng, clock: Float64Array, analysis?: Map<string, VarAnalysis>, tickSeconds = 1, range: [number, number] = [0, p.size]): PopulationKernel {
  const b = new Bindings();
  const clockName = b.ref(clock);
  const rngName = b.ref(rng);
  const refrName = b.ref(refr);
  const outName = b.ref(spikeOut);
  const stateVars = p.vars.filter((v) => v.kind === "state");
  const localOf = new Map(stateVars.map((v, i) => [v.name, local(i)]));
  const sym: SymbolMap = (name) => localOf.get(name) ?? `${b.ref(arr(g, name))}[i]`;
  const memo = new Memo();
  const onDt: string[] = [];
  const updates = p.odes
    .map((u, k) => {
      const s = instrumented(b, analysis, p.name, u, localOf.get(u.var)!, odeStatements(u, localOf.get(u.var)!, sym, k, memo, onDt, "normal", "i"));
      return u.holdWhenRefractory ? `if (r === 0) {\n${s}\n}` : s;
    })
    .join("\n");
  const load = stateVars.map((v, i) => `let ${local(i)} = ${b.ref(arr(g, v.name))}[i];`).join("\n");
  const store = stateVars.map((v, i) => `${b.ref(arr(g, v.name))}[i] = ${local(i)};`).join("\n");
  const reset = p.reset.map((a) => assignText(a, (n) => localOf.get(n)!, sym)).join("\n");
  const threshold = p.threshold ? jsExpr(p.threshold, sym) : "0";
  const lastDt = memo.slot("lastDt");
  const m = b.ref(memo);
  const body = `
const rng = ${rngName};
const m = ${m}.create();
return function step() {
  const dt = ${clockName}[0], sqrtDt = ${clockName}[1], nt = Math.round(dt / ${tickSeconds});
  if (dt !== ${lastDt}) { ${lastDt} = dt; ${onDt.join(" ")} }
  let count = 0;
  for (let i = ${range[0]}; i < ${range[1]}; i++) {
    ${load}
    const r = ${refrName}[i];
    ${updates}
    if (r > 0) ${refrName}[i] = r - 1;
    else if (${threshold} !== 0) {
      ${reset}
      ${refrName}[i] = ${p.refractoryTicks};
      ${outName}[count++] = i;
    }
    ${store}
  }
  return count;
};`;
  return b.build<PopulationKernel>(body);
}

function assignText(a: EventAssign, target: (name: string) => string, sym: SymbolMap): string {
  return `${target(a.target)} ${a.op} ${jsExpr(a.value, sym)};`;
}

export interface ProjectionContext {
  pr: ProjectionIR;
  g: GroupState;
  pre: GroupState;
  post: GroupState;
  /** Per-synapse jump accumulators for variables written by `+=`/`-=` events. */
  pending: Map<string, Float64Array>;
  rng: ElementRng;
  /** The synapses this worker steps (ascending); null: all (a single-thread run). */
  own: Int32Array | null;
  clock: Float64Array;
  analysis?: Map<string, VarAnalysis>;
  tickSeconds: number;
}

export function synapseSymbols(b: Bindings, ctx: ProjectionContext, self: (name: string) => string): SymbolMap {
  return (name: string, scope: Scope) => {
    if (scope === "self") return self(name);
    const group = scope === "pre" ? ctx.pre : ctx.post;
    return `${b.ref(arr(group, name))}[${scope}]`;
  };
}

export function projectionKernel(ctx: ProjectionContext): ProjectionKernel {
  const { pr, g } = ctx;
  const b = new Bindings();
  const rngName = b.ref(ctx.rng);
  const stateVars = pr.vars.filter((v) => v.kind === "state");
  const localOf = new Map(stateVars.map((v, i) => [v.name, local(i)]));
  const sym = synapseSymbols(b, ctx, (name) => localOf.get(name) ?? `${b.ref(arr(g, name))}[k]`);
  const memo = new Memo();
  const onDt: string[] = [];
  const updates = pr.odes
    .map((u, k) => {
      // the ziggurat, as the event-driven kernels (lazy.ts): a synapse draws the same numbers in both modes
      let s = instrumented(b, ctx.analysis, pr.name, u, localOf.get(u.var)!, odeStatements(u, localOf.get(u.var)!, sym, k, memo, onDt, "fastNormal"));
      const pend = ctx.pending.get(u.var);
      if (pend) {
        const pn = b.ref(pend);
        s += `\n ${localOf.get(u.var)} += ${pn}[k]; ${pn}[k] = 0;`;
      }
      return s;
    })
    .join("\n");
  // Jumps to variables without an ODE still land this step.
  const jumpsOnly = [...ctx.pending.keys()]
    .filter((n) => !pr.odes.some((u) => u.var === n))
    .map((n) => `${localOf.get(n)} += ${b.ref(ctx.pending.get(n)!)}[k]; ${b.ref(ctx.pending.get(n)!)}[k] = 0;`)
    .join("\n");
  const load = stateVars.map((v, i) => `let ${local(i)} = ${b.ref(arr(g, v.name))}[k];`).join("\n");
  const store = stateVars.map((v, i) => `${b.ref(arr(g, v.name))}[k] = ${local(i)};`).join("\n");
  const summed = pr.summed.map((s) => (s.scope === "pre" ? `${b.ref(arr(ctx.pre, s.target))}[pre] += ` : `${b.ref(arr(ctx.post, s.target))}[post] += `) + `${jsExpr(s.value, sym)};`).join("\n");
  const lastDt = memo.slot("lastDt");
  const m = b.ref(memo);
  const body = `
const rng = ${rngName};
const preIndex = ${b.ref(pr.preIndex)}, postIndex = ${b.ref(pr.postIndex)};
const m = ${m}.create();
const clock = ${b.ref(ctx.clock)};
return function step() {
  const dt = clock[0], sqrtDt = clock[1], nt = Math.round(dt / ${ctx.tickSeconds});
  if (dt !== ${lastDt}) { ${lastDt} = dt; ${onDt.join(" ")} }
  ${loopOver(b, ctx)}
    const pre = preIndex[k], post = postIndex[k];
    ${load}
    ${updates}
    ${jumpsOnly}
    ${store}
    ${summed}
  }
};`;
  return b.build<ProjectionKernel>(body);
}

/** The head of a loop over the worker's synapses, binding k. */
export function loopOver(b: Bindings, ctx: ProjectionContext): string {
  if (!ctx.own) return `for (let k = 0; k < ${ctx.pr.size}; k++) {`;
  return `for (let j = 0, own = ${b.ref(ctx.own)}; j < own.length; j++) { const k = own[j];`;
}

/** Applies one handler's assignments to every synapse of the neurons in `list`. */
export function eventKernel(ctx: ProjectionContext, assigns: EventAssign[], csr: Csr): EventKernel {
  const b = new Bindings();
  const self = (name: string) => `${b.ref(arr(ctx.g, name))}[k]`;
  const sym = synapseSymbols(b, ctx, self);
  const target = (a: EventAssign): string => {
    if (a.scope === "self" && (a.op === "+=" || a.op === "-=")) return `${b.ref(ctx.pending.get(a.target)!)}[k]`;
    if (a.scope === "self") return self(a.target);
    return sym(a.target, a.scope);
  };
  const statements = assigns.map((a) => `${target(a)} ${a.op} ${jsExpr(a.value, sym)};`).join("\n");
  const body = `
const start = ${b.ref(csr.start)}, order = ${b.ref(csr.order)};
const preIndex = ${b.ref(ctx.pr.preIndex)}, postIndex = ${b.ref(ctx.pr.postIndex)};
return function deliver(list, offset, count) {
  for (let j = offset, end = offset + count; j < end; j++) {
    const n = list[j];
    for (let s = start[n], e = start[n + 1]; s < e; s++) {
      const k = order[s];
      const pre = preIndex[k], post = postIndex[k];
      ${statements}
    }
  }
};`;
  return b.build<EventKernel>(body);
}

/** Condition sub-expressions (H(...) and comparisons) of an expression. */
function conditions(e: Expr): Expr[] {
  const out: Expr[] = [];
  walk(e, (n) => {
    if (n.op === "cmp" || (n.op === "call" && n.fn === "H")) out.push(n);
  });
  return out;
}

/**
 * The quiet test for one group. A step of length dt with coefficients held is accepted when, for
 * every element: it is not refractory; no noise term is active; every variable with a declared
 * settle tolerance is within it of its momentary fixed point; every other fast, non-autonomous
 * variable blocks; and no condition on an autonomous (exactly integrated) variable changes between
 * the start and the end of the step (such variables relax monotonically, so equal ends mean no
 * crossing in between). Conditions on slow variables may flip inside a quiet step: that is the
 * approximation, measured in docs/numerics.md.
 */
export function quietKernel(
  odes: OdeUpdate[],
  vars: { name: string; settle?: number }[],
  size: number,
  symFor: (b: Bindings) => SymbolMap,
  perElement: (b: Bindings) => string,
  refr: Int32Array | null,
): QuietKernel {
  const b = new Bindings();
  const sym = symFor(b);
  const settleOf = new Map(vars.map((v) => [v.name, v.settle]));
  const autonomous = new Set(odes.filter((u) => u.autonomous && u.linear).map((u) => u.var));
  const checks: string[] = [];
  if (refr) checks.push(`if (${b.ref(refr)}[i] !== 0) return false;`);
  odes.forEach((u) => {
    if (u.C) checks.push(`if (${jsExpr(u.C, sym)} !== 0) return false;`);
    const settle = settleOf.get(u.var);
    const x = sym(u.var, "self");
    if (settle !== undefined) {
      checks.push(`{ const bb = ${jsExpr(u.B, sym)}, aa = ${jsExpr(u.A, sym)};
        if (bb === 0 ? Math.abs(aa) * dt > ${literal(settle)} : Math.abs(${x} + aa / bb) > ${literal(settle)}) return false; }`);
    } else if (!u.autonomous) {
      checks.push(`if (Math.abs(${jsExpr(u.B, sym)}) * dt > 1) return false;`);
    }
  });
  // End values of autonomous variables, then conditions compared at both ends.
  const endNames = new Map<string, string>();
  const endLines: string[] = [];
  odes.forEach((u, k) => {
    if (!autonomous.has(u.var)) return;
    const e = `e${k}`;
    endNames.set(u.var, e);
    const a = (u.A as { value: number }).value;
    const bv = (u.B as { value: number }).value;
    const x = sym(u.var, "self");
    endLines.push(bv === 0 ? `const ${e} = ${x} + ${literal(a)} * dt;` : `const ${e} = ${x} + (${literal(a)} + ${literal(bv)} * ${x}) * (Math.expm1(${literal(bv)} * dt) / ${literal(bv)});`);
  });
  const endSym: SymbolMap = (name, scope) => (scope === "self" && endNames.has(name) ? endNames.get(name)! : sym(name, scope));
  const condExprs = odes.flatMap((u) => [u.A, u.B, ...(u.C ? [u.C] : [])]).flatMap(conditions);
  const relevant = condExprs.filter((c) => {
    let uses = false;
    walk(c, (n) => {
      if (n.op === "sym" && n.scope === "self" && autonomous.has(n.name)) uses = true;
    });
    return uses;
  });
  const condChecks = relevant.map((c) => `if (${jsExpr(c, sym)} !== ${jsExpr(c, endSym)}) return false;`);
  const body = `
return function quiet(dt) {
  for (let i = 0, k = 0; i < ${size}; i++, k++) {
    ${perElement(b)}
    ${checks.join("\n")}
    ${endLines.join("\n")}
    ${condChecks.join("\n")}
  }
  return true;
};`;
  return b.build<QuietKernel>(body);
}

export function populationQuietKernel(p: PopulationIR, g: GroupState, refr: Int32Array): QuietKernel {
  return quietKernel(p.odes, p.vars, p.size, (b) => (name) => `${b.ref(arr(g, name))}[i]`, () => "", refr);
}

export function projectionQuietKernel(ctx: ProjectionContext): QuietKernel {
  const symFor = (b: Bindings): SymbolMap => synapseSymbols(b, ctx, (name) => `${b.ref(arr(ctx.g, name))}[k]`);
  const indices = (b: Bindings) => `const pre = ${b.ref(ctx.pr.preIndex)}[k], post = ${b.ref(ctx.pr.postIndex)}[k];`;
  return quietKernel(ctx.pr.odes, ctx.pr.vars, ctx.pr.size, symFor, indices, null);
}
