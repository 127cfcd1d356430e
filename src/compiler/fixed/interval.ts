/**
 * Interval arithmetic over the expression language: bounds of every sub-expression from the
 * bounds of the variables, used to choose the format of every intermediate register.
 */
import type { Expr, Scope } from "../../ir/expr.ts";

export type Interval = [number, number];

export function interval(e: Expr, rangeOf: (name: string, scope: Scope) => Interval): Interval {
  const go = (n: Expr): Interval => {
    switch (n.op) {
      case "const":
        return [n.value, n.value];
      case "sym":
        return rangeOf(n.name, n.scope);
      case "noise":
        return [-8, 8]; // a standard normal draw, clipped at 8 sigma by its register format
      case "neg": {
        const [a, b] = go(n.a);
        return [-b, -a];
      }
      case "add": {
        const [a, b] = go(n.a), [c, d] = go(n.b);
        return [a + c, b + d];
      }
      case "sub": {
        const [a, b] = go(n.a), [c, d] = go(n.b);
        return [a - d, b - c];
      }
      case "mul": {
        // x * x is a square, never negative: without this, (w - a)^2 over a range around a would
        // get a negative lower bound and exp(-gamma (w - a)^2) a table over positive arguments.
        if (sameTree(n.a, n.b)) return square(go(n.a));
        const [a, b] = go(n.a), [c, d] = go(n.b);
        const p = [a * c, a * d, b * c, b * d].map((x) => (Number.isNaN(x) ? 0 : x));
        return [Math.min(...p), Math.max(...p)];
      }
      case "div": {
        const [a, b] = go(n.a), [c, d] = go(n.b);
        if (c <= 0 && d >= 0) return [-Infinity, Infinity];
        const p = [a / c, a / d, b / c, b / d];
        return [Math.min(...p), Math.max(...p)];
      }
      case "pow": {
        if (n.b.op === "const" && n.b.value === 2) return square(go(n.a));
        const [a, b] = go(n.a), [c, d] = go(n.b);
        const p = [a ** c, a ** d, b ** c, b ** d].filter((x) => !Number.isNaN(x));
        return p.length ? [Math.min(...p), Math.max(...p)] : [-Infinity, Infinity];
      }
      case "cmp":
      case "and":
      case "or":
      case "not":
        return [0, 1];
      case "cond": {
        const [a, b] = go(n.then), [c, d] = go(n.else);
        return [Math.min(a, c), Math.max(b, d)];
      }
      case "call": {
        const args = n.args.map(go);
        const [a, b] = args[0]!;
        switch (n.fn) {
          case "H":
          case "heaviside":
            return a >= 0 ? [1, 1] : b < 0 ? [0, 0] : [0, 1];
          case "abs":
            return a >= 0 ? [a, b] : b <= 0 ? [-b, -a] : [0, Math.max(-a, b)];
          case "sqrt":
            return [Math.sqrt(Math.max(0, a)), Math.sqrt(Math.max(0, b))];
          case "exp":
            return [Math.exp(a), Math.exp(b)];
          case "tanh":
            return [Math.tanh(a), Math.tanh(b)];
          case "logistic":
            return [1 / (1 + Math.exp(-a)), 1 / (1 + Math.exp(-b))];
          case "relu":
            return [Math.max(0, a), Math.max(0, b)];
          case "log":
            return [a > 0 ? Math.log(a) : -Infinity, Math.log(b)];
          case "min":
            return [Math.min(a, args[1]![0]), Math.min(b, args[1]![1])];
          case "max":
            return [Math.max(a, args[1]![0]), Math.max(b, args[1]![1])];
          case "clip":
            return [Math.min(Math.max(a, args[1]![0]), args[2]![1]), Math.min(Math.max(b, args[1]![0]), args[2]![1])];
        }
        return [-Infinity, Infinity];
      }
    }
  };
  return go(e);
}

/** [min, max] of an array (no argument spreading: arrays may hold millions of elements). */
export function extent(values: ArrayLike<number>, start: Interval = [Infinity, -Infinity]): Interval {
  let [lo, hi] = start;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** [lo, hi]^2 as a set: 0 when the interval contains it. */
function square([a, b]: Interval): Interval {
  const hi = Math.max(a * a, b * b);
  return a <= 0 && b >= 0 ? [0, hi] : [Math.min(a * a, b * b), hi];
}

/** Structural equality of two expression trees (small trees: the factors of a product). */
function sameTree(x: Expr, y: Expr): boolean {
  return x === y || JSON.stringify(x) === JSON.stringify(y);
}
