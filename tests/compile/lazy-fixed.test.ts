/**
 * Event-driven synapses in fixed point (src/compiler/fixed/lazy.ts): the decay table, and which
 * projections a target lowers event-driven and why the others are not.
 */
import { describe, expect, it } from "vitest";
import { decayTable, lazyProjections } from "../../src/compiler/fixed/lazy.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";

describe("decay table", () => {
  it("halving per tick in a 4-bit trace: 1, 1/2, ..., 1/16, then 0 (hand-derived)", () => {
    // largest raw value 16, so 16 * 2^-n rounds to zero from n = ceil(log2(32)) = 5
    expect(decayTable(-Math.LN2, { width: 4, signed: false, frac: 2, rounding: "nearest", overflow: "saturate" }, 8)).toEqual([128, 64, 32, 16, 8, 0]);
  });

  it("refuses a trace too slow for a table of 2^16 entries", () => {
    expect(decayTable(-1e-6, { width: 12, signed: false, frac: 8, rounding: "nearest", overflow: "saturate" }, 24)).toBeNull();
  });
});

describe("which projections are event-driven", () => {
  const program = compile("models/stc/memory-network-small.yaml", { target: "cmos" });
  it("cmos: the plastic E->E projection, with its calcium as the trace", () => {
    const { plans, notes } = lazyProjections(program, getTarget("cmos").caps, 1, new Set());
    expect([...plans.keys()]).toEqual(["ee"]);
    expect(plans.get("ee")!.traces.map((t) => t.name)).toEqual(["Ca"]);
    expect(notes).toEqual([]);
  });

  it("bss2 and a multi-tick digital period: stepped every tick, with the reason", () => {
    expect(lazyProjections(program, getTarget("bss2").caps, 1, new Set()).notes).toEqual(["ee: stepped every tick, not event-driven (bss2 has no gated kernels)"]);
    expect(lazyProjections(program, getTarget("cmos").caps, 8, new Set()).notes).toEqual(["ee: stepped every tick, not event-driven (the digital kernels run every 8 ticks)"]);
  });

  it("a model without numerics.lazy_synapses steps every synapse every tick: time-stamped traces on cmos, plain stepping on bss2", () => {
    const dense = compile("models/stc/stet.yaml", { target: "cmos" });
    const onCmos = lazyProjections(dense, getTarget("cmos").caps, 1, new Set());
    expect([[...onCmos.plans.keys()], onCmos.gated]).toEqual([["syn"], false]);
    expect(lazyProjections(program, getTarget("cmos").caps, 1, new Set()).gated).toBe(true);
    const onBss2 = lazyProjections(dense, getTarget("bss2").caps, 1, new Set());
    expect([onBss2.plans.size, onBss2.notes]).toEqual([0, []]);
    expect(lazyProjections(dense, getTarget("cmos").caps, 8, new Set()).notes).toEqual(["syn: stepped every tick, traces not time-stamped (the digital kernels run every 8 ticks)"]);
  });
});

describe("numerics.state_bits", () => {
  const widths = (bits: number | undefined, modelBits: number | undefined) => {
    const program = compile("models/stc/basic-early.yaml", { target: "cmos" });
    program.numerics.stateBits = modelBits;
    const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding: "stochastic", bits, engramVersion: "test", analyse: analyseByRun });
    return ir.states.find((s) => s.name === "syn.h")!.format.width;
  };
  it("sets the state width on a fixed-point target; --bits overrides it", () => {
    expect(widths(undefined, undefined)).toBe(12); // cmos' own synapse state width
    expect(widths(undefined, 16)).toBe(16);
    expect(widths(8, 16)).toBe(8);
  });
  it("a width the target lacks is refused, naming where it came from", () => {
    expect(() => widths(undefined, 13)).toThrow("cmos has no 13-bit state (the model's numerics.state_bits)");
    expect(() => widths(13, undefined)).toThrow("cmos has no 13-bit state (--bits)");
  });
});
