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
