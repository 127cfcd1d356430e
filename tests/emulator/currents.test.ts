/**
 * Current stimuli (constant and OU) on the emulator: bit for bit equal to the reference
 * interpreter on network models driven by OU background currents, and statistically what was
 * asked for (mean, SD and one-tick autocorrelation of the OU input over many ticks and neurons).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { interpret } from "../../src/ir/reference.ts";
import { IR_VERSION, type IrProgram } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";

function compiled(model: string, target: string): IrProgram {
  const { ir } = compileFixed(compile(model, { target }), getTarget(target).caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
  return ir;
}

/** Emulator and interpreter over `ticks`: same final state, probe samples and spikes. Returns the spike count. */
function same(p: IrProgram, ticks: number): number {
  const ref = interpret(p, ticks);
  const emu = new Emulator(p);
  emu.run(ticks);
  expect(emu.state.map((a) => Array.from(a))).toEqual(ref.state.map((a) => a.map(Number)));
  ref.probes.forEach((pr, i) => expect(emu.probes[i]!.data).toEqual(pr.values.flatMap((v) => v.map(Number))));
  expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
  expect(emu.spikes.elements).toEqual(ref.spikes.map((s) => s.element));
  return ref.spikes.length;
}

/**
 * models/examples/heterogeneous-lif.yaml with one tau_mem for all neurons: the per-neuron
 * distribution puts a division by a variable in the membrane equation, which the fixed-point
 * lowering cannot take (cannot-lower, independent of the stimuli).
 */
function homogeneousLif(): string {
  const dir = mkdtempSync(join(tmpdir(), "engram-currents-"));
  const text = readFileSync("models/examples/heterogeneous-lif.yaml", "utf8")
    .replaceAll("../components/", `${resolve("models/components")}/`)
    .replace(/tau_mem: \{ dist: normal[^}]*\}/, "tau_mem: 10 ms");
  writeFileSync(join(dir, "lif.yaml"), text);
  return join(dir, "lif.yaml");
}

describe("current stimuli: emulator = interpreter on network models", () => {
  const lif = homogeneousLif();
  for (const target of ["cmos", "bss2"]) {
    it(`heterogeneous-lif (one tau_mem) on ${target}: OU background for 0.2 s, the constant pulse moved into it`, () => {
      const p = compiled(lif, target);
      expect(p.stimuli.filter((s) => s.current).map((s) => s.current!.kick_raw !== 0)).toEqual([true, false]);
      same(p, 1000);
      // the pulse window with both edges inside a short run
      const q = structuredClone(p);
      q.stimuli[1]!.current!.start_tick = 10;
      q.stimuli[1]!.current!.stop_tick = 60;
      same(q, 100);
    });
  }

  it("memory-network-small on cmos: full program 40 ticks; neuron kernels the first 0.5 s", () => {
    const p = compiled("models/stc/memory-network-small.yaml", "cmos");
    expect(p.stimuli.filter((s) => s.current)).toHaveLength(6);
    same(p, 40);
    const neurons = { ...p, kernels: p.kernels.filter((k) => p.groups[k.group]!.kind === 1) };
    expect(same(neurons, 2500)).toBeGreaterThan(0);
  });
});

describe("current stimuli: checkpoints", () => {
  it("a snapshot taken inside an OU window continues bit-identically", () => {
    const p = compiled(homogeneousLif(), "cmos");
    const whole = new Emulator(p);
    whole.run(400);
    const first = new Emulator(p);
    first.run(150);
    const resumed = new Emulator(p);
    resumed.restore(JSON.parse(JSON.stringify(first.snapshot())));
    resumed.run(250);
    expect(resumed.state.map((a) => Array.from(a))).toEqual(whole.state.map((a) => Array.from(a)));
    expect(resumed.spikes).toEqual(whole.spikes);
  });
});

describe("OU current statistics", () => {
  // x in signed Q5.26 (32 bits), input in signed Q4.11 (16 bits, LSB 2^-11 << sd), tau = 5 ticks.
  const N = 200, T = 2000, mean = 2, sd = 0.5;
  const decayQ32 = Math.round(Math.exp(-1 / 5) * 2 ** 32);
  const d = decayQ32 / 2 ** 32;
  const q = (width: number, frac: number) => ({ width, signed: true, frac, rounding: 2, overflow: 2 });
  const program: IrProgram = {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 4, tick_seconds: 1e-4, duration_ticks: T, model_name: "ou", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
    groups: [{ name: "n", kind: 1, size: N }],
    states: [
      { name: "n.I", group: 0, format: q(16, 11), init: [0], unit: "1", unit_scale: 1 },
      { name: "n.__ou0", group: 0, format: q(32, 26), init: [mean * 2 ** 26], unit: "1", unit_scale: 1 },
    ],
    connectivity: [],
    kernels: [],
    stimuli: [
      { group: 0, current: { neurons: Array.from({ length: N }, (_, i) => i), input_state: 0, start_tick: 0, stop_tick: T, mean_raw: mean * 2 ** 26, decay_q32: decayQ32, kick_raw: Math.round(sd * Math.sqrt(1 - d * d) * 2 ** 26), ou_state: 1 } },
    ],
    probes: [{ state: 0, elements: Array.from({ length: N }, (_, i) => i), every_ticks: 1, column: "I" }],
  };

  it("mean, SD and lag-1 autocorrelation of the input within a few standard errors", () => {
    verify(program);
    const emu = new Emulator(program);
    emu.run();
    const data = emu.probes[0]!.data; // (T + 1) samples of N values, raw in Q4.11
    const burn = 50; // 10 tau: x starts at the mean, its variance builds up over a few tau
    let s = 0, s2 = 0, lag = 0, n = 0;
    for (let t = burn; t <= T; t++) {
      for (let i = 0; i < N; i++) {
        const v = data[t * N + i]! / 2 ** 11 - mean;
        s += v;
        s2 += v * v;
        if (t > burn) lag += v * (data[(t - 1) * N + i]! / 2 ** 11 - mean);
        n++;
      }
    }
    const m = s / n, variance = s2 / n - m * m;
    // AR(1) samples with coefficient d: effective sample size n (1 - d) / (1 + d), so
    // SE(mean) = sd / sqrt(n_eff); SE(variance) = sd^2 sqrt(2 (1 + d^2) / ((1 - d^2) n)); SE(lag-1) ~ sqrt((1 - d^2) / n).
    const nEff = (n * (1 - d)) / (1 + d);
    expect(Math.abs(m)).toBeLessThan(4 * (sd / Math.sqrt(nEff)));
    expect(Math.abs(variance - sd * sd)).toBeLessThan(4 * sd * sd * Math.sqrt((2 * (1 + d * d)) / ((1 - d * d) * n)));
    expect(Math.abs(lag / s2 - d)).toBeLessThan(4 * Math.sqrt((1 - d * d) / n) + 0.001);
  });

  it("a constant current adds exactly its mean inside its window and nothing outside", () => {
    const p = structuredClone(program);
    p.stimuli = [{ group: 0, current: { neurons: [3, 7], input_state: 0, start_tick: 10, stop_tick: 20, mean_raw: -1234, decay_q32: 0, kick_raw: 0, ou_state: 0 } }];
    p.probes = [{ state: 0, elements: [3, 4], every_ticks: 1, column: "I" }];
    p.header.duration_ticks = 30;
    const emu = new Emulator(p);
    emu.run();
    const values = emu.probes[0]!.data;
    // sample k holds the state after tick k - 1
    for (let k = 0; k <= 30; k++) expect([values[2 * k], values[2 * k + 1]]).toEqual(k >= 11 && k <= 20 ? [-1234, 0] : [0, 0]);
    expect(emu.stats.jumpedTicks).toBeGreaterThan(0); // quiet stretches outside the window are still jumped
  });
});
