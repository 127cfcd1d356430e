/**
 * Rate units (issue 14) on the float64 reference target, each checked against values derived by
 * hand from the equations in models/reservoir/*.yaml and docs/heterogeneity.md.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Matrix, EigenvalueDecomposition } from "ml-matrix";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { callFunction } from "../../src/ir/interpret.ts";
import { jsExpr } from "../../targets/reference/codegen.ts";
import { parseExpr } from "../../src/model/parse-expr.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { spectralRadius } from "../../src/compiler/rate/spectral.ts";
import { runModel } from "../helpers/run.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-rate-"));
for (const f of ["leaky-esn-unit.yaml", "rate-synapse.yaml", "li-unit.yaml", "li-synapse.yaml"]) copyFileSync(join("models/reservoir", f), join(dir, f));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("activations", () => {
  // Hand values: tanh(0.5) = (e - 1)/(e + 1) with e = exp(1); logistic(2) = 1/(1 + exp(-2)); relu.
  const cases: [string, number, number][] = [
    ["tanh", 0.5, (Math.E - 1) / (Math.E + 1)],
    ["logistic", 0, 0.5],
    ["logistic", 2, 1 / (1 + Math.exp(-2))],
    ["relu", -1, 0],
    ["relu", 1.5, 1.5],
  ];
  it.each(cases)("%s(%d) in the interpreter and in generated kernels", (fn, x, want) => {
    expect(callFunction(fn, [x])).toBeCloseTo(want, 15);
    const code = jsExpr(parseExpr(`${fn}(a)`), () => "a");
    expect(new Function("a", `return ${code};`)(x)).toBe(callFunction(fn, [x]));
  });
});

describe("discrete leaky ESN unit with a rate projection and a CSV stream", () => {
  // Two units, one synapse 0 -> 1 with w = 0.5, a = 0.3; channel k of the CSV drives unit k.
  const u = [[0.2, -0.1], [0.5, 0.3], [-0.4, 0.8], [0.1, 0.0], [0.9, -0.6]];
  write("two.csv", "a,b\n" + u.map((r) => r.join(",")).join("\n") + "\n");
  const file = write("two.yaml", `engram: 1
kind: network
name: two
dt: 1 ms
duration: 5 ms
populations:
  res: { neuron: leaky-esn-unit.yaml, size: 2 }
projections:
  rec: { pre: res, post: res, synapse: rate-synapse.yaml, connect: { kind: pairs, pairs: [[0, 1]] }, params: { w: 0.5 } }
stimuli:
  - { kind: stream, target: res, input: I_in, source: { csv: two.csv } }
recordings:
  - { var: res.x, as: x, elements: all, every: 1 ms }
`);
  it("x(t+1) = (1 - a) x(t) + a tanh(W x(t) + u(t)) step by step", () => {
    const run = runModel(file);
    const a = 0.3;
    let x = [0, 0];
    const want: number[][] = [x];
    for (let t = 0; t < 5; t++) {
      const drive = [u[t]![0]!, 0.5 * x[0]! + u[t]![1]!];
      x = x.map((xi, i) => (1 - a) * xi + a * Math.tanh(drive[i]!));
      want.push(x);
    }
    const x0 = run.column("x[0]");
    const x1 = run.column("x[1]");
    expect(x0.length).toBe(6);
    want.forEach((w, t) => {
      expect(x0[t]).toBeCloseTo(w[0]!, 14);
      expect(x1[t]).toBeCloseTo(w[1]!, 14);
    });
  });
});

describe("continuous leaky integrator with f applied by the projection", () => {
  // tau_n = 4 ms, dt = 0.1 ms, constant input 0.8 into unit 0, w = 1.5 from 0 to 1, f = tanh.
  const file = write("li.yaml", `engram: 1
kind: network
name: li
dt: 0.1 ms
duration: 2 ms
populations:
  pop: { neuron: li-unit.yaml, size: 2 }
projections:
  syn: { pre: pop, post: pop, synapse: li-synapse.yaml, connect: { kind: pairs, pairs: [[0, 1]] }, params: { w: 1.5 } }
stimuli:
  - { kind: current, target: pop, neurons: [0], input: I_in, amplitude: 0.8 }
recordings:
  - { var: pop.v, as: v, elements: all, every: 0.1 ms }
numerics: { accelerate: false }
`);
  it("exponential Euler v += (drive - v)(1 - exp(-dt/tau)), drive from the previous step's f(v_pre)", () => {
    const run = runModel(file);
    const k = 1 - Math.exp(-0.1 / 4);
    let v = [0, 0];
    const v0 = run.column("v[0]");
    const v1 = run.column("v[1]");
    for (let t = 1; t <= 20; t++) {
      const drive = [0.8, 1.5 * Math.tanh(v[0]!)];
      v = v.map((vi, i) => vi + (drive[i]! - vi) * k);
      expect(v0[t]).toBeCloseTo(v[0]!, 13);
      expect(v1[t]).toBeCloseTo(v[1]!, 13);
    }
  });
});

describe("heterogeneity by mean and variance", () => {
  const net = (tau: string) => write(`het-${Math.abs(hash(tau))}.yaml`, `engram: 1
kind: network
name: het
dt: 1 ms
duration: 2 ms
seed: 3
populations:
  res: { neuron: li-unit.yaml, size: 20000, params: { tau_n: ${tau} } }
`);
  const taus = (tau: string) => {
    const p = compile(net(tau), { target: "reference" }).populations[0]!;
    return p.vars.find((v) => v.name === "tau_n")?.init;
  };
  const moments = (x: Float64Array) => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    return [m, x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length];
  };
  it.each(["gamma", "lognormal"])("%s: sample mean and variance match (20000 draws, within 3 standard errors)", (dist) => {
    const x = taus(`{ dist: ${dist}, mean: 4 ms, variance: 16 ms^2 }`)!;
    const [m, v] = moments(x);
    // mean 4e-3 s, sd 4e-3 s: the standard error of the mean is 4e-3 / sqrt(20000) = 2.8e-5 s.
    expect(Math.abs(m! - 4e-3)).toBeLessThan(3 * 2.9e-5);
    expect(v! / 16e-6).toBeGreaterThan(0.85);
    expect(v! / 16e-6).toBeLessThan(1.15);
    expect(Math.min(...x)).toBeGreaterThan(0);
  });
  it("truncated normal: mean and variance before truncation, draws above min", () => {
    const x = taus("{ dist: normal, mean: 4 ms, variance: 1 ms^2, min: 1 ms }")!;
    const [m, v] = moments(x);
    expect(Math.abs(m! - 4e-3)).toBeLessThan(3 * 1e-3 / Math.sqrt(20000));
    expect(v! / 1e-6).toBeCloseTo(1, 1);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(1e-3);
  });
  it("zero variance is the homogeneous network: one fixed value, no draw", () => {
    const p = compile(net("{ dist: gamma, mean: 4 ms, variance: 0 ms^2 }"), { target: "reference" }).populations[0]!;
    expect(p.vars.find((v) => v.name === "tau_n")).toBeUndefined(); // inlined as a constant
  });
  it("the same seed draws the same network", () => {
    expect(Array.from(taus("{ dist: gamma, mean: 4 ms, variance: 4 ms^2 }")!)).toEqual(Array.from(taus("{ dist: gamma, mean: 4 ms, variance: 4 ms^2 }")!));
  });
  it("a variance in the wrong unit is a located error", () => {
    expect(() => compile(net("{ dist: gamma, mean: 4 ms, variance: 4 ms }"), { target: "reference" })).toThrow(/variance.*square of the mean's unit/);
  });
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

describe("sparse recurrent weights scaled to a spectral radius", () => {
  it("spectralRadius: hand-derived 2 x 2 cases (real and complex eigenvalues)", () => {
    // [[0, 2], [0.5, 0]]: lambda^2 = 1. [[0, -1], [1, 0]]: lambda = +-i.
    expect(spectralRadius(2, Int32Array.from([1, 0]), Int32Array.from([0, 1]), Float64Array.from([2, 0.5]))).toBeCloseTo(1, 14);
    expect(spectralRadius(2, Int32Array.from([1, 0]), Int32Array.from([0, 1]), Float64Array.from([-1, 1]))).toBeCloseTo(1, 14);
  });
  it("spectralRadius remembers a matrix by its content: the same radius again, another matrix its own", () => {
    const pre = Int32Array.from([1, 0]), post = Int32Array.from([0, 1]);
    expect(spectralRadius(2, pre, post, Float64Array.from([2, 0.5]))).toBeCloseTo(1, 14);
    expect(spectralRadius(2, pre, post, Float64Array.from([8, 0.5]))).toBeCloseTo(2, 14); // same indices, other weights
    expect(spectralRadius(2, post, pre, Float64Array.from([8, 0.5]))).toBeCloseTo(2, 14);
    expect(spectralRadius(2, pre, post, Float64Array.from([2, 0.5]))).toBeCloseTo(1, 14);
  });
  it("mackey-glass.yaml: p = 0.1 without autapses, radius 1.25", () => {
    const program = compile("models/reservoir/mackey-glass.yaml", { target: "reference" });
    const rec = program.projections.find((p) => p.name === "rec")!;
    const w = rec.vars.find((v) => v.name === "w")!.init;
    for (let k = 0; k < w.length; k++) expect(rec.preIndex[k]).not.toBe(rec.postIndex[k]);
    expect(w.length / (100 * 99)).toBeGreaterThan(0.08);
    expect(w.length / (100 * 99)).toBeLessThan(0.12);
    const m = Matrix.zeros(100, 100);
    for (let k = 0; k < w.length; k++) m.set(rec.postIndex[k]!, rec.preIndex[k]!, w[k]!);
    const e = new EigenvalueDecomposition(m);
    const r = Math.max(...e.realEigenvalues.map((re, i) => Math.hypot(re, e.imaginaryEigenvalues[i]!)));
    expect(r).toBeCloseTo(1.25, 10);
  });
  it("mackey-glass-plastic.yaml: the plastic weight w starts at the scaled w0 (radius 1.25), not the unscaled draw", () => {
    // Before the fix, w's initial value was computed from w0 before the spectral radius scaled it.
    const rec = compile("models/reservoir/mackey-glass-plastic.yaml", { target: "reference" }).projections.find((p) => p.name === "rec")!;
    const w0 = rec.vars.find((v) => v.name === "w0")!.init;
    const w = rec.vars.find((v) => v.name === "w")!.init;
    expect(Array.from(w)).toEqual(Array.from(w0));
    expect(spectralRadius(100, rec.preIndex, rec.postIndex, w)).toBeCloseTo(1.25, 10);
  });
});

describe("refusals", () => {
  it("a synapse reading a summed variable (a partial sum within the step) is a located error", () => {
    write("bad-syn.yaml", "engram: 1\nkind: synapse\nparams: { w: 0.5 }\nsummed:\n  I_rec_post: w * I_rec_pre\n");
    const file = write("bad-summed.yaml", `engram: 1
kind: network
dt: 1 ms
duration: 2 ms
populations:
  res: { neuron: leaky-esn-unit.yaml, size: 2 }
projections:
  rec: { pre: res, post: res, synapse: bad-syn.yaml, connect: all_to_all }
`);
    try {
      compile(file, { target: "reference" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      const d = (e as EngramError).diagnostics[0]!;
      expect(d.code).toBe("summed-read");
      expect(d.where?.file).toContain("bad-syn.yaml");
      expect(d.received).toBe("I_rec_pre");
    }
  });
  it("a stream stimulus on a target without stream inputs is refused (cannot-lower), not dropped silently", () => {
    const file = write("stream-chip.yaml", `engram: 1
kind: network
dt: 1 ms
duration: 50 ms
populations:
  res: { neuron: li-unit.yaml, size: 2 }
stimuli:
  - { kind: stream, target: res, input: I_in, source: { channels: { count: 2 } } }
`);
    const program = compile(file, { target: "cmos" });
    const caps = { ...getTarget("cmos").caps, streams: null };
    expect(() => compileFixed(program, caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun })).toThrow(/stream stimuli .* need a stream input, and cmos declares none \(capabilities: streams\)/);
  });
  it("a rate model on a target without function tables is refused naming the activation, not an internal error", () => {
    const program = compile("models/reservoir/mackey-glass.yaml", { target: "cmos" });
    const caps = { ...getTarget("cmos").caps, functionTables: null };
    expect(() => compileFixed(program, caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun })).toThrow(/tanh\(.*\) in res: cmos declares no function tables \(capabilities: functionTables\)/);
  });
});
