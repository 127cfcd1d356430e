/**
 * Float64 code generation: IR expressions and ODE updates -> JavaScript kernels that loop over
 * struct-of-arrays state. Names from model files never reach the generated text: every array is
 * referred to by position (a0, a1, ...) and every number is printed from a JS number, so the text
 * is built only from this file's templates. Semantics follow src/ir/interpret.ts (tested op by op).
 */
import { show, type Expr, type Scope } from "../../src/ir/expr.ts";
import { conditionsOnly, substituteConditions } from "../../src/ir/conditions.ts";
import { evaluate } from "../../src/ir/interpret.ts";
import type { OdeUpdate } from "../../src/ir/program.ts";

/** Resolves a symbol to a JS expression (a local or an array element). */
export type SymbolMap = (name: string, scope: Scope) => string;

export function literal(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "(-Infinity)";
  if (Object.is(x, -0)) return "(-0)"; // String(-0) is "0"
  const s = String(x);
  return x < 0 ? `(${s})` : s;
}

export function jsExpr(e: Expr, sym: SymbolMap, noise = "__noise"): string {
  const go = (n: Expr): string => {
    switch (n.op) {
      case "const":
        return literal(n.value);
      case "sym":
        return sym(n.name, n.scope);
      case "noise":
        return noise;
      case "add":
        return `(${go(n.a)} + ${go(n.b)})`;
      case "sub":
        return `(${go(n.a)} - ${go(n.b)})`;
      case "mul":
        return `(${go(n.a)} * ${go(n.b)})`;
      case "div":
        return `(${go(n.a)} / ${go(n.b)})`;
      case "pow":
        return `Math.pow(${go(n.a)}, ${go(n.b)})`;
      case "neg":
        return `(-${go(n.a)})`;
      case "not":
        return `(${go(n.a)} !== 0 ? 0 : 1)`;
      case "and":
        return `((${go(n.a)} !== 0 && ${go(n.b)} !== 0) ? 1 : 0)`;
      case "or":
        return `((${go(n.a)} !== 0 || ${go(n.b)} !== 0) ? 1 : 0)`;
      case "cond":
        return `(${go(n.test)} !== 0 ? ${go(n.then)} : ${go(n.else)})`;
      case "cmp": {
        const op = { ge: ">=", gt: ">", le: "<=", lt: "<", eq: "===", ne: "!==" }[n.cmp];
        return `(${go(n.a)} ${op} ${go(n.b)} ? 1 : 0)`;
      }
      case "call": {
        const a = n.args.map(go);
        switch (n.fn) {
          case "H":
          case "heaviside":
            return `(${a[0]} >= 0 ? 1 : 0)`;
          case "clip":
            return `Math.min(Math.max(${a[0]}, ${a[1]}), ${a[2]})`;
          // Same formulas as interpret.ts callFunction, so kernels and interpreter agree bit for bit.
          case "logistic":
            return `(1 / (1 + Math.exp(-(${a[0]}))))`;
          case "relu":
            return `Math.max(0, ${a[0]})`;
          default:
            return `Math.${n.fn}(${a.join(", ")})`;
        }
      }
    }
  };
  return go(e);
}

/**
 * Kernel-level mutable numbers (dt-dependent constants, memos) live in one Float64Array:
 * a closure variable holding a double would be re-boxed on every write.
 */
export class Memo {
  private readonly names: string[] = [];
  slot(name: string): string {
    let i = this.names.indexOf(name);
    if (i < 0) i = this.names.push(name) - 1;
    return `m[${i}]`;
  }
  /** n consecutive slots; returns the index of the first. */
  block(name: string, n: number): number {
    const first = this.names.length;
    for (let i = 0; i < n; i++) this.names.push(`${name}[${i}]`);
    return first;
  }
  create(): Float64Array {
    return new Float64Array(Math.max(1, this.names.length)).fill(NaN);
  }
}

/**
 * One ODE update as JS statements, reading and writing the local `x`.
 * Exponential Euler: x += (A + B x + C xi_k / sqrt(dt)) * expm1(B dt) / B, exact when A, B, C are
 * constant over the step (the authors' scheme for V, Ca, h, p, z); forward Euler when not linear.
 * `dt`, `sqrtDt` are locals of the kernel. dt-dependent constants go to `onDtChange`; a
 * non-constant B is memoised on its value (regimes repeat, so expm1 is rarely recomputed).
 */
export function odeStatements(u: OdeUpdate, x: string, sym: SymbolMap, uid: number, memo: Memo, onDtChange: string[], normal = "normal", element = "k"): string {
  return `${odeUpdate(u, x, sym, uid, memo, onDtChange, normal, element)}\n ${flushSubnormal(x)}`;
}

/**
 * A decaying value that reaches the subnormal range gets stuck at the smallest subnormal under
 * round-to-nearest (x - x * 0.04 rounds back to x) and every operation on it costs ~100x. Values
 * below 1e-300 in magnitude are therefore set to 0: the FTZ mode of compiled simulators, and far
 * below any physical resolution.
 */
export function flushSubnormal(x: string): string {
  return `if (${x} < 1e-300 && ${x} > -1e-300) ${x} = 0;`;
}

function odeUpdate(u: OdeUpdate, x: string, sym: SymbolMap, uid: number, memo: Memo, onDtChange: string[], normal: string, element: string): string {
  // rng is an ElementRng: the element's own stream (src/util/element-rng.ts)
  const noiseDraw = u.C
    ? `const c${uid} = ${jsExpr(u.C, sym)};\n const n${uid} = c${uid} !== 0 ? c${uid} * rng.${normal}(${element}) / sqrtDt : 0;`
    : "";
  const n = u.C ? ` + n${uid}` : "";
  if (!u.linear) return `${noiseDraw}\n ${x} = ${x} + (${jsExpr(u.A, sym)}${n}) * dt;`;
  const A = jsExpr(u.A, sym);
  if (u.B.op === "const") {
    const b = u.B.value;
    if (b === 0) return `${noiseDraw}\n ${x} = ${x} + (${A}${n}) * dt;`;
    const phi = memo.slot(`phi${uid}`);
    onDtChange.push(`${phi} = Math.expm1(${literal(b)} * dt) / ${literal(b)};`);
    return `${noiseDraw}\n ${x} = ${x} + (${A} + ${literal(b)} * ${x}${n}) * ${phi};`;
  }
  const conds = conditionsOnly(u.B);
  if (conds && conds.length <= 4) {
    // B takes one value per combination of its conditions (regimes): tabulate B and phi per dt.
    // Layout: m[base + 2 r] = B, m[base + 2 r + 1] = phi for regime r (bit j = condition j).
    const combos = 1 << conds.length;
    const base = memo.block(`regimes${uid}`, 2 * combos);
    for (let r = 0; r < combos; r++) {
      const fixed = new Map(conds.map((c, j) => [show(c), (r >> j) & 1]));
      const b = evaluate(substituteConditions(u.B, fixed), () => NaN);
      onDtChange.push(`m[${base + 2 * r}] = ${literal(b)}; m[${base + 2 * r + 1}] = phi(${literal(b)}, dt);`);
    }
    const index = conds.map((c, j) => `(${jsExpr(c, sym)} << ${j})`).join(" | ");
    return `${noiseDraw}
 const r${uid} = ${base} + 2 * (${index});
 const b${uid} = m[r${uid}];
 ${x} = ${x} + (${A} + b${uid} * ${x}${n}) * m[r${uid} + 1];`;
  }
  const lastB = memo.slot(`lastB${uid}`);
  const lastPhi = memo.slot(`lastPhi${uid}`);
  // Rates that differ per element (e.g. set by the postsynaptic neuron's protein) take few distinct
  // values: a hashed table of expm1 results, cleared when dt changes, saves most expm1 calls.
  const cache = memo.block(`phiCache${uid}`, 2 * PHI_CACHE);
  onDtChange.push(`${lastB} = NaN; m.fill(NaN, ${cache}, ${cache + 2 * PHI_CACHE});`);
  return `${noiseDraw}
 const b${uid} = ${jsExpr(u.B, sym)};
 if (b${uid} !== ${lastB}) { ${lastB} = b${uid}; ${lastPhi} = phiCached(b${uid}, dt, m, ${cache}); }
 ${x} = ${x} + (${A} + b${uid} * ${x}${n}) * ${lastPhi};`;
}

/**
 * expm1(b dt) / b, the exponential-Euler step factor. For |b dt| < 1e-5 the series
 * dt (1 + x/2 + x^2/6) is exact to below one ulp (next term x^3/24 < 4.2e-17) and avoids expm1
 * in the slow variables, whose rates change every step.
 */
export function phi(b: number, dt: number): number {
  const x = b * dt;
  if (x > -1e-5 && x < 1e-5) return dt * (1 + x * (0.5 + x / 6));
  return Math.expm1(x) / b;
}

/** Entries of the per-update expm1 table (phiCached). */
export const PHI_CACHE = 4096;
const HASH_F64 = new Float64Array(1);
const HASH_U32 = new Uint32Array(HASH_F64.buffer);

/** phi(b, dt) through a direct-mapped table in m[base ..]: keys and values interleaved. */
export function phiCached(b: number, dt: number, m: Float64Array, base: number): number {
  HASH_F64[0] = b;
  const i = base + 2 * ((HASH_U32[0]! ^ HASH_U32[1]!) & (PHI_CACHE - 1));
  if (m[i] === b) return m[i + 1]!;
  const v = phi(b, dt);
  m[i] = b;
  m[i + 1] = v;
  return v;
}

/** Builds a function from generated text. Only this module's templates reach `new Function`. */
export function instantiate<T>(params: string[], body: string, args: unknown[]): T {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  if (process.env.ENGRAM_DUMP_KERNELS) process.stderr.write(`\n// ---- kernel ----\n${body}\n`);
  const factory = new Function("phi", "phiCached", ...params, body) as (...a: unknown[]) => T;
  return factory(phi, phiCached, ...args);
}
