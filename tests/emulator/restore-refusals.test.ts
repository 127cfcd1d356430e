/**
 * Emulator.restore's own checks (targets/emulator/emulator.ts), besides the field checks of
 * snapshot-check.ts: a snapshot that is not an object, or is of another target or model, is
 * refused with one message naming both; the per-kernel read counts reach the field checks; an older
 * snapshot without currentZeroedAt continues exactly. Written from the emulator's mutation
 * survivors (docs/reliability.md).
 *
 * The program: 2 neurons; a constant current (+3, ticks 2-5) into input I; one kernel every tick,
 * x += I.
 */
import { describe, expect, it } from "vitest";
import type { IrProgram } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator, type Snapshot } from "../../targets/emulator/emulator.ts";
import { SnapshotError } from "../../targets/emulator/snapshot-check.ts";

import { accumulate, header, state } from "../helpers/tiny-ir.ts";
const SHA = "0123456789abcdef".repeat(4);

const program: IrProgram = {
  header: { ...header("restore", 10), model_sha256: SHA },
  groups: [{ name: "n", kind: 1, size: 2 }],
  states: [state("n.I", 8), state("n.x", 16)],
  connectivity: [],
  kernels: [accumulate("n.acc", 0, 8, 1, 16)],
  stimuli: [{ group: 0, current: { neurons: [0, 1], input_state: 0, start_tick: 2, stop_tick: 6, mean_raw: 3, decay_q32: 0, kick_raw: 0, ou_state: 0 } }],
  probes: [{ state: 1, elements: [0, 1], every_ticks: 1, column: "x" }],
};

function snapshotAt(tick: number): Snapshot {
  const emu = new Emulator(program, "generated");
  emu.run(tick);
  return emu.snapshot();
}

const refusal = (s: unknown): string => {
  try {
    new Emulator(program, "generated").restore(s as Snapshot);
  } catch (e) {
    return (e as Error).message;
  }
  return "accepted";
};

describe("Emulator.restore: identity checks and older snapshots", () => {
  it("the program is valid; the interpreter gives x = 4 x 3 = 12 for both neurons", () => {
    verify(program);
    expect(interpret(program).state[1]!.map(Number)).toEqual([12, 12]);
  });

  it("null or a non-object is refused with the identity message, not a TypeError", () => {
    expect(refusal(null)).toBe("checkpoint is for undefined / model undefined, not this program (cmos / 0123456789ab)");
    expect(refusal(undefined)).toBe("checkpoint is for undefined / model undefined, not this program (cmos / 0123456789ab)");
    expect(refusal(7)).toBe("checkpoint is for undefined / model undefined, not this program (cmos / 0123456789ab)");
  });

  it("another target with the same model hash is refused; the hashes are shown to 12 characters", () => {
    const s = snapshotAt(3);
    expect(refusal({ ...s, target: "bss2" })).toBe("checkpoint is for bss2 / model 0123456789ab, not this program (cmos / 0123456789ab)");
    expect(refusal({ ...s, modelSha256: "f".repeat(64) })).toBe("checkpoint is for cmos / model ffffffffffff, not this program (cmos / 0123456789ab)");
    expect(refusal(s)).toBe("accepted");
  });

  it("idleAt with one entry more than the kernel reads is refused by field", () => {
    const s = snapshotAt(3);
    const bad = { ...s, idleAt: [[...s.idleAt[0]!, 0]] };
    let err: unknown;
    try {
      new Emulator(program, "generated").restore(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SnapshotError);
    expect((err as SnapshotError).field).toBe("idleAt[0]");
  });

  for (const tick of [0, 1, 2, 4, 6, 8]) {
    it(`a snapshot without currentZeroedAt (older format) taken at tick ${tick} continues as one uninterrupted run`, () => {
      const s = snapshotAt(tick);
      delete s.currentZeroedAt;
      const resumed = new Emulator(program, "generated");
      resumed.restore(s);
      resumed.run();
      const whole = new Emulator(program, "generated");
      whole.run();
      expect(Array.from(resumed.state[1]!)).toEqual([12, 12]);
      expect(resumed.probes[0]!.data).toEqual(whole.probes[0]!.data);
    });
  }
});
