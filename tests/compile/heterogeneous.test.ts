/**
 * Parameters that differ per element (tau_mem drawn from a distribution) on a chip: the compiler
 * turns their decay factors and inflow gains (a division by tau_mem folded in) into per-element
 * arrays computed at compile time; the emulator runs the result bit-exactly.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

const MODEL = "models/examples/heterogeneous-lif.yaml";

describe("per-element parameters on cmos", () => {
  const program = compile(MODEL, { target: "cmos" });
  const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
  const exc = program.populations.find((p) => p.name === "exc")!;
  const tau = exc.vars.find((v) => v.name === "tau_mem")!.init;
  const values = (prefix: string) => {
    const s = ir.states.find((x) => x.name.startsWith(`exc.${prefix}`))!;
    return s.init.map((raw) => Number(raw) * 2 ** -s.format.frac);
  };

  it("each neuron's decay factor is exp(-dt / its tau_mem) and its inflow gain 1 - exp(-dt / tau_mem), to half an LSB", () => {
    const s = ir.states.find((x) => x.name.startsWith("exc.__hdecay_V"))!;
    const dt = program.tickSeconds; // the membrane is a fast variable: stepped every tick
    expect(s.name).toBe(`exc.__hdecay_V@${Math.round(dt * 1e9)}ns`);
    const d = values("__hdecay_V");
    expect(new Set(tau).size).toBeGreaterThan(10); // really heterogeneous
    d.forEach((x, i) => expect(Math.abs(x - Math.exp(-dt / tau[i]!))).toBeLessThanOrEqual(2 ** -s.format.frac / 2));
    // A = (...) / tau_mem: the factor 1 / tau_mem is folded into the inflow gain phi / tau_mem =
    // 1 - exp(-dt / tau_mem), one per-element array in [0, 1] (no separate 1 / tau_mem array)
    expect(ir.states.some((x) => x.name.startsWith("exc.__recip_tau_mem"))).toBe(false);
    const g = values("__hgain_V");
    const gs = ir.states.find((x) => x.name.startsWith("exc.__hgain_V"))!;
    g.forEach((x, i) => expect(Math.abs(x - -Math.expm1(-dt / tau[i]!))).toBeLessThanOrEqual(2 ** -gs.format.frac / 2));
  });

  it("the membrane stays in the kernel that spikes and holds it while refractory", () => {
    expect(ir.kernels.map((k) => k.name)).not.toContain("exc.slow");
  });

  it("the emulator equals the IR interpreter bit for bit", () => {
    const ticks = 1000;
    const ref = interpret(ir, ticks);
    const emu = new Emulator(ir);
    emu.run(ticks);
    expect(emu.state.map((a) => Array.from(a))).toEqual(ref.state.map((a) => a.map(Number)));
    expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
  });
});
