/**
 * Counter-based kernel draws (IR version 4, src/ir/draws.ts): what an element draws depends only on
 * (seed, stream, element, tick, kernel, op), so a group's first elements draw the same whether the
 * group has more elements after them or not (any partition of elements over workers draws the same
 * numbers), on the reference interpreter and on every emulator path (closures, generated JS, SIMD);
 * and the version handling: older images that draw are refused, those that cannot draw still run,
 * older checkpoints are refused.
 */
import { describe, expect, it } from "vitest";
import { interpret } from "../../src/ir/reference.ts";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { drawSite, IrDraws } from "../../src/ir/draws.ts";
import { normalFromBlock, philox, wordsToUniform } from "../../src/util/philox.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

const NEAREST = 2, STOCHASTIC = 3, SAT = 2, SELF = 1;
const q = (width: number, signed: boolean, frac: number, rounding = NEAREST): IrFixedFormat => ({ width, signed, frac, rounding, overflow: SAT });
type Op = IrProgram["kernels"][number]["ops"][number];
const op = (name: string, f: Partial<Op> = {}): Op => ({ dst: 0, src: [], imm: 0, state: 0, index: 0, table: [], ...f, op: OP_BY_NAME.get(name)!.code });

/**
 * n neurons; every tick x <- round_s(x / 2) + round_s(N(0,1) at 2^-6) where `on` (every third
 * element off), both roundings stochastic: each element draws a normal and two roundings per tick.
 */
function noisy(n: number, ticks: number, stochastic = true, version = IR_VERSION): IrProgram {
  const r = stochastic ? STOCHASTIC : NEAREST;
  const x = q(16, true, 8, r);
  const p: IrProgram = {
    header: { ir_version: version, engram_version: "test", target: "cmos", seed: 11, tick_seconds: 1e-3, duration_ticks: ticks, model_name: "draws", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
    groups: [{ name: "n", kind: 1, size: n }],
    states: [
      { name: "n.x", group: 0, format: x, init: Array.from({ length: n }, (_, e) => (e * 37) % 200 - 100), unit: "1", unit_scale: 1 },
      { name: "n.on", group: 0, format: q(16, false, 0), init: Array.from({ length: n }, (_, e) => (e % 3 === 2 ? 0 : 1)), unit: "1", unit_scale: 1 },
    ],
    connectivity: [],
    kernels: [{
      name: "n.step", group: 0, unit: 1, cycles: 1, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 },
      registers: [{ format: q(16, false, 0) }, { format: q(16, true, 6, r) }, { format: q(16, true, 8) }, { format: q(16, true, 8, r) }, { format: q(16, true, 8, r) }],
      ops: [
        op("LOAD", { dst: 0, state: 1, index: SELF }),
        op("RAND_NORMAL", { dst: 1, src: [0] }),
        op("LOAD", { dst: 2, state: 0, index: SELF }),
        op("SHR", { dst: 3, src: [2], imm: 1 }),
        op("ADD", { dst: 4, src: [3, 1] }),
        op("STORE", { src: [4], state: 0, index: SELF }),
      ],
    }],
    stimuli: [],
    probes: [{ state: 0, elements: Array.from({ length: n }, (_, e) => e), every_ticks: 1, column: "x" }],
  };
  verify(p);
  return p;
}

const MODES = ["closures", "generated", "simd"] as const;

describe("counter-based kernel draws", () => {
  it("follow the documented counter layout, ticks and seeds beyond 32 bits included", () => {
    const seed = 2 ** 32 * 3 + 17, tick = 2 ** 32 + 5, site = drawSite(2, 7);
    expect(site).toBe(2 * 65536 + 7);
    const d = new IrDraws(seed, 0);
    d.setTick(tick);
    const w = [...philox(9, 5, 1, site, 17, 1 + 256 * 3)];
    expect(d.round(site, 9)).toBe(wordsToUniform(w[0]!, w[1]!));
    expect(d.normal(site, 9)).toBe(normalFromBlock(philox(9, 5, 1, site, 17, 2 + 256 * 3)));
    // the 8-bit draws of bss2: the double just under (floor(u 2^8) + 1) / 2^8
    const d8 = new IrDraws(seed, 8);
    d8.setTick(tick);
    expect(d8.round(site, 9)).toBe(((Math.floor(wordsToUniform(w[0]!, w[1]!) * 256) + 1) / 256) * (1 - 2 ** -53));
    // every part of the counter and key matters
    const other = (f: (x: IrDraws) => void, s = seed) => {
      const x = new IrDraws(s, 0);
      x.setTick(tick);
      f(x);
      return x;
    };
    const base = d.round(site, 9);
    expect(other(() => {}).round(site, 10)).not.toBe(base);
    expect(other(() => {}).round(site + 1, 9)).not.toBe(base);
    expect(other((x) => x.setTick(tick + 1)).round(site, 9)).not.toBe(base);
    expect(other((x) => x.setTick(5)).round(site, 9)).not.toBe(base); // the tick's high word
    expect(other(() => {}, 17).round(site, 9)).not.toBe(base); // the seed's high word
  });

  it("the interpreter and every emulator path agree bit for bit, draws counted alike", () => {
    const p = noisy(64, 40);
    const ref = interpret(p);
    const runs = MODES.map((m) => {
      const em = new Emulator(p, m);
      em.run();
      return em;
    });
    expect(runs[2]!.kernelPaths()).toEqual(["simd"]); // the SIMD path takes this kernel
    for (const em of runs) {
      expect(em.state[0]!.map((v) => v)).toEqual(Float64Array.from(ref.state[0]!.map(Number)));
      expect(em.probes[0]!.data).toEqual(ref.probes[0]!.values.flat().map(Number));
      expect(em.snapshot().activity[1]).toBe(runs[0]!.snapshot().activity[1]);
    }
    expect(runs[0]!.snapshot().activity[1]).toBeGreaterThan(64 * 40); // a normal and roundings per active element and tick
  });

  it("an element draws the same whatever other elements the group has: its first elements evolve identically in a group twice as large", () => {
    const small = noisy(64, 30), large = noisy(128, 30);
    const a = interpret(small).probes[0]!.values, b = interpret(large).probes[0]!.values;
    expect(b.map((row) => row.slice(0, 64))).toEqual(a);
    for (const m of MODES) {
      const s = new Emulator(small, m), l = new Emulator(large, m);
      s.run();
      l.run();
      expect(Array.from(l.state[0]!.subarray(0, 64))).toEqual(Array.from(s.state[0]!));
    }
    // and the draws are random: the trajectories of elements with the same start differ
    const row = a[30]!;
    expect(new Set(row.map(String)).size).toBeGreaterThan(20);
  });

  it("an older image that draws is refused, naming both versions and the kernel; one that cannot draw runs as under version 4", () => {
    let err: unknown;
    try {
      noisy(8, 5, true, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngramError);
    const d = (err as EngramError).diagnostics[0]!;
    expect(d.where?.path).toEqual(["kernels", 0, "ops", 1]);
    expect(d.message).toContain("IR version 3 image");
    expect(d.message).toContain(`version ${IR_VERSION} draws them by counter`);
    expect(d.message).toContain('kernel "n.step" draws random numbers (RAND_NORMAL)');
    expect(d.message).toContain("compile the model again");
    // without RAND_NORMAL (on never set) and without stochastic rounding: nothing to draw, so it runs
    const quiet = (v: number) => {
      const p = noisy(8, 5, false, IR_VERSION);
      p.kernels[0]!.ops.splice(1, 1, op("CONST", { dst: 1, imm: 3 }));
      p.header.ir_version = v;
      verify(p);
      return p;
    };
    expect(() => quiet(3)).not.toThrow();
    expect(() => quiet(2)).not.toThrow();
    const v3 = new Emulator(quiet(3)), v4 = new Emulator(quiet(IR_VERSION));
    v3.run();
    v4.run();
    expect(v3.state).toEqual(v4.state);
    // a stochastic format alone is enough to refuse
    const stochastic = noisy(8, 5, true, IR_VERSION);
    stochastic.kernels[0]!.ops.splice(1, 1, op("CONST", { dst: 1, imm: 3 }));
    stochastic.header.ir_version = 2;
    expect(() => verify(stochastic)).toThrow(/IR version 2 image, and kernel "n.step" draws random numbers \(stochastic rounding\)/);
  });

  it("a checkpoint from before version 4 (its streams' states) is refused with the reason", () => {
    const p = noisy(8, 10);
    const em = new Emulator(p);
    em.run(4);
    const old = { ...em.snapshot(), format: "engram-emulator-snapshot-1" } as unknown as ReturnType<Emulator["snapshot"]>;
    expect(() => new Emulator(p).restore(old)).toThrow(/before IR version 4.*cannot continue it/);
    // the current format continues exactly
    const again = new Emulator(p);
    again.restore(em.snapshot());
    again.run();
    const straight = new Emulator(p);
    straight.run();
    expect(again.state).toEqual(straight.state);
  });
});
