/**
 * One physics for dense and event-driven decays (src/compiler/fixed/lazy.ts against the dense
 * lowering): the same projection (basic-early's synapse, seven fixed presynaptic spikes) compiled
 * both ways on the cmos datapath, under each chip's decay rule (cmos: stochastic; bss2: floor,
 * run here on cmos' gated kernels, since bss2 has none). Dense stepping rounds every tick, the
 * table once per event, so the two cannot be bit-identical for D near one (an iterated rounding is
 * not a product); the bounds below are derived in docs/numerics.md ("Decays: dense and
 * event-driven") and the measured values are noted next to them.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";

const cmos = getTarget("cmos").caps;
const bss2 = getTarget("bss2").caps;
const D = Math.exp(-0.2e-3 / 48.8e-3);
const K = 1 / (1 - D); // 244.5 ticks: tau_Ca / dt

function run(lazy: boolean, rule: "floor" | "stochastic", seed: number) {
  const p = compile("models/stc/basic-early.yaml", { target: "cmos", seed });
  p.numerics.lazySynapses = lazy;
  const { ir } = compileFixed(p, { ...cmos, decay: { ...cmos.decay, rounding: rule } }, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
  expect(ir.kernels.some((k) => k.name === "syn.active")).toBe(lazy);
  const h = new EmulatorHandle(ir);
  h.run();
  const t = h.recorded.tables.find((x) => x.names.includes("ca"))!;
  return { ca: t.columns[t.names.indexOf("ca")]!.subarray(0, t.count), lsb: 2 ** -ir.states.find((s) => s.name === "syn.Ca")!.format.frac };
}

/** lazy - dense calcium (LSB) at every sample where the event-driven trace is up to date (it just changed). */
function differences(rule: "floor" | "stochastic", seeds: number[]): number[] {
  const out: number[] = [];
  for (const seed of seeds) {
    const dense = run(false, rule, seed), lazy = run(true, rule, seed);
    for (let i = 1; i < lazy.ca.length; i++) if (lazy.ca[i] !== lazy.ca[i - 1]) out.push(Math.round((lazy.ca[i]! - dense.ca[i]!) / dense.lsb));
  }
  return out;
}

describe("dense and event-driven decays agree within the derived bounds", () => {
  it("floor (bss2's rule): dense is never above the table's product and at most K + 1 LSB below it", () => {
    expect(bss2.decay.rounding).toBe("floor");
    const d = differences("floor", [1, 2]);
    expect(d.length).toBeGreaterThan(500);
    // each floored tick loses less than one LSB against x D, and the losses decay with the trace:
    // 0 <= lazy - dense <= sum_k D^k + 1 = K + 1 (measured: 1 ... 14 LSB)
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThanOrEqual(Math.ceil(K) + 1);
  });

  it("stochastic (cmos' rule): unbiased, each sample within 4 SD of the accumulated dithering", () => {
    expect(cmos.decay.rounding).toBe("stochastic");
    const d = differences("stochastic", [1, 2, 3, 4]);
    expect(d.length).toBeGreaterThan(1000);
    // dithering adds at most 1/4 LSB^2 of variance per tick, decaying by D^2: SD <= sqrt(1/(4(1 - D^2)) + 1/4)
    const sd = Math.sqrt(1 / (4 * (1 - D * D)) + 0.25); // 5.55 LSB
    for (const x of d) expect(Math.abs(x)).toBeLessThanOrEqual(4 * sd); // measured max 17 LSB
    // the mean difference over 4 seeds x 7 events (about 28 independent stretches) within 3 standard errors
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    expect(Math.abs(mean)).toBeLessThanOrEqual((3 * sd) / Math.sqrt(28)); // measured 0.5 LSB (6 seeds)
  });
});
