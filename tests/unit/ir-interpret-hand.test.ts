/**
 * The float64 meaning of the expression language (src/ir/interpret.ts) on hand-derived cases:
 * every operator, comparison and function at the points where a plausible slip shows (ties,
 * zero, both signs), constant folding rule by rule (the exact tree it returns), the affine
 * decomposition behind exponential Euler and the drift/noise split. Written from the Stryker
 * survivors of the `reference` mutation module (docs/reliability.md); expr.test.ts checks the
 * same functions on random trees, which rarely hit these corners.
 */
import { describe, expect, it } from "vitest";
import { callFunction, evaluate, fold, linearize, splitNoise } from "../../src/ir/interpret.ts";
import type { Expr, Scope } from "../../src/ir/expr.ts";

const c = (value: number): Expr => ({ op: "const", value });
const s = (name: string, scope: Scope = "self"): Expr => ({ op: "sym", name, scope });
const bin = (op: "add" | "sub" | "mul" | "div" | "pow", a: Expr, b: Expr): Expr => ({ op, a, b });
const cmp = (k: "ge" | "gt" | "le" | "lt" | "eq" | "ne", a: Expr, b: Expr): Expr => ({ op: "cmp", cmp: k, a, b });
const xi: Expr = { op: "noise" };
const x = s("x"), y = s("y");
const env: Record<string, number> = { x: 3, y: -2 };
const at = (n: string) => env[n]!;
const ev = (e: Expr) => evaluate(e, at);

describe("evaluate: each node's float64 meaning, hand-derived", () => {
  it("constants, symbols (with their scope) and the noise source", () => {
    expect(ev(c(2.5))).toBe(2.5);
    const seen: [string, Scope][] = [];
    expect(evaluate(s("V", "pre"), (n, sc) => (seen.push([n, sc]), 7))).toBe(7);
    expect(seen).toEqual([["V", "pre"]]);
    expect(evaluate(xi, at, () => 0.25)).toBe(0.25);
    // without a noise source, xi is an error that says so
    expect(() => evaluate(xi, at)).toThrow("noise (xi) is not allowed here");
    expect(() => evaluate(bin("add", c(1), xi), at)).toThrow(/noise \(xi\)/);
  });

  it("arithmetic: x = 3, y = -2", () => {
    expect(ev(bin("add", x, y))).toBe(1);
    expect(ev(bin("sub", x, y))).toBe(5);
    expect(ev(bin("mul", x, y))).toBe(-6);
    expect(ev(bin("div", x, y))).toBe(-1.5);
    expect(ev(bin("pow", x, c(2)))).toBe(9);
    expect(ev(bin("pow", c(2), y))).toBe(0.25);
    expect(ev({ op: "neg", a: x })).toBe(-3);
    // the noise source reaches nested nodes of every kind
    const n = () => 0.5;
    expect(evaluate(bin("sub", xi, c(1)), at, n)).toBe(-0.5);
    expect(evaluate(bin("mul", c(4), xi), at, n)).toBe(2);
    expect(evaluate(bin("div", xi, c(4)), at, n)).toBe(0.125);
    expect(evaluate(bin("pow", xi, c(2)), at, n)).toBe(0.25);
    expect(evaluate({ op: "neg", a: xi }, at, n)).toBe(-0.5);
    expect(evaluate({ op: "call", fn: "abs", args: [{ op: "neg", a: xi }] }, at, n)).toBe(0.5);
    expect(evaluate(cmp("gt", xi, c(0)), at, n)).toBe(1);
    expect(evaluate({ op: "cond", test: xi, then: xi, else: c(9) }, at, n)).toBe(0.5);
    expect(evaluate({ op: "not", a: xi }, at, n)).toBe(0);
    expect(evaluate({ op: "and", a: xi, b: xi }, at, n)).toBe(1);
    expect(evaluate({ op: "or", a: c(0), b: xi }, at, n)).toBe(1);
  });

  it("logic: any non-zero value is true; results are 0 or 1", () => {
    const not = (a: number) => ev({ op: "not", a: c(a) });
    expect([not(0), not(2), not(-1)]).toEqual([1, 0, 0]);
    const and = (a: number, b: number) => ev({ op: "and", a: c(a), b: c(b) });
    const or = (a: number, b: number) => ev({ op: "or", a: c(a), b: c(b) });
    expect([and(0, 0), and(0, 5), and(-5, 0), and(2, -3)]).toEqual([0, 0, 0, 1]);
    expect([or(0, 0), or(0, 5), or(-5, 0), or(2, -3)]).toEqual([0, 1, 1, 1]);
    expect(ev({ op: "cond", test: c(-1), then: c(10), else: c(20) })).toBe(10);
    expect(ev({ op: "cond", test: c(0), then: c(10), else: c(20) })).toBe(20);
  });

  it("comparisons below, at and above: 1 or 0", () => {
    const row = (k: "ge" | "gt" | "le" | "lt" | "eq" | "ne") => [1, 2, 3].map((a) => ev(cmp(k, c(a), c(2))));
    expect(row("ge")).toEqual([0, 1, 1]);
    expect(row("gt")).toEqual([0, 0, 1]);
    expect(row("le")).toEqual([1, 1, 0]);
    expect(row("lt")).toEqual([1, 0, 0]);
    expect(row("eq")).toEqual([0, 1, 0]);
    expect(row("ne")).toEqual([1, 0, 1]);
  });

  it("functions: values at hand-picked points", () => {
    expect(callFunction("exp", [0])).toBe(1);
    expect(callFunction("exp", [1])).toBe(Math.E);
    expect(callFunction("log", [1])).toBe(0);
    expect(callFunction("log", [Math.E])).toBe(1);
    expect(callFunction("sqrt", [9])).toBe(3);
    expect(callFunction("abs", [-4])).toBe(4);
    // H(0) = 1 (the STC authors' convention), H(-tiny) = 0
    expect([callFunction("H", [-1e-300]), callFunction("H", [0]), callFunction("H", [2])]).toEqual([0, 1, 1]);
    expect(callFunction("min", [3, -2])).toBe(-2);
    expect(callFunction("max", [3, -2])).toBe(3);
    // clip(x, lo, hi): below, inside, above
    expect([callFunction("clip", [-5, 0, 1]), callFunction("clip", [0.25, 0, 1]), callFunction("clip", [7, 0, 1])]).toEqual([0, 0.25, 1]);
    expect(callFunction("tanh", [0])).toBe(0);
    expect(callFunction("tanh", [Math.log(3)])).toBeCloseTo(0.8, 15); // (9 - 1) / (9 + 1)
    // logistic(0) = 1/2; logistic(ln 3) = 1 / (1 + 1/3) = 3/4
    expect(callFunction("logistic", [0])).toBe(0.5);
    expect(callFunction("logistic", [Math.log(3)])).toBeCloseTo(0.75, 15);
    expect([callFunction("relu", [-2]), callFunction("relu", [3])]).toEqual([0, 3]);
    expect(() => callFunction("nope", [1])).toThrow("unknown function nope");
    // a call node evaluates its arguments in order
    expect(ev({ op: "call", fn: "min", args: [x, y] })).toBe(-2);
  });
});

describe("fold: constant folding rule by rule (the returned tree)", () => {
  it("leaves leaves alone and folds constant subtrees", () => {
    expect(fold(x)).toBe(x);
    expect(fold(c(2))).toEqual(c(2));
    expect(fold(xi)).toBe(xi);
    expect(fold({ op: "neg", a: c(2) })).toEqual(c(-2));
    expect(fold({ op: "neg", a: bin("add", x, c(0)) })).toEqual({ op: "neg", a: x });
    expect(fold({ op: "not", a: c(0) })).toEqual(c(1));
    expect(fold({ op: "not", a: c(-3) })).toEqual(c(0));
    expect(fold({ op: "not", a: bin("mul", c(1), x) })).toEqual({ op: "not", a: x });
    expect(fold({ op: "call", fn: "max", args: [c(2), bin("add", c(1), c(4))] })).toEqual(c(5));
    // one non-constant argument keeps the call, with its arguments folded
    expect(fold({ op: "call", fn: "max", args: [bin("add", c(1), c(1)), x] })).toEqual({ op: "call", fn: "max", args: [c(2), x] });
    expect(fold(bin("pow", c(2), c(3)))).toEqual(c(8));
    expect(fold(cmp("ge", c(2), c(2)))).toEqual(c(1));
    expect(fold(cmp("lt", x, bin("add", c(1), c(1))))).toEqual(cmp("lt", x, c(2)));
    expect(fold({ op: "and", a: c(0), b: x })).toEqual({ op: "and", a: c(0), b: x });
    expect(fold({ op: "or", a: c(1), b: x })).toEqual({ op: "or", a: c(1), b: x });
  });

  it("conditionals with a constant test pick a branch; otherwise all three parts are folded", () => {
    expect(fold({ op: "cond", test: c(2), then: bin("add", x, c(0)), else: y })).toEqual(x);
    expect(fold({ op: "cond", test: bin("sub", c(1), c(1)), then: x, else: bin("mul", y, c(1)) })).toEqual(y);
    expect(fold({ op: "cond", test: x, then: bin("add", c(1), c(1)), else: bin("mul", y, c(1)) })).toEqual({ op: "cond", test: x, then: c(2), else: y });
  });

  it("identities: x + 0, 0 + x, x - 0, 0 - x, x * 1, 1 * x, 0 * x, x * 0, x / 1, 0 / x", () => {
    expect(fold(bin("add", c(0), x))).toBe(x);
    expect(fold(bin("add", x, c(0)))).toBe(x);
    expect(fold(bin("sub", x, c(0)))).toBe(x);
    expect(fold(bin("sub", c(0), x))).toEqual({ op: "neg", a: x });
    expect(fold(bin("mul", c(1), x))).toBe(x);
    expect(fold(bin("mul", x, c(1)))).toBe(x);
    expect(fold(bin("mul", c(0), x))).toEqual(c(0));
    expect(fold(bin("mul", x, c(0)))).toEqual(c(0));
    expect(fold(bin("div", x, c(1)))).toBe(x);
    expect(fold(bin("div", c(0), x))).toEqual(c(0));
  });

  it("no identity where there is none: each kept with its operands", () => {
    for (const op of ["add", "sub", "mul", "div", "pow"] as const) {
      expect(fold(bin(op, c(2), x))).toEqual(bin(op, c(2), x));
      expect(fold(bin(op, x, c(2)))).toEqual(bin(op, x, c(2)));
      expect(fold(bin(op, x, y))).toEqual(bin(op, x, y));
    }
    // the identities belong to their own operators only
    expect(fold(bin("pow", x, c(1)))).toEqual(bin("pow", x, c(1)));
    expect(fold(bin("pow", c(0), x))).toEqual(bin("pow", c(0), x));
    expect(fold(bin("pow", x, c(0)))).toEqual(bin("pow", x, c(0)));
    expect(fold(bin("div", x, c(0)))).toEqual(bin("div", x, c(0)));
    expect(fold(bin("div", c(1), x))).toEqual(bin("div", c(1), x));
    expect(fold(bin("sub", c(1), x))).toEqual(bin("sub", c(1), x));
    expect(fold(bin("sub", x, c(1)))).toEqual(bin("sub", x, c(1)));
    expect(fold(bin("add", c(1), x))).toEqual(bin("add", c(1), x));
    expect(fold(bin("add", x, c(1)))).toEqual(bin("add", x, c(1)));
    expect(fold({ op: "and", a: c(1), b: x })).toEqual({ op: "and", a: c(1), b: x });
    expect(fold({ op: "or", a: x, b: c(0) })).toEqual({ op: "or", a: x, b: c(0) });
  });
});

describe("linearize: e = A + B x, hand-derived", () => {
  it("x itself, terms free of x, sums and differences", () => {
    expect(linearize(x, "x")).toEqual({ A: c(0), B: c(1) });
    expect(linearize(y, "x")).toEqual({ A: y, B: c(0) });
    // 3 - 2x: A = 3 - 0 = 3, B = 0 - 2 * 1 = -2
    expect(linearize(bin("sub", c(3), bin("mul", c(2), x)), "x")).toEqual({ A: c(3), B: c(-2) });
    // x + y: A = 0 + y = y, B = 1 + 0 = 1
    expect(linearize(bin("add", x, y), "x")).toEqual({ A: y, B: c(1) });
    // y - x: A = y - 0 = y, B = 0 - 1 = -1
    expect(linearize(bin("sub", y, x), "x")).toEqual({ A: y, B: c(-1) });
  });

  it("only the symbol x of this element is the variable", () => {
    // x_pre is another neuron's x: a coefficient, like y
    expect(linearize(bin("mul", s("x", "pre"), x), "x")).toEqual({ A: c(0), B: s("x", "pre") });
    expect(linearize(s("x", "post"), "x")).toEqual({ A: s("x", "post"), B: c(0) });
    expect(linearize(bin("mul", x, y), "y")).toEqual({ A: c(0), B: x });
  });

  it("negation, products with a free factor on either side, division by a free divisor", () => {
    expect(linearize({ op: "neg", a: bin("add", x, c(2)) }, "x")).toEqual({ A: c(-2), B: c(-1) });
    expect(linearize(bin("mul", y, bin("add", x, c(1))), "x")).toEqual({ A: y, B: y });
    expect(linearize(bin("mul", bin("sub", x, c(1)), c(4)), "x")).toEqual({ A: c(-4), B: c(4) });
    expect(linearize(bin("div", bin("add", c(3), x), c(2)), "x")).toEqual({ A: c(1.5), B: c(0.5) });
    expect(linearize(bin("div", bin("sub", x, c(1)), y), "x")).toEqual({ A: bin("div", c(-1), y), B: bin("div", c(1), y) });
  });

  it("refuses what is not affine in x (null), wherever the non-linearity sits", () => {
    const xx = bin("mul", x, x);
    for (const e of [
      xx,
      bin("add", xx, c(1)),
      bin("add", c(1), xx),
      bin("sub", xx, c(1)),
      bin("sub", c(1), xx),
      { op: "neg", a: xx } as Expr,
      bin("mul", c(2), xx),
      bin("mul", xx, c(2)),
      bin("div", xx, c(2)),
      bin("div", c(1), x),
      bin("div", x, x),
      bin("pow", x, c(1)),
      { op: "call", fn: "abs", args: [x] } as Expr,
      cmp("ge", x, c(0)),
    ])
      expect(linearize(e, "x")).toBeNull();
  });
});

describe("splitNoise: drift + C xi", () => {
  it("no noise: the expression is the drift and C is null", () => {
    const e = bin("add", x, c(0));
    const r = splitNoise(e)!;
    expect(r.drift).toBe(e);
    expect(r.C).toBeNull();
  });

  it("additive noise: drift and coefficient, folded", () => {
    // (y - x + 2 xi) / 4: drift (y - x) / 4, C = 2 / 4 = 0.5
    const r = splitNoise(bin("div", bin("add", bin("sub", y, x), bin("mul", c(2), xi)), c(4)))!;
    expect(r).toEqual({ drift: bin("div", bin("sub", y, x), c(4)), C: c(0.5) });
    // xi alone: drift 0, C 1
    expect(splitNoise(xi)).toEqual({ drift: c(0), C: c(1) });
    // a symbol that happens to share a name with nothing special stays in the drift
    expect(splitNoise(bin("add", s(""), xi))).toEqual({ drift: s(""), C: c(1) });
  });

  it("noise entering non-linearly: null", () => {
    expect(splitNoise(bin("mul", xi, xi))).toBeNull();
    expect(splitNoise({ op: "call", fn: "exp", args: [xi] })).toBeNull();
  });
});
