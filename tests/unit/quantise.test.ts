/**
 * Pass "quantise" (src/compiler/fixed/quantise.ts) with hand-derived values: toRaw's rounding
 * (nearest, ties away from zero on both signs, saturated), fracFor's choice of fractional bits,
 * and the formats quantise() gives from observed ranges widened by RANGE_MARGIN = 1.25 on both
 * sides, with the LSB flags. Mutations these kill are listed in docs/reliability.md.
 */
import { describe, expect, it } from "vitest";
import { constantArray, fracFor, quantisationReport, quantise, RANGE_MARGIN, toRaw, type Format, type VarStats } from "../../src/compiler/fixed/quantise.ts";
import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";
import type { Program } from "../../src/ir/program.ts";
import { caps as cmosCaps } from "../../targets/cmos/caps.ts";

const fmt = (width: number, signed: boolean, frac: number): Format => ({ width, signed, frac, rounding: "nearest", overflow: "saturate" });

describe("toRaw: nearest, ties away from zero, saturated", () => {
  const s8q2 = fmt(8, true, 2); // raw = round(x * 4), in [-128, 127]

  it("ties go away from zero for both signs (Math.round alone sends -2.5 to -2)", () => {
    expect(toRaw(0.625, s8q2)).toBe(3); // 2.5
    expect(toRaw(-0.625, s8q2)).toBe(-3); // -2.5
    expect(toRaw(0.375, s8q2)).toBe(2); // 1.5
    expect(toRaw(-0.375, s8q2)).toBe(-2); // -1.5
    expect(toRaw(-0.125, s8q2)).toBe(-1); // -0.5
  });

  it("non-ties round to the nearest raw value", () => {
    expect(toRaw(0.3, s8q2)).toBe(1); // 1.2
    expect(toRaw(-0.3, s8q2)).toBe(-1); // -1.2
    expect(toRaw(0.45, s8q2)).toBe(2); // 1.8
    expect(toRaw(-0.45, s8q2)).toBe(-2); // -1.8
    expect(toRaw(0, s8q2)).toBe(0);
    expect(Object.is(toRaw(-0.01, s8q2), -0) || toRaw(-0.01, s8q2) === 0).toBe(true);
  });

  it("saturates at the signed limits, also after a tie rounds past them", () => {
    expect(toRaw(31.75, s8q2)).toBe(127); // exactly the top
    expect(toRaw(31.875, s8q2)).toBe(127); // 127.5 rounds to 128, saturated
    expect(toRaw(40, s8q2)).toBe(127);
    expect(toRaw(-32, s8q2)).toBe(-128); // exactly the bottom
    expect(toRaw(-32.125, s8q2)).toBe(-128); // -128.5 rounds to -129, saturated
    expect(toRaw(-40, s8q2)).toBe(-128);
  });

  it("unsigned formats saturate at 0 and 2^width - 1", () => {
    const u8 = fmt(8, false, 0);
    expect(toRaw(-3, u8)).toBe(0);
    expect(toRaw(254.5, u8)).toBe(255);
    expect(toRaw(254.4, u8)).toBe(254);
    expect(toRaw(300, u8)).toBe(255);
  });

  it("negative fractional bits scale down", () => {
    expect(toRaw(100, fmt(8, true, -2))).toBe(25); // 100 / 4
    expect(toRaw(-102, fmt(8, true, -2))).toBe(-26); // -25.5 -> -26
  });
});

describe("fracFor: the most fractional bits that hold the range", () => {
  it("uses the larger magnitude and one sign bit", () => {
    // |-3.5| -> 2 integer bits; 8 - 1 - 2 = 5; 3.5 * 32 = 112 <= 127
    expect(fracFor(-3.5, 1, 8, true)).toBe(5);
    expect(fracFor(-1, 3.5, 8, true)).toBe(5);
    // unsigned: no sign bit
    expect(fracFor(0, 3.5, 8, false)).toBe(6);
  });

  it("an exact power of two needs one more integer bit", () => {
    // 4 -> ceil(log2 4) = 2 integer bits, but 4 * 2^5 = 128 > 127: 4 fractional bits
    expect(fracFor(0, 4, 8, true)).toBe(4);
    // unsigned: 4 * 2^6 = 256 > 255: 5
    expect(fracFor(0, 4, 8, false)).toBe(5);
    // just below 4 needs none: round(3.99 * 32) = 128 > 127 too, so also 4
    expect(fracFor(0, 3.99, 8, true)).toBe(4);
    expect(fracFor(0, 3.9, 8, true)).toBe(5); // round(124.8) = 125
  });

  it("small magnitudes get negative integer bits; the IR's limits clamp", () => {
    // 3e-9: ceil(log2 3e-9) = -28; 32 - 1 + 28 = 59
    expect(fracFor(0, 3e-9, 32, true)).toBe(59);
    expect(fracFor(0, 1e-40, 32, true)).toBe(96);
    expect(fracFor(-1e30, 0, 8, true)).toBe(-64);
    // a range of zero is treated as the smallest positive number: clamped at 96
    expect(fracFor(0, 0, 16, true)).toBe(96);
  });
});

describe("constantArray", () => {
  it("sizes an unsigned 8-bit format to the values and stores one raw value when all are equal", () => {
    const c = constantArray([1.5, 1.5, 1.5], 8);
    // 1.5 -> 1 integer bit, unsigned: 7 fractional bits; 1.5 * 128 = 192
    expect(c.format).toEqual({ width: 8, signed: false, frac: 7, rounding: "nearest", overflow: "saturate" });
    expect(c.init).toEqual([192]);
    expect(c.range).toEqual([1.5, 1.5]);
  });

  it("signed when a value is negative; one raw value per element when they differ", () => {
    const c = constantArray([-1, 0.5], 8);
    // |-1| -> 0 integer bits, signed: 7, but 1 * 128 > 127: 6
    expect(c.format.signed).toBe(true);
    expect(c.format.frac).toBe(6);
    expect(c.init).toEqual([-64, 32]);
    expect(c.range).toEqual([-1, 0.5]);
  });

  it("a range that excludes zero is still sized from zero", () => {
    // [2, 3]: fracFor(0, 3, 8, false) = 6
    expect(constantArray([2, 3], 8).format.frac).toBe(6);
    expect(constantArray([-3, -2], 8).format.frac).toBe(5);
  });
});

/** x' = 0 + 0 x: a well-formed linear ODE that is no decay (the dead-zone analysis reads A and B). */
const constantOde = { linear: true, autonomous: true, A: { op: "const", value: 0 }, B: { op: "const", value: 0 } };

/** One neuron population with one state variable x (unit `unit`, initial value `init` SI). */
function program(init: number, unit = "1", unitScale = 1): Program {
  const v = { name: "x", kind: "state", unit, unitScale, init: Float64Array.of(init) };
  const ode = { ...constantOde, var: "x" };
  return { populations: [{ name: "pop", size: 1, vars: [v], odes: [ode], threshold: null, reset: [] }], projections: [] } as unknown as Program;
}

/** Stats of a variable whose every per-tick change has the size `change` (0: it never changes). */
const stats = (min: number, max: number, change: number): Map<string, VarStats> =>
  new Map([["pop.x", { min, max, medianChange: change, fractionBelow: (size: number) => (change > 0 && change < size ? 1 : 0) }]]);

const caps = (over: Partial<TargetCaps> = {}): TargetCaps => ({ ...cmosCaps, stateWidth: { neuron: 12, synapse: 12 }, roundingBits: 0, ...over });

describe("quantise: formats from the observed range x 1.25", () => {
  it("widens a negative range by the margin too (the negative-range margin)", () => {
    expect(RANGE_MARGIN).toBe(1.25);
    // [-3.5, 1] -> [-4.375, 1.25]: 3 integer bits, 12 - 1 - 3 = 8 fractional bits (without the
    // margin on the negative side it would be 9, and -3.5 would be within an LSB of saturating)
    const [q] = quantise(program(0), stats(-3.5, 1, 0.1), caps(), { rounding: "nearest" });
    expect(q!.format).toEqual({ width: 12, signed: true, frac: 8, rounding: "nearest", overflow: "saturate" });
    expect(q!.lsb).toBe(2 ** -8);
    expect(q!.observed).toEqual([-3.5, 1]);
  });

  it("widens a positive range; a non-negative range is unsigned", () => {
    // [0, 3.5] -> [0, 4.375]: 3 integer bits, unsigned: 12 - 3 = 9
    const [q] = quantise(program(0), stats(0, 3.5, 0.1), caps(), { rounding: "nearest" });
    expect(q!.format.signed).toBe(false);
    expect(q!.format.frac).toBe(9);
  });

  it("the initial value counts as observed", () => {
    // init -3.5 with observed [0, 1]: [-4.375, 1.25] again
    const [q] = quantise(program(-3.5), stats(0, 1, 0.1), caps(), { rounding: "nearest" });
    expect(q!.format.frac).toBe(8);
    expect(q!.observed).toEqual([-3.5, 1]);
  });

  it("a variable that never moved gets one display unit of range", () => {
    // [0, 0] in mV -> [0, 1e-3]: ceil(log2 1e-3) = -9 integer bits, unsigned: 12 + 9 = 21
    const [q] = quantise(program(0, "mV", 1e-3), stats(0, 0, 0), caps(), { rounding: "nearest" });
    expect(q!.format).toEqual({ width: 12, signed: false, frac: 21, rounding: "nearest", overflow: "saturate" });
    expect(q!.flag).toBeNull();
  });

  it("--bits overrides the target's width; the owner picks the default width", () => {
    const [q] = quantise(program(0), stats(-3.5, 1, 0.1), caps({ stateWidth: { neuron: 16, synapse: 8 } }), { rounding: "nearest" });
    expect(q!.format.width).toBe(16);
    expect(q!.format.frac).toBe(12);
    const [r] = quantise(program(0), stats(-3.5, 1, 0.1), caps(), { rounding: "nearest", bits: 10 });
    expect(r!.format.width).toBe(10);
    expect(r!.format.frac).toBe(6);
  });
});

describe("quantise: changes below one LSB", () => {
  // [-3.5, 1] at 12 bits: LSB 2^-8 = 3.9e-3
  const lsb = 2 ** -8;

  it("round-to-nearest: most changes below one LSB freeze the variable, with the period that would fix it", () => {
    const [q] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "nearest" });
    expect(q!.belowLsb).toBe(1);
    expect(q!.medianChange).toBe(lsb / 10);
    expect(q!.flag).toBe("100% of its updates change it by less than one LSB: round-to-nearest freezes them; use stochastic rounding or update every >= 10 ticks");
  });

  it("floor rounding: a downward bias", () => {
    const [q] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "floor" });
    expect(q!.flag).toContain("floor rounding biases them downward");
    expect(q!.format.rounding).toBe("floor");
  });

  it("changes above one LSB raise no flag", () => {
    const [q] = quantise(program(0), stats(-3.5, 1, 2 * lsb), caps(), { rounding: "nearest" });
    expect(q!.belowLsb).toBe(0);
    expect(q!.flag).toBeNull();
  });

  it("a multi-rate variable changes by period x its per-tick change per update", () => {
    // per tick lsb / 10, every 20 ticks: 2 LSB per update, nothing lost
    const [q] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "nearest", periodOf: () => 20 });
    expect(q!.belowLsb).toBe(0);
    expect(q!.medianChange).toBeCloseTo(2 * lsb, 15);
    expect(q!.flag).toBeNull();
    // every 5 ticks: half an LSB per update, frozen; every >= 10 ticks would do
    const [r] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "nearest", periodOf: () => 5 });
    expect(r!.flag).toBe("100% of its updates (every 5 ticks) change it by less than one LSB: round-to-nearest freezes them; use stochastic rounding or update every >= 10 ticks");
  });

  it("stochastic rounding keeps them on average, unless below the random numbers' resolution", () => {
    const [q] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "stochastic" });
    expect(q!.format.rounding).toBe("stochastic");
    expect(q!.flag).toBe("100% of its updates change it by less than one LSB: stochastic rounding keeps them on average (unbiased, at the cost of up to one LSB of noise per update)");
    // 8-bit random numbers cannot round up a change of LSB / 1000 < 2^-8 LSB
    const [r] = quantise(program(0), stats(-3.5, 1, lsb / 1000), caps({ roundingBits: 8 }), { rounding: "stochastic" });
    expect(r!.flag).toContain("; but 100% change it by less than 2^-8 LSB, below the resolution of cmos's 8-bit random numbers: those are lost");
    // LSB / 10 > 2^-8 LSB: kept
    const [s] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps({ roundingBits: 8 }), { rounding: "stochastic" });
    expect(s!.flag).not.toContain("those are lost");
  });

  it("fast and analog variables round to nearest under stochastic rounding, without a flag", () => {
    const fast = new Set(["pop.x"]);
    const [q] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "stochastic", fast });
    expect(q!.format.rounding).toBe("nearest");
    expect(q!.flag).toBeNull();
    const [r] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "stochastic", analog: fast });
    expect(r!.format.rounding).toBe("nearest");
    expect(r!.flag).toBeNull();
    expect(r!.note).toContain("analog core");
    // under round-to-nearest a fast variable is flagged like any other
    const [s] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "nearest", fast });
    expect(s!.flag).toContain("round-to-nearest freezes them");
  });

  it("a few changes below one LSB are reported without advice", () => {
    const few: Map<string, VarStats> = new Map([["pop.x", { min: -3.5, max: 1, medianChange: lsb, fractionBelow: () => 0.2 }]]);
    const [q] = quantise(program(0), few, caps(), { rounding: "nearest" });
    expect(q!.flag).toBe("20.0% of its updates change it by less than one LSB");
  });
});

describe("quantisationReport", () => {
  it("prints the format, width, rounding, LSB and flag of each variable", () => {
    const vars = quantise(program(0, "mV", 1e-3), stats(-3.5e-3, 1e-3, 2 ** -18 / 10), caps(), { rounding: "nearest" });
    // [-4.375e-3, 1.25e-3] V: ceil(log2 4.375e-3) = -7 integer bits, 12 - 1 + 7 = 18 fractional bits: sQ-7.18
    const text = quantisationReport(vars, "cmos");
    expect(text.split("\n")[0]).toBe("quantisation for cmos (formats from the observed range x1.25):");
    expect(text).toContain("pop.x          sQ-7.18");
    expect(text).toContain("12b nearest");
    expect(text).toContain(`LSB ${(2 ** -18 / 1e-3).toExponential(2)} mV`);
    expect(text).toContain("! 100% of its updates change it by less than one LSB");
  });
});

describe("quantise: boundaries and the less common paths (Stryker survivors)", () => {
  const lsb = 2 ** -8; // [-3.5, 1] at 12 bits
  const fixedBelow = (below: (size: number) => number, medianChange = lsb / 10): Map<string, VarStats> =>
    new Map([["pop.x", { min: -3.5, max: 1, medianChange, fractionBelow: below }]]);

  it("fracFor keeps a magnitude that is exactly the largest raw value", () => {
    expect(fracFor(0, 127, 8, true)).toBe(0); // 127 = maxRaw at frac 0
    expect(fracFor(-31.75, 0, 8, true)).toBe(2); // 31.75 * 4 = 127
    expect(fracFor(0, 255, 8, false)).toBe(0);
  });

  it("constantArray: values from 0 up are unsigned", () => {
    const c = constantArray([0, 1.5], 8);
    expect(c.format.signed).toBe(false);
    expect(c.format.frac).toBe(7);
    expect(c.init).toEqual([0, 192]);
  });

  it("synapse variables take the synapse width; the right variable of several is used", () => {
    const p = {
      populations: [{ name: "pop", size: 1, vars: [{ name: "big", kind: "state", unit: "1", unitScale: 1, init: Float64Array.of(100) }, { name: "x", kind: "state", unit: "1", unitScale: 1, init: Float64Array.of(0) }], odes: [{ ...constantOde, var: "x" }], threshold: null, reset: [] }],
      projections: [{ name: "syn", size: 1, vars: [{ name: "w", kind: "state", unit: "1", unitScale: 1, init: Float64Array.of(0.5) }], odes: [{ ...constantOde, var: "w" }], onPre: [], onPost: [] }],
    } as unknown as Program;
    const s = new Map<string, VarStats>([
      ["pop.x", { min: -3.5, max: 1, medianChange: 0, fractionBelow: () => 0 }],
      ["syn.w", { min: 0, max: 1, medianChange: 0, fractionBelow: () => 0 }],
    ]);
    const [x, w] = quantise(p, s, caps({ stateWidth: { neuron: 12, synapse: 8 } }), { rounding: "nearest" });
    // x: [-3.5, 1] (the init 100 belongs to "big", which has no ODE) -> 8 fractional bits
    expect(x).toMatchObject({ group: "pop", name: "x", format: { width: 12, frac: 8 } });
    // w: [0, 1] -> [0, 1.25], 8 bits unsigned: 1 integer bit, 7 fractional
    expect(w).toMatchObject({ group: "syn", name: "w", format: { width: 8, signed: false, frac: 7 } });
  });

  it("a variable without statistics is sized from its initial value", () => {
    const [q] = quantise(program(-3.5), new Map(), caps(), { rounding: "nearest" });
    expect(q!.format.frac).toBe(8);
    expect(q!.medianChange).toBe(0);
    expect(q!.belowLsb).toBe(0);
  });

  it("a range down from zero is not 'still': it keeps its own magnitude", () => {
    // [-3.5, 0] in hours (unitScale 3600): 8 fractional bits; one display unit of range (3600) would give -1
    const [q] = quantise(program(0, "h", 3600), stats(-3.5, 0, 0.1), caps(), { rounding: "nearest" });
    expect(q!.format.frac).toBe(8);
  });

  it("exactly half and exactly 1 % below one LSB", () => {
    const [half] = quantise(program(0), fixedBelow(() => 0.5), caps(), { rounding: "nearest" });
    expect(half!.flag).toBe("50.0% of its updates change it by less than one LSB");
    const [one] = quantise(program(0), fixedBelow(() => 0.01), caps(), { rounding: "nearest" });
    expect(one!.flag).toBeNull();
    const [oneStochastic] = quantise(program(0), fixedBelow(() => 0.01), caps(), { rounding: "stochastic" });
    expect(oneStochastic!.flag).toBeNull();
    const [none] = quantise(program(0), fixedBelow(() => 0), caps(), { rounding: "stochastic" });
    expect(none!.flag).toBeNull();
  });

  it("the share lost below the random numbers' resolution: its boundary, its digits, and multi-rate kernels", () => {
    const tiny = lsb * 2 ** -8;
    // 1 % lost exactly: not reported
    const [at] = quantise(program(0), fixedBelow((size) => (size <= tiny ? 0.01 : 1)), caps({ roundingBits: 8 }), { rounding: "stochastic" });
    expect(at!.flag).not.toContain("those are lost");
    const [fifth] = quantise(program(0), fixedBelow((size) => (size <= tiny ? 0.2 : 1)), caps({ roundingBits: 8 }), { rounding: "stochastic" });
    expect(fifth!.flag).toContain("; but 20.0% change it by less than 2^-8 LSB");
    const [half] = quantise(program(0), fixedBelow((size) => (size <= tiny ? 0.5 : 1)), caps({ roundingBits: 8 }), { rounding: "stochastic" });
    expect(half!.flag).toContain("; but 50.0% change it by less than 2^-8 LSB");
    // every 20 ticks: a per-tick change of 2^-8 LSB is 20 x 2^-8 LSB per update, above the resolution
    const [slow] = quantise(program(0), stats(-3.5, 1, tiny), caps({ roundingBits: 8 }), { rounding: "stochastic", periodOf: () => 20 });
    expect(slow!.flag).toContain("stochastic rounding keeps them on average");
    expect(slow!.flag).not.toContain("those are lost");
  });

  it("advice to update less often only up to a million ticks", () => {
    const [exact] = quantise(program(0), stats(-3.5, 1, lsb / 1e6), caps(), { rounding: "nearest" });
    expect(exact!.flag).toContain("use stochastic rounding or update every >= 1000000 ticks");
    const [beyond] = quantise(program(0), stats(-3.5, 1, lsb / 1e7), caps(), { rounding: "nearest" });
    expect(beyond!.flag).toMatch(/use stochastic rounding$/);
  });

  it("fast variables keep floor rounding when floor is asked for", () => {
    const [q] = quantise(program(0), stats(-3.5, 1, lsb / 10), caps(), { rounding: "floor", fast: new Set(["pop.x"]) });
    expect(q!.format.rounding).toBe("floor");
  });

  it("the report line of an unsigned dimensionless variable, and its note", () => {
    const vars = quantise(program(0), stats(0, 3.5, 2 ** -9 / 10), caps(), { rounding: "nearest", analog: new Set(["pop.x"]) });
    // [0, 4.375] unsigned 12 bits: 3 integer bits, 9 fractional: uQ3.9, LSB 1.95e-3, no unit
    const lines = quantisationReport(vars, "cmos").split("\n");
    expect(lines[1]).toBe(`  pop.x          uQ3.9      12b nearest    LSB 1.95e-3`.padEnd(66) + " median |change|/update 1.95e-4");
    expect(lines[2]).toBe("        (analog core: continuous on the chip; this format is what the emulator keeps)");
  });

  it("the report gives the median change in display units", () => {
    const vars = quantise(program(0, "mV", 1e-3), stats(-3.5e-3, 1e-3, 2e-6), caps(), { rounding: "nearest" });
    expect(quantisationReport(vars, "cmos")).toContain("median |change|/update 2.00e-3 mV");
  });
});

describe("quantisationReport: a variable without flag or note", () => {
  it("is one line, ending with its median change", () => {
    // [-3.5, 1] at 12 bits: sQ3.8, LSB 2^-8 = 3.91e-3; changes of 2 LSB raise no flag
    const vars = quantise(program(0), stats(-3.5, 1, 2 ** -7), caps(), { rounding: "nearest" });
    const lines = quantisationReport(vars, "cmos").split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`  pop.x          sQ3.8      12b nearest    LSB 3.91e-3`.padEnd(66) + " median |change|/update 7.81e-3");
  });
});
