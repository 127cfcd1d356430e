/**
 * A Poisson stimulus' quiet ticks are jumped (targets/emulator/emulator.ts, prime): the emulator
 * draws ahead to the next tick with a spike and steps only that one, so with nothing else to do
 * the stepped ticks are tick 0 and the ticks with stimulus spikes, however long the window.
 * Written from the emulator's mutation survivors (docs/reliability.md): stopping the look-ahead at
 * every tick of the window gives the same spikes, so only the statistics tell.
 */
import { describe, expect, it } from "vitest";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

const op = (name: string) => OP_BY_NAME.get(name)!.code;
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
const q = (width: number): IrFixedFormat => ({ width, signed: true, frac: 0, rounding: 2, overflow: 2 });

// 3 neurons, p = 1/64 per neuron and tick in ticks 10-409 (bursts: 50 on in every 80); the only
// kernel stores V back unchanged (a no-op, so it is skipped after tick 0).
const program: IrProgram = {
  header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 5, tick_seconds: 1e-3, duration_ticks: 500, model_name: "poisson", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
  groups: [{ name: "n", kind: 1, size: 3 }],
  states: [{ name: "n.V", group: 0, format: q(16), init: [0], unit: "1", unit_scale: 1 }],
  connectivity: [],
  kernels: [
    {
      name: "n.keep", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0,
      registers: [{ format: q(16) }],
      ops: [
        { ...unused, op: op("LOAD"), dst: 0, state: 0, index: 1 },
        { ...unused, op: op("STORE"), src: [0], state: 0, index: 1 },
      ],
    },
  ],
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
