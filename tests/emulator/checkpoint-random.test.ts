/**
 * Snapshot and restore on random runnable programs (every op and trigger, gates, currents, delayed
 * deliveries; tests/emulator/runnable-programs.ts): stopped at a tick inside the run, written to
 * JSON and continued in a fresh emulator, the run ends identical to the one that never stopped, in
 * state, probes and spikes and in every statistic (the cycle budget, kernel runs and skips, jumped
 * ticks, synapse updates, saturations), on both kernel paths.
 */
import { describe, expect, it } from "vitest";
import type { IrProgram } from "../../src/ir/codec.ts";
import { Emulator, type Snapshot } from "../../targets/emulator/emulator.ts";
import { DENSE, programs, SPARSE } from "./runnable-programs.ts";

/** Raw values as integers: a kernel may leave -0 (e.g. NEG of 0), which JSON writes as 0; the same raw value. */
const raw = (a: ArrayLike<number>) => Array.from(a, (x) => x + 0);

function resumed(p: IrProgram, stopAt: number, mode: "generated" | "closures"): void {
  const whole = new Emulator(p, mode);
  whole.run();
  const first = new Emulator(p, mode);
  first.run(stopAt);
  expect(first.tick).toBe(stopAt);
  const saved = JSON.parse(JSON.stringify(first.snapshot())) as Snapshot;
  const second = new Emulator(p, mode);
  second.restore(saved);
  expect(second.tick).toBe(stopAt);
  second.run();
  expect(second.state.map(raw)).toEqual(whole.state.map(raw));
  expect(second.probes.map((x) => [x.ticks, raw(x.data)])).toEqual(whole.probes.map((x) => [x.ticks, raw(x.data)]));
  expect(second.spikes).toEqual(whole.spikes);
  // the recent-spike lists are pruned at different ticks after a restore; only their bound is fixed
  expect(second.recentSpikeBacklog()).toBeLessThanOrEqual(Math.max(0, ...p.kernels.map((k) => k.on_spike?.delay_ticks ?? 0)) + 1);
  const { wallSeconds: _a, ...stats } = second.stats;
  const { wallSeconds: _b, ...wholeStats } = whole.stats;
  expect(stats).toEqual(wholeStats);
}

describe("checkpoints of random programs continue exactly", () => {
  it("dense programs (40 ticks), stopped inside the run, both paths", () => {
    const ps = programs(DENSE, 70, 31);
    expect(ps.length).toBeGreaterThan(20);
    ps.forEach((p, i) => {
      resumed(p, 1 + ((i * 7) % 38), "generated");
      resumed(p, 1 + ((i * 11) % 38), "closures");
    });
  });

  it("sparse programs (400 ticks), stopped inside quiet stretches and busy ones, both paths", () => {
    const ps = programs(SPARSE, 60, 37);
    expect(ps.length).toBeGreaterThan(15);
    ps.forEach((p, i) => {
      resumed(p, 1 + ((i * 97) % 398), "generated");
      resumed(p, 1 + ((i * 131) % 398), "closures");
    });
  });
});
