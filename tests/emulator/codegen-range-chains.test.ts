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
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
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

function randomFormat(rng: Rng): IrFixedFormat {
  const width = 3 + Math.floor(rng.uniform() * 14); // 3-16 bits: products stay exact on the generated path
  const signed = rng.uniform() < 0.7;
  const frac = Math.floor(rng.uniform() * (width + 1));
  return { width, signed, frac, rounding: rng.uniform() < 0.5 ? 2 : 1, overflow: rng.uniform() < 0.8 ? 2 : 1 };
}

/** One op `name` writing register dst from registers a, b (c: the SELECT condition). */
function step(name: string, dst: number, a: number, b: number, c: number, rng: Rng): Op {
  if ((TWO as readonly string[]).includes(name) || (CMP as readonly string[]).includes(name)) return op(name, dst, [a, b]);
  if (name === "SELECT") return op(name, dst, [c, a, b]);
  if (name === "SHR" || name === "SHL") return op(name, dst, [a], { imm: 1 + Math.floor(rng.uniform() * 3) });
  return op(name, dst, [a]);
}

/** A chain: r0, r1 loaded; r2 = CMP(r0, r1) (SELECT's condition); r3 = first(r0, r1); r4 = second(r3, r0); r3, r4 stored. */
function chain(rng: Rng, first: string, second: string): IrProgram {
  const f0 = randomFormat(rng), f1 = randomFormat(rng), f3 = randomFormat(rng), f4 = randomFormat(rng);
  const x0 = extremes(f0), x1 = extremes(f1);
  const a: number[] = [], b: number[] = [];
  for (const u of x0) for (const v of x1) { a.push(u); b.push(v); }
  const cond: IrFixedFormat = { width: 2, signed: false, frac: 0, rounding: 2, overflow: 2 };
  const p: IrProgram = {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 3, tick_seconds: 0.001, duration_ticks: 1, model_name: "range-chains", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
    groups: [{ name: "g", kind: 1, size: a.length }],
    states: [
      { name: "g.a", group: 0, format: f0, init: a, unit: "1", unit_scale: 1 },
      { name: "g.b", group: 0, format: f1, init: b, unit: "1", unit_scale: 1 },
      { name: "g.c", group: 0, format: f3, init: [0], unit: "1", unit_scale: 1 },
      { name: "g.d", group: 0, format: f4, init: [0], unit: "1", unit_scale: 1 },
    ],
    connectivity: [],
    kernels: [{
      name: "g.k", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0,
      registers: [f0, f1, cond, f3, f4].map((format) => ({ format })),
      ops: [
        op("LOAD", 0, [], { state: 0 }),
        op("LOAD", 1, [], { state: 1 }),
        op("CMP_GT", 2, [0, 1]),
        step(first, 3, 0, 1, 2, rng),
        step(second, 4, 3, 0, 2, rng),
        op("STORE", 0, [3], { state: 2 }),
        op("STORE", 0, [4], { state: 3 }),
      ],
    }],
    stimuli: [],
    probes: [],
  };
  verify(p);
  return p;
}

describe("codegen: raw bounds through chains of two ops, at every pair of extremes", () => {
  const names = [...TWO, ...ONE, ...CMP, "SELECT"];
  it(`${names.length} x ${names.length} op pairs, 20 random format sets each (seeded): generated = interpreter, saturations = closures`, () => {
    const rng = new Rng(2026, "codegen-range-chains");
    let saturating = 0;
    for (const first of names) for (const second of names) for (let k = 0; k < 20; k++) {
      const p = chain(rng, first, second);
      const ref = interpret(p);
      const generated = new Emulator(p, "generated");
      generated.run();
      const closures = new Emulator(p, "closures");
      closures.run();
      const what = `${first} then ${second}, formats ${JSON.stringify(p.kernels[0]!.registers.map((r) => r.format))}`;
      expect(generated.state.map((s) => Array.from(s, (x) => x + 0)), what).toEqual(ref.state.map((s) => s.map(Number)));
      expect(generated.stats.saturations, what).toBe(closures.stats.saturations);
      if (closures.stats.saturations > 0) saturating++;
    }
    // the chains reach the clamps: most saturate somewhere
    expect(saturating).toBeGreaterThan(names.length * names.length);
  });
});

describe("codegen: value numbering sees stores", () => {
  it("a state loaded again after a store reads the stored value, not the first load's (x' = x + 1; y = x')", () => {
    const f: IrFixedFormat = { width: 8, signed: true, frac: 0, rounding: 2, overflow: 2 };
    const init = [-128, -5, 0, 7, 126];
    const p: IrProgram = {
      header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 3, tick_seconds: 0.001, duration_ticks: 1, model_name: "reload", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
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
});

