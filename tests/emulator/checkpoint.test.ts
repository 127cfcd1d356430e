/**
 * Snapshot and restore: a run stopped anywhere (here in the middle of the second tetanus of STET,
 * and once in the quiet hours), written to JSON and continued in a fresh emulator, ends bit-identical
 * to the run that never stopped: state, every probe sample, every spike, the cycle statistics.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator, type Snapshot } from "../../targets/emulator/emulator.ts";

describe("emulator checkpoints", () => {
  const program = compile("models/stc/stet.yaml", { target: "bss2", seed: 4 });
  const { ir } = compileFixed(program, getTarget("bss2").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
  const whole = new Emulator(ir);
  whole.run();

  for (const stopAt of [3600 * 5000 + 600 * 5000 + 2_345, 5 * 3600 * 5000]) {
    it(`stop at tick ${stopAt}, save, restore, continue: identical`, () => {
      const first = new Emulator(ir);
      first.run(stopAt);
      expect(first.tick).toBe(stopAt);
      const saved = JSON.parse(JSON.stringify(first.snapshot())) as Snapshot;
      const second = new Emulator(ir);
      second.restore(saved);
      second.run();
      expect(second.state.map((a) => Array.from(a))).toEqual(whole.state.map((a) => Array.from(a)));
      second.probes.forEach((p, i) => {
        expect(p.ticks).toEqual(whole.probes[i]!.ticks);
        expect(p.data).toEqual(whole.probes[i]!.data);
      });
      expect(second.spikes).toEqual(whole.spikes);
      expect(second.stats.overruns).toBe(whole.stats.overruns);
    });
  }

  it("refuses a checkpoint of another program", () => {
    const other = compileFixed(compile("models/stc/wtet.yaml", { target: "bss2" }), getTarget("bss2").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun }).ir;
    const e = new Emulator(other);
    expect(() => e.restore(new Emulator(ir).snapshot())).toThrow(/not this program/);
  });
});
