/**
 * Saturation counts (issue 11, item 1): every value a saturating conversion clamps to its format's
 * range is counted in the emulator's stats (and the run manifest's hardware block), as overruns
 * are; never hidden. Counted in kernel runs that execute (runs skipped as exact repeats of a no-op
 * would clamp the same values again and are not counted twice).
 */
import { describe, expect, it } from "vitest";
import { Emulator, type Snapshot } from "../../targets/emulator/emulator.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

/** The sample with its weight at the top of sQ3.12 (raw 32767): w + c clamps whenever c > 0. */
function pinned() {
  const p = sampleProgram();
  p.states[0]!.init = [32767];
  p.states[2]!.init = [255];
  return p;
}

describe("saturation counts", () => {
  it("the sample's weight (w += c every tick) clamps at its maximum: none before, one per tick after", () => {
    const at = (tick: number) => {
      const e = new Emulator(sampleProgram());
      e.run(tick);
      return e;
    };
    // w starts at raw 4096 and reaches 32767 between ticks 25 and 30 (it is 26304 at tick 25)
    expect(at(25).state[0]![0]).toBeLessThan(32767);
    expect(at(25).stats.saturations).toBe(0);
    const [a, b] = [at(30), at(100)];
    expect(a.state[0]![0]).toBe(32767);
    // from then on every syn.update run computes w + c > max with c > 0: exactly one clamp (the ADD) per tick
    expect(b.stats.saturations - a.stats.saturations).toBe(70);
  });

  it("a weight pinned at its maximum with a positive trace is clamped and counted; the state stays at the bound", () => {
    const e = new Emulator(pinned());
    e.run();
    expect(e.state[0]![0]).toBe(32767);
    // the first tick's w + c = 32767 + 255 x 0.95 x 64 (raw) is clamped at least once
    expect(e.stats.saturations).toBeGreaterThanOrEqual(1);
    expect(e.stats.saturations).toBeLessThanOrEqual(100 * 8); // at most every conversion of every run
  });

  it("the count survives a checkpoint: stop, save, restore, continue gives the uninterrupted count", () => {
    const whole = new Emulator(pinned());
    whole.run();
    const first = new Emulator(pinned());
    first.run(37);
    const saved = JSON.parse(JSON.stringify(first.snapshot())) as Snapshot;
    const second = new Emulator(pinned());
    second.restore(saved);
    second.run();
    expect(second.stats.saturations).toBe(whole.stats.saturations);
  });
});
