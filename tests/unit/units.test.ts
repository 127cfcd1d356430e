import { describe, expect, it } from "vitest";
import { parseQuantity, parseUnit, sameDimension, formatDimension, UnitParseError } from "../../src/model/units.ts";
import { exprDimension, DimensionError } from "../../src/compiler/passes/check-units.ts";
import { parseExpr } from "../../src/model/parse-expr.ts";

describe("units", () => {
  it("parses quantities to SI", () => {
    expect(parseQuantity("48.8 ms").si).toBeCloseTo(0.0488, 15);
    expect(parseQuantity("10 Mohm").si).toBe(1e7);
    expect(parseQuantity("10 MOhm").si).toBe(1e7);
    expect(parseQuantity("60 min").si).toBe(3600);
    expect(parseQuantity(0.5).si).toBe(0.5);
    expect(sameDimension(parseQuantity("1 Mohm nA").dimension, parseUnit("mV").dimension)).toBe(true);
  });

  it("rejects unknown units and non-finite numbers", () => {
    expect(() => parseQuantity("3 furlongs")).toThrow(UnitParseError);
    expect(() => parseQuantity(Infinity)).toThrow(UnitParseError);
  });

  it("checks the dimensions of equations", () => {
    const dims: Record<string, string> = { V: "mV", V_rev: "mV", R: "Mohm", I: "nA", tau: "ms", s: "mV" };
    const dimOf = (n: string) => parseUnit(dims[n]!).dimension;
    const rhs = exprDimension(parseExpr("(-(V - V_rev) + R * I) / tau"), dimOf, "");
    expect(formatDimension(rhs)).toMatch(/^voltage per time/);
    expect(() => exprDimension(parseExpr("V + I"), dimOf, "V + I")).toThrow(DimensionError);
    expect(() => exprDimension(parseExpr("exp(V)"), dimOf, "exp(V)")).toThrow(/dimensionless/);
    // white noise xi is s^-1/2: sqrt(tau) * s * xi / tau has units of mV/s
    expect(sameDimension(exprDimension(parseExpr("sqrt(tau) * s * xi / tau"), dimOf, ""), rhs)).toBe(true);
  });
});
