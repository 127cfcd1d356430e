/**
 * A current or stream window whose start equals its stop (verify.ts allows it: nothing is driven)
 * is not an event: the emulator's look-ahead (targets/emulator/emulator.ts, nextEvent) jumps over
 * its tick. Written from the two mutants left open in docs/reliability.md ("start_tick > t" made
 * ">=" for currents and for streams): they step that tick instead, with the same outputs, so only
 * the statistics tell. Expected counts hand-derived: tick 0 is stepped (the kernel's first run),
 * every later tick of the 500 is jumped.
 */
import { describe, expect, it } from "vitest";
import type { IrProgram } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { header, keep, state } from "../helpers/tiny-ir.ts";

function program(stimulus: "current" | "stream"): IrProgram {
  const window = stimulus === "current"
    ? { group: 0, current: { neurons: [0, 1], input_state: 1, start_tick: 100, stop_tick: 100, mean_raw: 50, decay_q32: 0, kick_raw: 0, ou_state: 0 } }
    : { group: 0, stream: { neurons: [0, 1], input_state: 1, start_tick: 200, stop_tick: 200, channels: 1, sample_frac: 0, samples: [] as number[], weight_frac: 0, weights: [1, 1] } };
  return {
    header: header("empty-window", 500, 3),
    groups: [{ name: "n", kind: 1, size: 2 }],
    states: [state("n.V", 16), state("n.I", 16)],
    connectivity: [],
    kernels: [keep("n.keep", 0, 16)],
    stimuli: [window],
    probes: [],
  } as IrProgram;
}

describe("an empty current or stream window is jumped over", () => {
  for (const stimulus of ["current", "stream"] as const) {
    it(`${stimulus} window with start = stop: the interpreter's states, tick 0 stepped, 499 ticks jumped`, () => {
      const p = program(stimulus);
      verify(p);
      const ref = interpret(p);
      for (const mode of ["generated", "closures", "simd"] as const) {
        const emu = new Emulator(p, mode);
        emu.run();
        expect(emu.state.map((a) => Array.from(a, (x) => x + 0))).toEqual(ref.state.map((a) => a.map(Number)));
        expect(emu.stats.ticks).toBe(1);
        expect(emu.stats.jumpedTicks).toBe(499);
      }
    });
  }
});
