/**
 * Which basis functions are evaluated, in which order, and when the search stops (seed-models.md
 * E step 5, after the authors' capacity iterator):
 *  - degrees D = 1, 2, ... maxDegree; the search ends after two consecutive degrees that each add
 *    less than dThreshold (one is not enough: networks with an odd activation and no bias have
 *    zero capacity at every even degree and non-zero capacity at the odd ones above);
 *  - within a degree: the number of distinct delays v = 1..D, then every ordered split of D into
 *    v degrees (the first goes to the most recent delay), then the window w = span of the delays
 *    (v - 1, v, ... up to maxDelay), then the choice of interior delays, then the first delay;
 *  - the first delay grows until a capacity falls below the threshold (fading memory makes the
 *    capacity fall with the delay), except that the first `leadIn` - 1 delays may fail without
 *    stopping (a system that answers to its input a sample late, e.g. spiking states sampled
 *    at the end of the input's hold); the window widens until a whole window adds nothing.
 * Capacities below the threshold theta count as zero (step 4).
 */
import { CapacityEstimator } from "./estimator.ts";
import { legendreTable } from "./legendre.ts";
import { chi2Isf } from "./chi2.ts";

export interface IpcOptions {
  maxDegree: number;
  maxDelay: number;
  /** theta = orthFactor * chi2.isf(pThreshold, rank) / T. */
  orthFactor: number;
  pThreshold: number;
  /** A degree adding less than this counts as empty. */
  dThreshold: number;
  /** Sub-threshold first delays tolerated before one is found above the threshold (1: none). */
  leadIn: number;
}

export const IPC_DEFAULTS: IpcOptions = { maxDegree: 3, maxDelay: 100, orthFactor: 2, pThreshold: 1e-3, dThreshold: 1e-3, leadIn: 1 };

export interface BasisTerm {
  /** Delays, ascending (0 = the input of the same sample). */
  delays: number[];
  /** Legendre degree at each delay. */
  degrees: number[];
  capacity: number;
}

export interface IpcResult {
  samples: number;
  units: number;
  rank: number;
  threshold: number;
  /** Capacity per degree, index 0 = degree 1. */
  byDegree: number[];
  total: number;
  /** Basis functions whose capacity is above the threshold. */
  terms: BasisTerm[];
  /** Targets evaluated (above the threshold or not). */
  evaluated: number;
  /** Degrees searched (the search may stop before maxDegree). */
  degreesSearched: number;
  /** factorise: z-scoring, covariance, eigendecomposition; search: all targets, of which products: p = X'z and |W'p|^2. */
  seconds: { factorise: number; search: number; products: number };
}

/** The threshold of step 4: a target unrelated to r independent state directions has T C ~ chi2(r). */
export function capacityThreshold(rank: number, samples: number, orthFactor: number, pThreshold: number): number {
  return rank === 0 ? Infinity : (orthFactor * chi2Isf(pThreshold, rank)) / samples;
}

/**
 * u: the input series, u[0..samples + offset); states: `samples` rows of `units` values, row k
 * being the state after the input u[offset + k]. offset >= maxDelay so that every delay has data.
 */
export function informationProcessingCapacity(u: Float64Array, offset: number, states: Float64Array, samples: number, units: number, opts: IpcOptions = IPC_DEFAULTS, progress?: (degree: number, evaluated: number) => void): IpcResult {
  if (offset < opts.maxDelay) throw new RangeError(`the input has ${offset} samples before the first state; maxDelay ${opts.maxDelay} needs as many`);
  if (u.length < offset + samples) throw new RangeError(`the input has ${u.length} samples, ${offset + samples} are needed`);
  const t0 = performance.now();
  const est = new CapacityEstimator(states, samples, units);
  const t1 = performance.now();
  const theta = capacityThreshold(est.rank, samples, opts.orthFactor, opts.pThreshold);
  const legendre = legendreTable(u, opts.maxDegree);
  const z = new Float64Array(samples);
  const terms: BasisTerm[] = [];
  const byDegree: number[] = [];
  let products = 0;

  const score = (delays: number[], degrees: number[]): number => {
    const first = legendre[degrees[0]!]!.subarray(offset - delays[0]!, offset - delays[0]! + samples);
    z.set(first);
    for (let i = 1; i < delays.length; i++) {
      const col = legendre[degrees[i]!]!, start = offset - delays[i]!;
      for (let t = 0; t < samples; t++) z[t]! *= col[start + t]!;
    }
    const s0 = performance.now();
    const c = est.capacity(z);
    products += performance.now() - s0;
    return c >= theta ? c : 0;
  };

  let empty = 0;
  for (let D = 1; D <= opts.maxDegree; D++) {
    let sum = 0;
    for (let v = 1; v <= D; v++) {
      for (const degrees of compositions(D, v)) {
        for (let w = v - 1; w <= opts.maxDelay; w++) {
          let windowSum = 0;
          for (const interior of combinations(w - 1, v - 2)) {
            let found = false;
            for (let first = 0; first + w <= opts.maxDelay; first++) {
              const delays = v === 1 ? [first] : [first, ...interior.map((k) => first + k + 1), first + w];
              const c = score(delays, degrees);
              if (c === 0) {
                if (found || first + 1 >= opts.leadIn) break;
                continue;
              }
              found = true;
              terms.push({ delays, degrees: [...degrees], capacity: c });
              windowSum += c;
            }
          }
          sum += windowSum;
          if (windowSum === 0 || v === 1) break;
        }
        progress?.(D, est.evaluated);
      }
    }
    byDegree.push(sum);
    empty = sum < opts.dThreshold ? empty + 1 : 0;
    if (empty >= 2) break;
  }
  const t2 = performance.now();
  return {
    samples, units, rank: est.rank, threshold: theta, byDegree, total: byDegree.reduce((a, b) => a + b, 0), terms,
    evaluated: est.evaluated, degreesSearched: byDegree.length, seconds: { factorise: (t1 - t0) / 1000, search: (t2 - t1) / 1000, products: products / 1000 },
  };
}

/** Ordered splits of n into k positive parts. */
export function compositions(n: number, k: number): number[][] {
  if (k === 1) return [[n]];
  const out: number[][] = [];
  for (let first = 1; first <= n - k + 1; first++) for (const rest of compositions(n - first, k - 1)) out.push([first, ...rest]);
  return out;
}

/** k-element subsets of 0..n-1, ascending (one empty subset for k = 0; none for k < 0). */
export function combinations(n: number, k: number): number[][] {
  if (k < 0) return [[]]; // v = 1: no interior (the caller ignores it)
  if (k === 0) return [[]];
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === k) return void out.push([...chosen]);
    for (let i = start; i <= n - (k - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}
