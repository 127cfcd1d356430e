/**
 * The emulator against the reference interpreter (the oracle of bit-exactness), on random
 * *runnable* programs: every op of the IR in random formats, in kernels of every trigger
 * (periodic, gated, spike-triggered with delays), squeezed into a few dozen ticks so that every
 * kernel and stimulus acts. Each kernel starts by setting all its registers to random constants,
 * so no op reads a register nothing wrote. Half the programs use narrow fractional ranges, so
 * their kernels take the generated straight-line path (codegen.ts); the others mostly take the
 * closures, with the BigInt path where an op could pass 2^52.
 */
import { describe, expect, it } from "vitest";
import { interpret } from "../../src/ir/reference.ts";
import type { IrProgram } from "../../src/ir/codec.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { numberSafe } from "../../targets/emulator/codegen.ts";
import { DENSE, programs, SPARSE } from "./runnable-programs.ts";

/** The interpreter runs each program once; both emulator paths are compared with it. */
const oracle = new Map<IrProgram, ReturnType<typeof interpret>>();

function sameIn(p: IrProgram, mode: "generated" | "closures"): Emulator {
  let ref = oracle.get(p);
  if (!ref) oracle.set(p, (ref = interpret(p)));
  const emu = new Emulator(p, mode);
  emu.run();
  expect(emu.tick).toBe(p.header.duration_ticks);
  expect(emu.state.map((a) => Array.from(a))).toEqual(ref.state.map((a) => a.map(Number)));
  ref.probes.forEach((pr, i) => {
    expect(emu.probes[i]!.ticks).toEqual(pr.ticks);
    expect(emu.probes[i]!.data).toEqual(pr.values.flatMap((v) => v.map(Number)));
  });
  expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
  expect(emu.spikes.groups).toEqual(ref.spikes.map((s) => s.group));
  expect(emu.spikes.elements).toEqual(ref.spikes.map((s) => s.element));
  return emu;
}

describe("emulator = reference interpreter on random runnable programs", () => {
  const dense = programs(DENSE, 300, 23);

  it("the dense sample exercises every op, both paths, gates, delays and spikes", () => {
    const ops = new Set(dense.flatMap((p) => p.kernels.flatMap((k) => k.ops.slice(k.registers.length).map((o) => o.op))));
    expect(ops.size).toBe(21);
    const kernels = dense.flatMap((p) => p.kernels.map((k) => ({ k, p })));
    expect(kernels.filter(({ k, p }) => numberSafe(k, p)).length).toBeGreaterThan(100);
    expect(kernels.filter(({ k, p }) => !numberSafe(k, p)).length).toBeGreaterThan(20);
    expect(kernels.filter(({ k }) => k.periodic?.gated).length).toBeGreaterThan(20);
    expect(kernels.filter(({ k }) => (k.on_spike?.delay_ticks ?? 0) > 0).length).toBeGreaterThan(20);
  });

  it("dense, generated kernels: every state, probe sample and spike as the interpreter", () => {
    for (const p of dense) sameIn(p, "generated");
  });

  it("dense, closures: every state, probe sample and spike as the interpreter", () => {
    for (const p of dense) sameIn(p, "closures");
  });

  it("sparse (quiet stretches jumped, idle kernels skipped), both paths: as the interpreter", () => {
    const sparse = programs(SPARSE, 80, 29);
    let jumped = 0, skipped = 0;
    for (const p of sparse) {
      for (const mode of ["generated", "closures"] as const) {
        const e = sameIn(p, mode);
        jumped += e.stats.jumpedTicks;
        skipped += e.stats.kernelSkips;
        // every tick is either stepped or jumped
        expect(e.stats.ticks + e.stats.jumpedTicks).toBe(p.header.duration_ticks);
      }
    }
    expect(sparse.length).toBeGreaterThan(20);
    expect(jumped).toBeGreaterThan(1000);
    expect(skipped).toBeGreaterThan(100);
  });
});
