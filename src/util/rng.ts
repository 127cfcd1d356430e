/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna) on 32-bit integer ops.
 * Every random draw in engram comes from one of these, so the same seed gives the same bits
 * on every machine. Streams for independent purposes are derived from (seed, label) with a
 * string hash, so adding a stream never shifts the draws of another.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = 0;
  private hasSpare = false;

  constructor(seed: number, stream = "") {
    // splitmix32 expands (seed, stream hash) into the 128-bit state; never all zero.
    let x = (Math.imul(seed >>> 0, 0x9e3779b1) ^ hashString(stream)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in (0, 1]: safe for log(). */
  uniformPositive(): number {
    return 1 - this.uniform();
  }

  /** Standard normal draw (Box-Muller, both values used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniformPositive()));
    const phi = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(phi);
    this.hasSpare = true;
    return r * Math.cos(phi);
  }

  /**
   * Standard normal draw by the ziggurat method (Marsaglia & Tsang 2000, 128 layers): one 32-bit
   * draw and a multiply in 98 % of calls, several times faster than normal(). A separate method
   * so that the streams of normal() stay as they were; used where millions of draws per second
   * are needed (Ornstein-Uhlenbeck background currents).
   */
  fastNormal(): number {
    const hz = this.nextU32() | 0;
    const iz = hz & 127;
    if (Math.abs(hz) < ZIG_K[iz]!) return hz * ZIG_W[iz]!;
    return this.zigguratTail(hz, iz);
  }

  private zigguratTail(hz: number, iz: number): number {
    for (;;) {
      const x = hz * ZIG_W[iz]!;
      if (iz === 0) {
        // the base strip's tail beyond r (Marsaglia's exponential rejection)
        let tx: number, ty: number;
        do {
          tx = -Math.log(this.uniformPositive()) / ZIG_R;
          ty = -Math.log(this.uniformPositive());
        } while (ty + ty < tx * tx);
        return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (ZIG_F[iz]! + this.uniform() * (ZIG_F[iz - 1]! - ZIG_F[iz]!) < Math.exp(-0.5 * x * x)) return x;
      hz = this.nextU32() | 0;
      iz = hz & 127;
      if (Math.abs(hz) < ZIG_K[iz]!) return hz * ZIG_W[iz]!;
    }
  }

  /**
   * Number of Bernoulli(p) trials up to and including the first success (>= 1).
   * Drawing gaps this way gives exactly the distribution of per-tick coin flips.
   */
  geometric(p: number): number {
    if (p >= 1) return 1;
    if (p <= 0) return Infinity;
    return Math.floor(Math.log(this.uniformPositive()) / Math.log1p(-p)) + 1;
  }

  /** State for snapshots. */
  save(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spareNormal, this.hasSpare ? 1 : 0];
  }

  load(state: readonly number[]): void {
    [this.s0, this.s1, this.s2, this.s3, this.spareNormal] = state as [number, number, number, number, number];
    this.hasSpare = state[5] === 1;
  }
}

/** Ziggurat tables for fastNormal (Marsaglia & Tsang 2000): 128 strips of equal area v, base at r. */
export const ZIG_R = 3.442619855899;
export const ZIG_K = new Float64Array(128);
export const ZIG_W = new Float64Array(128);
export const ZIG_F = new Float64Array(128);
{
  const m1 = 2147483648, v = 9.91256303526217e-3;
  let dn = ZIG_R, tn = dn;
  const q = v / Math.exp(-0.5 * dn * dn);
  ZIG_K[0] = (dn / q) * m1;
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m1;
  ZIG_W[127] = dn / m1;
  ZIG_F[0] = 1;
  ZIG_F[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(v / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_K[i + 1] = (dn / tn) * m1;
    tn = dn;
    ZIG_F[i] = Math.exp(-0.5 * dn * dn);
    ZIG_W[i] = dn / m1;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a over UTF-16 code units. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
