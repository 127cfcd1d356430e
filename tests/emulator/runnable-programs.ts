/**
 * Random *runnable* IR programs for the emulator's tests (random-kernels, checkpoint-random): valid
 * programs from the fast-check arbitrary of tests/helpers/ir-sample.ts, squeezed into a short run so
 * that every kernel and stimulus acts, every register set by a CONST prologue (so no op reads a
 * register nothing wrote), some periodic kernels gated. `narrow` keeps fractional bits in [-3, 20],
 * so most of those kernels take the generated straight-line path (codegen.ts).
 */
import fc from "fast-check";
import type { IrProgram } from "../../src/ir/codec.ts";
import { rawRange, verify } from "../../src/ir/verify.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { arbProgram } from "../helpers/ir-sample.ts";

const MAX_WORK = 6000;

/** Dense: 40 ticks, periods 1-4, delays up to 4. Sparse: 400 ticks, periods up to 60, few events, so quiet stretches are jumped and idle kernels skipped. */
export interface Shape {
  T: number;
  period: number;
  offset: number;
  interval: number;
  burst: number;
}
export const DENSE: Shape = { T: 40, period: 4, offset: 6, interval: 7, burst: 9 };
export const SPARSE: Shape = { T: 400, period: 60, offset: 100, interval: 90, burst: 200 };
const CONST = OP_BY_NAME.get("CONST")!.code;
const STORE = OP_BY_NAME.get("STORE")!.code, STORE_ADD = OP_BY_NAME.get("STORE_ADD")!.code;

/** Makes a random valid program runnable in T ticks; `narrow` keeps fractional bits in [-3, 20]. */
export function runnable(p: IrProgram, draws: number[], narrow: boolean, shape: Shape): IrProgram | undefined {
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

/** Runnable programs of one shape from a fixed fast-check seed, each kernel doing more than its prologue. */
export function programs(shape: Shape, runs: number, seed: number): IrProgram[] {
  const samples = fc.sample(fc.tuple(arbProgram(), fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), fc.boolean()), { numRuns: runs, seed });
  return samples.map(([p, draws, narrow]) => runnable(p, draws, narrow, shape)).filter((p): p is IrProgram => p !== undefined && p.kernels.some((k) => k.ops.length > k.registers.length));
}

