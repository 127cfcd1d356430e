/**
 * The expression language: parser, constant folding, the affine decomposition used by
 * exponential Euler, and the generated JavaScript against the interpreter (the definition),
 * on random expression trees.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseExpr, parseAssignment, ExprSyntaxError } from "../../src/model/parse-expr.ts";
import { evaluate, fold, linearize, splitNoise } from "../../src/ir/interpret.ts";
import { show, type Expr } from "../../src/ir/expr.ts";
import { jsExpr, odeStatements, Memo, instantiate } from "../../targets/reference/codegen.ts";
import type { OdeUpdate } from "../../src/ir/program.ts";

const env: Record<string, number> = { x: 0.7, y: -1.3, z: 2.5 };
const lookup = (n: string) => env[n]!;

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.double({ min: -10, max: 10, noNaN: true }).map((value) => ({ op: "const", value }) as Expr),
  fc.constantFrom("x", "y", "z").map((name) => ({ op: "sym", name, scope: "self" }) as Expr),
);
const tree: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.record({ op: fc.constantFrom("add", "sub", "mul", "div"), a: tie("e"), b: tie("e") }) as fc.Arbitrary<Expr>,
    fc.record({ op: fc.constant("neg"), a: tie("e") }) as fc.Arbitrary<Expr>,
    fc.record({ op: fc.constant("call"), fn: fc.constantFrom("H", "abs", "exp", "sqrt"), args: tie("e").map((a) => [a]) }) as fc.Arbitrary<Expr>,
    fc.record({ op: fc.constant("cmp"), cmp: fc.constantFrom("ge", "gt", "le", "lt"), a: tie("e"), b: tie("e") }) as fc.Arbitrary<Expr>,
  ),
})).e;

const generated = (e: Expr): number => instantiate<() => number>([], `const x = ${env.x}, y = ${env.y}, z = ${env.z}; return () => ${jsExpr(e, (n) => n)};`, [])();
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe("expressions", () => {
  it("parses arithmetic, comparisons, functions and the noise symbol", () => {
    expect(show(parseExpr("(-(V - V_rev) + R * I) / tau"))).toBe("(((-(V - V_rev)) + (R * I)) / tau)");
    expect(show(parseExpr("H(Ca - theta_p) * xi"))).toBe("(H((Ca - theta_p)) * xi)");
    expect(show(parseExpr("heaviside(x)"))).toBe("H(x)");
    expect(parseAssignment("Ca += Ca_pre")).toMatchObject({ target: "Ca", op: "+=" });
  });

  it("rejects what is not arithmetic", () => {
    expect(() => parseExpr("f(x)")).toThrow(ExprSyntaxError);
    expect(() => parseExpr('"text"')).toThrow(/only numbers/);
    expect(() => parseExpr("x = 3")).toThrow(/not a plain expression/);
    expect(() => parseExpr("(x")).toThrow(/cannot parse/);
    expect(() => parseAssignment("x + 1")).toThrow(/not an assignment/);
  });

  it("generated JS computes exactly what the interpreter computes", () => {
    fc.assert(
      fc.property(tree, (e) => {
        expect(same(generated(e), evaluate(e, lookup))).toBe(true);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it("constant folding preserves values (up to the documented sign of a folded zero)", () => {
    fc.assert(
      fc.property(tree, (e) => {
        const a = evaluate(e, lookup);
        const b = evaluate(fold(e), lookup);
        // fold turns 0 * e into +0: equal as numbers, and only where e is finite
        if (Number.isFinite(a)) expect(a === b || same(a, b)).toBe(true);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it("affine decomposition: A + B x equals the expression wherever it applies", () => {
    fc.assert(
      fc.property(tree, fc.double({ min: -5, max: 5, noNaN: true }), (e, x) => {
        const lin = linearize(e, "x");
        if (!lin) return;
        const at = (n: string) => (n === "x" ? x : env[n]!);
        const direct = evaluate(e, at);
        const viaAB = evaluate(lin.A, at) + evaluate(lin.B, at) * x;
        if (Number.isFinite(direct) && Math.abs(direct) < 1e6) expect(Math.abs(direct - viaAB)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(direct)));
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  it("splits drift from the white-noise term", () => {
    const s = splitNoise(parseExpr("(a - h + sqrt(k) * s * xi) / tau"))!;
    expect(show(s.drift)).toBe("((a - h) / tau)");
    expect(show(s.C!)).toBe("((sqrt(k) * s) / tau)");
    expect(splitNoise(parseExpr("xi * xi"))).toBeNull();
  });

  it("exponential-Euler update is exact for constant coefficients (hand-derived: x(t) = x_inf + (x0 - x_inf) e^(-t/tau))", () => {
    const tau = 0.05, xInf = 2, x0 = 5;
    const u: OdeUpdate = { var: "x", rhs: parseExpr("(2 - x) / 0.05"), linear: true, A: { op: "const", value: xInf / tau }, B: { op: "const", value: -1 / tau }, C: null, holdWhenRefractory: false, autonomous: true };
    const memo = new Memo();
    const onDt: string[] = [];
    const stmt = odeStatements(u, "x", (n) => n, 0, memo, onDt);
    const step = instantiate<(x: number, dt: number) => number>(["mm"], `const m = mm.create(); return (x, dt) => { const sqrtDt = Math.sqrt(dt); ${onDt.join(" ")} ${stmt} return x; };`, [memo]);
    for (const dt of [2e-4, 0.01, 1]) expect(step(x0, dt)).toBeCloseTo(xInf + (x0 - xInf) * Math.exp(-dt / tau), 12);
  });
});
