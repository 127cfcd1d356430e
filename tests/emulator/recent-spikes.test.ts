/**
 * The emulator remembers each group's recent spike ticks only until their delayed deliveries are
 * past, however long activity continues. basic-late drives the presynaptic neuron every 11 ticks
 * for 4 h; before the fix the list held every spike of the stimulus (about 8 million) and its
 * pruning went quadratic, so basic-late never finished on either chip (issue 18).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

describe("recent spikes stay bounded under continuous activity", () => {
  for (const target of ["cmos", "bss2"]) {
    it(`${target}: the list never exceeds the largest delay + 1, whatever the stimulus length`, () => {
      const program = compile("models/stc/basic-late.yaml", { target, seed: 1 });
      const { ir } = compileFixed(program, getTarget(target).caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
      const bound = Math.max(0, ...ir.kernels.map((k) => k.on_spike?.delay_ticks ?? 0)) + 1;
      const em = new Emulator(ir);
      const backlogs: number[] = [];
      // 2 s, then 8 s more of a spike every 11 ticks (0.2 ms ticks): 909 and 4545 presynaptic spikes
      for (const ticks of [10_000, 40_000]) {
        em.run(ticks);
        backlogs.push(em.recentSpikeBacklog());
      }
      expect(em.tick).toBe(50_000);
      for (const b of backlogs) {
        expect(b).toBeGreaterThan(0); // the stimulus really spiked
        expect(b).toBeLessThanOrEqual(bound);
      }
    });
  }
});
