/**
 * The analog core's non-idealities on BrainScaleS-2 (compiler/fixed/variation.ts): fixed-pattern
 * mismatch and trial-to-trial noise come from the seed and the target's noise model, stay
 * bit-exact between the emulator and the IR interpreter, and switched off give the ideal chip's
 * program byte for byte. Also the crossbar's 6-bit weights and the 8-bit CADC reads.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { encode, type IrProgram } from "../../src/ir/codec.ts";
import { interpret } from "../../src/ir/reference.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import type { VariationOptions } from "../../src/compiler/fixed/variation.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";

const bss2 = getTarget("bss2").caps;

function build(model: string, variation?: VariationOptions, seed?: number): IrProgram {
  const program = compile(model, { target: "bss2", seed });
  return compileFixed(program, bss2, { rounding: "stochastic", variation, engramVersion: "test", analyse: analyseByRun }).ir;
}

const stateValues = (ir: IrProgram, name: string): number[] => {
  const s = ir.states.find((x) => x.name === name)!;
  return s.init.map((raw) => Number(raw) * 2 ** -s.format.frac);
};

describe("mismatch and noise on bss2", () => {
  it("off: the program is the ideal chip's, byte for byte", () => {
    const ideal = build("models/stc/basic-early.yaml");
    const off = build("models/stc/basic-early.yaml", { mismatch: false, noise: false });
    expect(Buffer.from(encode(off)).equals(Buffer.from(encode(ideal)))).toBe(true);
    expect(ideal.states.some((s) => s.name.includes("__decay_"))).toBe(false);
    expect(ideal.kernels.flatMap((k) => k.ops).some((o) => o.op === 17)).toBe(false); // no RAND_NORMAL
  });

  it("mismatch: per-neuron time constants spread by the target's relative SD, drawn from the seed", () => {
    const a = build("models/examples/analog-population.yaml", { mismatch: true, noise: false }, 3);
    const b = build("models/examples/analog-population.yaml", { mismatch: true, noise: false }, 3);
    const c = build("models/examples/analog-population.yaml", { mismatch: true, noise: false }, 4);
    expect(Buffer.from(encode(a)).equals(Buffer.from(encode(b)))).toBe(true);
    const decay = stateValues(a, "neurons.__decay_V");
    expect(decay.length).toBe(256);
    expect(stateValues(c, "neurons.__decay_V")).not.toEqual(decay);
    // tau_i = -dt / ln(D_i); its relative SD should match the assumed 5 % (facts: fixed_pattern_tau).
    const dt = a.header.tick_seconds;
    const taus = decay.map((d) => -dt / Math.log(d));
    const mean = taus.reduce((s, x) => s + x, 0) / taus.length;
    const sd = Math.sqrt(taus.reduce((s, x) => s + (x - mean) ** 2, 0) / (taus.length - 1));
    // 256 draws: the SD estimate has a relative standard error of about 1/sqrt(2 * 255) = 4.4 %;
    // the 16-bit decay factor adds quantisation of ~1e-5 relative to D (negligible against 5 %).
    expect(sd / mean).toBeGreaterThan(0.05 * 0.85); // about 3.4 standard errors either side
    expect(sd / mean).toBeLessThan(0.05 * 1.15);
    // Synaptic gains: one per synapse, 10 % (facts: fixed_pattern_weight).
    const gains = stateValues(a, "drive.__gain");
    const gm = gains.reduce((s, x) => s + x, 0) / gains.length;
    expect(gains.length).toBe(a.connectivity[0]!.pre_index.length);
    expect(Math.abs(gm - 1)).toBeLessThan((4 * 0.1) / Math.sqrt(gains.length)); // 4 standard errors of the mean
  });

  it("mismatch and noise: the emulator equals the IR interpreter bit for bit", () => {
    const ir = build("models/stc/basic-early.yaml", { mismatch: true, noise: true });
    expect(ir.kernels.flatMap((k) => k.ops).some((o) => o.op === 17)).toBe(true);
    const ticks = ir.header.duration_ticks;
    const ref = interpret(ir, ticks);
    const emu = new Emulator(ir);
    emu.run(ticks);
    expect(emu.state.map((a) => Array.from(a))).toEqual(ref.state.map((a) => a.map(Number)));
    expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
  });

  it("noise: the same seed repeats the run, another seed changes the membrane trace", () => {
    const v = (seed: number) => {
      const e = new Emulator(build("models/stc/basic-early.yaml", { mismatch: false, noise: true }, seed));
      e.run(1000);
      return e.probes.map((p) => Array.from(p.data));
    };
    expect(v(5)).toEqual(v(5));
    expect(v(5)).not.toEqual(v(6));
  });

  it("a run on bss2 reports the spikes of the recorded populations only", async () => {
    const { runCommand } = await import("../../src/cli/run.ts");
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const out = mkdtempSync("/tmp/engram-ap-");
    await runCommand({ model: "models/examples/analog-population.yaml", target: "bss2", out, plain: false, rounding: "stochastic", variation: { mismatch: true, noise: false } });
    const rows = readFileSync(`${out}/spikes.csv`, "utf8").trim().split("\n").slice(1);
    expect(rows.length).toBeGreaterThan(0);
    // neurons are numbered after the 64 inputs; an input spike here would be a leak of unrequested data
    expect(rows.every((r) => Number(r.split(",")[1]) >= 64)).toBe(true);
    expect(JSON.parse(readFileSync(`${out}/manifest.json`, "utf8")).hardware.mismatch).toBe(true);
  });

  it("digital kernels read analog state through the 8-bit CADC", () => {
    // A neuron whose slow digital variable follows the analog membrane (a running average of V).
    const dir = mkdtempSync(join(tmpdir(), "engram-cadc-"));
    const components = resolve("models/components");
    writeFileSync(join(dir, "avg.yaml"), `engram: 1
kind: neuron
name: lif-average
extends: ${components}/lif-current.yaml
params: { tau_avg: 2 s }
state:
  avg: { unit: mV, init: V_rev, ode: (V - avg) / tau_avg }
`);
    writeFileSync(join(dir, "net.yaml"), `engram: 1
kind: network
name: cadc
dt: 0.2 ms
duration: 0.2 s
populations:
  inputs: { source: true, size: 4 }
  n: { neuron: avg.yaml, size: 4 }
projections:
  drive: { pre: inputs, post: n, synapse: ${components}/static-synapse.yaml, connect: one_to_one }
stimuli:
  - { kind: poisson, target: inputs, rate: 50 Hz }
`);
    const ir = build(join(dir, "net.yaml"));
    const v = ir.states.findIndex((s) => s.name === "n.V");
    const digital = ir.kernels.filter((k) => k.unit === 1 && k.ops.some((o) => o.op === 1 && o.state === v));
    expect(digital.length).toBeGreaterThan(0);
    for (const k of digital) {
      const load = k.ops.find((o) => o.op === 1 && o.state === v)!;
      const read = k.ops.find((o) => o.op === 19 && o.src[0] === load.dst)!; // COPY of the loaded V
      const f = k.registers[read.dst]!.format;
      expect(f.width).toBe(bss2.readoutBits);
      // the top 8 bits of V's 16-bit format: same range, 8 fewer fractional bits
      expect(ir.states[v]!.format.frac - f.frac).toBe(ir.states[v]!.format.width - bss2.readoutBits!);
    }
    // Analog kernels use V at full width.
    const analog = ir.kernels.filter((k) => k.unit === 2 && k.ops.some((o) => o.op === 1 && o.state === v));
    expect(analog.length).toBeGreaterThan(0);
    for (const k of analog) expect(k.ops.some((o) => o.op === 19 && k.registers[o.dst]!.format.width === bss2.readoutBits)).toBe(false);
  });

  it("synaptic events into the analog neurons carry 6-bit crossbar weights", () => {
    const ir = build("models/stc/basic-early.yaml");
    const onPre = ir.kernels.find((k) => k.name === "syn.on_pre[0]")!;
    const copy = onPre.ops.find((o) => o.op === 19)!;
    expect(onPre.registers[copy.dst]!.format.width).toBe(bss2.synapseArray!.weightBits);
  });
});
