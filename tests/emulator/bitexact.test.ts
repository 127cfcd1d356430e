/**
 * The emulator against the reference interpreter, bit for bit: every probe sample, every spike and
 * the final state, on the hand-built sample, on random variations of it (formats, rounding modes,
 * sizes, seeds), and on the STC basic-early model compiled for both chips.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { IrProgram } from "../../src/ir/codec.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { arbProgram, sampleProgram } from "../helpers/ir-sample.ts";
import { verify } from "../../src/ir/verify.ts";
import { expectSameAsInterpreter as same } from "../helpers/same-as-interpreter.ts";



describe("emulator = reference interpreter, bit for bit", () => {
  it("hand-built sample", () => same(sampleProgram()));

  it("random variations: formats, rounding, overflow, seeds", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 4, max: 24 }), fc.integer({ min: -2, max: 20 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 40000 }), (seed, width, frac, rounding, overflow, decay) => {
        const p = sampleProgram();
        p.header.seed = seed;
        p.kernels[0]!.registers[2]!.format = { width, signed: false, frac, rounding, overflow };
        p.states[2]!.format = { ...p.states[2]!.format, rounding, overflow };
        p.kernels[0]!.ops[1]!.imm = decay % 32768;
        p.stimuli[1]!.poisson!.prob_per_tick_q32 = (seed % 1000) * 4294967;
        same(p);
      }),
      { numRuns: 150, seed: 9 },
    );
  });

  it("random programs with current stimuli (formats, windows, OU constants)", () => {
    // Random programs squeezed into T ticks, so that their stimuli act within the run.
    const T = 60;
    let currents = 0;
    const programs = fc.sample(arbProgram().filter((p) => p.stimuli.some((s) => s.current)), { numRuns: 120, seed: 11 });
    for (const p of programs) {
      p.header.duration_ticks = T;
      for (const s of p.stimuli) {
        const w = s.current ?? s.poisson ?? s.regular;
        if (w) [w.start_tick, w.stop_tick] = [w.start_tick % T, (w.start_tick % T) + (w.stop_tick % T)];
        if (s.spikes) s.spikes.ticks = s.spikes.ticks.map((t) => t % T).sort((a, b) => a - b);
        if (s.current) currents++;
      }
      p.kernels = []; // random op lists may read registers nothing wrote: not runnable (the stimuli are under test)
      verify(p);
      same(p);
    }
    expect(currents).toBeGreaterThanOrEqual(programs.length);
  });

  for (const target of ["cmos", "bss2"]) {
    for (const rounding of ["nearest", "stochastic"] as const) {
      it(`basic-early on ${target}, ${rounding} rounding`, () => {
        const program = compile("models/stc/basic-early.yaml", { target });
        const { ir } = compileFixed(program, getTarget(target).caps, { rounding, engramVersion: "test", analyse: analyseByRun });
        same(ir);
      });
    }
  }

  // Event-driven synapses (src/compiler/fixed/lazy.ts): time stamps, tabulated decay, a gated
  // kernel. The STET protocol (strong tetanus: 3 x 100 pulses) opens and closes the gate many times.
  for (const rounding of ["nearest", "stochastic"] as const) {
    it(`event-driven STET on cmos, ${rounding} rounding: gated kernel, NOW, LOOKUP`, () => {
      const program = compile("models/stc/stet.yaml", { target: "cmos" });
      program.numerics.lazySynapses = true;
      const tetanus = program.stimuli[0] as { startTick: number; stopTick: number };
      [tetanus.startTick, tetanus.stopTick, program.durationTicks] = [0, 40_000, 40_000]; // 8 s: the first tetanus moved to 0, and the quiet after it
      const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding, engramVersion: "test", analyse: analyseByRun });
      const gated = ir.kernels.filter((k) => k.periodic?.gated);
      expect(gated.map((k) => k.name)).toEqual(["syn.active"]);
      const emu = new Emulator(ir);
      emu.run();
      const gate = ir.states.findIndex((s) => s.name === "syn.__active");
      expect(gate).toBe(gated[0]!.periodic!.gate_state);
      // the gate opened (h moved away from h0) and closed again once calcium decayed
      const h = ir.states.findIndex((s) => s.name === "syn.h");
      expect(emu.state[h]![0]).not.toBe(ir.states[h]!.init[0]);
      expect(emu.state[gate]![0]).toBe(0);
      same(ir);
    });
  }
});
