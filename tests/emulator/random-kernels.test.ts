/**
 * The emulator against the reference interpreter (the oracle of bit-exactness), on random
 * *runnable* programs: every op of the IR in random formats, in kernels of every trigger
 * (periodic, gated, spike-triggered with delays), squeezed into a few dozen ticks so that every
 * kernel and stimulus acts. Each kernel starts by setting all its registers to random constants,
 * so no op reads a register nothing wrote. Half the programs use narrow fractional ranges, so
 * their kernels take the generated straight-line path (codegen.ts); the others mostly take the
 * closures, with the BigInt path where an op could pass 2^52.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { interpret } from "../../src/ir/reference.ts";
import type { IrProgram } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { rawRange } from "../../src/ir/verify.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { numberSafe } from "../../targets/emulator/codegen.ts";
import { arbProgram } from "../helpers/ir-sample.ts";

const MAX_WORK = 6000;

/** Dense: 40 ticks, periods 1-4, delays up to 4. Sparse: 400 ticks, periods up to 60, few events, so quiet stretches are jumped and idle kernels skipped. */
interface Shape {
  T: number;
  period: number;
  offset: number;
  interval: number;
  burst: number;
}
const DENSE: Shape = { T: 40, period: 4, offset: 6, interval: 7, burst: 9 };
const SPARSE: Shape = { T: 400, period: 60, offset: 100, interval: 90, burst: 200 };
const CONST = OP_BY_NAME.get("CONST")!.code;
const STORE = OP_BY_NAME.get("STORE")!.code, STORE_ADD = OP_BY_NAME.get("STORE_ADD")!.code;

/** Makes a random valid program runnable in T ticks; `narrow` keeps fractional bits in [-3, 20]. */
function runnable(p: IrProgram, draws: number[], narrow: boolean, shape: Shape): IrProgram | undefined {
  const T = shape.T;
  let d = 0;
  const draw = () => draws[d++ % draws.length]!;
  p.header.duration_ticks = T;
  if (narrow) {
    for (const s of p.states) s.format = { ...s.format, frac: (((s.format.frac % 24) + 24) % 24) - 3 };
    for (const k of p.kernels) for (const r of k.registers) r.format = { ...r.format, frac: (((r.format.frac % 24) + 24) % 24) - 3 };
  }
  for (const s of p.stimuli) {
    const w = s.current ?? s.poisson ?? s.regular;
    if (w) [w.start_tick, w.stop_tick] = [w.start_tick % T, (w.start_tick % T) + (w.stop_tick % T)];
    if (s.regular) s.regular.interval_ticks = 1 + (s.regular.interval_ticks % shape.interval);
    if (s.poisson) {
      s.poisson.burst_period_ticks = 1 + (s.poisson.burst_period_ticks % shape.burst);
      s.poisson.burst_on_ticks = Math.min(s.poisson.burst_on_ticks, s.poisson.burst_period_ticks);
    }
    if (s.spikes) s.spikes.ticks = s.spikes.ticks.map((t) => t % T).sort((a, b) => a - b);
  }
  for (const pr of p.probes) pr.every_ticks = 1 + (pr.every_ticks % 5);
  const acrossWritten = new Set(p.kernels.flatMap((k) => k.ops.filter((o) => (o.op === STORE || o.op === STORE_ADD) && o.index !== 1).map((o) => o.state)));
  const inputs = new Set(p.stimuli.flatMap((s) => (s.current ? [s.current.input_state] : [])));
  for (const k of p.kernels) {
    // every register set first: the op list after it may read any of them
    const prologue = k.registers.map((r, i) => {
      const [lo, hi] = rawRange(r.format);
      return { op: CONST, dst: i, src: [], imm: lo + (draw() % (hi - lo + 1)), state: 0, index: 0, table: [] };
    });
    k.ops = [...prologue, ...k.ops];
    if (k.periodic) {
      k.periodic.period_ticks = 1 + (k.periodic.period_ticks % shape.period);
      k.periodic.offset_ticks %= shape.offset;
      // some periodic kernels gated by a state of their own group
      const gates = p.states.flatMap((s, i) => (s.group === k.group && !acrossWritten.has(i) && !inputs.has(i) ? [i] : []));
      if (gates.length > 0 && draw() % 3 === 0) k.periodic = { ...k.periodic, gated: true, gate_state: gates[draw() % gates.length]! };
    }
    if (k.on_spike) k.on_spike.delay_ticks %= 5;
  }
  // op runs the interpreter does (BigInt, slow): bounded, so the file stays a few seconds
  const work = p.kernels.reduce((n, k) => n + p.groups[k.group]!.size * k.ops.length * (k.periodic ? T / k.periodic.period_ticks : 5), 0);
  if (work > MAX_WORK) return undefined;
  try {
    verify(p);
  } catch {
    return undefined;
  }
  return p;
}

const oracle = new Map<IrProgram, ReturnType<typeof interpret>>();

function sameIn(p: IrProgram, mode: "generated" | "closures"): Emulator {
  let ref = oracle.get(p);
  if (!ref) oracle.set(p, (ref = interpret(p)));
  const emu = new Emulator(p, mode);
  emu.run();
  expect(emu.tick).toBe(p.header.duration_ticks);
  expect(emu.state.map((a) => Array.from(a))).toEqual(ref.state.map((a) => a.map(Number)));
  ref.probes.forEach((pr, i) => {
    expect(emu.probes[i]!.ticks).toEqual(pr.ticks);
    expect(emu.probes[i]!.data).toEqual(pr.values.flatMap((v) => v.map(Number)));
  });
  expect(emu.spikes.ticks).toEqual(ref.spikes.map((s) => s.tick));
  expect(emu.spikes.groups).toEqual(ref.spikes.map((s) => s.group));
  expect(emu.spikes.elements).toEqual(ref.spikes.map((s) => s.element));
  return emu;
}

/** Runnable programs of one shape from a fixed fast-check seed, each kernel doing more than its prologue. */
function programs(shape: Shape, runs: number, seed: number): IrProgram[] {
  const samples = fc.sample(fc.tuple(arbProgram(), fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), fc.boolean()), { numRuns: runs, seed });
  return samples.map(([p, draws, narrow]) => runnable(p, draws, narrow, shape)).filter((p): p is IrProgram => p !== undefined && p.kernels.some((k) => k.ops.length > k.registers.length));
}

describe("emulator = reference interpreter on random runnable programs", () => {
  const dense = programs(DENSE, 300, 23);

  it("the dense sample exercises every op, both paths, gates, delays and spikes", () => {
    const ops = new Set(dense.flatMap((p) => p.kernels.flatMap((k) => k.ops.slice(k.registers.length).map((o) => o.op))));
    expect(ops.size).toBe(21);
    const kernels = dense.flatMap((p) => p.kernels.map((k) => ({ k, p })));
    expect(kernels.filter(({ k, p }) => numberSafe(k, p)).length).toBeGreaterThan(100);
    expect(kernels.filter(({ k, p }) => !numberSafe(k, p)).length).toBeGreaterThan(20);
    expect(kernels.filter(({ k }) => k.periodic?.gated).length).toBeGreaterThan(20);
    expect(kernels.filter(({ k }) => (k.on_spike?.delay_ticks ?? 0) > 0).length).toBeGreaterThan(20);
  });

  it("dense, generated kernels: every state, probe sample and spike as the interpreter", () => {
    for (const p of dense) sameIn(p, "generated");
  });

  it("dense, closures: every state, probe sample and spike as the interpreter", () => {
    for (const p of dense) sameIn(p, "closures");
  });

  it("sparse (quiet stretches jumped, idle kernels skipped), both paths: as the interpreter", () => {
    const sparse = programs(SPARSE, 80, 29);
    let jumped = 0, skipped = 0;
    for (const p of sparse) {
      for (const mode of ["generated", "closures"] as const) {
        const e = sameIn(p, mode);
        jumped += e.stats.jumpedTicks;
        skipped += e.stats.kernelSkips;
        // every tick is either stepped or jumped
        expect(e.stats.ticks + e.stats.jumpedTicks).toBe(p.header.duration_ticks);
      }
    }
    expect(sparse.length).toBeGreaterThan(20);
    expect(jumped).toBeGreaterThan(1000);
    expect(skipped).toBeGreaterThan(100);
  });
});
