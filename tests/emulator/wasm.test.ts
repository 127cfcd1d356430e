/**
 * The WebAssembly SIMD kernels against the reference interpreter, bit for bit: every supported op
 * over random formats (width, signedness, frac, floor/nearest, wrap/saturate) and random values
 * including the format bounds, and the real syn.update kernel of basic-early on bss2 over random
 * states. The reference runs a one-tick program holding just the kernel, so its own tick code
 * defines what the kernel does to every element.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bounds, interpret } from "../../src/ir/reference.ts";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { SimdKernel } from "../../targets/emulator/wasm/runtime.ts";
import { generateSimd } from "../../targets/emulator/wasm/generator.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Rng } from "../../src/util/rng.ts";

type Kernel = IrProgram["kernels"][number];
type Op = Kernel["ops"][number];

const code = (name: string) => OP_BY_NAME.get(name)!.code;
const op = (name: string, o: Partial<Op>): Op => ({ op: code(name), dst: 0, src: [], imm: 0, state: 0, index: 0, table: [], ...o });

/** A program of one neuron group of n elements running kernel k once at tick 0, from the given states. */
function program(k: Kernel, states: { format: IrFixedFormat; init: number[] }[], n: number, kind = 1): IrProgram {
  return {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "bss2", seed: 1, tick_seconds: 0.0002, duration_ticks: 1, model_name: "wasm", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 1e6, rounding_bits: 0 },
    groups: [{ name: "g", kind, size: n }],
    states: states.map((s, i) => ({ name: `s${i}`, group: 0, format: s.format, init: s.init, unit: "1", unit_scale: 1 })),
    connectivity: [],
    kernels: [{ ...k, group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 } }],
    stimuli: [],
    probes: [],
  };
}

/** Runs the program's kernel through WASM from the states' init values; returns the final states. */
function runSimd(p: IrProgram): number[][] | string {
  const sk = SimdKernel.create(p.kernels[0]!, p);
  if (typeof sk === "string") return sk;
  const n = p.groups[0]!.size;
  p.states.forEach((s, i) => sk.views[i]?.set(s.init.length === 1 ? new Array(n).fill(s.init[0]) : s.init));
  sk.run();
  return p.states.map((s, i) => (sk.views[i] ? Array.from(sk.views[i]!.subarray(0, n)) : s.init.length === 1 ? new Array(n).fill(s.init[0]) : s.init));
}

/** Random raw values in f's range; the first elements are the bounds and zero. */
function values(f: IrFixedFormat, n: number, rng: Rng): number[] {
  const [lo, hi] = bounds(f).map(Number) as [number, number];
  const edge = [lo, hi, 0 >= lo ? 0 : lo, lo + 1 <= hi ? lo + 1 : hi, hi - 1 >= lo ? hi - 1 : lo];
  return Array.from({ length: n }, (_, i) => (i < edge.length ? edge[i]! : lo + Math.floor(rng.uniform() * (hi - lo + 1))));
}

const formatIn = (maxWidth: number, minFrac: number, maxFrac: number) => fc.record({ width: fc.integer({ min: 1, max: maxWidth }), signed: fc.boolean(), frac: fc.integer({ min: minFrac, max: maxFrac }), rounding: fc.integer({ min: 1, max: 2 }), overflow: fc.integer({ min: 1, max: 2 }) });
const format = formatIn(16, -4, 24);
/** Narrow formats close in frac: few distinct values, so boundaries (ties, thresholds) are hit often. */
const narrow = formatIn(6, 0, 4);
const bigEnough = (f: IrFixedFormat) => (f.signed && f.width < 2 ? { ...f, width: 2 } : f);

const BINARY = ["ADD", "SUB", "MUL", "MIN", "MAX", "CMP_GE", "CMP_GT"];
const UNARY = ["NEG", "ABS", "COPY", "SHR", "SHL"];

/**
 * Kernel: r0 = LOAD s0, r1 = LOAD s1, r2 = LOAD s2, r3 = <op> ..., STORE s3 = r3 (or STORE_ADD,
 * CONST, SELECT), each register and state in its own random format.
 */
function opKernel(name: string, regs: IrFixedFormat[], imm: number): Kernel {
  const ops: Op[] = [op("LOAD", { dst: 0, state: 0, index: 1 }), op("LOAD", { dst: 1, state: 1, index: 1 }), op("LOAD", { dst: 2, state: 2, index: 1 })];
  if (BINARY.includes(name)) ops.push(op(name, { dst: 3, src: [0, 1] }));
  else if (UNARY.includes(name)) ops.push(op(name, { dst: 3, src: [0], imm }));
  else if (name === "SELECT") ops.push(op(name, { dst: 3, src: [2, 0, 1] }));
  else if (name === "CONST") ops.push(op(name, { dst: 3, imm }));
  if (name === "STORE_ADD") ops.push(op("STORE_ADD", { src: [0], state: 3, index: 1 }));
  else ops.push(op("STORE", { src: [3], state: 3, index: 1 }));
  return { name: `test.${name}`, group: 0, registers: regs.map((format) => ({ format })), unit: 1, cycles: 0, ops };
}

describe("WASM SIMD kernels = reference interpreter, bit for bit", () => {
  for (const name of [...BINARY, ...UNARY, "SELECT", "CONST", "STORE_ADD"]) {
    it(`${name}: random formats and values`, () => {
      let supported = 0, runs = 0;
      fc.assert(
        fc.property(fc.array(fc.oneof(format, narrow), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 20 }), fc.nat(), fc.integer({ min: 1, max: 40 }), (fmts, shift, seed, n) => {
          runs++;
          const f = fmts.map(bigEnough);
          const [s0, s1, s2, s3, r0, r1, r2, r3] = f as [IrFixedFormat, IrFixedFormat, IrFixedFormat, IrFixedFormat, IrFixedFormat, IrFixedFormat, IrFixedFormat, IrFixedFormat];
          const rng = new Rng(seed, "wasm-test");
          const [clo, chi] = bounds(r3).map(Number) as [number, number];
          const imm = name === "CONST" ? clo + Math.floor(rng.uniform() * (chi - clo + 1)) : shift;
          const states = [s0, s1, s2, s3].map((format) => ({ format, init: values(format, n, rng).sort(() => rng.uniform() - 0.5) }));
          const p = program(opKernel(name, [r0, r1, r2, r3], imm), states, n);
          const simd = runSimd(p);
          if (typeof simd === "string") return; // declared unsupported: the JS path keeps it
          supported++;
          const ref = interpret(p, 1).state.map((a) => a.map(Number));
          expect(simd).toEqual(ref);
        }),
        { numRuns: 250, seed: 42 },
      );
      // Most random format combinations fit 32-bit lanes; the check above must not be vacuous.
      expect(supported).toBeGreaterThan(runs * 0.7);
    });
  }

  it("chains of Heaviside factors and constants (folded into tables), repeated subexpressions", () => {
    const pick = ["ADD", "SUB", "MUL", "NEG", "MIN", "MAX", "SELECT", "COPY", "SHR"];
    let supported = 0, runs = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(format, narrow), { minLength: 24, maxLength: 24 }), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), fc.nat(), fc.integer({ min: 1, max: 40 }), (fmts, choice, seed, n) => {
        runs++;
        const f = fmts.map(bigEnough);
        const rng = new Rng(seed, "wasm-chain");
        const bit: IrFixedFormat = { width: 1, signed: false, frac: 0, rounding: 1, overflow: 2 };
        const regs: IrFixedFormat[] = [f[0]!, f[1]!, f[2]!, bit, choice[0]! % 2 ? bit : f[3]!, bit];
        const ops: Op[] = [
          op("LOAD", { dst: 0, state: 0, index: 1 }), op("LOAD", { dst: 1, state: 1, index: 1 }), op("LOAD", { dst: 2, state: 2, index: 1 }),
          op("CMP_GE", { dst: 3, src: [0, 1] }), op("CMP_GT", { dst: 4, src: [1, 2] }), op("CMP_GE", { dst: 5, src: [0, 2] }),
        ];
        // Constants, then ops mixing constants, the three conditions and earlier results.
        for (let i = 0; i < 3; i++) {
          const cf = f[4 + i]!, [lo, hi] = bounds(cf).map(Number) as [number, number];
          regs.push(cf);
          ops.push(op("CONST", { dst: regs.length - 1, imm: lo + Math.floor(rng.uniform() * (hi - lo + 1)) }));
        }
        for (let i = 0; i < 10; i++) {
          const name = pick[choice[1 + i]! % pick.length]!;
          const written = regs.length; // sources only among registers already written
          const src = () => 3 + ((choice[11 + i]! + Math.floor(rng.uniform() * 100)) % (written - 3));
          regs.push(f[7 + i]!);
          const dst = regs.length - 1;
          ops.push(op(name, { dst, src: name === "SELECT" ? [src(), src(), src()] : [src(), src()].slice(0, ["NEG", "COPY", "SHR"].includes(name) ? 1 : 2), imm: choice[21 + i]! % 5 }));
          if (choice[31 + i]! % 4 === 0) {
            regs.push(f[7 + i]!); // the same op again: a register copy
            ops.push({ ...ops[ops.length - 1]!, dst: regs.length - 1 });
          }
        }
        const last = regs.length - 1;
        if (choice[0]! % 3 === 0) ops.push(op("SUB", { dst: last, src: [last, 0] })); // in place: dst is a source
        regs.push(f[17]!);
        ops.push(op("MUL", { dst: regs.length - 1, src: [last, 0] }), op("STORE", { src: [regs.length - 1], state: 3, index: 1 }), op("STORE", { src: [last], state: 4, index: 1 }));
        const kernel: Kernel = { name: "test.chain", group: 0, registers: regs.map((format) => ({ format })), unit: 1, cycles: 0, ops };
        const states = [f[18]!, f[19]!, f[20]!, f[21]!, f[22]!].map((format) => ({ format, init: values(format, n, rng).sort(() => rng.uniform() - 0.5) }));
        const p = program(kernel, states, n);
        const simd = runSimd(p);
        if (typeof simd === "string") return;
        supported++;
        expect(simd).toEqual(interpret(p, 1).state.map((a) => a.map(Number)));
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(supported).toBeGreaterThan(runs * 0.5);
  });

  it("comparisons of a sum or difference with a constant (tested as a threshold on the exact intermediate)", () => {
    let supported = 0, runs = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(format, narrow, narrow), { minLength: 9, maxLength: 9 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 40 }), (fmts, sub, ge, keep, seed, n) => {
        runs++;
        const f = fmts.map(bigEnough);
        const rng = new Rng(seed, "wasm-threshold");
        const [lo, hi] = bounds(f[3]!).map(Number) as [number, number];
        const ops: Op[] = [
          op("LOAD", { dst: 0, state: 0, index: 1 }), op("LOAD", { dst: 1, state: 1, index: 1 }),
          op(sub ? "SUB" : "ADD", { dst: 2, src: [0, 1] }), op("CONST", { dst: 3, imm: lo + Math.floor(rng.uniform() * (hi - lo + 1)) }),
          op(ge ? "CMP_GE" : "CMP_GT", { dst: 4, src: [2, 3] }), op("STORE", { src: [4], state: 2, index: 1 }),
        ];
        if (keep) ops.push(op("STORE", { src: [2], state: 3, index: 1 }));
        const kernel: Kernel = { name: "test.threshold", group: 0, registers: [f[0]!, f[1]!, f[2]!, f[3]!, f[4]!].map((format) => ({ format })), unit: 1, cycles: 0, ops };
        const states = [f[5]!, f[6]!, f[7]!, f[8]!].map((format) => ({ format, init: values(format, n, rng).sort(() => rng.uniform() - 0.5) }));
        const p = program(kernel, states, n);
        const simd = runSimd(p);
        if (typeof simd === "string") return;
        supported++;
        expect(simd).toEqual(interpret(p, 1).state.map((a) => a.map(Number)));
      }),
      { numRuns: 300, seed: 13 },
    );
    expect(supported).toBeGreaterThan(runs * 0.7);
  });

  it("reports the kernels of basic-early it does not take, with the reason", () => {
    const c = compile("models/stc/basic-early.yaml", { target: "bss2" });
    const { ir } = compileFixed(c, getTarget("bss2").caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    const reasons = Object.fromEntries(ir.kernels.map((k) => {
      const m = generateSimd(k, ir);
      return [k.name, m.ok ? "ok" : m.reason];
    }));
    expect(reasons).toEqual({
      "post.analog": "op SPIKE",
      "post.slow": "ok",
      "syn.on_pre[0]": "STORE_ADD at a pre-/postsynaptic index",
      "syn.on_pre[1]": "ok",
      "syn.on_post[2]": "ok",
      "syn.update": "ok",
      "syn.slow": "LOAD at a pre-/postsynaptic index",
    });
  });

  it("stochastic rounding takes its draws from the host: the kernel declares one draw site per rounding op", () => {
    // (the draws' values and order are checked against the interpreter in tests/emulator/simd-loop.test.ts)
    const f: IrFixedFormat = { width: 8, signed: true, frac: 4, rounding: 3, overflow: 2 };
    const p = program(opKernel("SHR", [f, f, f, f], 2), [f, f, f, f].map((format) => ({ format, init: [0] })), 8);
    const m = generateSimd(p.kernels[0]!, p);
    expect(m.ok).toBe(true);
    if (m.ok) expect(m.layout.draws.map((d) => [d.kind, d.shift])).toEqual([["round", 2]]);
    expect(SimdKernel.create(p.kernels[0]!, p)).not.toBeTypeOf("string");
  });

  for (const rounding of ["nearest", "floor"] as const) {
    it(`syn.update of basic-early on bss2 (${rounding} rounding), random states`, () => {
      const c = compile("models/stc/basic-early.yaml", { target: "bss2" });
      const { ir } = compileFixed(c, getTarget("bss2").caps, { rounding, engramVersion: "test", analyse: analyseByRun });
      const k = ir.kernels.find((x) => x.name === "syn.update")!;
      const used = [...new Set(k.ops.filter((o) => o.op === code("LOAD") || o.op === code("STORE")).map((o) => o.state))].sort((a, b) => a - b);
      const remap = new Map(used.map((s, i) => [s, i]));
      const kernel: Kernel = { ...k, ops: k.ops.map((o) => (remap.has(o.state) && (o.op === code("LOAD") || o.op === code("STORE")) ? { ...o, state: remap.get(o.state)! } : o)) };
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 300 }), (seed, n) => {
          const rng = new Rng(seed, "wasm-syn");
          const states = used.map((s) => ({ format: ir.states[s]!.format, init: values(ir.states[s]!.format, n, rng).sort(() => rng.uniform() - 0.5) }));
          const p = program(kernel, states, n, 2);
          const simd = runSimd(p);
          expect(typeof simd).not.toBe("string");
          expect(simd).toEqual(interpret(p, 1).state.map((a) => a.map(Number)));
        }),
        { numRuns: 200, seed: 7 },
      );
    });
  }
});
