/**
 * The bit-exactness check shared by the emulator suites: run a program on the emulator (generated
 * kernels and closures) and on the IR reference interpreter, and expect the same final state, every
 * probe sample and every spike. `ref` lets a suite that runs one program in several modes
 * interpret it once.
 */
import { expect } from "vitest";
import { interpret } from "../../src/ir/reference.ts";
import type { IrProgram } from "../../src/ir/codec.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

export function expectSameAsInterpreterIn(p: IrProgram, ticks: number, mode: "generated" | "closures" | "simd", ref = interpret(p, ticks)): Emulator {
  const emu = new Emulator(p, mode);
  emu.run(ticks);
  expect(emu.state.map((a) => Array.from(a))).toEqual(ref.state.map((a) => a.map(Number)));
  ref.probes.forEach((pr, i) => {
    expect(emu.probes[i]!.ticks).toEqual(pr.ticks);
    expect(emu.probes[i]!.data).toEqual(pr.values.flatMap((v) => v.map(Number)));
  });
  expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
  expect(emu.spikes.elements).toEqual(ref.spikes.map((s) => s.element));
  return emu;
}

/** Both kernel paths against the interpreter. */
export function expectSameAsInterpreter(p: IrProgram, ticks = p.header.duration_ticks): void {
  for (const mode of ["generated", "closures"] as const) expectSameAsInterpreterIn(p, ticks, mode);
}
