/**
 * Trial-to-trial noise on bss2 drawn once per noise period (src/compiler/fixed/noise-step.ts,
 * lower.ts lowerNoiseKicks): the closed-form lump against per-tick stepping, the compiled noise
 * kernel's stationary SD and correlation against the hand-derived values, bit-exactness with the
 * IR interpreter, and quiet stretches staying jumps.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { lumpedNoiseSd } from "../../src/compiler/fixed/noise-step.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { interpret } from "../../src/ir/reference.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { Rng } from "../../src/util/rng.ts";
import { fold } from "../../src/ir/interpret.ts";
import { main } from "../../src/cli/main.ts";
import { captureOutput } from "../helpers/capture-output.ts";

const out = captureOutput();

const bss2 = getTarget("bss2").caps;

/**
 * One analog leaky variable V (tau 10 ms, rest -65 mV) kicked up by 30 mV by each of two presynaptic spikes in the first
 * 20 ms (they give it a span, hence noise: 2 % of the span), then quiet. Its 16-bit format is
 * signed and wide, so the noise is neither clipped nor lost in rounding.
 */
function leakyModel(seconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), "engram-noise-"));
  writeFileSync(join(dir, "leaky.yaml"), "engram: 1\nkind: neuron\nname: leaky\nparams: { tau: 10 ms, V_rev: -65 mV }\nstate:\n  V: { unit: mV, init: V_rev, ode: -(V - V_rev) / tau }\n");
  writeFileSync(join(dir, "kick.yaml"), "engram: 1\nkind: synapse\nname: kick\nparams: { w: 30 mV }\non_pre:\n  - do: [V_post += w]\n");
  const file = join(dir, "net.yaml");
  writeFileSync(file, `engram: 1\nkind: network\nname: leaky-noise\ndt: 0.2 ms\nduration: ${seconds} s\nseed: 1\npopulations:\n  pre: { source: true, size: 1 }\n  post: { neuron: leaky.yaml, size: 1 }\nprojections:\n  syn: { pre: pre, post: post, synapse: kick.yaml, connect: one_to_one }\nstimuli:\n  - { kind: spikes, target: pre, times: [10 ms, 20 ms] }\nrecordings:\n  - { var: post.V, as: V, every: 1 s }\n`);
  return file;
}

/** basic-early's seven presynaptic spikes in the first 0.1 s (they give the analog inputs a span, hence noise), then a quiet stretch. */
function quietModel(seconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), "engram-noise-"));
  const file = join(dir, "quiet.yaml");
  writeFileSync(file, `engram: 1\nkind: network\nextends: ${resolve("models/stc/basic-early.yaml")}\nname: quiet-noise\nduration: ${seconds} s\nrecordings:\n  - { var: syn.h, as: h, every: 1 s }\n`);
  return file;
}

function build(file: string, noisePeriodTicks?: number, seed = 1) {
  const program = compile(file, { target: "bss2", seed });
  const r = compileFixed(program, bss2, { rounding: "stochastic", variation: { mismatch: false, noise: true, noisePeriodTicks }, engramVersion: "test", analyse: analyseByRun });
  return { program, ...r };
}

describe("lumped trial-to-trial noise", () => {
  it("the lump over k ticks has the mean and variance of k per-tick noisy steps (hand-derived closed form)", () => {
    const a = 0.98, s = 0.1, k = 50, n = 20000;
    const rng = new Rng(7, "test:ou");
    let sum = 0, sum2 = 0;
    for (let j = 0; j < n; j++) {
      let x = 1; // x_k = a^k x_0 + noise: mean a^k, variance s^2 (1 - a^2k) / (1 - a^2)
      for (let t = 0; t < k; t++) x = a * x + s * rng.normal();
      sum += x;
      sum2 += x * x;
    }
    const mean = sum / n, variance = sum2 / n - mean ** 2;
    const expected = (s ** 2 * (1 - a ** (2 * k))) / (1 - a ** 2); // 0.2190
    expect(lumpedNoiseSd(s, a, k) ** 2).toBeCloseTo(expected, 12);
    expect(lumpedNoiseSd(s, a, 1)).toBe(s);
    // SE of the mean sqrt(0.219 / 2e4) = 0.0033; of the variance about 1 %
    expect(Math.abs(mean - a ** k)).toBeLessThan(0.015);
    expect(Math.abs(variance / lumpedNoiseSd(s, a, k) ** 2 - 1)).toBeLessThan(0.05);
    // A random-walk lump s sqrt(k) (no decay) would give variance 0.5, 2.3 times as much.
    expect(Math.abs(variance / (s ** 2 * k) - 1)).toBeGreaterThan(0.5);
  });

  it("on the emulator: a noisy analog input kicked every 25 ticks has the dense process' stationary SD and the lag correlation a^25", () => {
    const Q = 25;
    const { program, ir, quantised } = build(leakyModel(21), Q);
    const noise = ir.kernels.find((k) => k.name === "post.noise")!;
    expect(noise.periodic!.period_ticks).toBe(Q);
    // Hand-derived: dV/dt = -(V - V_rev) / tau + C xi with C = trial x span x sqrt(2 / tau) (variation.ts);
    // dense per-tick SD s = C phi / sqrt(dt), phi = expm1(b dt) / b; stationary variance s^2 / (1 - a^2), a = e^(b dt).
    const u = program.populations.find((p) => p.name === "post")!.odes.find((o) => o.var === "V")!;
    const b = fold(u.B).op === "const" ? (fold(u.B) as { value: number }).value : NaN, dt = program.tickSeconds, a = Math.exp(b * dt);
    const q = quantised.find((x) => x.group === "post" && x.name === "V")!;
    const C = bss2.variation!.trial * (q.observed[1] - q.observed[0]) * Math.sqrt(-2 * b);
    const s = (C * Math.expm1(b * dt)) / b / Math.sqrt(dt);
    const sigma = s / Math.sqrt(1 - a * a);
    const state = ir.states.findIndex((x) => x.name === "post.V");
    const frac = ir.states[state]!.format.frac;
    const rest = ir.states[state]!.init[0]! * 2 ** -frac;
    const e = new Emulator(ir);
    e.run(1 + 5000); // past the spikes (1 s: 100 time constants)
    const xs: number[] = [];
    while (e.tick + Q <= ir.header.duration_ticks) {
      e.run(Q); // ends right after a kick (ticks m Q, analog decay then noise kernel)
      xs.push(e.state[state]![0]! * 2 ** -frac - rest);
    }
    expect(xs.length).toBeGreaterThan(3000);
    expect(e.stats.saturations).toBe(0);
    expect(sigma / 2 ** -frac).toBeGreaterThan(200); // the decay stalls within 25 LSB of rest (nearest rounding): small against the noise
    const m = xs.reduce((x, y) => x + y, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((x, y) => x + (y - m) ** 2, 0) / (xs.length - 1));
    let c1 = 0;
    for (let j = 1; j < xs.length; j++) c1 += (xs[j]! - m) * (xs[j - 1]! - m);
    const rho = c1 / (xs.length - 1) / sd ** 2;
    // n = 4000 samples correlated with rho = a^25 = e^-0.5: about 1000 independent ones, so the SD's
    // relative SE is about 2.3 % and the mean's SE 0.032 sigma. The mean may also sit off rest by the
    // analog kernel's rounding dead zone, 0.5 LSB / (1 - a) = 25 LSB (dense stepping shows the same
    // offset, 0.10 sigma, over 20 s).
    const lsb = 2 ** -frac;
    expect(Math.abs(sd / sigma - 1)).toBeLessThan(0.07);
    expect(Math.abs(m)).toBeLessThan(4 * sigma * Math.sqrt((1 + a ** Q) / (1 - a ** Q) / xs.length) + (0.5 * lsb) / (1 - a));
    expect(Math.abs(rho - a ** Q)).toBeLessThan(0.05);
    // sqrt(dt) in place of 1/sqrt(dt), or a lump without the decay factor, is far outside these bounds.
    expect(Math.abs((s * Math.sqrt(Q)) / Math.sqrt(1 - a ** (2 * Q)) / sigma - 1)).toBeGreaterThan(3 * 0.07); // 0.245
  });

  it("the emulator equals the IR interpreter bit for bit with lumped noise (states, spikes, probes), across jumped stretches", () => {
    for (const [file, period] of [["models/stc/basic-early.yaml", 7], ["models/stc/basic-early.yaml", undefined], [quietModel(2), 500]] as const) {
      const { ir } = build(file, period);
      expect(ir.kernels.some((k) => k.name === "post.noise")).toBe(true);
      expect(ir.kernels.find((k) => k.name === "post.analog")!.ops.some((o) => o.op === 17)).toBe(false); // no per-tick draw
      const ref = interpret(ir);
      const emu = new Emulator(ir);
      emu.run();
      expect(emu.state.map((x) => Array.from(x))).toEqual(ref.state.map((x) => x.map(Number)));
      expect(emu.spikes.ticks).toEqual(ref.spikes.map((x) => x.tick));
      expect(emu.probes.map((p) => p.data)).toEqual(ref.probes.map((p) => p.values.flat().map(Number)));
      if (period === 500) expect(emu.stats.jumpedTicks).toBeGreaterThan(ir.header.duration_ticks / 2);
    }
  });

  it("noise every tick keeps the old program; lumped, a quiet stretch stays a jump", () => {
    const file = quietModel(60);
    const dense = build(file, 1).ir;
    expect(dense.kernels.some((k) => k.name.endsWith(".noise"))).toBe(false);
    expect(dense.kernels.find((k) => k.name === "post.analog")!.ops.filter((o) => o.op === 17).length).toBe(2); // V and I_syn
    const lumped = build(file, 5000).ir;
    const d = new Emulator(dense);
    d.run();
    const l = new Emulator(lumped);
    l.run();
    const ticks = lumped.header.duration_ticks; // 300 000
    expect(d.stats.jumpedTicks).toBe(0); // a draw every tick: every tick stepped
    // 60 kicks, each followed by the analog kernel's relaxation into its rounding dead zone (~100 ticks)
    expect(l.stats.jumpedTicks).toBeGreaterThan(0.95 * ticks);
    expect(l.stats.ticks).toBeLessThan(60 * 400);
  });

  it("--noise-every takes a whole number of ticks >= 1: anything else is a usage error naming the value", async () => {
    for (const bad of ["0", "-3", "2.5", "x"]) {
      const code = await main(["compile", "models/stc/basic-early.yaml", "--target", "bss2", "--noise", `--noise-every=${bad}`, "-o", join(tmpdir(), "never.engram")]);
      expect(code).toBe(2);
      expect(out.stderr).toContain(`--noise-every takes a whole number of ticks >= 1, got "${bad}"`);
    }
  });
});
