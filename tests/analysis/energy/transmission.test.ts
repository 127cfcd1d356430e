/**
 * Transmission against plasticity in the energy counters, hand-computed: three rate units with a
 * static projection (3 synapses, each carries w x every step and writes no synapse state) and a
 * plastic one (6 synapses, each updates its w every step), 20 steps on the cmos emulator. The
 * static projection's runs are synaptic transmissions at 10 pJ, the plastic one's plasticity
 * updates at 120 pJ (targets/cmos/facts.ts, both assumptions); the float64 run's estimate counts
 * the same.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../../src/compiler/pipeline.ts";
import { compileFixed } from "../../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../../src/cli/compile.ts";
import { getTarget } from "../../../targets/registry.ts";
import { EmulatorHandle } from "../../../targets/emulator/handle.ts";
import { Executor } from "../../../targets/reference/executor.ts";
import { transmissionKernels } from "../../../targets/emulator/kernel-roles.ts";
import { energyOfRun } from "../../../src/cli/run-energy.ts";

const MODEL = "tests/fixtures/energy/static-and-plastic.yaml";
const STEPS = 20, STATIC = 3, PLASTIC = 6;

describe("synaptic transmission and plasticity priced apart", () => {
  const program = compile(MODEL, { target: "cmos" });
  const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });

  it("a synapse kernel is a transmission when it writes no synapse state (from its ops)", () => {
    expect(ir.kernels.map((k) => k.name)).toEqual(["res.update", "fixed.update", "learning.update"]);
    expect(Array.from(transmissionKernels(ir))).toEqual([0, 1, 0]);
  });

  it("counts and joules on the cmos emulator, and the float64 estimate", { timeout: 60_000 }, () => {
    const h = new EmulatorHandle(ir);
    h.run();
    const s = h.emulator.stats;
    expect(s.ticks + s.jumpedTicks).toBe(STEPS);
    expect(s.synapseUpdates).toBe((STATIC + PLASTIC) * STEPS);
    expect(s.eventSynapseUpdates).toBe(0);
    expect(s.transmissionSynapseUpdates).toBe(STATIC * STEPS);
    const measured = energyOfRun(program, h, "cmos");
    const ex = new Executor(compile(MODEL, { target: "reference" }));
    ex.run();
    const estimated = energyOfRun(compile(MODEL, { target: "reference" }), ex, "reference");
    for (const e of [measured, estimated]) {
      expect(e.activity.transmissions).toBe(60); // 3 synapses x 20 steps
      expect(e.activity.periodicUpdates).toBe(120); // 6 synapses x 20 steps
      expect(e.activity.continuousEvents).toBe(e.activity.synapticEvents); // both projections sum every step
      const term = (name: string) => e.models.cmos.terms.find((t) => t.name === name)!;
      expect(term("synaptic_transmissions").value).toBeCloseTo(60 * 10e-12, 22); // 6.0e-10 J
      expect(term("synaptic_transmissions").figure).toBe("energy_per_synaptic_transmission");
      expect(term("plasticity_updates").value).toBeCloseTo(120 * 120e-12, 22); // 1.44e-8 J
      expect(term("plasticity_updates").figure).toBe("energy_per_plasticity_update");
      expect(term("synaptic_events").value).toBe(0); // no spikes: the rate-mapped events are biology's only
      expect(term("static").value).toBeCloseTo(50e-6 * 0.02, 18); // 50 µW x 20 ms = 1.0e-6 J
      expect(e.models.cmos.joules).toBeCloseTo(e.models.cmos.terms.reduce((a, t) => a + t.value, 0), 18);
      expect(e.models.cmos.figures.energy_per_synaptic_transmission).toMatchObject({ value: 10e-12, unit: "J" });
      expect("assumption" in (e.models.cmos.figures.energy_per_synaptic_transmission as object)).toBe(true);
    }
    expect(measured.models.cmos.basis).toMatch(/^measured/);
    expect(estimated.models.cmos.basis).toMatch(/^estimated/);
  });
});
