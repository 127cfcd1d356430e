/**
 * Counter-based random numbers: Philox-4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011). A draw is a pure function of a 128-bit counter and a
 * 64-bit key, so the number that element e gets at tick t does not depend on which worker steps
 * e, nor on how many other draws came before: any partition of elements over threads draws the
 * same numbers. Written here because no maintained npm package provides Philox (or another
 * counter-based generator) on 32-bit integer ops; tested against the published known-answer
 * vectors of Random123 (tests/util/philox.test.ts).
 *
 * engram's mapping (also stated in src/ir/ir.proto, message Header, and docs/ir.md):
 *   key     = (seed as uint32, stream id)
 *   counter = (element, tick, site, draw)
 * where the stream id names the purpose (rounding, noise, one per stimulus, ...), the site
 * distinguishes the places that draw within one (element, tick) of a stream (kernel and op), and
 * draw counts blocks taken by one site (rejection tails).
 */

import { philoxWasm } from "./philox-wasm.ts";

const M0 = 0xd2511f53, M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9, W1 = 0xbb67ae85;
// 16-bit halves of the multipliers, for mulhi below.
const M0H = M0 >>> 16, M0L = M0 & 0xffff, M1H = M1 >>> 16, M1L = M1 & 0xffff;

/**
 * High word of the 64-bit product of uint32 `a` and the multiplier (bh, bl), from four 16 x 16-bit
 * partial products (each below 2^32, exact) and their carries: integer ops only, about 2.3x faster
 * in V8 than the same through divisions of doubles (measured: 47 against 110 ns per block).
 */
function mulhi(a: number, bh: number, bl: number): number {
  const ah = a >>> 16, al = a & 0xffff;
  const ll = al * bl, hl = ah * bl, lh = al * bh;
  const cross = (ll >>> 16) + (hl & 0xffff) + (lh & 0xffff);
  return (ah * bh + (hl >>> 16) + (lh >>> 16) + (cross >>> 16)) >>> 0;
}

/**
 * The four output words of the last call to philox (one shared buffer: read them before the next
 * call; workers each have their own module instance).
 */
export const PHILOX_OUT = new Uint32Array(4);

/**
 * Philox-4x32-10 of counter (c0..c3) under key (k0, k1), all uint32, in JS: the reference the
 * WebAssembly version is tested against. The result lands in PHILOX_OUT.
 */
export function philoxJs(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): Uint32Array {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(c0, M0H, M0L), lo0 = Math.imul(c0, M0) >>> 0;
    const hi1 = mulhi(c2, M1H, M1L), lo1 = Math.imul(c2, M1) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  PHILOX_OUT[0] = c0; PHILOX_OUT[1] = c1; PHILOX_OUT[2] = c2; PHILOX_OUT[3] = c3;
  return PHILOX_OUT;
}

/**
 * Philox-4x32-10 of counter (c0..c3) under key (k0, k1): the WebAssembly version (philox-wasm.ts,
 * the same words as philoxJs, 14 against 47 ns per block here), whose result lands in its own
 * four-word buffer: read it before the next call.
 */
export const philox: (c0: number, c1: number, c2: number, c3: number, k0: number, k1: number) => Uint32Array = philoxWasm;

/** Uniform double in [0, 1) with 53 bits from two words (27 high bits of a, 26 of b: as Rng.uniform). */
export const wordsToUniform = (a: number, b: number): number => ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;

/**
 * Standard normal from one Philox block: Box-Muller on (u1, u2) = words (0, 1) and (2, 3), the
 * cosine branch only, so that the draw stays a function of its counter. u1 is taken in (0, 1]
 * (1 - uniform) so that log is finite. Math.log/cos/sqrt are the platform's; every engram
 * component that draws normals from these streams calls this one function (bit-identical on one
 * machine; across JS engines only if their libm agrees, as with every Math.* result).
 */
export function normalFromBlock(w: Uint32Array): number {
  const u1 = 1 - wordsToUniform(w[0]!, w[1]!);
  const u2 = wordsToUniform(w[2]!, w[3]!);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Stream ids (key word 1) of engram's counter-based streams. */
export const STREAM = {
  /** stochastic rounding of fixed-point ops (IR) */
  rounding: 1,
  /** RAND_NORMAL (IR) and neuron-noise terms (float64 reference) */
  noise: 2,
  /** plasticity-noise terms of synapses (float64 reference) */
  synapseNoise: 3,
  /** stimulus i (Poisson coin flips, OU currents): STIMULUS_BASE + i */
  stimulusBase: 16,
} as const;

/** A counter-based stream bound to (seed, stream id): draws by (element, tick, site, draw). */
export class CounterStream {
  readonly k0: number;
  constructor(seed: number, readonly stream: number) {
    this.k0 = seed >>> 0;
  }
  /** The four words for (element, tick, site, draw). */
  block(element: number, tick: number, site = 0, draw = 0): Uint32Array {
    return philox(element, tick, site, draw, this.k0, this.stream);
  }
  uniform(element: number, tick: number, site = 0): number {
    const w = philox(element, tick, site, 0, this.k0, this.stream);
    return wordsToUniform(w[0]!, w[1]!);
  }
  u32(element: number, tick: number, site = 0): number {
    return philox(element, tick, site, 0, this.k0, this.stream)[0]!;
  }
  normal(element: number, tick: number, site = 0): number {
    return normalFromBlock(philox(element, tick, site, 0, this.k0, this.stream));
  }
}
