/** Energy models (issue 15) against hand-computed values; the run loops' event counters. */
import { describe, expect, it } from "vitest";
import { biologicalEnergy } from "../../../src/analysis/energy/biology.ts";
import { bss2Energy, cmosEnergy } from "../../../src/analysis/energy/chips.ts";
import { activityOf } from "../../../src/analysis/energy/activity.ts";
import { energySection } from "../../../src/analysis/energy/energy.ts";
import { scorePerEnergy } from "../../../src/analysis/energy/score.ts";
import type { Program } from "../../../src/ir/program.ts";
import { compile } from "../../../src/compiler/pipeline.ts";
import { Executor } from "../../../targets/reference/executor.ts";

describe("biological energy (Attwell & Laughlin 2001, Howarth et al. 2012)", () => {
  // One cortical neuron for 1 s at 4 Hz with 8000 boutons: 4 spikes, 32 000 synaptic events, 8000 vesicles.
  const h12 = biologicalEnergy({ seconds: 1, neurons: 1, spikes: 4, synapticEvents: 4 * 8000, plasticityUpdates: 0 });
  const term = (name: string) => h12.terms.find((t) => t.name === name)!.value;
  it("reproduces the hand-computed budget, ≈ 2.23e9 ATP/s per neuron", () => {
    // hand: AP 4 x 3.84e8 x 1.24 / 4 = 4.7616e8; vesicles 8000 x (1.41e5 post, 1.2e4 pre, 1.1e4 recycling);
    // resting 3.42e8 + 1.02e8 = 4.44e8; total 2.23216e9
    expect(term("action_potentials")).toBeCloseTo(4.7616e8, -3);
    expect(term("postsynaptic")).toBeCloseTo(8000 * 1.41e5, -3);
    expect(term("presynaptic")).toBeCloseTo(9.6e7, -3);
    expect(term("recycling")).toBeCloseTo(8.8e7, -3);
    expect(term("resting")).toBeCloseTo(4.44e8, -3);
    expect(h12.atp).toBeCloseTo(2.23216e9, -4);
    // H12 publish ≈ 2.237e9 (20.4 vs 30 µmol ATP/g/min applied to AL01's 3.29e9)
    expect(Math.abs(h12.atp / 2.237e9 - 1)).toBeLessThan(0.003);
  });
  it("reproduces H12's signalling split 21/50/20/5/4 % (published to whole percent)", () => {
    const pct = (name: string) => (100 * term(name)) / h12.atp;
    const published = { action_potentials: 21, postsynaptic: 50, resting: 20, presynaptic: 5, recycling: 4 };
    for (const [name, p] of Object.entries(published)) expect(Math.abs(pct(name) - p), name).toBeLessThan(0.75);
    expect(h12.joules).toBeCloseTo(2.23216e9 * 8.3e-20, 15);
  });
});

describe("chip energy", () => {
  it("BSS-2: chip power x max(biological time / 1000, processor busy time)", () => {
    // hand: 10 s / 1000 = 10 ms analog; 5e6 cycles / 250 MHz = 20 ms busy; 0.175 W x 20 ms = 3.5 mJ
    const busy = bss2Energy({ seconds: 10, spikes: 0, synapticEvents: 1e6, plasticityUpdates: 0, digitalCycles: 5e6 });
    expect(busy.joules).toBeCloseTo(3.5e-3, 12);
    expect(busy.bounded_by).toBe("processor");
    const idle = bss2Energy({ seconds: 10, spikes: 0, synapticEvents: 1e6, plasticityUpdates: 0, digitalCycles: 1e6 });
    expect(idle.joules).toBeCloseTo(0.175 * 0.01, 12);
    expect(idle.bounded_by).toBe("analog time");
    expect(idle.range_j).toEqual([0.057 * 0.01, 0.2 * 0.01]);
  });
  it("CMOS: static power x real time + per-event terms (energy.md: 50 µW x 1 h = 0.18 J)", () => {
    const e = cmosEnergy({ seconds: 3600, spikes: 1e5, synapticEvents: 1e6, plasticityUpdates: 2e6 });
    expect(e.static_j).toBeCloseTo(0.18, 12);
    // hand: 1e6 x 10 pJ + 2e6 x 120 pJ + 1e5 x 20 pJ = 1e-5 + 2.4e-4 + 2e-6 J
    expect(e.dynamic_j).toBeCloseTo(2.52e-4, 15);
    expect(e.joules).toBeCloseTo(0.180252, 12);
  });
  it("score per energy divides by each model's total", () => {
    const s = scorePerEnergy("R²", 0.5, { models: { biology: { atp: 1e9, joules: 2 }, bss2: { joules: 4 }, cmos: { joules: 0.5 } } } as never);
    expect(s.per_atp).toBe(5e-10);
    expect(s.per_joule).toEqual({ biology: 0.25, bss2: 0.125, cmos: 1 });
  });
});

describe("activity from a run's counts", () => {
  it("synaptic events = presynaptic spikes x mean out-degree; spike-triggered plasticity counted on its projection", () => {
    const assign = { target: "g", scope: "synapse", op: "+=", value: {} };
    const program = {
      tickSeconds: 1e-3, durationTicks: 2000, recordings: [],
      populations: [
        { name: "in", size: 2, source: true, threshold: null, vars: [], odes: [] },
        { name: "exc", size: 4, source: false, threshold: {}, vars: [], odes: [] },
      ],
      projections: [{ name: "p", pre: "in", post: "exc", size: 6, vars: [{ name: "g", kind: "state" }], odes: [], onPre: [{ delayTicks: 0, assigns: [assign] }], onPost: [], summed: [] }],
    } as unknown as Program;
    const a = activityOf(program, { spikesByPopulation: new Map([["in", 10], ["exc", 3]]) });
    // hand: neurons 4 (the source excluded), spikes 3, events 10 x 6 / 2 = 30, all of them plastic
    expect(a).toMatchObject({ seconds: 2, neurons: 4, spikes: 3, synapticEvents: 30, eventUpdates: 30, periodicUpdates: 0 });
    const e = energySection(a, "reference");
    expect(e.models.bss2.basis).toContain("estimated");
    expect(e.models.biology.figures.joule_per_atp).toMatchObject({ assumption: expect.any(String) });
    expect(e.models.cmos.figures.static_power).toMatchObject({ value: 50e-6, unit: "W" });
  });
  it("the reference executor counts every population's spikes once in its run loop", () => {
    const program = compile("models/examples/heterogeneous-lif.yaml", { target: "reference" });
    const ex = new Executor(program);
    ex.run();
    const total = ex.stats.spikes.reduce((s, x) => s + x, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBe(ex.recorded.spikes.count); // all populations are recorded by default
  }, 60_000);
});
