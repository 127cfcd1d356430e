/**
 * White noise on the float64 reference target has the size the model asks for. An
 * Ornstein-Uhlenbeck variable dx/dt = -x / tau + sigma sqrt(2 / tau) xi has the stationary
 * variance sigma^2; the exponential-Euler scheme with xi = N(0,1) / sqrt(dt) held over a step
 * (docs/model-format.md, "Noise") keeps it up to O(dt / tau):
 *   x' = a x + C phi n / sqrt(dt),  a = e^(-dt/tau),  phi = tau (1 - a),  C^2 = 2 sigma^2 / tau,
 *   Var = C^2 phi^2 / (dt (1 - a^2)) = 0.99997 sigma^2 at dt = 0.2 ms, tau = 10 ms (hand-derived).
 * Mutation this kills: the noise term multiplied by sqrt(dt) instead of divided (variance 2.5e7
 * times too small), or any other factor on it.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";

const SIGMA_MV = 2;
const TAU = 10e-3;
const DT = 0.2e-3;
const N = 200;

function model(): string {
  const dir = mkdtempSync(join(tmpdir(), "engram-noise-"));
  writeFileSync(join(dir, "ou.yaml"), `engram: 1
kind: neuron
name: ou
params:
  tau: ${TAU * 1e3} ms
  sigma: ${SIGMA_MV} mV
state:
  x:
    unit: mV
    init: 0 mV
    ode: -x / tau + sigma * sqrt(2 / tau) * xi
`);
  writeFileSync(join(dir, "net.yaml"), `engram: 1
kind: network
name: ou-population
dt: ${DT * 1e3} ms
duration: 1 s
seed: 1
populations:
  pop: { neuron: ou.yaml, size: ${N} }
phases:
  - { name: all, start: 0 s }
recordings:
  - { var: pop.x, elements: all, every: 20 ms }
numerics: { accelerate: false }
`);
  return join(dir, "net.yaml");
}

/** Samples of x (mV) after 0.2 s (20 tau: the zero initial state is forgotten) and the final values. */
function run(file: string, seed: number): { samples: number[]; final: number[] } {
  const ex = new Executor(compile(file, { target: "reference", seed }));
  ex.run();
  const t = ex.recorded.tables[0]!;
  expect(t.columns).toHaveLength(N);
  const samples: number[] = [];
  for (const col of t.columns) for (let r = 10; r < t.count; r++) samples.push(col[r]!);
  return { samples, final: t.columns.map((c) => c[t.count - 1]!) };
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const varianceOf = (xs: number[]) => {
  const m = meanOf(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

describe("white noise on the reference target", () => {
  const file = model();
  const a = Math.exp(-DT / TAU);
  const phi = TAU * (1 - a);
  const stationary = ((2 * SIGMA_MV ** 2) / TAU) * phi ** 2 / (DT * (1 - a * a));

  it("the hand-derived stationary variance of the scheme is sigma^2 to 1e-4", () => {
    expect(Math.abs(stationary / SIGMA_MV ** 2 - 1)).toBeLessThan(1e-4);
  });

  it("an OU variable's variance over time and neurons is its stationary variance sigma^2", () => {
    const { samples } = run(file, 1);
    // 200 neurons x 41 samples 20 ms = 2 tau apart (correlation e^-2): the sample variance has a
    // relative standard error of about sqrt(2 / 8200) x 1.04 = 1.6 %; the bound is 5 of those.
    expect(samples.length).toBe(N * 41);
    expect(Math.abs(varianceOf(samples) / stationary - 1)).toBeLessThan(0.08);
    // the mean is 0 within 5 standard errors
    expect(Math.abs(meanOf(samples))).toBeLessThan(5 * Math.sqrt(stationary / samples.length) * 1.2);
  });

  it("seeds give different draws with the same spread", () => {
    const finals = [1, 2, 3].map((seed) => run(file, seed).final);
    expect(finals[0]).not.toEqual(finals[1]);
    expect(finals[1]).not.toEqual(finals[2]);
    // Final values of 3 x 200 independent OU processes: variance sigma^2, relative SE sqrt(2 / 600) = 5.8 %.
    const all = finals.flat();
    expect(Math.abs(varianceOf(all) / stationary - 1)).toBeLessThan(0.25);
    // The same neuron across seeds spreads as much as the neurons within one seed.
    const acrossSeeds = Array.from({ length: N }, (_, i) => varianceOf(finals.map((f) => f[i]!)));
    expect(Math.abs(meanOf(acrossSeeds) / stationary - 1)).toBeLessThan(0.25);
  });
});
