/**
 * Emits the reference interpreter's convert() (src/ir/reference.ts) on i32x4 lanes: an exact
 * intermediate x * 2^-F, held in 32-bit lanes, shifted to a destination format of at most 16 bits
 * with its rounding (floor, nearest ties away from zero) and overflow (saturate, wrap).
 * Every intermediate carries its exact range, so each step is chosen to be exact for every value
 * the lanes can hold; where no 32-bit sequence is exact the kernel is declared unsupported.
 */
import type { IrFixedFormat } from "../../../src/ir/codec.ts";
import { bounds } from "../../../src/ir/reference.ts";
import { type Body, Simd } from "./assembler.ts";

export class Unsupported extends Error {}

/**
 * Where a stochastic rounding takes its draws: Int32 arrays in memory at `need` (the conversion
 * writes -1 where it drops non-zero bits, i.e. where the interpreter draws) and `value` (the host
 * puts floor(u 2^s) there for each draw u, in the interpreter's order); `addr` pushes the byte
 * address of the current lanes' slot; `tmp2` is a v128 scratch local.
 */
export interface DrawSite {
  need: number;
  value: number;
  addr: () => void;
  tmp2: number;
}

/** An exact intermediate in i32x4 lanes: values in [lo, hi]; `unsigned` lanes hold values up to 2^32 - 1. */
export interface Lanes {
  lo: bigint;
  hi: bigint;
  unsigned: boolean;
  /** The value is not yet bounded to its 16-bit saturating format: the store's narrowing does it. */
  unclamped?: boolean;
}

const I32_MIN = -(1n << 31n), I32_MAX = (1n << 31n) - 1n, U32_MAX = (1n << 32n) - 1n;

/** The lane representation that holds [lo, hi] exactly, signed preferred. */
export function lanesFor(lo: bigint, hi: bigint, what: string): Lanes {
  if (lo >= I32_MIN && hi <= I32_MAX) return { lo, hi, unsigned: false };
  if (lo >= 0n && hi <= U32_MAX) return { lo, hi, unsigned: true };
  throw new Unsupported(`${what}: exact intermediate [${lo}, ${hi}] needs more than 32 bits`);
}

export const floorDiv = (a: bigint, k: number): bigint => a >> BigInt(k);
export const ceilDiv = (a: bigint, k: number): bigint => -((-a) >> BigInt(k));

/** Bits b with -2^b <= lo and hi < 2^b. */
function magnitudeBits(x: Lanes): number {
  let b = 0;
  while (x.lo < -(1n << BigInt(b)) || x.hi >= 1n << BigInt(b)) b++;
  return b;
}

function clampTo(body: Body, x: Lanes, lo: bigint, hi: bigint): Lanes {
  if (x.hi > hi) body.splat(Number(hi)).simd(x.unsigned ? Simd.i32x4MinU : Simd.i32x4MinS);
  if (x.lo < lo && !x.unsigned) body.splat(Number(lo)).simd(Simd.i32x4MaxS);
  const nlo = x.lo < lo ? lo : x.lo > hi ? hi : x.lo;
  const nhi = x.hi > hi ? hi : x.hi < lo ? lo : x.hi;
  return { lo: nlo, hi: nhi, unsigned: x.unsigned && nhi > I32_MAX };
}

/**
 * Bounds the rounded value to d: saturate with min/max, wrap by sign-extending or masking the low
 * bits. With `narrowed`, a 16-bit saturating bound is left to the store's i16x8 narrowing, which
 * saturates to exactly the same range (signed or unsigned 16 bits) when the lanes are signed i32.
 */
function overflow(body: Body, x: Lanes, d: IrFixedFormat, narrowed = false): Lanes {
  const [lo, hi] = bounds(d);
  if (x.lo >= lo && x.hi <= hi) return { ...x, unsigned: false };
  if (narrowed && d.overflow === 2 && d.width === 16 && !x.unsigned) return { ...x, unclamped: true };
  if (d.overflow === 2) return { ...clampTo(body, x, lo, hi), unsigned: false };
  if (d.signed) body.i32(32 - d.width).simd(Simd.i32x4Shl).i32(32 - d.width).simd(Simd.i32x4ShrS);
  else body.splat(2 ** d.width - 1).simd(Simd.and);
  return { lo, hi, unsigned: false };
}

/**
 * Converts the i32x4 on the stack (exact value x * 2^-frac) to format d; leaves the raw result,
 * sign-extended in i32 lanes, and returns its range. `tmp` is a v128 scratch local.
 */
export function emitConvert(body: Body, x: Lanes, frac: number, d: IrFixedFormat, tmp: number, narrowed = false, draw?: (s: number) => DrawSite): Lanes {
  if (d.width > 16) throw new Unsupported(`format of width ${d.width}`);
  const s = frac - d.frac;
  const [dlo, dhi] = bounds(d);
  if (s <= 0) {
    const k = -s;
    if (k === 0) return overflow(body, x, d, narrowed);
    if (d.overflow === 2) {
      // Saturate: clamp first to one step beyond the representable range, so the shift cannot
      // overflow 32 bits and values beyond saturate after it (shifts past 17 change nothing then).
      const y = clampTo(body, x, ceilDiv(dlo, k) - 1n, floorDiv(dhi, k) + 1n);
      const kk = Math.min(k, 17);
      body.i32(kk).simd(Simd.i32x4Shl);
      return overflow(body, { lo: y.lo << BigInt(kk), hi: y.hi << BigInt(kk), unsigned: false }, d);
    }
    // Wrap: only the low bits matter, and the shift keeps them mod 2^32.
    if (k >= 32) return body.op(0x1a).splat(0), { lo: 0n, hi: 0n, unsigned: false };
    body.i32(k).simd(Simd.i32x4Shl);
    const wide = { lo: x.lo << BigInt(k), hi: x.hi << BigInt(k), unsigned: false };
    return overflow(body, wide.lo >= dlo && wide.hi <= dhi ? wide : { lo: dlo - 1n, hi: dhi + 1n, unsigned: false }, d);
  }
  if (d.rounding === 3) {
    if (!draw) throw new Unsupported("stochastic rounding (its draws come one element at a time from the program's stream)");
    if (s >= 32) throw new Unsupported(`stochastic rounding by ${s} bits`);
    // The interpreter rounds up when its draw u < rem = r / 2^s (r the dropped bits, an integer),
    // i.e. when floor(u 2^s) < r, and draws only where r != 0.
    const site = draw(s);
    const r: Lanes = { lo: floorDiv(x.lo, s), hi: floorDiv(x.hi, s) + 1n, unsigned: false };
    if (r.hi > I32_MAX) throw new Unsupported(`stochastic rounding of [${x.lo}, ${x.hi}] by ${s} bits`);
    body.set(tmp);
    site.addr();
    body.get(tmp).splat(2 ** s - 1).simd(Simd.and).tee(site.tmp2).splat(0).simd(Simd.i32x4Ne).mem(Simd.store, site.need);
    body.get(tmp).i32(s).simd(x.unsigned ? Simd.i32x4ShrU : Simd.i32x4ShrS);
    site.addr();
    body.mem(Simd.load, site.value).get(site.tmp2).simd(Simd.i32x4LtS).simd(Simd.i32x4Sub); // floor - (-1 where up)
    return overflow(body, r, d, narrowed);
  }
  let r: Lanes;
  if (d.rounding === 1) {
    if (x.unsigned && s >= 32) body.op(0x1a).splat(0);
    else body.i32(Math.min(s, 31)).simd(x.unsigned ? Simd.i32x4ShrU : Simd.i32x4ShrS);
    r = { lo: floorDiv(x.lo, s), hi: floorDiv(x.hi, s), unsigned: false };
  } else if (d.rounding === 2) {
    // Ties away from zero: floor((x + half - [x < 0]) / 2^s); beyond magnitude + 2 bits every value rounds to 0.
    if (s >= magnitudeBits(x) + 2) {
      body.op(0x1a).splat(0);
      r = { lo: 0n, hi: 0n, unsigned: false };
    } else {
      const half = 1n << BigInt(s - 1);
      const max = x.unsigned ? U32_MAX : I32_MAX;
      if (s >= 32 || x.hi + half > max) throw new Unsupported(`nearest rounding of [${x.lo}, ${x.hi}] by ${s} bits needs more than 32 bits`);
      // The correction only moves negative ties from q + 1 <= 0 down to q; saturating at a lower
      // bound >= 0 maps both to that bound, so it is skipped there.
      const correct = x.lo < 0n && !(d.overflow === 2 && dlo >= 0n);
      if (correct) body.tee(tmp);
      body.splat(Number(half)).simd(Simd.i32x4Add);
      if (correct) body.get(tmp).i32(31).simd(Simd.i32x4ShrS).simd(Simd.i32x4Add);
      body.i32(s).simd(x.unsigned ? Simd.i32x4ShrU : Simd.i32x4ShrS);
      r = { lo: floorDiv(x.lo, s), hi: floorDiv(x.hi, s) + 1n, unsigned: false };
    }
  } else throw new Unsupported(`rounding ${d.rounding}`);
  return overflow(body, r, d, narrowed);
}

/**
 * ADD whose operand X is already on the destination's grid (its alignment shift equals the
 * conversion's shift s): round((X 2^s + y) / 2^s) = X + round(y / 2^s) exactly, X being an
 * integer, for floor and for nearest when no sign correction is needed (the sum cannot be negative,
 * or saturation at a lower bound >= 0 makes the correction irrelevant, as in emitConvert). Saves
 * X's shift. Stack: y (exact, range `y`); `sum` is the range of X 2^s + y. Returns null, having
 * emitted nothing, where the identity does not apply or the lanes would not hold it.
 */
export function emitAlignedAdd(body: Body, y: Lanes, X: number, xr: Lanes, sum: Lanes, s: number, d: IrFixedFormat, narrowed: boolean): Lanes | null {
  if (s <= 0 || s >= 32 || xr.unsigned || (d.rounding !== 1 && d.rounding !== 2)) return null;
  const [dlo] = bounds(d);
  if (d.rounding === 2 && sum.lo < 0n && !(d.overflow === 2 && dlo >= 0n)) return null;
  const half = d.rounding === 2 ? 1n << BigInt(s - 1) : 0n;
  if (y.hi + half > (y.unsigned ? U32_MAX : I32_MAX)) return null;
  const lo = xr.lo + floorDiv(y.lo + half, s), hi = xr.hi + floorDiv(y.hi + half, s);
  if (lo < I32_MIN || hi > I32_MAX) return null;
  if (half > 0n) body.splat(Number(half)).simd(Simd.i32x4Add);
  body.i32(s).simd(y.unsigned ? Simd.i32x4ShrU : Simd.i32x4ShrS);
  body.get(X).simd(Simd.i32x4Add);
  return overflow(body, { lo, hi, unsigned: false }, d, narrowed);
}
