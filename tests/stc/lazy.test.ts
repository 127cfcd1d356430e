/**
 * Event-driven synapses (targets/reference/lazy.ts) against full stepping, on the small
 * cell-assembly network (models/stc/memory-network-small.yaml): the same seed repeats a lazy run
 * exactly, and the lazy run reproduces the fully stepped one's learning (early-phase weights of
 * the assembly) and activity. The streams of plasticity noise differ between the modes (another
 * generator, another order), so the comparison is of outcomes, not of bits.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";

const MODEL = "models/stc/memory-network-small.yaml";
const ASSEMBLY = 15;

function run(lazy: boolean, seed: number) {
  const program = compile(MODEL, { target: "reference", seed });
  program.numerics.lazySynapses = lazy;
  const ex = new Executor(program);
  ex.run();
  const ee = program.projections.find((p) => p.name === "ee")!;
  const h = ex.groups.get("ee")!.arrays.get("h")!;
  let sum = 0, n = 0, control = 0, m = 0;
  for (let k = 0; k < ee.size; k++) {
    const inside = ee.preIndex[k]! < ASSEMBLY && ee.postIndex[k]! < ASSEMBLY;
    if (inside) (sum += h[k]!), n++;
    else if (ee.preIndex[k]! >= ASSEMBLY && ee.postIndex[k]! >= ASSEMBLY) (control += h[k]!), m++;
  }
  return { assemblyH: sum / n, controlH: control / m, spikes: ex.recorded.spikes.count, h: Float64Array.from(h), notes: ex.lazyNotes };
}

describe("event-driven synapses", () => {
  it("the same seed gives the same run, bit for bit", () => {
    const a = run(true, 4), b = run(true, 4);
    expect(a.notes).toEqual([]);
    expect(Buffer.from(a.h.buffer).equals(Buffer.from(b.h.buffer))).toBe(true);
    expect(a.spikes).toBe(b.spikes);
  });

  it("a recorded trace shows its decayed value between events, not the value at its last event", () => {
    const program = compile(MODEL, { target: "reference", seed: 2 });
    const elements = Int32Array.from({ length: 40 }, (_, i) => i * 50);
    program.recordings.push({ group: "ee", var: "Ca", elements, everyTicks: 5, columns: Array.from(elements, (e) => `Ca[${e}]`), unit: "1", unitScale: 1 });
    const ex = new Executor(program);
    ex.run();
    const table = ex.recorded.tables.at(-1)!;
    const decay = Math.exp(-5 * program.tickSeconds / 48.8e-3); // tau_Ca, models/components/stc-synapse.yaml
    let checked = 0, stale = 0;
    for (const col of table.columns) {
      for (let r = 1; r < table.count; r++) {
        const [a, b] = [col[r - 1]!, col[r]!];
        // no event in between: one sample interval of pure decay (closed form vs repeated factor)
        if (a > 1e-6 && Math.abs(b / a - decay) < 1e-12) checked++;
        // a stale value (the trace as its last event left it) would repeat exactly
        if (a > 1e-6 && b === a) stale++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(stale).toBe(0);
  });

  it("reproduces full stepping: assembly potentiation, control weights and activity", () => {
    for (const seed of [1, 2]) {
      const lazy = run(true, seed), dense = run(false, seed);
      const h0 = 4.20075e-3;
      // Learning potentiates the assembly's internal synapses by about half of h0 here.
      expect(dense.assemblyH - h0).toBeGreaterThan(0.2 * h0);
      // The lazy run's potentiation matches within 1 % of its size, as README.md and
      // docs/numerics.md state (measured: 0.14 % for seed 1, 0.67 % for seed 2; docs/numerics.md).
      expect(Math.abs(lazy.assemblyH - dense.assemblyH)).toBeLessThan(0.01 * (dense.assemblyH - h0));
      // Control synapses stay at h0 within plasticity noise in both.
      expect(Math.abs(lazy.controlH - dense.controlH)).toBeLessThan(0.01 * h0);
      // Spike counts agree within 3 % (activity differs only through the weights' noise).
      expect(Math.abs(lazy.spikes - dense.spikes) / dense.spikes).toBeLessThan(0.03);
    }
  });
});
