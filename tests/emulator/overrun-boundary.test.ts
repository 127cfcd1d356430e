/**
 * The overrun boundary of the emulator's cycle budget, hand-derived: at 1 MHz and 0.2 ms ticks
 * (acceleration 1) a tick has exactly 1e6 x 2e-4 = 200 cycles. A kernel that needs exactly its
 * period's budget completes on time (the check is "later than the deadline", not "at it"); one
 * cycle more misses it. Kills the mutant `>` -> `>=` in Emulator.account.
 */
import { describe, expect, it } from "vitest";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

/** The sample program (100 ticks) with its periodic kernel costing `cycles` every `period` ticks. */
function withKernel(cycles: number, period = 1) {
  const p = sampleProgram();
  p.kernels[0]!.cycles = cycles;
  p.kernels[0]!.periodic!.period_ticks = period;
  return new Emulator(p);
}

describe("overrun boundary", () => {
  it("200 cycles every tick at 200 cycles per tick: on time, never an overrun", () => {
    const e = withKernel(200);
    e.run();
    expect(e.stats.overruns).toBe(0);
    // the backlog is drained every tick, so it peaks at one run's cycles
    expect(e.stats.maxBacklogCycles).toBe(200);
  });

  it("201 cycles every tick: every run is late", () => {
    const e = withKernel(201);
    e.run();
    // (0 + 201) / 200 > 1 on the first run; the backlog grows by 1 cycle a tick after that
    expect(e.stats.overruns).toBe(100);
    expect(e.stats.maxBacklogCycles).toBe(201 + 99);
  });

  it("a 4-tick period has a 4-tick deadline: 800 cycles fit, 801 do not", () => {
    const fits = withKernel(800, 4);
    fits.run();
    expect(fits.stats.overruns).toBe(0);
    expect(fits.stats.maxBacklogCycles).toBe(800);
    const late = withKernel(801, 4);
    late.run();
    // 25 runs in 100 ticks, each (backlog + 801) / 200 > 4
    expect(late.stats.overruns).toBe(25);
  });
});
