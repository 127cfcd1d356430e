/**
 * A Poisson stimulus' quiet ticks are jumped (targets/emulator/emulator.ts, prime): the emulator
 * draws ahead to the next tick with a spike and steps only that one, so with nothing else to do
 * the stepped ticks are tick 0 and the ticks with stimulus spikes, however long the window.
 * Written from the emulator's mutation survivors (docs/reliability.md): stopping the look-ahead at
 * every tick of the window gives the same spikes, so only the statistics tell.
 */
import { describe, expect, it } from "vitest";
import type { IrProgram } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { header, keep, state } from "../helpers/tiny-ir.ts";

// 3 neurons, p = 1/64 per neuron and tick in ticks 10-409 (bursts: 50 on in every 80); the only
// kernel stores V back unchanged (a no-op, so it is skipped after tick 0).
const program: IrProgram = {
  header: header("poisson", 500, 5),
  groups: [{ name: "n", kind: 1, size: 3 }],
  states: [state("n.V", 16)],
  connectivity: [],
  kernels: [keep("n.keep", 0, 16)],
  stimuli: [{ group: 0, poisson: { neurons: [0, 1, 2], prob_per_tick_q32: 2 ** 26, start_tick: 10, stop_tick: 410, burst_on_ticks: 50, burst_period_ticks: 80 } }],
  probes: [],
};

describe("Poisson stimulus: quiet ticks of the window are jumped", () => {
  it("the spikes are the interpreter's; stepped ticks = tick 0 and the spike ticks, the rest jumped", () => {
    verify(program);
    const ref = interpret(program);
    for (const mode of ["generated", "closures"] as const) {
      const emu = new Emulator(program, mode);
      emu.run();
      expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
      expect(emu.spikes.elements).toEqual(ref.spikes.map((s) => s.element));
      const spikeTicks = new Set(emu.spikes.ticks);
      // enough spikes to tell (about 250 in-window ticks x 3 / 64 = 12), all inside the bursts
      expect(spikeTicks.size).toBeGreaterThan(5);
      for (const t of spikeTicks) expect((t - 10) % 80 < 50 && t >= 10 && t < 410).toBe(true);
      expect(emu.stats.ticks).toBe(1 + spikeTicks.size);
      expect(emu.stats.jumpedTicks).toBe(500 - 1 - spikeTicks.size);
    }
  });
});
