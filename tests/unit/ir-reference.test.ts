/**
 * The IR reference interpreter: each op's conversion against exact rational arithmetic (BigInt
 * numerator over a power-of-two denominator, computed independently here), the BrainScaleS-2
 * fractional-multiply corner case, stochastic rounding's expectation, and the whole lowering
 * chain: basic-early compiled at 32 bits and interpreted tracks the float64 reference.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { convert, exactOp, bounds, interpret, type Exact } from "../../src/ir/reference.ts";
import type { IrFixedFormat } from "../../src/ir/codec.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Executor } from "../../targets/reference/executor.ts";

const fmt = (width: number, signed: boolean, frac: number, rounding: number, overflow: number): IrFixedFormat => ({ width, signed, frac, rounding, overflow });
const never = () => {
  throw new Error("no random draw expected");
};

/** floor(n / 2^k) for BigInt, independent of >> (division rounds toward zero). */
function floorDiv(n: bigint, k: number): bigint {
  const d = 1n << BigInt(k);
  const q = n / d;
  return n < 0n && q * d !== n ? q - 1n : q;
}

const formatArb = fc.record({
  width: fc.integer({ min: 2, max: 32 }),
  signed: fc.boolean(),
  frac: fc.integer({ min: -8, max: 40 }),
  overflow: fc.constantFrom(1, 2),
});
const exactArb: fc.Arbitrary<Exact> = fc.record({ raw: fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), frac: fc.integer({ min: -10, max: 60 }) });

describe("IR reference interpreter: conversions", () => {
  it("floor, nearest (ties away from zero) and overflow match exact rational arithmetic", () => {
    fc.assert(
      fc.property(exactArb, formatArb, (x, f) => {
        const k = x.frac - f.frac;
        // exact scaled value x * 2^f.frac = raw * 2^-k
        const floorV = k <= 0 ? x.raw << BigInt(-k) : floorDiv(x.raw, k);
        const rem = k <= 0 ? 0n : x.raw - floorV * (1n << BigInt(k));
        const twiceRem = rem * 2n, unit = k <= 0 ? 1n : 1n << BigInt(k);
        const nearestV = rem === 0n ? floorV : twiceRem > unit || (twiceRem === unit && x.raw > 0n) ? floorV + 1n : floorV;
        const [lo, hi] = bounds({ ...f, rounding: 1 });
        const m = 1n << BigInt(f.width);
        const bound = (v: bigint) => (f.overflow === 2 ? (v < lo ? lo : v > hi ? hi : v) : (() => { let w = ((v % m) + m) % m; if (f.signed && w > hi) w -= m; return w; })());
        expect(convert(x, { ...f, rounding: 1 }, never)).toBe(bound(floorV));
        expect(convert(x, { ...f, rounding: 2 }, never)).toBe(bound(nearestV));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it("hand-derived cases", () => {
    // 0.5 * 0.5 in Q0.15: 0x4000 * 0x4000 = 2^28 at frac 30 -> 2^13 = 0x2000 = 0.25
    const q15 = fmt(16, true, 15, 1, 2);
    expect(convert(exactOp("MUL", [{ raw: 0x4000n, frac: 15 }, { raw: 0x4000n, frac: 15 }], 0), q15, never)).toBe(0x2000n);
    // BrainScaleS-2 fractional multiply: -1 * -1 = +1 does not fit Q0.15 and saturates to +max
    expect(convert(exactOp("MUL", [{ raw: -32768n, frac: 15 }, { raw: -32768n, frac: 15 }], 0), q15, never)).toBe(32767n);
    // floor rounds negative products toward -infinity: -1 * 2^-15 * 0.5 = -2^-16 -> -1 LSB
    expect(convert(exactOp("MUL", [{ raw: -1n, frac: 15 }, { raw: 0x4000n, frac: 15 }], 0), q15, never)).toBe(-1n);
    // nearest: 2.5 LSB -> 3, -2.5 LSB -> -3 (ties away from zero), 2.4 -> 2
    const q0 = fmt(8, true, 0, 2, 2);
    expect(convert({ raw: 5n, frac: 1 }, q0, never)).toBe(3n);
    expect(convert({ raw: -5n, frac: 1 }, q0, never)).toBe(-3n);
    expect(convert({ raw: 12n, frac: 2 }, q0, never)).toBe(3n);
    // wrap: 130 in signed 8 bit -> -126; saturate -> 127
    expect(convert({ raw: 130n, frac: 0 }, fmt(8, true, 0, 1, 1), never)).toBe(-126n);
    expect(convert({ raw: 130n, frac: 0 }, fmt(8, true, 0, 1, 2), never)).toBe(127n);
  });

  it("stochastic rounding is unbiased: the mean of many roundings of x converges to x", () => {
    let seed = 12345;
    const uniform = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const f = fmt(16, true, 4, 3, 2);
    for (const x of [{ raw: 3n, frac: 6 }, { raw: -7n, frac: 5 }, { raw: 1n, frac: 20 }]) {
      const n = 100_000;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Number(convert(x, f, uniform));
      const target = Number(x.raw) * 2 ** (f.frac - x.frac); // in LSBs of f
      const p = target - Math.floor(target);
      const se = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(sum / n - target)).toBeLessThan(5 * se + 1e-12);
    }
  });

  it("comparisons and select are exact", () => {
    expect(exactOp("CMP_GE", [{ raw: 3n, frac: 1 }, { raw: 6n, frac: 2 }], 0).raw).toBe(1n); // 1.5 >= 1.5
    expect(exactOp("CMP_GT", [{ raw: 3n, frac: 1 }, { raw: 6n, frac: 2 }], 0).raw).toBe(0n);
    expect(exactOp("SELECT", [{ raw: 0n, frac: 0 }, { raw: 1n, frac: 0 }, { raw: 2n, frac: 0 }], 0).raw).toBe(2n);
  });
});

describe("lowering, end to end through the interpreter", () => {
  it("basic early at 32 bits tracks the float64 reference within 1e-6 mV", () => {
    const program = compile("models/stc/basic-early.yaml", { target: "reference" });
    const { ir } = compileFixed(program, getTarget("reference").caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    const r = interpret(ir);
    const ex = new Executor(program);
    ex.run();
    const float = ex.recorded.tables[0]!.columns[0]!;
    const probe = r.probes.find((p) => p.column === "h")!;
    const st = ir.states[ir.probes.find((p) => p.column === "h")!.state]!;
    expect(probe.ticks.length).toBe(1001);
    let worst = 0;
    probe.values.forEach((v, i) => {
      worst = Math.max(worst, Math.abs((Number(v[0]!) * 2 ** -st.format.frac) / st.unit_scale - float[i]!));
    });
    // 32-bit h has an LSB of 2^-34 V (6e-8 mV); 1000 updates of bounded error stay far below 1e-6 mV
    expect(worst).toBeLessThan(1e-6);
    expect(r.spikes.filter((s) => s.group === 0).map((s) => s.tick)).toEqual([50, 100, 150, 200, 250, 300, 500]);
  });
});
