/**
 * The emulator's closures path (prepare(): kernels that are not number-safe, and every kernel in
 * mode "closures") and its gate lists, against the reference interpreter bit for bit, on small
 * hand-built programs aimed at what the mutation run of emulator.ts (docs/reliability.md,
 * "emulator") left alive: operands whose exact aligned sum or product passes 2^53 (only the BigInt
 * path gets them right), operands with different fractional bits (the scalings sa, sb), ABS next to
 * NEG and COPY, SHL next to SHR, NOW + imm, a disabled RAND_NORMAL, a non-number-safe kernel in
 * mode "generated", STORE_ADD into a gate state, and gates opened out of ascending order or opened
 * twice while a gated kernel draws stochastic-rounding numbers (the element order decides which
 * element gets which draw). Each program runs a few ticks: the file takes seconds.
 */
import { describe, expect, it } from "vitest";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { interpret } from "../../src/ir/reference.ts";
import { rawRange, verify } from "../../src/ir/verify.ts";
import { Rng } from "../../src/util/rng.ts";
import { numberSafe } from "../../targets/emulator/codegen.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

type Program = IrProgram;
type Kernel = Program["kernels"][number];
type Op = Kernel["ops"][number];
const FLOOR = 1, NEAREST = 2, STOCHASTIC = 3, WRAP = 1, SATURATE = 2;
const code = (name: string) => OP_BY_NAME.get(name)!.code;
const fmt = (width: number, frac: number, signed = true, rounding = FLOOR, overflow = SATURATE): IrFixedFormat => ({ width, signed, frac, rounding, overflow });
const op = (name: string, fields: Partial<Op>): Op => ({ op: code(name), dst: 0, src: [], imm: 0, state: 0, index: 1, table: [], ...fields });
const header = (ticks: number): Program["header"] => ({ ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 7, tick_seconds: 0.001, duration_ticks: ticks, model_name: "closures-path", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 });
const periodic = (period = 1, offset = 0): Kernel["periodic"] => ({ period_ticks: period, offset_ticks: offset, gated: false, gate_state: 0 });

/** Runs p on the emulator in `mode` and checks every state, probe sample and spike against the interpreter. */
function sameAsInterpreter(p: Program, mode: "generated" | "closures", ref = interpret(p)): Emulator {
  const emu = new Emulator(p, mode);
  emu.run();
  expect(emu.tick).toBe(p.header.duration_ticks);
  p.states.forEach((s, i) => expect(Array.from(emu.state[i]!), `${mode}: state ${s.name}`).toEqual(ref.state[i]!.map(Number)));
  ref.probes.forEach((pr, i) => expect(emu.probes[i]!.data, `${mode}: probe ${i}`).toEqual(pr.values.flatMap((v) => v.map(Number))));
  expect(emu.spikes.elements).toEqual(ref.spikes.map((s) => s.element));
  return emu;
}

/** A raw value of format f drawn from rng: a bound, next to a bound, or anywhere (odd values to keep the low bits busy). */
function rawIn(f: IrFixedFormat, rng: Rng): number {
  const [lo, hi] = rawRange(f);
  const u = rng.uniform();
  const pick = Math.floor(rng.uniform() * 6);
  const v = pick === 0 ? lo : pick === 1 ? hi : pick === 2 ? lo + 1 : pick === 3 ? hi - 1 : lo + Math.floor(u * (hi - lo));
  return Math.min(hi, Math.max(lo, v));
}

/**
 * One group of n elements; states a and b in formats fa and fb with random raw values; one kernel
 * loads them and applies every two-operand op into registers of several formats at the aligned
 * frac F (minus 0-8 bits, floor, nearest and stochastic rounding, saturating and wrapping), each
 * stored into a state of its own; STORE_ADD of b into a copy of a.
 */
function arithmetic(fa: IrFixedFormat, fb: IrFixedFormat, rng: Rng, n = 24): Program {
  const states: Program["states"] = [];
  const state = (name: string, f: IrFixedFormat, init: number[]) => states.push({ name: `g.${name}`, group: 0, format: f, init, unit: "1", unit_scale: 1 }) - 1;
  const va = Array.from({ length: n }, () => rawIn(fa, rng)), vb = Array.from({ length: n }, () => rawIn(fb, rng));
  const sa = state("a", fa, va), sb = state("b", fb, vb);
  const registers: IrFixedFormat[] = [fa, fb];
  const ops: Op[] = [op("LOAD", { dst: 0, state: sa }), op("LOAD", { dst: 1, state: sb })];
  const F = Math.max(fa.frac, fb.frac), FM = fa.frac + fb.frac;
  const outs: [number, IrFixedFormat][] = [];
  for (const name of ["ADD", "SUB", "MIN", "MAX", "MUL"]) {
    const Fo = name === "MUL" ? FM : F;
    for (const [shift, rounding, overflow] of [[0, FLOOR, WRAP], [1, FLOOR, WRAP], [2, NEAREST, WRAP], [3, STOCHASTIC, SATURATE], [8, FLOOR, SATURATE], [0, FLOOR, SATURATE]] as const) {
      const d = fmt(32, Fo - shift, true, rounding, overflow);
      registers.push(d);
      ops.push(op(name, { dst: registers.length - 1, src: [0, 1] }));
      outs.push([registers.length - 1, d]);
    }
  }
  for (const [r, d] of outs) ops.push(op("STORE", { src: [r], state: state(`o${r}`, d, [0]) }));
  for (const f of [fa, { ...fa, overflow: WRAP }, { ...fa, rounding: STOCHASTIC, frac: fa.frac - 2 }]) {
    ops.push(op("STORE_ADD", { src: [1], state: state(`acc${states.length}`, f, va.map((v) => Math.min(v, rawRange(f)[1]))) }));
  }
  const p: Program = {
    header: header(2),
    groups: [{ name: "g", kind: 1, size: n }],
    states,
    connectivity: [],
    kernels: [{ name: "g.k", group: 0, periodic: periodic(), unit: 1, cycles: 0, registers: registers.map((format) => ({ format })), ops }],
    stimuli: [],
    probes: [],
  };
  verify(p);
  return p;
}

describe("closures path: wide and mixed-frac arithmetic as the interpreter", () => {
  // Format pairs around the 52-bit limit of the number path (aligned operands need
  // max(width + F - frac) + 1 bits; a product width_a + width_b; formats are at most 32 bits wide), signed and unsigned, fracs in
  // either order and negative: the BigInt path is taken exactly where a double could round.
  const pairs: [IrFixedFormat, IrFixedFormat][] = [];
  const rng = new Rng(11, "formats");
  for (const [wa, fa, wb, fb] of [[32, 0, 8, 24], [8, 24, 32, 0], [32, -2, 8, 20], [8, 20, 32, -2], [32, 0, 8, 21], [32, 0, 32, 21], [32, 21, 32, 0], [30, 5, 30, 27], [26, 3, 27, 9], [27, 9, 26, 3], [26, 3, 26, 9], [20, 4, 12, 9], [12, 9, 20, 4], [32, 0, 32, 3], [32, 10, 32, 10], [16, -3, 24, 6], [32, -30, 32, 40]] as const) {
    for (const [ua, ub] of [[true, true], [false, false], [true, false], [false, true]] as const) pairs.push([fmt(wa, fa, ua), fmt(wb, fb, ub)]);
  }
  for (let i = 0; i < 40; i++) {
    const f = () => fmt(8 + Math.floor(rng.uniform() * 25), Math.floor(rng.uniform() * 40) - 8, rng.uniform() < 0.5);
    pairs.push([f(), f()]);
  }
  const programs = pairs.map(([a, b], i) => arithmetic(a, b, new Rng(100 + i, "values")));

  it("the sample has number-safe and wide kernels, and wide ops whose exact value passes 2^53", () => {
    expect(programs.filter((p) => numberSafe(p.kernels[0]!, p)).length).toBeGreaterThan(5);
    expect(programs.filter((p) => !numberSafe(p.kernels[0]!, p)).length).toBeGreaterThan(40);
  });

  it("mode closures: every stored result as the interpreter", () => {
    for (const p of programs) sameAsInterpreter(p, "closures");
  });

  it("mode generated: wide kernels fall back to the closures (the generated code would round), same results", () => {
    for (const p of programs) sameAsInterpreter(p, "generated");
  });
});

/** One element; registers set by CONST, then `body`; every register stored into a state of its format, sampled each tick. */
function straight(registers: IrFixedFormat[], consts: number[], body: Op[], ticks = 3, seed = 7): Program {
  const ops = [...consts.map((imm, i) => op("CONST", { dst: i, imm })), ...body];
  const states = registers.map((format, i) => ({ name: `g.r${i}`, group: 0, format: { ...format, rounding: FLOOR }, init: [0], unit: "1", unit_scale: 1 }));
  registers.forEach((_, i) => ops.push(op("STORE", { src: [i], state: i })));
  const p: Program = {
    header: { ...header(ticks), seed },
    groups: [{ name: "g", kind: 1, size: 1 }],
    states,
    connectivity: [],
    kernels: [{ name: "g.k", group: 0, periodic: periodic(), unit: 1, cycles: 0, registers: registers.map((format) => ({ format })), ops }],
    stimuli: [],
    probes: states.map((_, i) => ({ state: i, elements: [0], every_ticks: 1, column: `r${i}` })),
  };
  verify(p);
  return p;
}

describe("closures path: single ops as the interpreter", () => {
  it("NEG, ABS and COPY of a negative value; SHL and SHR by 3 (hand-derived: -13 -> 13, 13, -13, -104, -1.625 -> raw -2 at frac 0 floor)", () => {
    const f = fmt(16, 0);
    const p = straight([f, f, f, f, f, f], [-13, 0, 0, 0, 0, 0], [
      op("NEG", { dst: 1, src: [0] }),
      op("ABS", { dst: 2, src: [0] }),
      op("COPY", { dst: 3, src: [0] }),
      op("SHL", { dst: 4, src: [0], imm: 3 }),
      op("SHR", { dst: 5, src: [0], imm: 3 }),
    ]);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(p, mode);
      expect(Array.from(e.state, (s) => s[0])).toEqual([-13, 13, 13, -13, -104, -2]);
    }
  });

  it("saturation counts: the closures count every clamped value as the generated kernels do (number-safe and BigInt ops)", () => {
    // 1000 * 1000 into sQ7.0 clamps to 127: one saturation per kernel run (hand-derived; the run
    // after the first that changes nothing is a proven repeat and skipped, so runs < ticks). Before,
    // the closures path counted none (docs/reliability.md, "emulator.ts"), so a wide kernel hid its clamps.
    const narrow = straight([fmt(16, 0), fmt(16, 0), fmt(8, 0)], [1000, 1000, 0], [op("MUL", { dst: 2, src: [0, 1] })]);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(narrow, mode);
      expect(e.state[2]![0]).toBe(127);
      expect(e.stats.kernelRuns).toBeGreaterThan(0);
      expect(e.stats.saturations, mode).toBe(e.stats.kernelRuns);
    }
    // 2^31 - 1 squared needs 62 bits: not number-safe, so both modes take the closures' BigInt op
    const wide = straight([fmt(32, 0), fmt(32, 0), fmt(8, 0)], [2 ** 31 - 1, 2 ** 31 - 1, 0], [op("MUL", { dst: 2, src: [0, 1] })]);
    expect(numberSafe(wide.kernels[0]!, wide)).toBe(false);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(wide, mode);
      expect(e.state[2]![0]).toBe(127);
      expect(e.stats.kernelRuns).toBeGreaterThan(0);
      expect(e.stats.saturations, mode).toBe(e.stats.kernelRuns);
    }
  });

  it("NOW + imm: the tick plus the immediate, each tick (hand-derived: 5, 6, 7, 8)", () => {
    const p = straight([fmt(16, 0)], [0], [op("NOW", { dst: 0, imm: 5 })], 4);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(p, mode);
      expect(e.probes[0]!.data.slice(1)).toEqual([5, 6, 7, 8]);
    }
  });

  it("RAND_NORMAL with a zero enable gives 0 and draws nothing: the next enabled draw is the interpreter's", () => {
    const f = fmt(24, 16, true, NEAREST);
    const p = straight([fmt(8, 0), fmt(8, 0), f, f], [0, 1, 0, 0], [op("RAND_NORMAL", { dst: 2, src: [0] }), op("RAND_NORMAL", { dst: 3, src: [1] })], 4);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(p, mode);
      expect(e.probes[2]!.data.every((v) => v === 0)).toBe(true);
      expect(e.probes[3]!.data.some((v) => v !== 0)).toBe(true);
    }
  });

  it("LOOKUP with indices below 0, at 0, at the last entry and past it: clamped as the interpreter", () => {
    for (const x of [-3, 0, 1, 3, 4, 9]) {
      const f = fmt(8, 0);
      const p = straight([f, f], [x, 0], [op("LOOKUP", { dst: 1, src: [0], table: [10, 20, 30, 40] })], 1);
      const e = sameAsInterpreter(p, "closures");
      expect(e.state[1]![0]).toBe([10, 10, 20, 40, 40, 40][[-3, 0, 1, 3, 4, 9].indexOf(x)]);
    }
  });
});

/**
 * Eight pre neurons, one post neuron, eight synapses wired so that pre neuron i drives synapse
 * 7 - i: a spike-triggered kernel that opens the gates of the synapses a spike reaches opens
 * them in descending order (7, 6, ..., 0). A gated kernel then draws a stochastic rounding per
 * open synapse and adds it up: the interpreter visits open synapses in ascending order, so each
 * draw lands on the right synapse only if the gate list is put in order.
 */
function gated(spikeTicks: number[], ticks = 8): Program {
  const n = 8, byte = fmt(8, 0, false), acc = fmt(16, 0);
  const state = (name: string, group: number, format: IrFixedFormat) => ({ name, group, format, init: [0], unit: "1", unit_scale: 1 });
  const p: Program = {
    header: header(ticks),
    groups: [{ name: "pre", kind: 1, size: n }, { name: "post", kind: 1, size: 1 }, { name: "syn", kind: 2, size: n }],
    states: [state("syn.open", 2, byte), state("syn.acc", 2, acc), state("syn.hits", 2, acc)],
    connectivity: [{ synapses: 2, pre: 0, post: 1, pre_index: Array.from({ length: n }, (_, s) => n - 1 - s), post_index: new Array(n).fill(0), array: [], row: [], column: [], label: [] }],
    kernels: [
      // on a pre spike: open the synapse (gate = 1)
      { name: "syn.open", group: 2, on_spike: { source: 0, delay_ticks: 0, post: false }, unit: 1, cycles: 0, registers: [{ format: byte }], ops: [op("CONST", { dst: 0, imm: 1 }), op("STORE", { src: [0], state: 0 })] },
      // every tick over the open synapses: acc += round_stochastic(5 / 2^4), hits += 1
      {
        name: "syn.draw",
        group: 2,
        periodic: { ...periodic()!, gated: true, gate_state: 0 },
        unit: 1,
        cycles: 0,
        registers: [{ format: byte }, { format: fmt(8, 0, true, STOCHASTIC) }, { format: byte }],
        ops: [op("CONST", { dst: 0, imm: 5 }), op("SHR", { dst: 1, src: [0], imm: 4 }), op("CONST", { dst: 2, imm: 1 }), op("STORE_ADD", { src: [1], state: 1 }), op("STORE_ADD", { src: [2], state: 2 })],
      },
    ],
    stimuli: [{ group: 0, spikes: { ticks: spikeTicks.flatMap((t) => new Array(n).fill(t)), neurons: spikeTicks.flatMap(() => Array.from({ length: n }, (_, i) => i)) } }],
    probes: [{ state: 1, elements: Array.from({ length: n }, (_, i) => i), every_ticks: 1, column: "acc" }],
  };
  verify(p);
  return p;
}

describe("gate lists as the interpreter's ascending visit", () => {
  it("gates opened in descending order under stochastic rounding: each synapse gets the interpreter's draws", () => {
    const p = gated([0]);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(p, mode);
      // every synapse ran every tick, and the draws did not all round the same way
      expect(Array.from(e.state[2]!)).toEqual(new Array(8).fill(8));
      expect(new Set(e.state[1]!).size).toBeGreaterThan(1);
    }
  });

  it("gates opened again while open (a second volley) are not run twice", () => {
    const p = gated([0, 3, 5]);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(p, mode);
      expect(Array.from(e.state[2]!)).toEqual(new Array(8).fill(8));
    }
  });

  it("a gate state opened by an ungated kernel's STORE_ADD: the gated kernel runs on it from then on", () => {
    // tick 2: every other synapse's gate += 1 (an ungated periodic kernel), then the gated kernel counts
    const p = gated([], 6);
    p.states.push({ name: "syn.flag", group: 2, format: fmt(8, 0, false), init: [0, 1, 0, 1, 0, 1, 0, 1], unit: "1", unit_scale: 1 });
    p.kernels.splice(1, 0, { name: "syn.add", group: 2, periodic: periodic(1000, 2), unit: 1, cycles: 0, registers: [{ format: fmt(8, 0, false) }], ops: [op("LOAD", { dst: 0, state: 3 }), op("STORE_ADD", { src: [0], state: 0 })] });
    p.stimuli = [];
    verify(p);
    for (const mode of ["closures", "generated"] as const) {
      const e = sameAsInterpreter(p, mode);
      expect(Array.from(e.state[2]!)).toEqual([0, 4, 0, 4, 0, 4, 0, 4]);
    }
  });
});

describe("closures path: a kernel whose run changes nothing lets the emulator jump, as on the generated path", () => {
  it("a store of the value already there counts no change: the rest of the run is jumped", () => {
    const p = straight([fmt(16, 0)], [9], [], 10);
    const stats = (["closures", "generated"] as const).map((mode) => sameAsInterpreter(p, mode).stats);
    // tick 0 changes the state (0 -> 9), tick 1 changes nothing: ticks 2-9 are quiet and jumped
    for (const s of stats) expect([s.ticks, s.kernelRuns, s.jumpedTicks]).toEqual([2, 2, 8]);
  });
});

describe("a snapshot taken before the first tick", () => {
  it("restores (no spike slot has fired yet) and continues as the interpreter", () => {
    const p = gated([0, 3]);
    for (const mode of ["closures", "generated"] as const) {
      const saved = JSON.parse(JSON.stringify(new Emulator(p, mode).snapshot()));
      const e = new Emulator(p, mode);
      e.restore(saved);
      e.run();
      const ref = interpret(p);
      p.states.forEach((s, i) => expect(Array.from(e.state[i]!), `${mode}: state ${s.name}`).toEqual(ref.state[i]!.map(Number)));
    }
  });
});

/**
 * One neuron with states y (index 0, init 0) and x (index 1, init x0, so that no op's unused state
 * field 0 names it); kernels given as [period, offset, ops] in this order; both sampled every tick.
 */
function kernels(f: IrFixedFormat, x0: number, list: [number, number, Op[]][], ticks = 12): Program {
  const p: Program = {
    header: header(ticks),
    groups: [{ name: "g", kind: 1, size: 1 }],
    states: [{ name: "g.y", group: 0, format: f, init: [0], unit: "1", unit_scale: 1 }, { name: "g.x", group: 0, format: f, init: [x0], unit: "1", unit_scale: 1 }],
    connectivity: [],
    kernels: list.map(([period, offset, ops], i) => ({ name: `g.k${i}`, group: 0, periodic: periodic(period, offset), unit: 1, cycles: 0, registers: [{ format: f }], ops })),
    stimuli: [],
    probes: [0, 1].map((state) => ({ state, elements: [0], every_ticks: 1, column: `s${state}` })),
  };
  verify(p);
  return p;
}

describe("idle skip: a no-op kernel runs again once a state it loads, stores or adds into has changed", () => {
  const f = fmt(8, 0);
  const X = 1, Y = 0;
  const cases: [string, Program, number, number[]][] = [
    // k0 every 5 ticks: x += 1; k1 every tick: y = x (a no-op between k0's runs)
    ["LOAD", kernels(f, 0, [[5, 0, [op("CONST", { imm: 1 }), op("STORE_ADD", { src: [0], state: X })]], [1, 0, [op("LOAD", { state: X }), op("STORE", { src: [0], state: Y })]]]), Y, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3]],
    // k0 at tick 2 (then every 20): x = 5; k1 every tick: x = 0 (a no-op while x is 0)
    ["STORE", kernels(f, 0, [[20, 2, [op("CONST", { imm: 5 }), op("STORE", { src: [0], state: X })]], [1, 0, [op("CONST", { imm: 0 }), op("STORE", { src: [0], state: X })]]]), X, new Array(12).fill(0)],
    // x starts at the top of sQ7.0; k0 at tick 2: x = 100; k1 every tick: x += 1 (a no-op while it saturates)
    ["STORE_ADD", kernels(f, 127, [[20, 2, [op("CONST", { imm: 100 }), op("STORE", { src: [0], state: X })]], [1, 0, [op("CONST", { imm: 1 }), op("STORE_ADD", { src: [0], state: X })]]]), X, [127, 127, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]],
  ];
  for (const [what, p, column, values] of cases) {
    it(`${what}: as the interpreter (hand-derived: ${values.join(" ")})`, () => {
      for (const mode of ["closures", "generated"] as const) {
        const e = sameAsInterpreter(p, mode);
        expect(e.probes[column]!.data.slice(1), `${mode}`).toEqual(values);
      }
    });
  }
});
