/**
 * codegen.ts drops a clamp where the raw bounds it derives for a register say no value can leave
 * the destination format, and reuses or tabulates ops from the same bounds. A wrong bound (a sum's
 * range taken as a difference's, a product's corners, ABS or NEG of a mixed-sign range, a SELECT's
 * union) drops a clamp that is needed, and the generated kernel then stores an unsaturated value:
 * a silent wrong result. This test builds seeded random two-op chains over the range-bearing ops
 * (the second op reads the first's result, so a wrong bound of the first decides the second's
 * conversion), with formats of mixed width, signedness, fractional bits and overflow rule, on
 * states initialised to every pair of extreme raw values (lo, lo + 1, -1, 0, 1, hi - 1, hi), and
 * compares the generated kernel with the reference interpreter (states) and with the closures
 * (saturation counts). Written from the codegen module's mutation run (docs/reliability.md).
 */
import { describe, expect, it } from "vitest";
import { type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { everyTick, header } from "../helpers/tiny-ir.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { interpret } from "../../src/ir/reference.ts";
import { verify } from "../../src/ir/verify.ts";
import { Rng } from "../../src/util/rng.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

type Op = IrProgram["kernels"][number]["ops"][number];
const code = (name: string) => OP_BY_NAME.get(name)!.code;
const op = (name: string, dst: number, src: number[] = [], more: Partial<Op> = {}): Op => ({ op: code(name), dst, src, imm: 0, state: 0, index: 1, table: [], ...more });

const TWO = ["ADD", "SUB", "MIN", "MAX", "MUL"] as const;
const ONE = ["NEG", "ABS", "COPY", "SHR", "SHL"] as const;
const CMP = ["CMP_GE", "CMP_GT"] as const;

function extremes(f: IrFixedFormat): number[] {
  const lo = f.signed ? -(2 ** (f.width - 1)) : 0, hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
  return [...new Set([lo, lo + 1, -1, 0, 1, hi - 1, hi].filter((v) => v >= lo && v <= hi))];
}

/** Fractional bits: 0..width, or (wide) from 4 below 0 to 4 above the width, as large or tiny quantities get. */
let wideFracs = false;

function randomFormat(rng: Rng): IrFixedFormat {
  const width = 3 + Math.floor(rng.uniform() * 14); // 3-16 bits: products stay exact on the generated path
  const signed = rng.uniform() < 0.7;
  const frac = wideFracs ? -4 + Math.floor(rng.uniform() * (width + 9)) : Math.floor(rng.uniform() * (width + 1));
  return { width, signed, frac, rounding: rng.uniform() < 0.5 ? 2 : 1, overflow: rng.uniform() < 0.8 ? 2 : 1 };
}

/** One op `name` writing register dst (format f) from registers a, b (c: the SELECT condition). */
function step(name: string, dst: number, a: number, b: number, c: number, rng: Rng, f: IrFixedFormat): Op {
  if (name === "LOOKUP") {
    // 2-9 entries from the destination format's extremes and values between (raw)
    const x = extremes(f), [lo, hi] = [x[0]!, x[x.length - 1]!];
    const table = Array.from({ length: 2 + Math.floor(rng.uniform() * 8) }, () => (rng.uniform() < 0.5 ? x[Math.floor(rng.uniform() * x.length)]! : lo + Math.floor(rng.uniform() * (hi - lo + 1))));
    return op(name, dst, [a], { table });
  }
  if ((TWO as readonly string[]).includes(name) || (CMP as readonly string[]).includes(name)) return op(name, dst, [a, b]);
  if (name === "SELECT") return op(name, dst, [c, a, b]);
  if (name === "SHR" || name === "SHL") return op(name, dst, [a], { imm: 1 + Math.floor(rng.uniform() * 3) });
  return op(name, dst, [a]);
}

/** A chain: r0, r1 loaded; r2 = CMP(r0, r1) (SELECT's condition); r3 = first(r0, r1); r4 = second(r3, r0); r3, r4 stored. */
function chain(rng: Rng, first: string, second: string): IrProgram {
  const f0 = randomFormat(rng), f1 = randomFormat(rng), f3 = randomFormat(rng), f4 = randomFormat(rng);
  const cond: IrFixedFormat = { width: 2, signed: false, frac: 0, rounding: 2, overflow: 2 };
  return program({ a: f0, b: f1, c: f3, d: f4 }, [f0, f1, cond, f3, f4], [
    op("LOAD", 0, [], { state: 0 }),
    op("LOAD", 1, [], { state: 1 }),
    op("CMP_GT", 2, [0, 1]),
    step(first, 3, 0, 1, 2, rng, f3),
    step(second, 4, 3, 0, 2, rng, f4),
    op("STORE", 0, [3], { state: 2 }),
    op("STORE", 0, [4], { state: 3 }),
  ], "range-chains");
}

/** A one-kernel program over states (a, b; outputs c, d) whose values are every pair of extreme raw values of a's and b's formats. */
function program(formats: { a: IrFixedFormat; b: IrFixedFormat; c: IrFixedFormat; d: IrFixedFormat }, registers: IrFixedFormat[], ops: Op[], name: string): IrProgram {
  const xa = extremes(formats.a), xb = extremes(formats.b);
  const a: number[] = [], b: number[] = [];
  for (const u of xa) for (const v of xb) { a.push(u); b.push(v); }
  const st = (n: string, format: IrFixedFormat, init: number[]) => ({ name: n, group: 0, format, init, unit: "1", unit_scale: 1 });
  const p: IrProgram = {
    header: header(name, 1, 3),
    groups: [{ name: "g", kind: 1, size: a.length }],
    states: [st("g.a", formats.a, a), st("g.b", formats.b, b), st("g.c", formats.c, [0]), st("g.d", formats.d, [0])],
    connectivity: [],
    kernels: [everyTick("g.k", registers, ops)],
    stimuli: [],
    probes: [],
  };
  verify(p);
  return p;
}

/** Runs p on the generated path and checks it against the interpreter and the closures' saturation count; returns that count. */
function agrees(p: IrProgram, what = ""): number {
  const ref = interpret(p);
  const generated = new Emulator(p, "generated");
  generated.run();
  const closures = new Emulator(p, "closures");
  closures.run();
  expect(generated.state.map((s) => Array.from(s, (x) => x + 0)), what).toEqual(ref.state.map((s) => s.map(Number)));
  expect(generated.stats.saturations, what).toBe(closures.stats.saturations);
  return closures.stats.saturations;
}

/** Every ordered pair of `names` in `rounds` seeded chains each: the number of chains that saturate. */
function pairs(names: string[], rounds: number, rng: Rng): number {
  let saturating = 0;
  for (const first of names) for (const second of names) for (let k = 0; k < rounds; k++) {
    const p = chain(rng, first, second);
    const what = `${first} then ${second}, formats ${JSON.stringify(p.kernels[0]!.registers.map((r) => r.format))}, ops ${JSON.stringify(p.kernels[0]!.ops.slice(3, 5))}`;
    if (agrees(p, what) > 0) saturating++;
  }
  return saturating;
}

describe("codegen: raw bounds through chains of two ops, at every pair of extremes", () => {
  const names = [...TWO, ...ONE, ...CMP, "SELECT"];
  it(`${names.length} x ${names.length} op pairs, 20 random format sets each (seeded): generated = interpreter, saturations = closures`, () => {
    // the chains reach the clamps: most saturate somewhere
    expect(pairs(names, 20, new Rng(2026, "codegen-range-chains"))).toBeGreaterThan(names.length * names.length);
  });
});

describe("codegen: raw bounds with fractional bits below 0 and above the width, and LOOKUP", () => {
  // Formats whose fractional bits are negative (large quantities) or exceed the width (tiny ones)
  // turn the alignment shifts around, and a LOOKUP's range is its table's: each bound must still
  // cover every value, or a clamp is dropped (written from codegen's survivors, session 5).
  const names = [...TWO, ...ONE, ...CMP, "SELECT", "LOOKUP"];
  it(`${names.length} x ${names.length} op pairs, 12 random format sets each (seeded): generated = interpreter, saturations = closures`, () => {
    wideFracs = true;
    try {
      expect(pairs(names, 12, new Rng(2027, "codegen-range-chains-wide"))).toBeGreaterThan(names.length * names.length);
    } finally {
      wideFracs = false;
    }
  });
});

describe("codegen: raw bounds in the cases random chains rarely reach", () => {
  const sat = (width: number, signed: boolean, frac: number): IrFixedFormat => ({ width, signed, frac, rounding: 2, overflow: 2 });

  it("MUL of a non-negative value and one bounded above: the low corner is hi(a) x lo(b)", () => {
    // a in u4 [0, 15]; b = MIN(s5, 3) in [-16, 3]; a b in [-240, 45]: below s8's -128 only on the
    // low side, so only the corner hi(a) lo(b) tells the generator that a clamp is needed there
    const a = sat(4, false, 0), b = sat(5, true, 0), out = sat(8, true, 0);
    const p = program({ a, b, c: out, d: out }, [a, b, b, b, out], [
      op("LOAD", 0, [], { state: 0 }),
      op("LOAD", 1, [], { state: 1 }),
      op("CONST", 2, [], { imm: 3 }),
      op("MIN", 3, [1, 2]),
      op("MUL", 4, [0, 3]),
      op("STORE", 0, [4], { state: 2 }),
    ], "mul-corner");
    expect(agrees(p)).toBeGreaterThan(0);
  });

  it("a conversion that shifts left (more fractional bits) scales both bounds up", () => {
    // x in s7 (frac 0) bounded on one side by MIN(x, 5) or MAX(x, -5), copied into s8 with frac 2:
    // raw x 4 in [-256, 20] (or [-20, 252]) leaves s8 on one side only
    const x = sat(7, true, 0), out = sat(8, true, 2);
    for (const [bound, imm] of [["MIN", 5], ["MAX", -5]] as const) {
      const p = program({ a: x, b: x, c: out, d: out }, [x, x, x, out], [
        op("LOAD", 0, [], { state: 0 }),
        op("CONST", 1, [], { imm }),
        op(bound, 2, [0, 1]),
        op("COPY", 3, [2]),
        op("STORE", 0, [3], { state: 2 }),
      ], "left-shift");
      expect(agrees(p)).toBeGreaterThan(0);
    }
  });

  it("STORE_ADD into a state with negative fractional bits, and from a register with them", () => {
    // state s4 with frac -2 (LSB 4) plus a register s8 with frac 3, and the other way round: the
    // sum is aligned to the larger frac, each side scaled up by the difference of fracs
    for (const [sf, rf] of [[sat(4, true, -2), sat(8, true, 3)], [sat(8, true, 3), sat(4, true, -2)], [sat(5, false, -3), sat(6, true, 1)]] as const) {
      const p = program({ a: rf, b: rf, c: sf, d: sf }, [rf], [
        op("LOAD", 0, [], { state: 0 }),
        op("STORE_ADD", 0, [0], { state: 2 }),
        op("STORE_ADD", 0, [0], { state: 3 }),
        op("STORE_ADD", 0, [0], { state: 3 }),
      ], "store-add-fracs");
      p.states[2]!.init = extremes(sf).flatMap((v) => extremes(rf).map(() => v)).slice(0, p.groups[0]!.size);
      while (p.states[2]!.init.length < p.groups[0]!.size) p.states[2]!.init.push(0);
      expect(agrees(p)).toBeGreaterThan(0);
    }
  });
});

describe("codegen: value numbering sees stores", () => {
  it("a state loaded again after a store reads the stored value, not the first load's (x' = x + 1; y = x')", () => {
    const f: IrFixedFormat = { width: 8, signed: true, frac: 0, rounding: 2, overflow: 2 };
    const init = [-128, -5, 0, 7, 126];
    const p: IrProgram = {
      header: header("reload", 1, 3),
      groups: [{ name: "g", kind: 1, size: init.length }],
      states: [
        { name: "g.x", group: 0, format: f, init, unit: "1", unit_scale: 1 },
        { name: "g.y", group: 0, format: f, init: [0], unit: "1", unit_scale: 1 },
      ],
      connectivity: [],
      kernels: [{
        name: "g.k", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0,
        registers: [f, f, f, f].map((format) => ({ format })),
        ops: [
          op("LOAD", 0, [], { state: 0 }),
          op("CONST", 1, [], { imm: 1 }),
          op("ADD", 2, [0, 1]),
          op("STORE", 0, [2], { state: 0 }),
          op("LOAD", 3, [], { state: 0 }),
          op("STORE", 0, [3], { state: 1 }),
        ],
      }],
      stimuli: [],
      probes: [],
    };
    verify(p);
    const generated = new Emulator(p, "generated");
    generated.run();
    // hand-derived: x + 1, saturating at 127
    expect(Array.from(generated.state[1]!, (x) => x + 0)).toEqual([-127, -4, 1, 8, 127]);
    expect(Array.from(generated.state[0]!, (x) => x + 0)).toEqual([-127, -4, 1, 8, 127]);
  });

  it("after two stores, a third load reads the second store's value (each store is a new version)", () => {
    // x' = x + 1, then x'' = x' + 1, then y = x'': hand-derived x + 2, saturating at 127
    const f: IrFixedFormat = { width: 8, signed: true, frac: 0, rounding: 2, overflow: 2 };
    const p = program({ a: f, b: f, c: f, d: f }, [f, f, f, f, f, f], [
      op("LOAD", 0, [], { state: 0 }),
      op("CONST", 1, [], { imm: 1 }),
      op("ADD", 2, [0, 1]),
      op("STORE", 0, [2], { state: 0 }),
      op("LOAD", 3, [], { state: 0 }),
      op("ADD", 4, [3, 1]),
      op("STORE", 0, [4], { state: 0 }),
      op("LOAD", 5, [], { state: 0 }),
      op("STORE", 0, [5], { state: 2 }),
    ], "reload-twice");
    agrees(p);
    const generated = new Emulator(p, "generated");
    generated.run();
    const x = p.states[0]!.init;
    expect(Array.from(generated.state[2]!, (v) => v + 0)).toEqual(x.map((v) => Math.min(127, v + 2)));
  });
});
