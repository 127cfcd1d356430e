/**
 * codegen.ts by hand-derived cases: which kernels take the generated path (numberSafe: every exact
 * intermediate below 2^52), the saturation count at the exact bounds of a format, a kernel without
 * registers, and a generated kernel run without a saturation counter.
 */
import { describe, expect, it } from "vitest";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { generateKernel, numberSafe } from "../../targets/emulator/codegen.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

type Op = IrProgram["kernels"][number]["ops"][number];
const code = (name: string) => OP_BY_NAME.get(name)!.code;
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
const fmt = (width: number, frac: number, signed = true, overflow = 2, rounding = 2): IrFixedFormat => ({ width, signed, frac, rounding, overflow });

/** One neuron group of `n`, one state of format `state` (init 0), one kernel every tick with these registers and ops. */
function program(registers: IrFixedFormat[], ops: Op[], state = fmt(16, 0), n = 1, ticks = 1): IrProgram {
  const p: IrProgram = {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 1, tick_seconds: 0.001, duration_ticks: ticks, model_name: "unit", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
    groups: [{ name: "g", kind: 1, size: n }],
    states: [{ name: "g.x", group: 0, format: state, init: [0], unit: "1", unit_scale: 1 }],
    connectivity: [],
    kernels: [{ name: "g.k", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0, registers: registers.map((format) => ({ format })), ops }],
    stimuli: [],
    probes: [],
  };
  verify(p);
  return p;
}

const two = (name: string, a: IrFixedFormat, b: IrFixedFormat) => program([a, b, fmt(8, 0)], [{ ...unused, op: code(name), dst: 2, src: [0, 1] }]);

describe("numberSafe: the generated path only where every exact intermediate stays within 52 bits", () => {
  it("MUL: the product of widths 26 and 26 fits, 26 and 27 does not", () => {
    expect(numberSafe(two("MUL", fmt(26, 0), fmt(26, 5)).kernels[0]!, two("MUL", fmt(26, 0), fmt(26, 5)))).toBe(true);
    const wide = two("MUL", fmt(26, 0), fmt(27, 5));
    expect(numberSafe(wide.kernels[0]!, wide)).toBe(false);
  });

  for (const name of ["ADD", "SUB", "MIN", "MAX"]) {
    it(`${name}: aligned operands need max(width + F - frac) + 1 bits, F the finer frac: 52 fit, 53 do not (either order)`, () => {
      // a: 32 bits at frac 0; b: 8 bits at frac 19 -> a aligned to frac 19 needs 51 bits, + 1 = 52
      for (const [a, b, safe] of [[fmt(32, 0), fmt(8, 19), true], [fmt(32, 0), fmt(8, 20), false], [fmt(8, 19), fmt(32, 0), true], [fmt(8, 20), fmt(32, 0), false], [fmt(32, -5), fmt(32, 14), true], [fmt(32, 14), fmt(32, -6), false], [fmt(32, 10), fmt(8, 29), true], [fmt(8, 29), fmt(32, 10), true]] as const) {
        const p = two(name, a, b);
        expect(numberSafe(p.kernels[0]!, p), `${name} ${a.width}/${a.frac} ${b.width}/${b.frac}`).toBe(safe);
      }
    });
  }

  it("STORE_ADD: the state and the register aligned, the same rule", () => {
    const store = (state: IrFixedFormat, reg: IrFixedFormat) => program([reg], [{ ...unused, op: code("STORE_ADD"), src: [0], state: 0, index: 1 }], state);
    for (const [s, r, safe] of [[fmt(32, 0), fmt(8, 19), true], [fmt(32, 0), fmt(8, 20), false], [fmt(8, 19), fmt(32, 0), true], [fmt(8, 20), fmt(32, 0), false], [fmt(32, 10), fmt(8, 29), true], [fmt(8, 29), fmt(32, 10), true]] as const) {
      const p = store(s, r);
      expect(numberSafe(p.kernels[0]!, p), `${s.width}/${s.frac} + ${r.width}/${r.frac}`).toBe(safe);
    }
  });

  it("ops without a wide intermediate are always safe (a 64-bit shift, compare, copy)", () => {
    const p = program([fmt(32, 0), fmt(32, 40), fmt(8, 0)], [
      { ...unused, op: code("SHL"), dst: 1, src: [0], imm: 63 },
      { ...unused, op: code("CMP_GE"), dst: 2, src: [0, 1] },
      { ...unused, op: code("COPY"), dst: 0, src: [1] },
    ]);
    expect(numberSafe(p.kernels[0]!, p)).toBe(true);
  });
});

describe("generated kernels", () => {
  /** x <- COPY of a constant into the state's format, one run per tick; returns the emulator after `ticks`. */
  const copyInto = (value: number, state: IrFixedFormat, ticks = 3, mode: "generated" | "closures" = "generated") => {
    const p = program([fmt(24, 0), fmt(24, 0)], [
      { ...unused, op: code("CONST"), dst: 0, imm: value },
      { ...unused, op: code("NEG"), dst: 1, src: [0] },
      { ...unused, op: code("NEG"), dst: 0, src: [1] },
      { ...unused, op: code("STORE"), src: [0], state: 0, index: 1 },
    ], state, 1, ticks);
    const e = new Emulator(p, mode);
    e.run();
    return e;
  };

  it("a value exactly at a saturating format's bound is not clamped; one past it is, and counted", () => {
    // sQ7.0 in 8 bits: [-128, 127]
    // The kernel runs until a run changes nothing (then it is skipped): twice when its store changes
    // the state (from 0), once when it does not; a clamped store is counted once per run.
    for (const [v, x, sat] of [[127, 127, 0], [-128, -128, 0], [128, 127, 2], [-129, -128, 2]] as const) {
      const e = copyInto(v, fmt(8, 0));
      expect(e.state[0]![0], `store ${v}`).toBe(x);
      expect(e.stats.saturations, `store ${v}`).toBe(sat);
    }
    // unsigned 8 bits: [0, 255]
    for (const [v, x, sat] of [[255, 255, 0], [0, 0, 0], [256, 255, 2], [-1, 0, 1]] as const) {
      const e = copyInto(v, fmt(8, 0, false));
      expect(e.state[0]![0], `store ${v} unsigned`).toBe(x);
      expect(e.stats.saturations, `store ${v} unsigned`).toBe(sat);
    }
  });

  it("a wrapping format wraps modulo 2^width and counts no saturation", () => {
    for (const [v, x] of [[127, 127], [128, -128], [-129, 127], [-128, -128], [300, 44]] as const) {
      const e = copyInto(v, fmt(8, 0, true, 1));
      expect(e.state[0]![0], `wrap ${v}`).toBe(x);
      expect(e.stats.saturations).toBe(0);
    }
    for (const [v, x] of [[256, 0], [-1, 255], [511, 255]] as const) expect(copyInto(v, fmt(8, 0, false, 1)).state[0]![0], `wrap ${v} unsigned`).toBe(x);
  });

  it("the closures (convert.ts) bound and wrap the same values the same way", () => {
    for (const [v, x] of [[127, 127], [-128, -128], [128, 127], [-129, -128], [-5000, -128]] as const) expect(copyInto(v, fmt(8, 0), 3, "closures").state[0]![0], `saturate ${v}`).toBe(x);
    for (const [v, x] of [[128, -128], [-129, 127], [300, 44], [383, 127]] as const) expect(copyInto(v, fmt(8, 0, true, 1), 3, "closures").state[0]![0], `wrap ${v}`).toBe(x);
    for (const [v, x] of [[256, 255], [-1, 0]] as const) expect(copyInto(v, fmt(8, 0, false), 3, "closures").state[0]![0], `saturate ${v} unsigned`).toBe(x);
  });

  it("a kernel with no registers (and no ops) compiles and runs", () => {
    const p = program([], []);
    expect(numberSafe(p.kernels[0]!, p)).toBe(true);
    const e = new Emulator(p);
    e.run();
    expect(e.stats.ticks + e.stats.jumpedTicks).toBe(1);
  });

  it("without a saturation counter the generated kernel still clamps to the bounds", () => {
    const p = program([fmt(24, 0)], [
      { ...unused, op: code("CONST"), dst: 0, imm: 1000 },
      { ...unused, op: code("STORE"), src: [0], state: 0, index: 1 },
      { ...unused, op: code("CONST"), dst: 0, imm: -1000 },
      { ...unused, op: code("STORE"), src: [0], state: 0, index: 1 },
    ], fmt(8, 0), 1);
    const state = [new Float64Array(1)];
    const seen: number[] = [];
    // a probe of the first store: a kernel that stores 1000 only
    const only = program([fmt(24, 0)], [p.kernels[0]!.ops[0]!, p.kernels[0]!.ops[1]!], fmt(8, 0), 1);
    const ctx = { state, activity: new Float64Array(3), versions: new Float64Array(1), round: () => 0.5, normal: () => 0, spike: () => {}, now: new Float64Array(1) };
    generateKernel(only.kernels[0]!, only, ctx)(0);
    seen.push(state[0]![0]!);
    generateKernel(p.kernels[0]!, p, ctx)(0);
    seen.push(state[0]![0]!);
    expect(seen).toEqual([127, -128]);
    // two changed values: 0 -> 127, 127 -> -128 (the 127 stored again by the second kernel changes nothing)
    expect(ctx.activity[0]).toBe(2);
  });

  it("PRE and POST reach each synapse's own pre- and postsynaptic neuron", () => {
    // syn 0: pre 0 -> post 1; syn 1: pre 1 -> post 0
    const p: IrProgram = {
      ...program([], []),
      groups: [{ name: "pre", kind: 1, size: 2 }, { name: "post", kind: 1, size: 2 }, { name: "syn", kind: 2, size: 2 }],
      states: [
        { name: "pre.a", group: 0, format: fmt(16, 0), init: [10, 20], unit: "1", unit_scale: 1 },
        { name: "post.b", group: 1, format: fmt(16, 0), init: [100, 200], unit: "1", unit_scale: 1 },
        { name: "syn.x", group: 2, format: fmt(16, 0), init: [0], unit: "1", unit_scale: 1 },
        { name: "syn.y", group: 2, format: fmt(16, 0), init: [0], unit: "1", unit_scale: 1 },
      ],
      connectivity: [{ synapses: 2, pre: 0, post: 1, pre_index: [0, 1], post_index: [1, 0], array: [], row: [], column: [], label: [] }],
    };
    p.kernels = [{ ...p.kernels[0]!, group: 2, registers: [{ format: fmt(16, 0) }, { format: fmt(16, 0) }], ops: [
      { ...unused, op: code("LOAD"), dst: 0, state: 0, index: 2 },
      { ...unused, op: code("STORE"), src: [0], state: 2, index: 1 },
      { ...unused, op: code("LOAD"), dst: 1, state: 1, index: 3 },
      { ...unused, op: code("STORE"), src: [1], state: 3, index: 1 },
    ] }];
    verify(p);
    expect(numberSafe(p.kernels[0]!, p)).toBe(true);
    for (const mode of ["generated", "closures"] as const) {
      const e = new Emulator(p, mode);
      e.run();
      expect(Array.from(e.state[2]!), mode).toEqual([10, 20]);
      expect(Array.from(e.state[3]!), mode).toEqual([200, 100]);
    }
  });

  it("two SELECTs into different formats each convert to their own", () => {
    // r1 = 2.5 (sQ11.4: raw 40); SELECT into sQ15.0 rounds to 3 (ties away from zero), into sQ7.8 gives raw 640
    const p = program([fmt(8, 0), fmt(16, 4), fmt(16, 0), fmt(16, 8)], [
      { ...unused, op: code("CONST"), dst: 0, imm: 1 },
      { ...unused, op: code("CONST"), dst: 1, imm: 40 },
      { ...unused, op: code("SELECT"), dst: 2, src: [0, 1, 1] },
      { ...unused, op: code("SELECT"), dst: 3, src: [0, 1, 1] },
      { ...unused, op: code("STORE"), src: [2], state: 0, index: 1 },
    ], fmt(16, 0));
    p.states.push({ name: "g.y", group: 0, format: fmt(16, 8), init: [0], unit: "1", unit_scale: 1 });
    p.kernels[0]!.ops.push({ ...unused, op: code("STORE"), src: [3], state: 1, index: 1 });
    verify(p);
    for (const mode of ["generated", "closures"] as const) {
      const e = new Emulator(p, mode);
      e.run();
      expect([e.state[0]![0], e.state[1]![0]], mode).toEqual([3, 640]);
    }
  });

  it("each op by hand, generated and closures: compares across formats, MIN, MAX, ABS, NEG, COPY, LOOKUP", () => {
    const A = fmt(16, 4), B = fmt(16, 1), L = fmt(16, 2);
    /** The raw value (frac 4) of `name` on (x in format fx, y in format fy), stored into a sQ11.4 state. */
    const one = (name: string, x: number, fx: IrFixedFormat, y = 0, fy = B, table: number[] = []) => {
      const p = program([fx, fy, A], [
        { ...unused, op: code("CONST"), dst: 0, imm: x },
        { ...unused, op: code("CONST"), dst: 1, imm: y },
        { ...unused, op: code(name), dst: 2, src: OP_BY_NAME.get(name)!.sources === 2 ? [0, 1] : [0], table },
        { ...unused, op: code("STORE"), src: [2], state: 0, index: 1 },
      ], A);
      const out = (["generated", "closures"] as const).map((mode) => {
        const e = new Emulator(p, mode);
        e.run();
        return e.state[0]![0]!;
      });
      expect(out[0], `${name} generated = closures`).toBe(out[1]);
      return out[0];
    };
    // 2.5 = raw 40 at frac 4 = raw 5 at frac 1; 3 = raw 6 at frac 1; 1 stored at frac 4 is raw 16
    expect(one("CMP_GE", 40, A, 5)).toBe(16);
    expect(one("CMP_GT", 40, A, 5)).toBe(0);
    expect(one("CMP_GE", 40, A, 6)).toBe(0);
    expect(one("CMP_GT", 6, B, 40, A)).toBe(16);
    expect(one("MIN", 40, A, 6)).toBe(40);
    expect(one("MAX", 40, A, 6)).toBe(48);
    expect(one("ABS", -40, A)).toBe(40);
    expect(one("NEG", 40, A)).toBe(-40);
    expect(one("COPY", 6, B)).toBe(48);
    // LOOKUP: table[clamp(floor(x), 0, 2)], x in sQ13.2: 1.5 -> entry 1, 10 -> entry 2, -1 -> entry 0
    expect(one("LOOKUP", 6, L, 0, B, [7, 8, 9])).toBe(8);
    expect(one("LOOKUP", 40, L, 0, B, [7, 8, 9])).toBe(9);
    expect(one("LOOKUP", -4, L, 0, B, [7, 8, 9])).toBe(7);
    // just past the end (3 and 4): the last entry
    expect(one("LOOKUP", 12, L, 0, B, [7, 8, 9])).toBe(9);
    expect(one("LOOKUP", 16, L, 0, B, [7, 8, 9])).toBe(9);
  });

  it("SELECT takes its third operand when the condition is 0", () => {
    // SELECT(0, 2.5, 3) = 3, stored at frac 4: raw 48
    const p = program([fmt(8, 0), fmt(16, 4), fmt(16, 1), fmt(16, 4)], [
      { ...unused, op: code("CONST"), dst: 0, imm: 0 },
      { ...unused, op: code("CONST"), dst: 1, imm: 40 },
      { ...unused, op: code("CONST"), dst: 2, imm: 6 },
      { ...unused, op: code("SELECT"), dst: 3, src: [0, 1, 2] },
      { ...unused, op: code("STORE"), src: [3], state: 0, index: 1 },
    ], fmt(16, 4));
    for (const mode of ["generated", "closures"] as const) {
      const e = new Emulator(p, mode);
      e.run();
      expect(e.state[0]![0], mode).toBe(48);
    }
  });
});
