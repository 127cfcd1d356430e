/**
 * What codegen.ts leaves out of a generated kernel from the raw bounds of its registers and from
 * repeated ops, checked against the reference interpreter (states) and the closures (saturation
 * counts, which the interpreter does not keep), on states initialised to every raw value of their
 * format so that each conversion meets its extremes:
 * - clamps left out only where no value of the range can pass the format (a sum of two 16-bit
 *   values into 16 bits keeps its clamp; into 17 bits it needs none);
 * - nearest rounding as floor(q + 1/2) with one step down for a tie below zero (-1.5 -> -2,
 *   -0.5 -> -1, 0.5 -> 1), also at 24-bit values and 48-bit products (the cmos datapath);
 * - a repeated op reused as a register copy only when it can neither draw nor count a saturation:
 *   a repeated saturating op counts twice, a repeated stochastic op draws twice;
 * - ops on comparisons and constants alone as tables over up to three conditions (computed with
 *   the interpreter's own exactOp and convert), except where some combination saturates.
 */
import { describe, expect, it } from "vitest";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { interpret } from "../../src/ir/reference.ts";
import { verify } from "../../src/ir/verify.ts";
import { generateKernel } from "../../targets/emulator/codegen.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

type Op = IrProgram["kernels"][number]["ops"][number];
const code = (name: string) => OP_BY_NAME.get(name)!.code;
const op = (name: string, dst: number, src: number[] = [], more: Partial<Op> = {}): Op => ({ op: code(name), dst, src, imm: 0, state: 0, index: 1, table: [], ...more });
const fmt = (width: number, frac: number, signed = true, overflow = 2, rounding = 2): IrFixedFormat => ({ width, signed, frac, rounding, overflow });

/** Every raw value of format f, ascending. */
function every(f: IrFixedFormat): number[] {
  const lo = f.signed ? -(2 ** (f.width - 1)) : 0, hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
  const out: number[] = [];
  for (let v = lo; v <= hi; v++) out.push(v);
  return out;
}

/** One group of n elements, states with the given formats and initial values, one kernel run on `ticks` ticks. */
function program(states: { f: IrFixedFormat; init: number[] }[], registers: IrFixedFormat[], ops: Op[], n: number, ticks = 2): IrProgram {
  const p: IrProgram = {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 7, tick_seconds: 0.001, duration_ticks: ticks, model_name: "ranges", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
    groups: [{ name: "g", kind: 1, size: n }],
    states: states.map((s, i) => ({ name: `g.s${i}`, group: 0, format: s.f, init: s.init, unit: "1", unit_scale: 1 })),
    connectivity: [],
    kernels: [{ name: "g.k", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0, registers: registers.map((format) => ({ format })), ops }],
    stimuli: [],
    probes: [],
  };
  verify(p);
  return p;
}

/** The generated kernels' states equal the interpreter's; their saturation count equals the closures'. */
function check(p: IrProgram): { generated: Emulator; closures: Emulator } {
  const ref = interpret(p);
  const generated = new Emulator(p, "generated");
  generated.run();
  const closures = new Emulator(p, "closures");
  closures.run();
  expect(generated.state.map((a) => Array.from(a, (x) => x + 0))).toEqual(ref.state.map((a) => a.map(Number)));
  expect(closures.state.map((a) => Array.from(a, (x) => x + 0))).toEqual(ref.state.map((a) => a.map(Number)));
  expect(generated.stats.saturations).toBe(closures.stats.saturations);
  return { generated, closures };
}

/** The stats codegen reports for the program's kernel. */
function stats(p: IrProgram) {
  const ctx = { state: p.states.map((s) => new Float64Array(p.groups[0]!.size)), activity: new Float64Array(3), versions: new Float64Array(p.states.length), round: () => 0.5, normal: () => 0, spike: () => {}, now: new Float64Array(1), saturations: new Float64Array(1) };
  return generateKernel(p.kernels[0]!, p, ctx).stats;
}

describe("codegen: conversions from the raw bounds of registers", () => {
  it("a sum of two 8-bit values keeps its clamp into 8 bits and saturates there; into 9 bits it needs none", () => {
    const s8 = fmt(8, 0);
    const init = every(s8);
    for (const [dst, bounded] of [[fmt(8, 0), 1], [fmt(9, 0), 0]] as const) {
      const p = program([{ f: s8, init }, { f: s8, init: init.map((_, i) => init[(i * 37) % init.length]!) }, { f: dst, init: [0] }], [s8, s8, dst], [
        op("LOAD", 0, [], { state: 0 }),
        op("LOAD", 1, [], { state: 1 }),
        op("ADD", 2, [0, 1]),
        op("STORE", 0, [2], { state: 2 }),
      ], init.length);
      const { generated } = check(p);
      expect(stats(p).bounded).toBe(bounded);
      if (bounded) expect(generated.stats.saturations).toBeGreaterThan(0);
      else expect(generated.stats.saturations).toBe(0);
    }
  });

  it("counts the conversions that drop bits (rounded) and those that clamp (bounded), by hand", () => {
    // r0 = s0 (sQ5.2); copies of r0 into sQ7.0 (drops 2 bits, fits: rounds), sQ3.4 (adds 2 bits,
    // can leave 8 bits: clamps), sQ3.0 in 4 bits (drops 2 bits and clamps), sQ6.2 in 9 bits (same
    // frac, fits: neither); r0 + r0 into sQ5.2 (same frac, can leave it: clamps). Stores keep formats.
    const src = fmt(8, 2), formats = [fmt(8, 0), fmt(8, 4), fmt(4, 0), fmt(9, 2), fmt(8, 2)];
    const init = every(src);
    const p = program([{ f: src, init }, ...formats.map((f) => ({ f, init: [0] }))], [src, ...formats], [
      op("LOAD", 0, [], { state: 0 }),
      op("COPY", 1, [0]),
      op("COPY", 2, [0]),
      op("COPY", 3, [0]),
      op("COPY", 4, [0]),
      op("ADD", 5, [0, 0]),
      ...formats.map((_, i) => op("STORE", 0, [i + 1], { state: i + 1 })),
    ], init.length);
    check(p);
    expect(stats(p).rounded).toBe(2);
    expect(stats(p).bounded).toBe(3);
  });

  it("two identical stochastically rounded ops that wrap draw separately (no reuse as a copy)", () => {
    // r1 and r2 = r0 / 2 into 4 bits, stochastic rounding, wrapping: each op has its own draw site,
    // so the two results differ for some elements; reusing r1 for r2 would make them equal
    const src = fmt(8, 2), dst = fmt(4, 0, true, 1, 3);
    const init = every(src);
    const p = program([{ f: src, init }, { f: dst, init: [0] }, { f: dst, init: [0] }], [src, dst, dst], [
      op("LOAD", 0, [], { state: 0 }),
      op("SHR", 1, [0], { imm: 1 }),
      op("SHR", 2, [0], { imm: 1 }),
      op("STORE", 0, [1], { state: 1 }),
      op("STORE", 0, [2], { state: 2 }),
    ], init.length, 1);
    const { generated } = check(p);
    expect(Array.from(generated.state[1]!).some((v, i) => v !== generated.state[2]![i])).toBe(true);
  });

  it("a register read before any op writes it holds 0, and is not confused with a computed value", () => {
    // r1 = -r2 with r2 never written (0, as every register at the start of a run), then r3 = -r0
    // with r0 loaded: different operands, so r3 is no copy of r1 (hand-derived: s1 = -s0, s2 = 0)
    const s8 = fmt(8, 0);
    const init = every(s8);
    const p = program([{ f: s8, init }, { f: s8, init: [0] }, { f: s8, init: [5] }], [s8, s8, s8, s8], [
      op("LOAD", 0, [], { state: 0 }),
      op("NEG", 1, [2]),
      op("NEG", 3, [0]),
      op("STORE", 0, [3], { state: 1 }),
      op("STORE", 0, [1], { state: 2 }),
    ], init.length, 1);
    const { generated } = check(p);
    expect(Array.from(generated.state[1]!, (x) => x + 0)).toEqual(init.map((v) => Math.min(127, -v) + 0));
    expect(Array.from(generated.state[2]!, (x) => x + 0)).toEqual(init.map(() => 0));
  });

  it("nearest rounding of signed values: ties away from zero on both sides (shift by 1, 2 and 3 bits)", () => {
    const s8 = fmt(8, 0);
    const init = every(s8);
    for (const shift of [1, 2, 3]) {
      const p = program([{ f: s8, init }, { f: s8, init: [0] }], [s8, s8], [
        op("LOAD", 0, [], { state: 0 }),
        op("SHR", 1, [0], { imm: shift }),
        op("STORE", 0, [1], { state: 1 }),
      ], init.length);
      const { generated } = check(p);
      // hand-derived: -3 / 2 = -1.5 -> -2, -1 / 2 -> -1, 1 / 2 -> 1, 3 / 2 -> 2; -2 / 4 = -0.5 -> -1
      const at = (v: number) => generated.state[1]![init.indexOf(v)];
      if (shift === 1) expect([at(-3), at(-1), at(1), at(3), at(-128), at(127)]).toEqual([-2, -1, 1, 2, -64, 64]);
      if (shift === 2) expect([at(-2), at(-6), at(2), at(-5)]).toEqual([-1, -2, 1, -1]);
    }
  });

  it("24-bit values times 24-bit constants (48-bit products) rounded to nearest into 24 bits, at the extremes", () => {
    const s24 = fmt(24, 20);
    const ext = [-(2 ** 23), -(2 ** 23) + 1, -(2 ** 22) - 1, -3, -1, 0, 1, 3, 2 ** 22 + 1, 2 ** 23 - 2, 2 ** 23 - 1];
    for (const k of [-(2 ** 23), -(2 ** 23) + 1, -1, 1, 3, 2 ** 23 - 1, 5592405]) {
      const p = program([{ f: s24, init: ext }, { f: s24, init: [0] }, { f: fmt(16, 8), init: [0] }], [s24, fmt(24, 23), s24, fmt(16, 8)], [
        op("LOAD", 0, [], { state: 0 }),
        op("CONST", 1, [], { imm: k }),
        op("MUL", 2, [0, 1]), // exact at frac 43 (48 bits), rounded by 23 bits, saturated into 24
        op("STORE", 0, [2], { state: 1 }),
        op("MUL", 3, [0, 1]), // the same product into 16 bits: saturates more often
        op("STORE", 0, [3], { state: 2 }),
      ], ext.length);
      check(p);
    }
  });

  it("a repeated op is a register copy; a repeated saturating or stochastic op is computed again", () => {
    const s8 = fmt(8, 0);
    const init = every(s8);
    const kernel = (dst: IrFixedFormat) => [
      op("LOAD", 0, [], { state: 0 }),
      op("LOAD", 1, [], { state: 0 }), // repeats the load: reused
      op("ADD", 2, [0, 1]),
      op("ADD", 3, [0, 1]), // repeats the sum: reused only if it cannot saturate or draw
      op("STORE", 0, [2], { state: 1 }),
      op("STORE", 0, [3], { state: 2 }),
    ];
    const wide = program([{ f: s8, init }, { f: fmt(10, 0), init: [0] }, { f: fmt(10, 0), init: [0] }], [s8, s8, fmt(10, 0), fmt(10, 0)], kernel(fmt(10, 0)), init.length);
    check(wide);
    expect(stats(wide).reused).toBe(2);
    const narrow = program([{ f: s8, init }, { f: s8, init: [0] }, { f: s8, init: [0] }], [s8, s8, s8, s8], kernel(s8), init.length);
    const { generated } = check(narrow);
    expect(stats(narrow).reused).toBe(1);
    // every sum outside [-128, 127] is counted twice per run (two ops), as op by op
    expect(generated.stats.saturations).toBeGreaterThan(0);
    const stochastic = fmt(8, 0, true, 2, 3);
    const halves = [s8, fmt(8, 1), stochastic, stochastic];
    const drawn = program([{ f: s8, init }, { f: s8, init: [0] }, { f: s8, init: [0] }], halves, [
      op("LOAD", 0, [], { state: 0 }),
      op("COPY", 1, [0]), // x at frac 1: exact
      op("SHR", 2, [0], { imm: 1 }), // x / 2, stochastic: draws where x is odd
      op("SHR", 3, [0], { imm: 1 }), // the same op draws again
      op("STORE", 0, [2], { state: 1 }),
      op("STORE", 0, [3], { state: 2 }),
    ], init.length);
    const d = check(drawn);
    expect(stats(drawn).reused).toBe(0);
    expect(d.generated.state[1]).not.toEqual(d.generated.state[2]); // independent draws
  });

  it("ops on up to three comparisons and constants are tables; one that saturates in some combination is computed and counted", () => {
    const s8 = fmt(8, 0);
    const init = every(s8);
    const rot = (k: number) => init.map((_, i) => init[(i * k) % init.length]!);
    const c = fmt(1, 0, false);
    const w = fmt(16, 4);
    const p = program([{ f: s8, init }, { f: s8, init: rot(37) }, { f: s8, init: rot(101) }, { f: w, init: [0] }, { f: s8, init: [0] }, { f: s8, init: [0] }], [s8, s8, s8, c, c, c, w, w, w, w, s8, s8, fmt(24, 6), s8], [
      op("LOAD", 0, [], { state: 0 }),
      op("LOAD", 1, [], { state: 1 }),
      op("LOAD", 2, [], { state: 2 }),
      op("CMP_GE", 3, [0, 1]), // x >= y
      op("CMP_GT", 4, [1, 2]), // y > z
      op("CMP_GE", 5, [2, 0]), // z >= x
      op("CONST", 6, [], { imm: 1000 }),
      op("CONST", 7, [], { imm: -333 }),
      op("SELECT", 8, [3, 6, 7]),
      op("MUL", 9, [4, 8]), // (y > z) x (1000 or -333) at frac 4: a table over two conditions
      op("SELECT", 10, [5, 9, 8]), // into 8 bits at frac 0: nearest rounding of x / 16, within range
      op("ADD", 12, [10, 9]), // a table over three conditions, at frac 6
      op("MUL", 11, [8, 4]), // 1000 / 16 = 62.5 -> 63 fits; -333 / 16 -> -21 fits
      op("STORE", 0, [12], { state: 3 }),
      op("STORE", 0, [10], { state: 4 }),
      op("STORE", 0, [11], { state: 5 }),
    ], init.length);
    check(p);
    expect(stats(p).tabled).toBe(5); // the two SELECTs, two MULs and the ADD; the comparisons run
    // the same, with a constant that overflows 8 bits once divided by 16: 4000 / 16 = 250 > 127
    const big = { ...p, kernels: [{ ...p.kernels[0]!, ops: p.kernels[0]!.ops.map((o, i) => (i === 6 ? { ...o, imm: 4000 } : o)) }] };
    const { generated } = check(big);
    expect(generated.stats.saturations).toBeGreaterThan(0);
  });

  it("a stochastic op on conditions and constants is a table only where no combination drops bits (no draw either way)", () => {
    const s8 = fmt(8, 0);
    const init = every(s8);
    const st = fmt(8, 0, true, 2, 3); // stochastic rounding
    const kernel = (hi: number, lo: number) => program([{ f: s8, init }, { f: s8, init: [0] }, { f: s8, init: [0] }], [s8, fmt(1, 0, false), fmt(16, 4), fmt(16, 4), fmt(16, 4), st, st], [
      op("LOAD", 0, [], { state: 0 }),
      op("CMP_GE", 1, [0, 0]),
      op("CMP_GT", 1, [0, 1]), // x > (x >= x) = x > 1
      op("CONST", 2, [], { imm: hi }),
      op("CONST", 3, [], { imm: lo }),
      op("SELECT", 4, [1, 2, 3]),
      op("COPY", 5, [4]), // to frac 0, stochastic: x / 16
      op("ADD", 6, [5, 0]), // then a sum with x, stochastic but exact (same frac)
      op("STORE", 0, [5], { state: 1 }),
      op("STORE", 0, [6], { state: 2 }),
    ], init.length, 3);
    // multiples of 16: exact, no draw: the SELECT and the stochastic COPY are tables (the comparisons run)
    const exact = kernel(1008, -336);
    check(exact);
    expect(stats(exact).tabled).toBe(2);
    // 1000 / 16 = 62.5: the COPY draws where the condition holds, so it runs (and draws) per element
    const drawing = kernel(1000, -333);
    const { generated } = check(drawing);
    expect(stats(drawing).tabled).toBe(1); // the SELECT only
    expect(generated.state[1]!.some((v) => v === 62) && generated.state[1]!.some((v) => v === 63)).toBe(true);
  });
});
