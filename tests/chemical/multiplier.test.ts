/**
 * Issue 17, item 3: the weight-dependent multiplier (seed-models.md D). Its sign rule against
 * hand-derived values, its use on the STC and Hebbian-homeostatic rules, its exp(-gamma (w - a)^2)
 * as a LOOKUP table on both chips (bit-exact with the IR interpreter), and its located errors.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { runModel } from "../helpers/run.ts";
import { expectSameAsInterpreter } from "../helpers/same-as-interpreter.ts";

const m = (w: number) => 2 * (1 - Math.exp(-4 * (w - 0.25) ** 2)); // lambda = 2, gamma = 4, a = 0.25 (drift-synapse.yaml)

describe("multiplier: sign rule (hand-derived, one forward-Euler step of 10 ms, drift k = +-1 /s)", () => {
  const r = runModel("tests/fixtures/sticky/drift.yaml");
  const after = (i: number) => r.column(`w[${i}]`)[1]!;
  it("moving away from a (w > a, k > 0; w < a, k < 0) is scaled by m(w)", () => {
    expect(after(0)).toBeCloseTo(0.75 + 0.01 * m(0.75), 15);
    expect(after(2)).toBeCloseTo(-0.25 - 0.01 * m(-0.25), 15);
    // m(0.75) = 2 (1 - e^-1) = 1.264: with lambda > 1 a weight far from a moves away faster than without.
    expect(after(0) - 0.75).toBeGreaterThan(0.01);
  });
  it("moving towards a is not scaled", () => {
    expect(after(1)).toBeCloseTo(0.74, 15);
    expect(after(3)).toBeCloseTo(-0.24, 15);
  });
  it("at w = a every update counts as moving away, and m(a) = 0: the weight sticks", () => {
    expect(after(4)).toBe(0.25);
    expect(after(5)).toBe(0.25);
  });
});

describe("multiplier on the STC rule (h, attractor a = h0)", () => {
  it("at a = h0 the early-phase weight never leaves h0 through LTP induction", () => {
    const plain = runModel("models/stc/basic-early.yaml");
    const sticky = runModel("tests/fixtures/sticky/basic-early-sticky.yaml");
    const h0 = 0.5 * 10 * 1645.6 / (1645.6 + 313.1);
    expect(plain.final("h")).toBeGreaterThan(h0 + 0.03); // 4.233 mV (stc-model.md section 7)
    for (const v of sticky.column("h")) expect(v).toBeCloseTo(h0, 12);
  });
  it("with a below h0, LTP (away) is damped by m < 1 and LTD (towards) is not: h ends below the plain rule's", () => {
    const plain = runModel("models/stc/basic-early.yaml").final("h");
    const away = runModel("tests/fixtures/sticky/basic-early-sticky-off.yaml").final("h");
    expect(away).toBeLessThan(plain - 0.05);
  });
});

const lookups = (ir: { kernels: { ops: { op: number }[] }[] }) => ir.kernels.reduce((n, k) => n + k.ops.filter((o) => o.op === OP_BY_NAME.get("LOOKUP")!.code).length, 0);

describe("multiplier on chips: exp as a LOOKUP table, emulator = IR interpreter", () => {
  for (const target of ["cmos", "bss2"] as const) {
    it(`${target}: STC with the multiplier stays within the plain rule's fixed-point error of float64`, { timeout: 60_000 }, () => {
      const file = "tests/fixtures/sticky/basic-early-sticky-off.yaml";
      const { ir } = compileFixed(compile(file, { target }), getTarget(target).caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
      expect(lookups(ir)).toBeGreaterThanOrEqual(1);
      expectSameAsInterpreter(ir, 300);
      const emu = new Emulator(ir, "generated");
      emu.run(ir.header.duration_ticks);
      const probe = ir.probes.findIndex((p) => p.column === "h");
      const fmt = ir.states[ir.probes[probe]!.state]!.format;
      const h = emu.probes[probe]!.data.at(-1)! * 2 ** -fmt.frac / ir.states[ir.probes[probe]!.state]!.unit_scale;
      const float = runModel(file).final("h");
      // The plain basic-early differs from float64 by 0.012 (cmos) and 0.040 mV (bss2) at this width.
      expect(Math.abs(h - float)).toBeLessThan(0.05);
    });
  }
  it("the Hebbian-homeostatic rule with the multiplier compiles for cmos with a table and runs bit-exactly", { timeout: 60_000 }, () => {
    const { ir } = compileFixed(compile("tests/fixtures/sticky/esn-sticky.yaml", { target: "cmos" }), getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
    expect(lookups(ir)).toBeGreaterThanOrEqual(3); // tanh (value, slope) and exp
    expectSameAsInterpreter(ir, 60);
  });
});

describe("multiplier: located errors", () => {
  const write = (body: string) => {
    const dir = mkdtempSync(join(tmpdir(), "engram-sticky-"));
    writeFileSync(join(dir, "syn.yaml"), body);
    writeFileSync(join(dir, "net.yaml"), `engram: 1\nkind: network\ndt: 10 ms\nduration: 10 ms\npopulations:\n  pre: { source: true, size: 1 }\n  post: { neuron: ${process.cwd()}/models/reservoir/li-unit.yaml, size: 1 }\nprojections:\n  syn: { pre: pre, post: post, synapse: syn.yaml, connect: one_to_one }\n`);
    return join(dir, "net.yaml");
  };
  const errorOf = (file: string) => {
    try {
      compile(file, { target: "reference" });
    } catch (e) {
      if (e instanceof EngramError) return e.diagnostics;
      throw e;
    }
    throw new Error("no error");
  };
  it("a multiplier on a name that is not a state variable with an ode", () => {
    const d = errorOf(write(`engram: 1\nkind: synapse\nparams: { k: 1, t1: 1 s }\nstate:\n  w: { unit: 1, init: 0, ode: k / t1 }\nmultiplier: { var: v, a: 0, gamma: 1, lambda: 1 }\n`));
    expect(d[0]!.code).toBe("undefined-symbol");
    expect(d[0]!.received).toBe("v");
    expect(d[0]!.where?.line).toBe(6);
  });
  it("an attractor in the wrong unit is a unit error", () => {
    const d = errorOf(write(`engram: 1\nkind: synapse\nparams:\n  k: 1 mV\n  t1: 1 s\n  a: 1 s\nstate:\n  w: { unit: mV, init: 0 mV, ode: k / t1 }\nmultiplier: { var: w, a: a, gamma: 1, lambda: 1 }\n`));
    expect(d[0]!.code).toBe("wrong-unit");
  });
});

describe("exp as a table (activation.ts)", () => {
  it("the grid is clipped below at -14.5 and the interpolated table is within 1e-4 of exp over [-14.5, 0] at 1024 entries", async () => {
    const { tableGrid, tableError } = await import("../../src/compiler/fixed/activation.ts");
    const g = tableGrid("exp", [-40, 0], 1024);
    expect(g.lo).toBeGreaterThanOrEqual(-14.5 - 2 ** -g.shift);
    expect(g.lo + g.segments * 2 ** -g.shift).toBeGreaterThanOrEqual(0);
    expect(tableError("exp", g, 16, true)).toBeLessThan(1e-4);
  });
});
