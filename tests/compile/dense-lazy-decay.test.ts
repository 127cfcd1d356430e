/**
 * One physics for dense and event-driven decays (src/compiler/fixed/lazy.ts): a time-stamped trace
 * is stored at events and read as stored x D^n (tabulated, rounded once), where n counts the
 * ticks since its last event. Event-driven synapses compute n from a time stamp and skip idle
 * synapses; dense stepping counts n per synapse every tick and steps every synapse. The same
 * projection compiled both ways must then hold the same values bit for bit, on cmos under each
 * decay rule at events (cmos' stochastic, bss2's floor, nearest), and on bss2, which steps its
 * traces either way (no gated kernels, no stamps). Before, the table was rounded once per event
 * and dense stepping once per tick: 1-14 LSB apart under floor, -13 to +17 LSB under stochastic.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";
import { encode } from "../../src/ir/codec.ts";
import { getTarget } from "../../targets/registry.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";

const cmos = getTarget("cmos").caps;
const bss2 = getTarget("bss2").caps;

function run(model: string, caps: TargetCaps, lazy: boolean, seed: number, seconds?: number, rounding: "stochastic" | "nearest" = "stochastic") {
  const p = compile(model, { target: caps.name, seed });
  p.numerics.lazySynapses = lazy;
  if (seconds !== undefined) p.durationTicks = Math.round(seconds / p.tickSeconds);
  const { ir } = compileFixed(p, caps, { rounding, engramVersion: "test", analyse: analyseByRun });
  const h = new EmulatorHandle(ir);
  h.run();
  return { ir, h };
}

/** Raw state values and recorded samples that differ between two runs of the same model. */
function differences(a: ReturnType<typeof run>, b: ReturnType<typeof run>): string[] {
  const out: string[] = [];
  for (const s of a.ir.states) {
    const x = a.h.values(s.name), y = b.h.values(s.name);
    if (!x || !y) continue; // stamp and gate (event-driven) or elapsed count (dense): bookkeeping of one mode
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) out.push(`${s.name}[${i}]: ${x[i]} vs ${y[i]}`);
  }
  const ta = a.h.recorded.tables, tb = b.h.recorded.tables;
  ta.forEach((t, j) => t.columns.forEach((c, k) => {
    for (let i = 0; i < t.count; i++) if (c[i] !== tb[j]!.columns[k]![i]) out.push(`${t.names[k]} at tick ${t.ticks[i]}: ${c[i]} vs ${tb[j]!.columns[k]![i]}`);
  }));
  const sa = a.h.recorded.spikes, sb = b.h.recorded.spikes;
  if (sa.count !== sb.count || sa.ticks.some((t, i) => t !== sb.ticks[i] || sa.neurons[i] !== sb.neurons[i])) out.push(`spikes: ${sa.count} vs ${sb.count}`);
  return out;
}

describe("dense and event-driven synapses hold the same values, bit for bit", () => {
  // Deterministic rounding only: since IR version 4 a stochastic draw is keyed by (kernel, op)
  // (src/ir/draws.ts), and the event-driven and dense programs put the same conversion into
  // different kernels and ops, so under stochastic rounding they draw different numbers and agree
  // in distribution, not bit for bit (docs/numerics.md). Before version 4 one sequential stream
  // gave both the same draws in the same order.
  for (const rule of ["floor", "nearest"] as const) {
    it(`basic-early on cmos, ${rule} rounding of the decay at events (program rounding: nearest)`, () => {
      const caps = { ...cmos, decay: { ...cmos.decay, rounding: rule } };
      for (const seed of [1, 2]) {
        const lazy = run("models/stc/basic-early.yaml", caps, true, seed, undefined, "nearest"), dense = run("models/stc/basic-early.yaml", caps, false, seed, undefined, "nearest");
        expect(lazy.ir.kernels.some((k) => k.name === "syn.active" && k.periodic?.gated)).toBe(true);
        expect(dense.ir.kernels.some((k) => k.name === "syn.stepped" && !k.periodic?.gated)).toBe(true);
        expect(differences(lazy, dense), `seed ${seed}`).toEqual([]);
      }
    });
  }

  it("bss2 (no gated kernels, traces stepped every tick): the same program either way", () => {
    const lazy = run("models/stc/basic-early.yaml", bss2, true, 1), dense = run("models/stc/basic-early.yaml", bss2, false, 1);
    expect(Buffer.from(encode(lazy.ir)).equals(Buffer.from(encode(dense.ir)))).toBe(true);
    expect(differences(lazy, dense)).toEqual([]);
  });

  it("memory-network-small on cmos through the first learning stimulus (1.2 s): every state, sample and spike", { timeout: 120_000 }, () => {
    const nearest = { ...cmos, decay: { ...cmos.decay, rounding: "nearest" as const } };
    const model = "tests/fixtures/stc/memory-network-small-no-plasticity-noise.yaml";
    const lazy = run(model, nearest, true, 1, 1.2, "nearest"), dense = run(model, nearest, false, 1, 1.2, "nearest");
    expect(lazy.h.recorded.spikes.count).toBeGreaterThan(1000);
    expect(differences(lazy, dense)).toEqual([]);
    // the learning stimulus moved the assembly's weights: the comparison covers plasticity, not only rest
    const h0 = lazy.h.values("ee.h")!;
    expect(new Set(h0).size).toBeGreaterThan(10);
  });
});

describe("a time-stamped trace reads as its stored value times the table's D^n, rounded once", () => {
  it("recorded calcium after the last event is round(x_e T[n]) at every sample, both ways (not the stored x_e)", () => {
    for (const lazyMode of [true, false]) {
      const { ir, h } = run("models/stc/basic-early.yaml", cmos, lazyMode, 1, 0.6); // on past the table's end
      const ca = ir.states.find((s) => s.name === "syn.Ca")!;
      const scale = 2 ** -ca.format.frac;
      const lookup = ir.kernels.find((k) => k.name === "syn.read_Ca")!.ops.find((o) => o.table.length > 0)!;
      const table = lookup.table;
      const one = 2 ** (cmos.registerWidth - 1); // entries: D^n with registerWidth - 1 fractional bits
      const xe = h.values("syn.Ca")![0]! / scale; // raw, stored at the last event (the last calcium jump, 118.8 ms)
      const t = h.recorded.tables.find((x) => x.names.includes("ca"))!;
      const col = t.columns[t.names.indexOf("ca")]!;
      const lastEventTick = Math.round(0.1188 / ir.header.tick_seconds);
      let checked = 0;
      for (let i = 0; i < t.count; i++) {
        const k = t.ticks[i]!; // sample at the end of tick k - 1, whose read uses n = (k - 1) - lastEventTick
        if (k - 1 < lastEventTick) continue;
        const n = Math.min(k - 1 - lastEventTick, table.length - 1);
        const exact = (xe * table[n]!) / one;
        const want = Math.floor(exact) + (exact - Math.floor(exact) >= 0.5 ? 1 : 0); // nearest, ties away from zero (x >= 0)
        expect(col[i]! / scale, `${lazyMode ? "event-driven" : "dense"} tick ${k}`).toBe(want);
        checked++;
      }
      expect(checked).toBeGreaterThan(2300);
      expect(col[t.count - 1]).toBe(0); // the table ends at 0
      expect(xe).toBeGreaterThan(0);
    }
  });
});
