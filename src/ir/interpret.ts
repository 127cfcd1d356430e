/**
 * Float64 meaning of the expression language: the definition every code generator is tested
 * against. Also constant folding and the linear decomposition used by exponential Euler.
 */
import { walk, rewrite, type Expr, type Scope } from "./expr.ts";

export type Lookup = (name: string, scope: Scope) => number;

export function evaluate(e: Expr, lookup: Lookup, noise: () => number = () => { throw new Error("noise (xi) is not allowed here"); }): number {
  switch (e.op) {
    case "const":
      return e.value;
    case "sym":
      return lookup(e.name, e.scope);
    case "noise":
      return noise();
    case "add":
      return evaluate(e.a, lookup, noise) + evaluate(e.b, lookup, noise);
    case "sub":
      return evaluate(e.a, lookup, noise) - evaluate(e.b, lookup, noise);
    case "mul":
      return evaluate(e.a, lookup, noise) * evaluate(e.b, lookup, noise);
    case "div":
      return evaluate(e.a, lookup, noise) / evaluate(e.b, lookup, noise);
    case "pow":
      return Math.pow(evaluate(e.a, lookup, noise), evaluate(e.b, lookup, noise));
    case "neg":
      return -evaluate(e.a, lookup, noise);
    case "not":
      return evaluate(e.a, lookup, noise) !== 0 ? 0 : 1;
    case "and":
      return evaluate(e.a, lookup, noise) !== 0 && evaluate(e.b, lookup, noise) !== 0 ? 1 : 0;
    case "or":
      return evaluate(e.a, lookup, noise) !== 0 || evaluate(e.b, lookup, noise) !== 0 ? 1 : 0;
    case "cond":
      return evaluate(e.test, lookup, noise) !== 0 ? evaluate(e.then, lookup, noise) : evaluate(e.else, lookup, noise);
    case "cmp": {
      const a = evaluate(e.a, lookup, noise);
      const b = evaluate(e.b, lookup, noise);
      const r = e.cmp === "ge" ? a >= b : e.cmp === "gt" ? a > b : e.cmp === "le" ? a <= b : e.cmp === "lt" ? a < b : e.cmp === "eq" ? a === b : a !== b;
      return r ? 1 : 0;
    }
    case "call": {
      const x = e.args.map((a) => evaluate(a, lookup, noise));
      return callFunction(e.fn, x);
    }
  }
}

export function callFunction(fn: string, x: number[]): number {
  switch (fn) {
    case "exp":
      return Math.exp(x[0]!);
    case "log":
      return Math.log(x[0]!);
    case "sqrt":
      return Math.sqrt(x[0]!);
    case "abs":
      return Math.abs(x[0]!);
    case "H":
      return x[0]! >= 0 ? 1 : 0; // H(0) = 1 (the STC authors' convention)
    case "min":
      return Math.min(x[0]!, x[1]!);
    case "max":
      return Math.max(x[0]!, x[1]!);
    case "clip":
      return Math.min(Math.max(x[0]!, x[1]!), x[2]!);
    case "tanh":
      return Math.tanh(x[0]!);
    case "logistic":
      return 1 / (1 + Math.exp(-x[0]!));
    case "relu":
      return Math.max(0, x[0]!);
  }
  throw new Error(`unknown function ${fn}`);
}

const isConst = (e: Expr): e is { op: "const"; value: number } => e.op === "const";

/**
 * Folds constant subtrees and removes additive/multiplicative identities. Values are preserved
 * exactly except that 0 * e and 0 / e fold to +0 (IEEE gives -0 for negative e, NaN for
 * non-finite e): the rule that lets "sigma_pl: 0" remove a noise term at compile time.
 */
export function fold(e: Expr): Expr {
  switch (e.op) {
    case "const":
    case "sym":
    case "noise":
      return e;
    case "neg": {
      const a = fold(e.a);
      return isConst(a) ? { op: "const", value: -a.value } : { op: "neg", a };
    }
    case "not": {
      const a = fold(e.a);
      return isConst(a) ? { op: "const", value: a.value !== 0 ? 0 : 1 } : { op: "not", a };
    }
    case "call": {
      const args = e.args.map(fold);
      return args.every(isConst) ? { op: "const", value: callFunction(e.fn, args.map((a) => a.value)) } : { op: "call", fn: e.fn, args };
    }
    case "cond": {
      const test = fold(e.test);
      if (isConst(test)) return test.value !== 0 ? fold(e.then) : fold(e.else);
      return { op: "cond", test, then: fold(e.then), else: fold(e.else) };
    }
    default: {
      const a = fold(e.a);
      const b = fold(e.b);
      const folded = { ...e, a, b } as Expr;
      if (isConst(a) && isConst(b)) return { op: "const", value: evaluate(folded, () => NaN) };
      if (e.op === "add") {
        if (isConst(a) && a.value === 0) return b;
        if (isConst(b) && b.value === 0) return a;
      } else if (e.op === "sub") {
        if (isConst(b) && b.value === 0) return a;
        if (isConst(a) && a.value === 0) return { op: "neg", a: b };
      } else if (e.op === "mul") {
        if ((isConst(a) && a.value === 0) || (isConst(b) && b.value === 0)) {
          // 0 * anything finite: safe to drop because nothing here can be infinite by design of the model checks.
          return { op: "const", value: 0 };
        }
        if (isConst(a) && a.value === 1) return b;
        if (isConst(b) && b.value === 1) return a;
      } else if (e.op === "div") {
        if (isConst(b) && b.value === 1) return a;
        if (isConst(a) && a.value === 0) return { op: "const", value: 0 };
      }
      return folded;
    }
  }
}

export interface Linear {
  /** Term free of x. */
  A: Expr;
  /** Coefficient of x (free of x). */
  B: Expr;
}

/** Writes e as A + B*x when e is affine in the symbol `x` (scope self); null when it is not. */
export function linearize(e: Expr, x: string): Linear | null {
  const zero: Expr = { op: "const", value: 0 };
  const isX = (n: Expr) => n.op === "sym" && n.scope === "self" && n.name === x;
  const free = (n: Expr): boolean => {
    let ok = true;
    const visit = (m: Expr): void => {
      if (isX(m)) ok = false;
    };
    walk(n, visit);
    return ok;
  };
  const go = (n: Expr): Linear | null => {
    if (isX(n)) return { A: zero, B: { op: "const", value: 1 } };
    if (free(n)) return { A: n, B: zero };
    switch (n.op) {
      case "add":
      case "sub": {
        const a = go(n.a);
        const b = go(n.b);
        if (!a || !b) return null;
        return { A: { op: n.op, a: a.A, b: b.A }, B: { op: n.op, a: a.B, b: b.B } };
      }
      case "neg": {
        const a = go(n.a);
        return a ? { A: { op: "neg", a: a.A }, B: { op: "neg", a: a.B } } : null;
      }
      case "mul": {
        if (free(n.a)) {
          const b = go(n.b);
          return b ? { A: { op: "mul", a: n.a, b: b.A }, B: { op: "mul", a: n.a, b: b.B } } : null;
        }
        if (free(n.b)) {
          const a = go(n.a);
          return a ? { A: { op: "mul", a: a.A, b: n.b }, B: { op: "mul", a: a.B, b: n.b } } : null;
        }
        return null;
      }
      case "div": {
        if (!free(n.b)) return null;
        const a = go(n.a);
        return a ? { A: { op: "div", a: a.A, b: n.b }, B: { op: "div", a: a.B, b: n.b } } : null;
      }
      default:
        return null;
    }
  };
  const r = go(e);
  return r ? { A: fold(r.A), B: fold(r.B) } : null;
}

/** Splits e into (drift, noise coefficient) with e = drift + C * xi; null when xi enters non-linearly. */
export function splitNoise(e: Expr): { drift: Expr; C: Expr | null } | null {
  const hasXi = (n: Expr): boolean => {
    let f = false;
    walk(n, (m) => {
      if (m.op === "noise") f = true;
    });
    return f;
  };
  if (!hasXi(e)) return { drift: e, C: null };
  // Treat xi as a symbol and reuse the affine decomposition.
  const asSym = replaceNoise(e);
  const lin = linearize(asSym, "\u03be");
  if (!lin) return null;
  return { drift: lin.A, C: lin.B };
}

function replaceNoise(e: Expr): Expr {
  return rewrite(e, (n) => (n.op === "noise" ? { op: "sym", name: "\u03be", scope: "self" } : n));
}
