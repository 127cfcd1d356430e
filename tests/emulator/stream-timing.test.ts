/**
 * Stream stimuli in the emulator's tick loop (targets/emulator/emulator.ts: applyCurrents,
 * streamAt, nextEvent): a stream's window after a quiet stretch that is jumped, streams and a
 * current adding into one saturating input in program order, and the stretch after the last
 * window jumped again. Written from the emulator's mutation survivors (docs/reliability.md):
 * no file of the mutation module's list reached a stream.
 *
 * The program: 2 neurons, input I (8-bit signed, frac 0: [-128, 127]), accumulator x (24-bit);
 * one kernel every tick, x += I (a no-op while I = 0, so it is then skipped and the ticks jumped).
 * Stimuli, in program order, all into I:
 *  0: stream, ticks 10-13, both neurons, sample 300, weight 1  -> +300 (saturates I alone)
 *  1: current, ticks 12-15, both neurons, mean -100
 *  2: stream, ticks 13-19, neuron 0 only, sample 50, weight 1  -> +50
 */
import { describe, expect, it } from "vitest";
import type { IrProgram } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { expectSameAsInterpreterIn } from "../helpers/same-as-interpreter.ts";

import { accumulate, header, state } from "../helpers/tiny-ir.ts";

const stream = (neurons: number[], start: number, stop: number, sample: number) => ({
  group: 0,
  stream: { neurons, input_state: 0, start_tick: start, stop_tick: stop, channels: 1, sample_frac: 0, samples: Array(stop - start).fill(sample), weight_frac: 0, weights: neurons.map(() => 1) },
});

function program(stimuli: IrProgram["stimuli"]): IrProgram {
  return {
    header: header("stream-timing", 30),
    groups: [{ name: "n", kind: 1, size: 2 }],
    states: [state("n.I", 8), state("n.x", 24)],
    connectivity: [],
    kernels: [accumulate("n.acc", 0, 8, 1, 24)],
    stimuli,
    probes: [
      { state: 0, elements: [0, 1], every_ticks: 1, column: "I" },
      { state: 1, elements: [0, 1], every_ticks: 1, column: "x" },
    ],
  };
}

const current = { group: 0, current: { neurons: [0, 1], input_state: 0, start_tick: 12, stop_tick: 16, mean_raw: -100, decay_q32: 0, kick_raw: 0, ou_state: 0 } };
const inOrder = program([stream([0, 1], 10, 14, 300), current, stream([0], 13, 20, 50)]);

/** I of neuron `e` after each tick 0..30 (probe samples), from the emulator in `mode`. */
const inputTrace = (emu: Emulator, e: number) => emu.probes[0]!.data.filter((_, j) => j % 2 === e);

describe("stream stimuli in the tick loop: windows, order with currents, jumps", () => {
  it("the program is valid and the interpreter gives the hand-derived inputs", () => {
    verify(inOrder);
    const ref = interpret(inOrder);
    // Sample k is taken after tick k-1 (sample 0 is the initial state).
    const I0 = ref.probes[0]!.values.map((v) => Number(v[0]));
    const I1 = ref.probes[0]!.values.map((v) => Number(v[1]));
    // ticks 10-11: 300 -> 127; tick 12: 127 - 100 = 27; tick 13: 27 + 50 = 77 (neuron 0), 27;
    // ticks 14-15: -100 + 50 = -50, -100; ticks 16-19: 50, 0; from tick 20: 0.
    const at = (t: number) => t + 1;
    expect([10, 11, 12, 13, 14, 15, 16, 19, 20, 29].map((t) => I0[at(t)])).toEqual([127, 127, 27, 77, -50, -50, 50, 50, 0, 0]);
    expect([10, 11, 12, 13, 14, 15, 16, 19, 20, 29].map((t) => I1[at(t)])).toEqual([127, 127, 27, 27, -100, -100, 0, 0, 0, 0]);
    expect(I0.slice(0, 11).every((v) => v === 0)).toBe(true);
    // x = sum of I: 2 x 127 + 27 + 77 - 2 x 50 + 4 x 50 = 458; 2 x 127 + 27 + 27 - 2 x 100 = 108
    expect(ref.state[1]!.map(Number)).toEqual([458, 108]);
  });

  for (const mode of ["generated", "closures", "simd"] as const) {
    it(`${mode}: every sample and the final state as the interpreter; ticks 1-9 and 21-29 jumped`, () => {
      const emu = expectSameAsInterpreterIn(inOrder, 30, mode);
      expect(inputTrace(emu, 0)[11]).toBe(127);
      // tick 0 runs (x += 0, a no-op), 1-9 wait for the stream at 10; tick 20 resets I to 0 and
      // the kernel's run is a no-op again, so 21-29 are jumped
      expect(emu.stats.jumpedTicks).toBe(18);
      expect(emu.stats.ticks).toBe(12);
    });
  }

  it("a stream alone (no current): its window is applied and jumped around", () => {
    const p = program([stream([1], 5, 8, -7)]);
    verify(p);
    const emu = expectSameAsInterpreterIn(p, 30, "generated");
    expect(Array.from(emu.state[1]!)).toEqual([0, -21]);
    // tick 0 runs, 1-4 jumped, 5-8 run (8 resets I), 9-29 jumped
    expect(emu.stats.jumpedTicks).toBe(4 + 21);
  });

  it("order matters under saturation: the current first gives other values (as the interpreter)", () => {
    // current (-100) before the +300 stream: -100 + 300 = 200 -> 127 at ticks 12-13, not 27
    const p = program([current, stream([0, 1], 10, 14, 300), stream([0], 13, 20, 50)]);
    verify(p);
    const emu = expectSameAsInterpreterIn(p, 30, "generated");
    expect(inputTrace(emu, 1)[13]).toBe(127);
    expect(inputTrace(emu, 0)[14]).toBe(127); // 127 + 50 saturates
  });

  it("a run stopped inside a stream's window continues as one uninterrupted run", () => {
    const emu = new Emulator(inOrder, "generated");
    emu.run(12);
    const resumed = new Emulator(inOrder, "generated");
    resumed.restore(emu.snapshot());
    resumed.run(18);
    const whole = new Emulator(inOrder, "generated");
    whole.run(30);
    expect(Array.from(resumed.state[1]!)).toEqual(Array.from(whole.state[1]!));
    expect(resumed.probes[0]!.data).toEqual(whole.probes[0]!.data);
  });
});
