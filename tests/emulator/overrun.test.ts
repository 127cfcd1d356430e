/** Cycle accounting: digital work beyond the clock's budget is counted, never hidden. */
import { describe, expect, it } from "vitest";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

describe("digital cycle budget", () => {
  it("a kernel of 120 cycles every tick fits a 1 MHz clock at 0.2 ms ticks (200 cycles per tick)", () => {
    const e = new Emulator(sampleProgram());
    e.run();
    expect(e.stats.overruns).toBe(0);
    expect(e.stats.maxBacklogCycles).toBe(120);
  });

  it("at 100 kHz (20 cycles per tick) every run misses its one-tick deadline", () => {
    const p = sampleProgram();
    p.header.clock_hz = 1e5;
    const e = new Emulator(p);
    e.run();
    // Hand-derived: each of the 100 runs needs 120 / 20 = 6 ticks, more than its 1-tick period;
    // the backlog grows by 120 - 20 = 100 cycles a tick, peaking at 120 + 99 x 100 on the last run.
    expect(e.stats.overruns).toBe(100);
    expect(e.stats.maxBacklogCycles).toBe(120 + 99 * 100);
  });

  it("no clock, no budget", () => {
    const p = sampleProgram();
    p.header.clock_hz = 0;
    const e = new Emulator(p);
    e.run();
    expect(e.stats.overruns).toBe(0);
  });
});
