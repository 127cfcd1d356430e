/**
 * Issue 17: the chemical synapse for any L (scripts/seed-models/chemical-synapse.ts). The committed
 * L = 1 and L = 3 files are the generator's output; for L = 2 and L = 5 the generated file has L
 * chemicals, an L x L K, an L x terms P and L v's with tau spread geometrically between tau_min and
 * tau_max, and one step of it matches the update derived by hand (seed-models.md C.2):
 *   u_i = sum_j K_ij h_j + sum_r P_ir F_r, h_i <- h_i + tanh(u_i) / tau_i for the integrator (c_0 = 0),
 *   h_i <- h_i e^(-1/tau_i) + tanh(u_i) (1 - e^(-1/tau_i)) when K_ii = 0, h_i <- h_i + (-h_i + tanh(u_i)) / tau_i
 *   when K_ii != 0, in declaration order (chemical i reads the new h_j, j < i).
 * K, P and v load from .npy / .csv with their shapes checked.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chemicalSynapseYaml, matrixFromFile } from "../../scripts/seed-models/chemical-synapse.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { runModel } from "../helpers/run.ts";
import { expectSameAsInterpreterIn } from "../helpers/same-as-interpreter.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CONST = join(ROOT, "tests/fixtures/chemical/const-layer-unit.yaml");

describe("chemical synapse for any L: the generator", () => {
  for (const L of [1, 3]) {
    it(`models/chemical/chemical-synapse-${L}.yaml is its output for L = ${L}`, () => {
      expect(chemicalSynapseYaml({ L })).toBe(readFileSync(join(ROOT, `models/chemical/chemical-synapse-${L}.yaml`), "utf8"));
    });
  }

  for (const L of [2, 5]) {
    it(`L = ${L}: L chemicals, L x L K, L x 3 P, L v's, tau geometric from 1 to 50 steps`, () => {
      const doc = parse(chemicalSynapseYaml({ L }));
      expect(Object.keys(doc.state)).toEqual(Array.from({ length: L }, (_, i) => `h_${i}`));
      const params = Object.keys(doc.params);
      expect(params.filter((p) => p.startsWith("K_"))).toHaveLength(L * L);
      expect(params.filter((p) => p.startsWith("P_"))).toHaveLength(L * 3);
      expect(params.filter((p) => p.startsWith("v_"))).toHaveLength(L);
      expect(params.filter((p) => /^tau_\d+$/.test(p))).toHaveLength(L);
      expect(doc.params.tau_0).toBe("tau_min");
      expect(doc.params[`tau_${L - 1}`]).toBe("tau_max");
      if (L === 5) expect(doc.params.tau_1).toBe("tau_min * (tau_max / tau_min)^0.25");
    });
  }

  it("more than 10 chemicals name K_i_j (K_110 would be ambiguous)", () => {
    const doc = parse(chemicalSynapseYaml({ L: 11 }));
    expect(doc.params.K_1_10).toBe(0);
    expect(doc.params.K_110).toBeUndefined();
  });
});

/** One step of a generated synapse between two const units; the recorded h_i after it. */
function oneStep(yaml: string, L: number, params: Record<string, number>): number[] {
  const dir = mkdtempSync(join(tmpdir(), "engram-chem-"));
  writeFileSync(join(dir, "syn.yaml"), yaml);
  writeFileSync(join(dir, "net.yaml"), `engram: 1
kind: network
name: one-step
dt: 10 ms
duration: 10 ms
populations:
  a: { neuron: ${CONST}, size: 1, params: { y0: 0.6, e0: -0.2, r0: 0.3 } }
  b: { neuron: ${CONST}, size: 1, params: { y0: -0.4, e0: 0.5, r0: 0 } }
projections:
  w:
    pre: a
    post: b
    synapse: syn.yaml
    connect: all_to_all
    params: { w0: 0.3${Object.entries(params).map(([k, v]) => `, ${k}: ${v}`).join("")} }
recordings:
${Array.from({ length: L }, (_, i) => `  - { var: w.h_${i}, as: h${i}, every: 10 ms }`).join("\n")}
`);
  const r = runModel(join(dir, "net.yaml"));
  return Array.from({ length: L }, (_, i) => r.final(`h${i}`));
}

const yPre = 0.6, ePre = -0.2, rPre = 0.3, yPost = -0.4, ePost = 0.5;
const F0 = -ePost * yPre, F2 = -ePost * ePre, F9 = yPost * yPre - yPost * rPre;

describe("chemical synapse for any L: one step by hand", () => {
  it("L = 2: tau 1 and 50 steps; h_1 reads the new h_0 and relaxes exactly", () => {
    const got = oneStep(chemicalSynapseYaml({ L: 2 }), 2, { K_01: 0.5, K_10: -0.4, P_0_0: 0.1, P_0_2: 0.05, P_1_0: 0.2, P_1_9: 0.3 });
    const h0 = 0.3 + Math.tanh(0.5 * 0.3 + 0.1 * F0 + 0.05 * F2);
    const d = Math.exp(-1 / 50);
    const h1 = 0.3 * d + Math.tanh(-0.4 * h0 + 0.2 * F0 + 0.3 * F9) * (1 - d);
    expect(got[0]).toBeCloseTo(h0, 12);
    expect(got[1]).toBeCloseTo(h1, 12);
  });

  it("L = 5: tau 1, 2.66, 7.07, 18.8, 50 steps; K, P from the options; h_2 (K_22 != 0) by forward Euler", () => {
    const K = [
      [0, 0.2, 0, 0, 0.1],
      [0.3, 0, 0, 0, 0],
      [0, -0.5, 0.4, 0, 0],
      [0, 0, 0.6, 0, -0.2],
      [0.1, 0.1, 0.1, 0.1, 0],
    ];
    const P = [
      [0.1, 0.05, 0],
      [0.2, 0, 0.3],
      [0, -0.1, 0.2],
      [0.4, 0, 0],
      [0.01, 0.02, 0.03],
    ];
    const got = oneStep(chemicalSynapseYaml({ L: 5, K, P, v: [0.2, 0.2, 0.2, 0.2, 0.2] }), 5, {});
    const tau = [1, 50 ** 0.25, 50 ** 0.5, 50 ** 0.75, 50];
    const h = [0.3, 0.3, 0.3, 0.3, 0.3];
    const u = (i: number) => K[i]!.reduce((s, k, j) => s + k * h[j]!, 0) + P[i]![0]! * F0 + P[i]![1]! * F2 + P[i]![2]! * F9;
    h[0] = h[0]! + Math.tanh(u(0)) / tau[0]!; // the integrator
    for (const i of [1, 3, 4]) {
      const d = Math.exp(-1 / tau[i]!);
      h[i] = h[i]! * d + Math.tanh(u(i)) * (1 - d);
      if (i === 1) h[2] = h[2]! + (-h[2]! + Math.tanh(u(2))) / tau[2]!; // in declaration order
    }
    got.forEach((g, i) => expect(g, `h_${i}`).toBeCloseTo(h[i]!, 12));
  });
});

describe("chemical synapse for any L: K, P, v from files", () => {
  const dir = mkdtempSync(join(tmpdir(), "engram-chem-files-"));
  it("a .csv K [2, 2] and a .csv v [2] are read as they are", () => {
    writeFileSync(join(dir, "K.csv"), "0,0.5\n-0.4,0\n");
    writeFileSync(join(dir, "v.csv"), "0.25,0.75\n");
    expect(matrixFromFile(join(dir, "K.csv"), "K", 2, 2)).toEqual([[0, 0.5], [-0.4, 0]]);
    const doc = parse(chemicalSynapseYaml({ L: 2, K: matrixFromFile(join(dir, "K.csv"), "K", 2, 2), v: matrixFromFile(join(dir, "v.csv"), "v", 1, 2)[0] }));
    expect([doc.params.K_01, doc.params.K_10, doc.params.v_0, doc.params.v_1]).toEqual([0.5, -0.4, 0.25, 0.75]);
  });

  it("a K of the wrong shape is a located error naming the file and both shapes", () => {
    writeFileSync(join(dir, "K3.csv"), "0,0,0\n0,0,0\n0,0,0\n");
    let err: unknown;
    try {
      matrixFromFile(join(dir, "K3.csv"), "K", 2, 2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngramError);
    const d = (err as EngramError).diagnostics[0]!;
    expect(d.code).toBe("shape-mismatch");
    expect(d.message).toContain("K3.csv");
    expect(d.message).toContain("expected shape [2, 2], found [3, 3]");
  });

  it("a bad cell is the loader's located error", () => {
    writeFileSync(join(dir, "Pbad.csv"), "0.01,x,0\n");
    expect(() => matrixFromFile(join(dir, "Pbad.csv"), "P", 1, 3)).toThrow(/line 1, cell 2: "x" is not a number/);
  });

  it("options of the wrong shape are refused", () => {
    expect(() => chemicalSynapseYaml({ L: 3, K: [[0, 0], [0, 0]] })).toThrow("K must be a 3 x 3 matrix, found 2 x 2");
    expect(() => chemicalSynapseYaml({ L: 0 })).toThrow("L must be a whole number of at least 1");
  });
});

describe("chemical synapse for any L: on the chips", () => {
  for (const target of ["cmos", "bss2"] as const) {
    it(`L = 5 (blobs-chemical-5.yaml), ${target}: emulator = IR interpreter, and the chemicals move`, { timeout: 120_000 }, () => {
      const ir = compileFixed(compile("models/chemical/blobs-chemical-5.yaml", { target }), getTarget(target).caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun }).ir;
      expect(ir.states.filter((s) => /^w2\.h_\d$/.test(s.name)).map((s) => s.name)).toEqual(["w2.h_0", "w2.h_1", "w2.h_2", "w2.h_3", "w2.h_4"]);
      const emu = expectSameAsInterpreterIn(ir, 200, "generated");
      const h0 = ir.states.findIndex((s) => s.name === "w2.h_0");
      expect(Array.from(emu.state[h0]!)).not.toEqual(ir.states[h0]!.init);
    });
  }
});
