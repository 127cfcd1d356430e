/**
 * The random draws of IR kernels (IR version 4): stochastic rounding and RAND_NORMAL take their
 * numbers from a counter-based generator, so a draw is a pure function of
 * (seed, stream, element, tick, kernel, op) and never of how many draws came before it. Any
 * partition of a group's elements over workers, in any order, draws the same numbers; a kernel
 * run may compute its draws in bulk (SIMD) or lazily; skipping a draw moves no other one.
 *
 * The draw function (also stated in src/ir/ir.proto, Header, and docs/ir.md "Random draws"):
 *   block   = Philox-4x32-10(counter, key)                         (src/util/philox.ts)
 *   counter = (element, tick mod 2^32, floor(tick / 2^32), kernel * 2^16 + op)
 *   key     = (seed mod 2^32, stream + 256 * floor(seed / 2^32))
 *   stream  = 1 for stochastic rounding, 2 for RAND_NORMAL
 * element is the kernel's iteration element (a neuron of a neuron kernel, a synapse of a synapse
 * kernel, whatever its ops' index modes), tick the tick being run, kernel the kernel's index in
 * the program, op the op's index in the kernel. Each op converts its result at most once and
 * RAND_NORMAL draws at most one normal, so (kernel, op) names a draw within an element's tick.
 *   uniform u = (floor(w0 / 2^5) 2^26 + floor(w1 / 2^6)) / 2^53   (53 bits, [0, 1))
 *   rounding: u' = roundingDraw(u, header.rounding_bits); round up iff u' < dropped fraction
 *   normal:  N = sqrt(-2 ln(1 - u)) cos(2 pi v), u from (w0, w1), v from (w2, w3) (Box-Muller,
 *            cosine branch); RAND_NORMAL's value is round(N 2^40) at 40 fractional bits, then
 *            converted to its destination format (a stochastic destination draws its rounding
 *            from stream 1 at the same counter).
 */
import { normalFromBlock, philox, STREAM, wordsToUniform } from "../util/philox.ts";
import { roundingDraw } from "./rounding.ts";
import type { IrProgram } from "./codec.ts";

/** The fourth counter word of op `op` of kernel `kernel` (the verifier bounds both: < 2^12, < 2^16). */
export function drawSite(kernel: number, op: number): number {
  return kernel * 65536 + op;
}

export class IrDraws {
  private readonly k0: number;
  private readonly kRound: number;
  private readonly kNoise: number;
  private lo = 0;
  private hi = 0;

  constructor(seed: number, readonly bits: number) {
    const high = Math.floor(seed / 2 ** 32);
    this.k0 = seed % 2 ** 32;
    this.kRound = STREAM.rounding + 256 * high;
    this.kNoise = STREAM.noise + 256 * high;
  }

  /** Sets the tick whose draws are taken next. */
  setTick(t: number): void {
    this.lo = t % 4294967296;
    this.hi = Math.floor(t / 4294967296);
  }

  /** The rounding draw u' of `site` (drawSite) for `element` at the current tick. */
  round(site: number, element: number): number {
    const w = philox(element, this.lo, this.hi, site, this.k0, this.kRound);
    return roundingDraw(wordsToUniform(w[0]!, w[1]!), this.bits);
  }

  /** The standard normal of RAND_NORMAL `site` for `element` at the current tick. */
  normal(site: number, element: number): number {
    return normalFromBlock(philox(element, this.lo, this.hi, site, this.k0, this.kNoise));
  }
}

const RAND_NORMAL = 17, STORE = 2, STORE_ADD = 3, STOCHASTIC = 3;
/** Ops that write no register of their own or only exact ones: CONST, SPIKE, LOOKUP. */
const NO_CONVERSION = new Set([4, 18, 21]);

/**
 * The first op of a (verified) program that may draw (a RAND_NORMAL, or a conversion into a format
 * with stochastic rounding), or null: a program without one means the same under every IR
 * version's draw rules.
 */
export function firstDraw(p: IrProgram): { kernel: number; op: number; what: string } | null {
  for (let k = 0; k < p.kernels.length; k++) {
    const kr = p.kernels[k]!;
    for (let op = 0; op < kr.ops.length; op++) {
      const o = kr.ops[op]!;
      if (o.op === RAND_NORMAL) return { kernel: k, op, what: "RAND_NORMAL" };
      const f = o.op === STORE || o.op === STORE_ADD ? p.states[o.state]!.format : NO_CONVERSION.has(o.op) ? undefined : kr.registers[o.dst]?.format;
      if (f?.rounding === STOCHASTIC) return { kernel: k, op, what: "stochastic rounding" };
    }
  }
  return null;
}
