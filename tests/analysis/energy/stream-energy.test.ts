/**
 * Streams in the energy counters (issue 14): a stream stimulus costs one multiply-add per driven
 * neuron, channel and tick. On cmos each is priced as energy_per_stream_input (10 pJ, an assumption
 * in targets/cmos/facts.ts); on bss2 the stream's processor cycles (the DRC's count, from the
 * facts: 50 per channel and 64-lane vector plus 47 per vector, every tick) add to the processor's
 * busy time.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../../src/compiler/pipeline.ts";
import { compileFixed } from "../../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../../src/cli/compile.ts";
import { getTarget } from "../../../targets/registry.ts";
import { EmulatorHandle } from "../../../targets/emulator/handle.ts";
import { Executor } from "../../../targets/reference/executor.ts";
import { energyOfRun } from "../../../src/cli/run-energy.ts";

const opts = { rounding: "nearest" as const, engramVersion: "test", analyse: analyseByRun };

describe("stream inputs in the energy counters", () => {
  it("cmos: 24 units x 1 channel x every tick, at 10 pJ each, measured and estimated alike", { timeout: 60_000 }, () => {
    const MODEL = "tests/fixtures/reservoir/esn-small.yaml";
    const program = compile(MODEL, { target: "cmos" });
    const stream = program.stimuli.find((s) => s.kind === "stream")!;
    const ticks = Math.min(stream.stopTick, program.durationTicks) - stream.startTick;
    expect(ticks).toBeGreaterThan(290); // the stream covers the 300 ms run
    const h = new EmulatorHandle(compileFixed(program, getTarget("cmos").caps, opts).ir);
    h.run();
    const ex = new Executor(compile(MODEL, { target: "reference" }));
    ex.run();
    for (const e of [energyOfRun(program, h, "cmos"), energyOfRun(compile(MODEL, { target: "reference" }), ex, "reference")]) {
      expect(e.activity.streamInputs).toBe(24 * 1 * ticks);
      const term = e.models.cmos.terms.find((t) => t.name === "stream_inputs")!;
      expect(term.value).toBeCloseTo(24 * ticks * 10e-12, 22);
      expect(term.figure).toBe("energy_per_stream_input");
      expect(e.models.cmos.joules).toBeCloseTo(e.models.cmos.terms.reduce((a, t) => a + t.value, 0), 18);
      expect("assumption" in (e.models.cmos.figures.energy_per_stream_input as object)).toBe(true);
    }
  });
  it("bss2: the stream's 97 cycles per tick (20 neurons, one channel) count in the processor's busy time", { timeout: 60_000 }, () => {
    const program = compile("tests/fixtures/reservoir/lif-small.yaml", { target: "bss2" });
    const stream = program.stimuli.find((s) => s.kind === "stream")!;
    const ticks = Math.min(stream.stopTick, program.durationTicks) - stream.startTick;
    const h = new EmulatorHandle(compileFixed(program, getTarget("bss2").caps, opts).ir);
    h.run();
    const e = energyOfRun(program, h, "bss2");
    const kernels = h.emulator.stats.digitalCycles;
    expect(e.models.bss2.processor_busy_s).toBeCloseTo((kernels + 97 * ticks) / 250e6, 15);
  });
});
