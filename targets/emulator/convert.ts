/**
 * Fixed-point conversion on JS numbers, the fast twin of src/ir/reference.ts' BigInt convert():
 * the same rounding (floor; nearest, ties away from zero; stochastic with the same uniform draw
 * rule) and overflow, exact whenever the raw values stay below 2^53, which the emulator checks per
 * op from the formats before choosing this path (see safeBits).
 */
import type { IrFixedFormat } from "../../src/ir/codec.ts";

const FLOOR = 1, NEAREST = 2, STOCHASTIC = 3;
const SATURATE = 2;

/** Largest magnitude, in bits, that the number path handles exactly. */
export const SAFE_BITS = 52;

/**
 * raw * 2^-frac converted to format f. `uniform` gives the stochastic-rounding draw, taken only
 * when non-zero bits are dropped (as in the reference interpreter).
 */
export function convertNumber(raw: number, frac: number, f: IrFixedFormat, uniform: () => number, saturations?: Float64Array): number {
  const shift = frac - f.frac;
  let r: number;
  if (shift <= 0) r = raw * 2 ** -shift;
  else {
    const scaled = raw / 2 ** shift; // exact: division by a power of two
    const floor = Math.floor(scaled);
    const rem = scaled - floor; // exact fraction in [0, 1)
    if (rem === 0 || f.rounding === FLOOR) r = floor;
    else if (f.rounding === NEAREST) r = rem > 0.5 || (rem === 0.5 && raw > 0) ? floor + 1 : floor;
    else if (f.rounding === STOCHASTIC) r = uniform() < rem ? floor + 1 : floor;
    else throw new Error(`bad rounding ${f.rounding}`);
  }
  const lo = f.signed ? -(2 ** (f.width - 1)) : 0;
  const hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
  if (r >= lo && r <= hi) return r;
  if (f.overflow === SATURATE) {
    if (saturations) saturations[0]!++; // counted as the generated kernels count (manifest: saturations)
    return r < lo ? lo : hi;
  }
  const m = 2 ** f.width;
  let w = ((r % m) + m) % m;
  if (f.signed && w > hi) w -= m;
  return w;
}
