/**
 * Issue 17: the full plasticity pool F0-F9 of Shervani-Tabar & Rosenbaum (seed-models.md C.1 table;
 * models/chemical/pool-synapse.yaml), as equations in model files:
 * - one step of each term, alone and all together, against the term written out by hand;
 * - the layer sums the semi-local terms read (sy = 1^T y, q6 = y^T W e_pre, q8 = e^T W y_pre),
 *   collected by a layer-sum projection, against the sums computed by hand;
 * - with the default theta the pool network learns exactly as the three-term rule;
 * - the L = 1 chemical synapse over the whole pool (K = 0, v = 1, tau = 1, phi the identity) is the
 *   pool rule bit for bit on every target, and each chip's emulator is bit-exact with the IR interpreter.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { runModel } from "../helpers/run.ts";
import { expectSameAsInterpreter } from "../helpers/same-as-interpreter.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const UNIT = join(ROOT, "tests/fixtures/chemical/const-pool-unit.yaml");
const POOL = join(ROOT, "models/chemical/pool-synapse.yaml");

/** w after one step of the pool rule from w = 0.3 between two const units, with the given theta. */
function oneStep(theta: number[]): number {
  const dir = mkdtempSync(join(tmpdir(), "engram-pool-"));
  const file = join(dir, "net.yaml");
  writeFileSync(file, `engram: 1
kind: network
name: pool-one-step
dt: 10 ms
duration: 10 ms
populations:
  a: { neuron: ${UNIT}, size: 1, params: { y0: 0.6, e0: -0.2, r0: 0.3 } }
  b: { neuron: ${UNIT}, size: 1, params: { y0: -0.4, e0: 0.5, r0: 0, sy0: 1.5, q60: -0.7, q80: 0.9 } }
projections:
  w:
    pre: a
    post: b
    synapse: ${POOL}
    connect: all_to_all
    params: { w0: 0.3, ${theta.map((t, r) => `theta_${r}: ${t}`).join(", ")} }
recordings:
  - { var: w.w, as: w, every: 10 ms }
`);
  return runModel(file).final("w");
}

// The seed-models.md C.1 table, written out for pre (y 0.6, e -0.2, r = (W^T y_post) 0.3), post
// (y -0.4, e 0.5) and the post layer's sums sy = 1.5, q6 = -0.7, q8 = 0.9, with W = 0.3.
const yPre = 0.6, ePre = -0.2, rPre = 0.3, yPost = -0.4, ePost = 0.5, sy = 1.5, q6 = -0.7, q8 = 0.9, W = 0.3;
const F = [
  -ePost * yPre, // F0 pseudo-gradient
  -yPost * ePre, // F1
  -ePost * ePre, // F2 error-Hebb
  -W, // F3 decay
  -ePre, // F4
  -sy * ePost * yPre, // F5
  -yPost * q6 * ePre, // F6
  -ePost * q6 * yPre, // F7
  -yPost * q8 * ePre, // F8
  yPost * yPre - yPost * rPre, // F9 Oja
];

/**
 * One step by hand. Every term but F3 is free of w: w + sum_r theta_r F_r. F3 = -w makes the ODE
 * affine in w, dw/dt = (A - theta_3 w) / dt, which the compiler integrates exactly (as every
 * affine ODE): w e^(-theta_3) + (A / theta_3) (1 - e^(-theta_3)), not the source's forward step
 * w (1 - theta_3) + A; the two differ by O(theta_3^2) (docs/seed-models.md).
 */
function byHand(theta: number[]): number {
  const A = theta.reduce((s, t, r) => (r === 3 ? s : s + t * F[r]!), 0);
  const t3 = theta[3]!;
  return t3 === 0 ? W + A : W * Math.exp(-t3) + (A / t3) * (1 - Math.exp(-t3));
}

describe("the plasticity pool: one step by hand", () => {
  for (let r = 0; r < 10; r++) {
    it(`F${r} alone (theta_${r} = 0.1)`, () => {
      const theta = Array.from({ length: 10 }, (_, k) => (k === r ? 0.1 : 0));
      const want = byHand(theta);
      if (r !== 3) expect(want).toBe(W + 0.1 * F[r]!);
      expect(oneStep(theta)).toBeCloseTo(want, 13);
    });
  }
  it("all ten terms at once", () => {
    expect(oneStep([0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0.15, -0.25, 0.12, 0.4])).toBeCloseTo(byHand([0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0.15, -0.25, 0.12, 0.4]), 13);
  });
});

describe("the plasticity pool: layer sums through a projection onto the layer", () => {
  it("sy, q6, q8 and we, wy of 3 output units fed by 2 fixed units, against the sums by hand", () => {
    const r = runModel("tests/fixtures/chemical/pool-sums.yaml");
    const y = [0.6, -0.3], e = [-0.2, 0.4], T = [1, 0, 0];
    const Wm = [[0.5, -0.1], [0.2, 0.7], [-0.4, 0.3]];
    const yo = Wm.map((row) => row[0]! * y[0]! + row[1]! * y[1]!);
    const eo = yo.map((v, i) => v - T[i]!);
    const we = Wm.map((row) => row[0]! * e[0]! + row[1]! * e[1]!);
    const SY = yo.reduce((s, v) => s + v, 0);
    const Q6 = yo.reduce((s, v, i) => s + v * we[i]!, 0);
    const Q8 = eo.reduce((s, v, i) => s + v * yo[i]!, 0);
    for (let i = 0; i < 3; i++) {
      expect(r.final(`y[${i}]`)).toBeCloseTo(yo[i]!, 12);
      expect(r.final(`e[${i}]`)).toBeCloseTo(eo[i]!, 12);
      expect(r.final(`we[${i}]`)).toBeCloseTo(we[i]!, 12);
      expect(r.final(`wy[${i}]`)).toBeCloseTo(yo[i]!, 12);
      expect(r.final(`sy[${i}]`)).toBeCloseTo(SY, 12);
      expect(r.final(`q6[${i}]`)).toBeCloseTo(Q6, 12);
      expect(r.final(`q8[${i}]`)).toBeCloseTo(Q8, 12);
    }
  });
});

describe("the plasticity pool in a network", () => {
  it("default theta (theta_0 only): the same outputs as the three-term rule at the same step (float64)", { timeout: 60_000 }, () => {
    const a = runModel("models/chemical/blobs-pool.yaml"), b = runModel("tests/fixtures/chemical/blobs-three-term-14ms.yaml");
    for (const c of ["y[0]", "y[1]", "y[2]"]) expect(Array.from(a.column(c)), c).toEqual(Array.from(b.column(c)));
  });

  const CHEM = "tests/fixtures/chemical/reduce-chemical-pool.yaml";
  const RULE = "tests/fixtures/chemical/reduce-pool.yaml";
  const columns = ["y[0]", "y[1]", "y[2]", ...Array.from({ length: 64 }, (_, i) => `w1[${i}]`), ...Array.from({ length: 48 }, (_, i) => `w2[${i}]`)];
  it("L = 1 chemical over the whole pool = the pool rule, every term on (float64); the weights move", { timeout: 60_000 }, () => {
    const a = runModel(CHEM), b = runModel(RULE);
    for (const c of columns) expect(Array.from(a.column(c)), c).toEqual(Array.from(b.column(c)));
    const w = a.column("w1[5]");
    expect(Math.abs(w.at(-1)! - w[0]!)).toBeGreaterThan(1e-3);
  });

  for (const target of ["cmos", "bss2"] as const) {
    for (const rounding of ["nearest", "stochastic"] as const) {
      it(`${target}, ${rounding}: L = 1 chemical over the pool = the pool rule in raw integers; emulator = IR interpreter`, { timeout: 120_000 }, () => {
        const build = (file: string) => compileFixed(compile(file, { target }), getTarget(target).caps, { rounding, engramVersion: "test", analyse: analyseByRun }).ir;
        const chem = build(CHEM), rule = build(RULE);
        const run = (ir: typeof chem) => {
          const emu = new Emulator(ir, "generated");
          emu.run(ir.header.duration_ticks);
          return emu.probes.map((p) => Array.from(p.data));
        };
        const pa = run(chem), pb = run(rule);
        expect(pa.length).toBe(pb.length);
        pa.forEach((d, i) => expect(d, chem.probes[i]!.column).toEqual(pb[i]));
        expectSameAsInterpreter(rule, 40);
        expectSameAsInterpreter(chem, 40);
      });
    }
  }
});
