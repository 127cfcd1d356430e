/**
 * The reference interpreter: the executable definition of every IR op and of a program's tick.
 * Exact integer arithmetic on BigInt, written for clarity, not speed (emulators are tested
 * against it bit for bit).
 *
 * Values: a register or state element holds a raw integer r in a format (width w, signedness,
 * frac f); its real value is r * 2^-f. An op computes its exact result as a rational with a
 * power-of-two denominator, then converts it to the destination format: shift to the destination's
 * frac with its rounding (floor; nearest with ties away from zero; stochastic: up with probability
 * equal to the dropped fraction, by the rounding draw of the op for its element at this tick,
 * taken only where the rounding drops non-zero bits: src/ir/draws.ts), then overflow (saturate to
 * the range, or wrap modulo 2^w).
 *
 * A tick: (1) stimuli: the inputs that current and stream stimuli target are reset to 0, then each
 * stimulus in program order adds its spikes, its current (src/ir/current.ts) or its stream's
 * sample (src/ir/stream.ts); (2) periodic kernels of neuron groups due this tick, in
 * program order, over every element; SPIKE marks the element as spiking at this tick;
 * (3) spike-triggered kernels, in program order, over the synapses of the neurons that spiked
 * `delay` ticks ago; (4) periodic kernels of synapse groups; then probes sample if due. A gated
 * periodic kernel runs only over the elements whose gate state is non-zero, in ascending order.
 */
import { drawSite, IrDraws } from "./draws.ts";
import { Rng } from "../util/rng.ts";
import type { IrFixedFormat, IrProgram } from "./codec.ts";
import { OP_BY_CODE } from "./ops.ts";
import { addToInput, currentInputs, isOu, normalSample, ouStep } from "./current.ts";
import { applyStream, streamActive } from "./stream.ts";

/** An exact value: raw * 2^-frac. */
export interface Exact {
  raw: bigint;
  frac: number;
}

const FLOOR = 1, NEAREST = 2, STOCHASTIC = 3;
const SATURATE = 2;

export function bounds(f: IrFixedFormat): [bigint, bigint] {
  const w = BigInt(f.width);
  return f.signed ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
}

/**
 * Converts an exact value to format f (rounding, then overflow). `uniform` is called only for
 * stochastic rounding that drops non-zero bits; `saturations[0]` (if given) counts clamped values.
 */
export function convert(x: Exact, f: IrFixedFormat, uniform: () => number, saturations?: Float64Array): bigint {
  let r: bigint;
  const shift = x.frac - f.frac;
  if (shift <= 0) r = x.raw << BigInt(-shift);
  else {
    const k = BigInt(shift);
    const floor = x.raw >> k; // arithmetic shift: floor for negatives too
    const rem = x.raw - (floor << k); // 0 <= rem < 2^k
    if (rem === 0n || f.rounding === FLOOR) r = floor;
    else if (f.rounding === NEAREST) {
      const half = 1n << (k - 1n);
      // ties away from zero: for negative values a tie rounds down (toward -inf), for positive up
      r = rem > half || (rem === half && x.raw > 0n) ? floor + 1n : floor;
    } else if (f.rounding === STOCHASTIC) {
      // P(up) = rem / 2^k, compared at 53 bits of the uniform draw
      const scaled = BigInt(Math.floor(uniform() * 2 ** 53));
      r = (scaled << k) < (rem << 53n) ? floor + 1n : floor;
    } else throw new Error(`bad rounding ${f.rounding}`);
  }
  const [lo, hi] = bounds(f);
  if (r >= lo && r <= hi) return r;
  if (f.overflow === SATURATE) {
    if (saturations) saturations[0]!++;
    return r < lo ? lo : hi;
  }
  const m = 1n << BigInt(f.width);
  let w = ((r % m) + m) % m;
  if (f.signed && w > hi) w -= m;
  return w;
}

function align(a: Exact, b: Exact): [bigint, bigint, number] {
  const f = Math.max(a.frac, b.frac);
  return [a.raw << BigInt(f - a.frac), b.raw << BigInt(f - b.frac), f];
}

/** Exact result of an arithmetic op on exact operands (the op table's semantics). */
export function exactOp(name: string, s: Exact[], imm: number): Exact {
  const [a, b, c] = s;
  switch (name) {
    case "ADD": {
      const [x, y, f] = align(a!, b!);
      return { raw: x + y, frac: f };
    }
    case "SUB": {
      const [x, y, f] = align(a!, b!);
      return { raw: x - y, frac: f };
    }
    case "MUL":
      return { raw: a!.raw * b!.raw, frac: a!.frac + b!.frac };
    case "NEG":
      return { raw: -a!.raw, frac: a!.frac };
    case "ABS":
      return { raw: a!.raw < 0n ? -a!.raw : a!.raw, frac: a!.frac };
    case "MIN":
    case "MAX": {
      const [x, y, f] = align(a!, b!);
      return { raw: name === "MIN" ? (x < y ? x : y) : x > y ? x : y, frac: f };
    }
    case "SHR":
      return { raw: a!.raw, frac: a!.frac + imm };
    case "SHL":
      return { raw: a!.raw, frac: a!.frac - imm };
    case "CMP_GE":
    case "CMP_GT": {
      const [x, y] = align(a!, b!);
      return { raw: (name === "CMP_GE" ? x >= y : x > y) ? 1n : 0n, frac: 0 };
    }
    case "SELECT":
      return a!.raw !== 0n ? b! : c!;
    case "COPY":
      return a!;
  }
  throw new Error(`no exact semantics for ${name}`);
}

export interface InterpreterResult {
  /** Per probe: sample ticks and raw values per element. */
  probes: { column: string; ticks: number[]; values: bigint[][] }[];
  spikes: { tick: number; group: number; element: number }[];
  state: bigint[][];
}

/** Runs a verified program for `ticks` ticks (default: its duration). */
export function interpret(p: IrProgram, ticks = p.header.duration_ticks): InterpreterResult {
  const seed = p.header.seed;
  const draws = new IrDraws(seed, p.header.rounding_bits ?? 0);
  const sizes = p.groups.map((g) => g.size);
  const state = p.states.map((s) => Array.from({ length: sizes[s.group]! }, (_, i) => BigInt(s.init.length === 1 ? s.init[0]! : s.init[i]!)));
  const conn = new Map(p.connectivity.map((c) => [c.synapses, c]));
  const spikedAt = new Map<number, Set<number>[]>(); // tick -> per group set of elements
  const spikes: InterpreterResult["spikes"] = [];
  const stimRng = p.stimuli.map((_, i) => new Rng(seed, `ir:stimulus:${i}`));
  const probes = p.probes.map((pr) => ({ column: pr.column, ticks: [] as number[], values: [] as bigint[][] }));
  const sample = (t: number) => {
    p.probes.forEach((pr, i) => {
      if (t % pr.every_ticks !== 0) return;
      probes[i]!.ticks.push(t);
      probes[i]!.values.push(pr.elements.map((e) => state[pr.state]![e]!));
    });
  };
  const spikeSet = (t: number, g: number): Set<number> => {
    let perGroup = spikedAt.get(t);
    if (!perGroup) spikedAt.set(t, (perGroup = p.groups.map(() => new Set<number>())));
    return perGroup[g]!;
  };

  let tick = 0; // the tick being run (NOW, spikes, draws)
  const runKernel = (k: IrProgram["kernels"][number], element: number) => {
    // Every register starts each element's run at 0 (ir.proto, Kernel.ops), as on the emulator.
    const regs: Exact[] = k.registers.map((r) => ({ raw: 0n, frac: r.format.frac }));
    const c = conn.get(k.group);
    const target = (index: number): number => (index === 1 ? element : index === 2 ? c!.pre_index[element]! : c!.post_index[element]!);
    const kernel = p.kernels.indexOf(k);
    for (let op = 0; op < k.ops.length; op++) {
      const o = k.ops[op]!;
      const name = OP_BY_CODE.get(o.op)!.name;
      // this op's draws: a function of (element, tick, kernel, op), whichever draws came before
      const site = drawSite(kernel, op);
      const uniform = () => draws.round(site, element);
      const dstFmt = k.registers[o.dst]?.format;
      switch (name) {
        case "LOAD": {
          const s = p.states[o.state]!;
          regs[o.dst] = { raw: convert({ raw: state[o.state]![target(o.index)]!, frac: s.format.frac }, dstFmt!, uniform), frac: dstFmt!.frac };
          break;
        }
        case "STORE":
        case "STORE_ADD": {
          const s = p.states[o.state]!;
          const i = target(o.index);
          let v = regs[o.src[0]!]!;
          if (name === "STORE_ADD") {
            const [x, y, f] = align({ raw: state[o.state]![i]!, frac: s.format.frac }, v);
            v = { raw: x + y, frac: f };
          }
          state[o.state]![i] = convert(v, s.format, uniform);
          break;
        }
        case "CONST":
          regs[o.dst] = { raw: BigInt(o.imm), frac: dstFmt!.frac };
          break;
        case "RAND_NORMAL": {
          if (regs[o.src[0]!]!.raw === 0n) {
            regs[o.dst] = { raw: 0n, frac: dstFmt!.frac };
            break;
          }
          const x = draws.normal(site, element);
          const scaled = BigInt(Math.round(x * 2 ** 40));
          regs[o.dst] = { raw: convert({ raw: scaled, frac: 40 }, dstFmt!, uniform), frac: dstFmt!.frac };
          break;
        }
        case "NOW":
          regs[o.dst] = { raw: convert({ raw: BigInt(tick) + BigInt(o.imm), frac: 0 }, dstFmt!, uniform), frac: dstFmt!.frac };
          break;
        case "LOOKUP": {
          const x = regs[o.src[0]!]!;
          const table = o.table!;
          const floor = x.frac >= 0 ? x.raw >> BigInt(x.frac) : x.raw << BigInt(-x.frac); // >> floors BigInts
          const i = floor < 0n ? 0 : floor >= BigInt(table.length) ? table.length - 1 : Number(floor);
          regs[o.dst] = { raw: BigInt(table[i]!), frac: dstFmt!.frac };
          break;
        }
        case "SPIKE":
          if (regs[o.src[0]!]!.raw !== 0n) {
            spikeSet(tick, k.group).add(element);
            spikes.push({ tick, group: k.group, element });
          }
          break;
        default: {
          const exact = exactOp(name, o.src.map((r) => regs[r]!), o.imm);
          regs[o.dst] = { raw: convert(exact, dstFmt!, uniform), frac: dstFmt!.frac };
        }
      }
    }
  };

  const periodic = (kind: number, t: number) => {
    for (const k of p.kernels) {
      if (!k.periodic || p.groups[k.group]!.kind !== kind) continue;
      const { period_ticks: period, offset_ticks: offset } = k.periodic;
      if (t < offset || (t - offset) % period !== 0) continue;
      const gate = k.periodic.gated ? state[k.periodic.gate_state!]! : null;
      for (let e = 0; e < sizes[k.group]!; e++) if (!gate || gate[e] !== 0n) runKernel(k, e);
    }
  };

  const maxDelay = Math.max(0, ...p.kernels.map((k) => k.on_spike?.delay_ticks ?? 0));
  sample(0);
  const inputs = currentInputs(p);
  for (let t = 0; t < ticks; t++) {
    tick = t;
    draws.setTick(t);
    for (const s of inputs) state[s]!.fill(0n);
    p.stimuli.forEach((s, i) => {
      const q = s.stream;
      if (q) {
        if (streamActive(q, t)) applyStream(q, t, state[q.input_state]!, p.states[q.input_state]!.format);
        return;
      }
      const c = s.current;
      if (c) {
        if (t < c.start_tick || t >= c.stop_tick) return;
        const input = state[c.input_state]!, inFmt = p.states[c.input_state]!.format;
        if (!isOu(c)) {
          for (const n of c.neurons) input[n] = addToInput(input[n]!, inFmt, BigInt(c.mean_raw), inFmt.frac);
          return;
        }
        const x = state[c.ou_state]!, xFmt = p.states[c.ou_state]!.format;
        for (const n of c.neurons) {
          if (t === c.start_tick) x[n] = BigInt(c.mean_raw);
          x[n] = ouStep(x[n]!, c, normalSample(stimRng[i]!), xFmt);
          input[n] = addToInput(input[n]!, inFmt, x[n]!, xFmt.frac);
        }
        return;
      }
      const set = spikeSet(t, s.group);
      const before = set.size;
      if (s.spikes) s.spikes.ticks.forEach((tick, j) => tick === t && set.add(s.spikes!.neurons[j]!));
      if (s.regular && t >= s.regular.start_tick && t < s.regular.stop_tick && (t - s.regular.start_tick) % s.regular.interval_ticks === 0) for (const n of s.regular.neurons) set.add(n);
      if (s.poisson) {
        const q = s.poisson;
        const on = t >= q.start_tick && t < q.stop_tick && (t - q.start_tick) % q.burst_period_ticks < q.burst_on_ticks;
        if (on) for (const n of q.neurons) if (stimRng[i]!.nextU32() < q.prob_per_tick_q32) set.add(n);
      }
      if (set.size > before) for (const n of [...set].slice(before)) spikes.push({ tick: t, group: s.group, element: n });
    });
    periodic(1, t);
    for (const k of p.kernels) {
      if (!k.on_spike) continue;
      const fired = spikedAt.get(t - k.on_spike.delay_ticks)?.[k.on_spike.source];
      if (!fired || fired.size === 0) continue;
      const c = conn.get(k.group)!;
      const index = k.on_spike.post ? c.post_index : c.pre_index;
      for (const n of [...fired].sort((a, b) => a - b)) for (let syn = 0; syn < index.length; syn++) if (index[syn] === n) runKernel(k, syn);
    }
    periodic(2, t);
    spikedAt.delete(t - maxDelay);
    sample(t + 1);
  }
  return { probes, spikes, state };
}
