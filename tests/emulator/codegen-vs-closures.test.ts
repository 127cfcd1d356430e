/**
 * The generated kernels (codegen.ts) against the emulator's closures on random runnable programs
 * (tests/emulator/runnable-programs.ts): same states, probe samples, spikes and scheduling
 * statistics. The closures are themselves compared with the reference interpreter bit for bit
 * (random-kernels.test.ts, bitexact.test.ts); without the interpreter's BigInt runs this check is
 * cheap enough to cover many programs, so it is the codegen module's mutation oracle.
 */
import { describe, expect, it } from "vitest";
import type { IrProgram } from "../../src/ir/codec.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { numberSafe } from "../../targets/emulator/codegen.ts";
import { DENSE, programs, SPARSE } from "./runnable-programs.ts";

/** Raw values as integers: -0 (e.g. NEG of 0) and 0 are the same raw value. */
const raw = (a: ArrayLike<number>) => Array.from(a, (x) => x + 0);

function same(p: IrProgram): void {
  const g = new Emulator(p, "generated");
  g.run();
  const c = new Emulator(p, "closures");
  c.run();
  expect(g.state.map(raw)).toEqual(c.state.map(raw));
  expect(g.probes.map((x) => [x.ticks, raw(x.data)])).toEqual(c.probes.map((x) => [x.ticks, raw(x.data)]));
  expect(g.spikes).toEqual(c.spikes);
  // the closures count no saturations (only JS kernels do); every other statistic is the same
  const { wallSeconds: _a, saturations: _b, ...gs } = g.stats;
  const { wallSeconds: _c, saturations: _d, ...cs } = c.stats;
  expect(gs).toEqual(cs);
}

describe("generated kernels = closures on random runnable programs", () => {
  it("dense and sparse programs, most kernels on the generated path", () => {
    const ps = [...programs(DENSE, 90, 41), ...programs(SPARSE, 25, 43)];
    const kernels = ps.flatMap((p) => p.kernels.map((k) => ({ k, p })));
    expect(kernels.filter(({ k, p }) => numberSafe(k, p) && k.ops.length > k.registers.length).length).toBeGreaterThan(40);
    for (const p of ps) same(p);
  });
});
