/**
 * What the compiler's front end keeps per process (a study compiles the same model files once
 * per run): parsed YAML files by their text (src/model/load.ts), mathjs' expression trees and
 * quantities by text (src/model/parse-expr.ts, src/model/units.ts). Each is parsed once; an
 * edited file is parsed again; no caller can change what the next one gets.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readYaml } from "../../src/model/load.ts";
import { math, NumberRangeError, parseQuantity, UnitParseError } from "../../src/model/units.ts";
import { parseExpr } from "../../src/model/parse-expr.ts";

afterEach(() => vi.restoreAllMocks());

describe("front-end caches", () => {
  it("parses a model file once per text, again once it changes, and hands out frozen data", () => {
    const file = join(mkdtempSync(join(tmpdir(), "engram-parse-cache-")), "m.yaml");
    writeFileSync(file, "engram: 1\nkind: neuron\nparams: { tau: 10 ms }\n");
    const a = readYaml(file), b = readYaml(file);
    expect(b).toBe(a);
    expect(a.locate(["params", "tau"]).line).toBe(3);
    expect(() => {
      (a.data.params as Record<string, unknown>).tau = "20 ms";
    }).toThrow(TypeError);
    writeFileSync(file, "engram: 1\nkind: neuron\n\nparams: { tau: 20 ms }\n");
    const c = readYaml(file);
    expect(c).not.toBe(a);
    expect((c.data.params as Record<string, unknown>).tau).toBe("20 ms");
    expect(c.locate(["params", "tau"]).line).toBe(4);
  });

  it("parses a quantity once, and a text that is no quantity once, raising the same error each time", () => {
    const unit = vi.spyOn(math, "unit");
    const q1 = parseQuantity("41.25 ms");
    (q1.dimension as number[])[2] = 99; // the caller's own copy
    const q2 = parseQuantity("41.25 ms");
    expect(q2.si).toBeCloseTo(0.04125, 15);
    expect(q2.dimension[2]).toBe(1);
    expect(unit).toHaveBeenCalledTimes(1);
    // A parameter expression: the caller falls back to parseExpr on this error.
    for (let k = 0; k < 2; k++) {
      let e: unknown;
      try {
        parseQuantity("0.25 * h_zero_cache_test");
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(UnitParseError);
      expect(e).not.toBeInstanceOf(NumberRangeError);
    }
    expect(unit).toHaveBeenCalledTimes(2);
    expect(() => parseQuantity("1e400 ms")).toThrow(NumberRangeError);
    expect(() => parseQuantity("1e400 ms")).toThrow(NumberRangeError);
  });

  it("parses an expression once and builds a new tree for every caller", () => {
    const parse = vi.spyOn(math, "parse");
    const a = parseExpr("-(V - V_cache_test) / tau");
    const b = parseExpr("-(V  -  V_cache_test) / tau"); // same after whitespace is folded
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    expect(parse).toHaveBeenCalledTimes(1);
  });
});
