/**
 * A spiking reservoir with per-neuron membrane time constants on BrainScaleS-2 (issue 14): the
 * membranes stay on the analog core because each circuit takes its own parameters (facts), the
 * emulator agrees with the reference interpreter bit for bit (with and without the chip's
 * mismatch), the report states the heterogeneity the mismatch adds, and time constants outside the
 * circuits' range move to the processor and get the design-rule listing.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { analogVariables } from "../../src/compiler/fixed/lower.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import type { IrProgram } from "../../src/ir/codec.ts";

const FILE = "tests/fixtures/reservoir/lif-small.yaml";
const bss2 = getTarget("bss2").caps;
const opts = { rounding: "nearest" as const, engramVersion: "test", analyse: analyseByRun };

function same(p: IrProgram): void {
  const ref = interpret(p);
  const emu = new Emulator(p);
  emu.run();
  expect(emu.state.map((a) => Array.from(a))).toEqual(ref.state.map((a) => a.map(Number)));
  expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
  expect(emu.spikes.elements).toEqual(ref.spikes.map((s) => s.element));
}

describe("LIF reservoir with per-neuron tau_mem on bss2", () => {
  it("the membranes are analog: each circuit is configured with its own tau (all within 0.5-60 ms)", () => {
    const program = compile(FILE, { target: "bss2" });
    const { analog, notes } = analogVariables(program, bss2);
    expect(analog.has("res.V")).toBe(true);
    expect(notes.join("\n")).toMatch(/res\.V: analog, tau per circuit 0\.00\d+-0\.0\d+ s \(targets\.md 1\.1/);
    // Without per-circuit parameters the same model's membranes would go to the processor.
    expect(analogVariables(program, { ...bss2, analog: { ...bss2.analog!, perCircuit: false } }).analog.has("res.V")).toBe(false);
  });
  for (const mismatch of [false, true]) {
    it(`emulator = reference interpreter, bit for bit${mismatch ? ", with the chip's mismatch" : ""}`, { timeout: 60_000 }, () => {
      const program = compile(FILE, { target: "bss2" });
      const { ir, report } = compileFixed(program, bss2, { ...opts, variation: { mismatch, noise: false } });
      expect(ir.kernels.find((k) => k.name === "res.analog")?.unit).toBe(2);
      expect(ir.stimuli.some((s) => s.stream)).toBe(true);
      same(ir);
      const line = report.split("\n").find((l) => l.includes("res.V: model tau"))!;
      const cv = (re: RegExp) => Number(line.match(re)![1]);
      const model = cv(/model tau mean [\d.]+ ms, CV ([\d.]+)/);
      expect(model).toBeGreaterThan(0.3); // gamma with CV 0.5, 20 draws
      if (mismatch) {
        // Independent relative spreads add in quadrature: CV_chip^2 ~ CV_model^2 + CV_mismatch^2 (+ product).
        const chip = cv(/with mismatch mean [\d.]+ ms, CV ([\d.]+)/);
        const alone = cv(/mismatch alone CV ([\d.]+)/);
        expect(alone).toBeGreaterThan(0.02);
        expect(alone).toBeLessThan(0.1); // the assumed 5 % (facts: fixed_pattern_tau), 20 draws
        expect(chip).toBeGreaterThan(model * 0.9);
      } else expect(line).toContain("no mismatch");
    });
  }
  it("time constants beyond the circuits' range move the membranes to the processor (slow ones fit there)", { timeout: 60_000 }, () => {
    const program = compile("tests/fixtures/reservoir/lif-slow.yaml", { target: "bss2" });
    expect(analogVariables(program, bss2).notes.join("\n")).toMatch(/res\.V: digital \(tau per circuit 0\.0\d+-0\.1\d+ s, 20 of 20 circuits outside the analog neuron range/);
    const { ir } = compileFixed(program, bss2, opts);
    const update = ir.kernels.find((k) => k.name === "res.update")!;
    expect(update.unit).toBe(1);
    expect(update.ops.some((o) => o.state === ir.states.findIndex((x) => x.name === "res.V"))).toBe(true);
  });
  it("a reservoir larger than the chip gets the design-rule listing", () => {
    const program = compile("tests/fixtures/reservoir/lif-big.yaml", { target: "bss2" });
    try {
      compileFixed(program, bss2, opts);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      const d = (e as EngramError).diagnostics;
      expect(d.map((x) => x.message).join("\n")).toMatch(/does not fit bss2: .*600 neurons/);
    }
  });
});

describe("trial-to-trial noise on membranes whose tau differs per circuit", () => {
  const build = (noisePeriodTicks?: number) => compileFixed(compile(FILE, { target: "bss2" }), bss2, { ...opts, variation: { mismatch: false, noise: true, noisePeriodTicks } }).ir;
  const values = (ir: IrProgram, name: string) => {
    const s = ir.states.find((x) => x.name === name);
    return s ? s.init.map((raw) => Number(raw) * 2 ** -s.format.frac) : undefined;
  };
  const tauMem = () => {
    const res = compile(FILE, { target: "bss2" }).populations.find((p) => p.name === "res")!;
    return Array.from(res.vars.find((v) => v.name === "tau_mem")!.init);
  };
  it("every tick: one noise SD per circuit, C_i phi_i / sqrt(dt) with C_i = SD sqrt(2 / tau_i), read by a RAND_NORMAL of the analog kernel", () => {
    const ir = build(1);
    const sd = values(ir, "res.__hnoise_V@1000000ns")!;
    expect(sd).toBeDefined();
    const tau = tauMem();
    expect(sd.length).toBe(tau.length);
    // sd_i / (sqrt(2 / tau_i) (1 - e^(-dt / tau_i)) tau_i) is the same for every circuit (the
    // variable's SD over sqrt(dt)): checked to the 16-bit array's relative resolution.
    const dt = ir.header.tick_seconds;
    const k = sd.map((x, i) => x / (Math.sqrt(2 / tau[i]!) * -Math.expm1(-dt / tau[i]!) * tau[i]!));
    for (const x of k) expect(Math.abs(x / k[0]! - 1)).toBeLessThan(2e-3);
    expect(new Set(sd).size).toBeGreaterThan(10); // circuits differ
    const analog = ir.kernels.find((x) => x.name === "res.analog")!;
    const idx = ir.states.findIndex((s) => s.name === "res.__hnoise_V@1000000ns");
    const load = analog.ops.find((o) => o.op === 1 && o.state === idx)!;
    expect(analog.ops.some((o) => o.op === 17 && o.src[0] === load.dst)).toBe(true); // RAND_NORMAL scaled by it
    same(ir);
  });
  it("lumped every 10 ticks: one kick SD per circuit in the noise kernel, bit-exact", () => {
    const ir = build(10);
    expect(values(ir, "res.__hkick_V@10")?.length).toBe(tauMem().length);
    expect(values(ir, "res.__hnoise_V@1000000ns")).toBeUndefined();
    expect(ir.kernels.some((x) => x.name === "res.noise")).toBe(true);
    same(ir);
  });
});
