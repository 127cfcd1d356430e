/**
 * Current stimuli (ir.proto, message Current): the exact integer semantics on BigInt, shared by
 * the reference interpreter and used by the emulator as its fallback. The emulator's number path
 * (targets/emulator/current.ts) must agree with these bit for bit.
 */
import type { IrCurrent, IrFixedFormat, IrProgram } from "./codec.ts";
import type { Rng } from "../util/rng.ts";

/** Fractional bits of the normal sample n, and of decay_q32. */
export const NORMAL_FRAC = 32;

/** 2^NORMAL_FRAC as a constant: `2 ** NORMAL_FRAC` in the body was a Math.pow call per draw (55 of its 72 ns). */
const NORMAL_SCALE = 2 ** NORMAL_FRAC;

/** n = round(N * 2^32) for a standard normal N (ziggurat): |n| < 2^36, since the ziggurat never passes 15. */
export function normalSample(rng: Rng): number {
  return Math.round(rng.fastNormal() * NORMAL_SCALE);
}

/** kick_raw = 0 marks a constant current (no state, no draws). */
export const isOu = (c: IrCurrent): boolean => c.kick_raw !== 0;

/** Indices of the states that current and stream stimuli target (reset to 0 every tick). */
export function currentInputs(p: IrProgram): number[] {
  return [...new Set(p.stimuli.flatMap((s) => (s.current ? [s.current.input_state] : s.stream ? [s.stream.input_state] : [])))];
}

/** round(v / 2^k), nearest with ties away from zero (k >= 0). */
export function roundShift(v: bigint, k: number): bigint {
  if (k === 0) return v;
  const K = BigInt(k);
  const floor = v >> K;
  const rem = v - (floor << K);
  const half = 1n << (K - 1n);
  return rem > half || (rem === half && v > 0n) ? floor + 1n : floor;
}

const clamp = (v: bigint, f: IrFixedFormat): bigint => {
  const w = BigInt(f.width);
  const [lo, hi] = f.signed ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
  return v < lo ? lo : v > hi ? hi : v;
};

/** One OU step: x <- sat(mean + round((x - mean) decay / 2^32) + round(kick n / 2^32)). */
export function ouStep(x: bigint, c: IrCurrent, n: number, f: IrFixedFormat): bigint {
  const mean = BigInt(c.mean_raw);
  const decayed = roundShift((x - mean) * BigInt(c.decay_q32), NORMAL_FRAC);
  const kick = roundShift(BigInt(c.kick_raw) * BigInt(n), NORMAL_FRAC);
  return clamp(mean + decayed + kick, f);
}

/** input <- sat(input + round(value * 2^-frac to the input's frac)). */
export function addToInput(input: bigint, inFmt: IrFixedFormat, value: bigint, frac: number): bigint {
  const shift = frac - inFmt.frac;
  const v = shift >= 0 ? roundShift(value, shift) : value << BigInt(-shift);
  return clamp(input + v, inFmt);
}
