/**
 * Issue 17: the source code's softmax cross-entropy output error e = softmax(y) - onehot
 * (seed-models.md C.1) as equations: the normalisation is a reduction over the output layer (a
 * projection of the layer onto itself, softmax-sum-synapse.yaml) in log-sum-exp form, so the
 * chips need tables for exp and log but no division (models/chemical/softmax-output-unit.yaml).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { tableError, tableGrid } from "../../src/compiler/fixed/activation.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { runModel } from "../helpers/run.ts";
import { expectSameAsInterpreter } from "../helpers/same-as-interpreter.ts";

const SUMS = "tests/fixtures/chemical/softmax-sums.yaml";
const y = [0.6, -0.3], W = [[1.5, -0.1], [0.2, 0.7], [-0.4, 2.3]], T = [0, 1, 0];
const yo = W.map((r) => r[0]! * y[0]! + r[1]! * y[1]!);
const Z = yo.reduce((s, v) => s + Math.exp(v), 0);
const softmaxError = yo.map((v, k) => Math.exp(v) / Z - T[k]!);

describe("softmax cross-entropy output error", () => {
  it("float64: e_k = exp(y_k) / sum_j exp(y_j) - T_k, against the values by hand", () => {
    const r = runModel(SUMS);
    for (let k = 0; k < 3; k++) {
      expect(r.final(`y[${k}]`)).toBeCloseTo(yo[k]!, 12);
      expect(r.final(`lz[${k}]`)).toBeCloseTo(Math.log(Z), 12);
      expect(r.final(`e[${k}]`)).toBeCloseTo(softmaxError[k]!, 12);
    }
    // The errors of a softmax sum to 1 - 1 = 0.
    expect(r.final("e[0]") + r.final("e[1]") + r.final("e[2]")).toBeCloseTo(0, 12);
  });

  for (const target of ["cmos", "bss2"] as const) {
    it(`${target}: emulator = IR interpreter, and e within 0.02 of the softmax by hand`, { timeout: 120_000 }, () => {
      const ir = compileFixed(compile(SUMS, { target }), getTarget(target).caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun }).ir;
      expectSameAsInterpreter(ir);
      const emu = new Emulator(ir, "generated");
      emu.run(ir.header.duration_ticks);
      const i = ir.probes.findIndex((q) => q.column.startsWith("e"));
      const p = emu.probes[i]!;
      const last = p.data.slice(-p.width);
      // Raw integers to values: the state's fractional bits (e is dimensionless).
      const frac = ir.states[ir.probes[i]!.state]!.format.frac;
      for (let k = 0; k < 3; k++) expect(Math.abs(last[k]! * 2 ** -frac - softmaxError[k]!), `e[${k}]`).toBeLessThan(0.02);
    });
  }

  it("the blob network with the softmax error: bss2 and cmos bit-exact with the IR interpreter", { timeout: 120_000 }, () => {
    for (const target of ["cmos", "bss2"] as const) {
      const ir = compileFixed(compile("models/chemical/blobs-chemical-1-softmax.yaml", { target }), getTarget(target).caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun }).ir;
      expectSameAsInterpreter(ir, 40);
    }
  });

  it("cmos, 60 s of online learning: the outputs end within 0.1 of float64 (uncentred they drift together to the format's -8; with exp(y) unclipped its table rounds to whole units and they end 0.28 off)", { timeout: 120_000 }, () => {
    const FILE = "models/chemical/blobs-chemical-1-softmax.yaml";
    const ref = runModel(FILE);
    const ir = compileFixed(compile(FILE, { target: "cmos" }), getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun }).ir;
    const emu = new Emulator(ir, "generated");
    emu.run(ir.header.duration_ticks);
    const i = ir.probes.findIndex((q) => q.column.startsWith("y"));
    const p = emu.probes[i]!;
    const frac = ir.states[ir.probes[i]!.state]!.format.frac;
    const last = p.data.slice(-p.width);
    for (let k = 0; k < 3; k++) expect(Math.abs(last[k]! * 2 ** -frac - ref.final(`y[${k}]`)), `y[${k}]`).toBeLessThan(0.1);
  });

  it("log as a table: within h^2 / (8 x_min^2) over [0.5, 20] on 256 entries; a range reaching 0 is refused", () => {
    const g = tableGrid("log", [0.5, 20], 256);
    expect(g.floor).toBe(0.5);
    expect(g.shift).toBe(3); // h = 1/8: 157 segments; h = 1/16 would need 313
    // Linear interpolation of log: error <= h^2 max|f''| / 8 = (1/8)^2 / (8 * 0.5^2) = 7.8e-3, plus half an output LSB.
    expect(tableError("log", g, 12, true)).toBeLessThan(2 ** -6 / 8 / 0.25 + 2 ** -13);
    // y and s move together from 0 to 1, so 1 + y - s is 1 throughout (float64 runs), but its
    // interval [0, 2] reaches 0: the table has no value to start from there.
    const dir = mkdtempSync(join(tmpdir(), "engram-softmax-"));
    writeFileSync(join(dir, "unit.yaml"), `engram: 1
kind: neuron
name: log-unit
params:
  tau: 20 ms
state:
  y: { unit: 1, init: 0, ode: (-y + 1) / tau }
  s: { unit: 1, init: 0, ode: (-s + 1) / tau }
  c: { unit: 1, init: 0, ode: (-c + log(1 + y - s)) / tau }
`);
    const file = join(dir, "net.yaml");
    writeFileSync(file, "engram: 1\nkind: network\nname: log-zero\ndt: 1 ms\nduration: 100 ms\npopulations:\n  p: { neuron: unit.yaml, size: 1 }\n");
    expect(() => compileFixed(compile(file, { target: "cmos" }), getTarget("cmos").caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun })).toThrow(/reaches 0 or below, where log has no value/);
  });
});
