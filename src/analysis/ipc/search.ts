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
import { CapacityEstimator, type IpcKernel } from "./estimator.ts";
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
  /** Targets computed per pass over the states (default IPC_BATCH; 1 = one at a time, no speculation). */
  batch?: number;
  /** Products X'z: the WebAssembly SIMD kernel (default where available) or plain JS. */
  kernel?: IpcKernel;
}

/** Batch size: 8-16 targets per pass cost about 40 % less CPU per target than one (docs/benchmarks.md). */
export const IPC_BATCH = 8;

interface Chain {
  v: number;
  degrees: number[];
  /** Current window (span of the delays). */
  w: number;
  runs: Run[];
  /** Finished windows: capacity sum and kept terms, in search order. */
  windows: { sum: number; terms: BasisTerm[] }[];
  done: boolean;
}

interface Run {
  chain: Chain;
  interior: number[];
  /** Next first delay to evaluate. */
  first: number;
  found: boolean;
  done: boolean;
  terms: BasisTerm[];
  /** Targets this run may take in its next batch (1, doubling each batch). */
  ahead: number;
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
  /** Targets evaluated (above the threshold or not), as the search order defines them. */
  evaluated: number;
  /** Targets computed ahead of a run's stop and discarded (batching; they change no result). */
  speculative: number;
  /** Degrees searched (the search may stop before maxDegree). */
  degreesSearched: number;
  /** factorise: z-scoring, covariance, eigendecomposition; search: all targets, of which products: centring, p = X'z and |W'p|^2, and targets: building them. */
  seconds: { factorise: number; search: number; products: number; targets: number };
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
  const B = Math.max(1, Math.floor(opts.batch ?? IPC_BATCH));
  const est = new CapacityEstimator(states, samples, units, opts.kernel, B);
  const t1 = performance.now();
  const theta = capacityThreshold(est.rank, samples, opts.orthFactor, opts.pThreshold);
  const legendre = legendreTable(u, opts.maxDegree);
  const zs = [...est.buffers()];
  const caps = new Float64Array(B);
  const terms: BasisTerm[] = [];
  const byDegree: number[] = [];
  let products = 0, building = 0, speculative = 0;

  /** Builds target `delays, degrees` into zs[slot]: one pass for up to three factors. */
  const build = (slot: number, delays: number[], degrees: number[]): void => {
    const z = zs[slot]!, n = delays.length;
    const a = legendre[degrees[0]!]!.subarray(offset - delays[0]!, offset - delays[0]! + samples);
    if (n === 1) return void z.set(a);
    const b = legendre[degrees[1]!]!.subarray(offset - delays[1]!, offset - delays[1]! + samples);
    if (n === 2) {
      for (let t = 0; t < samples; t++) z[t] = a[t]! * b[t]!;
      return;
    }
    const c = legendre[degrees[2]!]!.subarray(offset - delays[2]!, offset - delays[2]! + samples);
    for (let t = 0; t < samples; t++) z[t] = a[t]! * b[t]! * c[t]!;
    for (let i = 3; i < n; i++) {
      const col = legendre[degrees[i]!]!, start = offset - delays[i]!;
      for (let t = 0; t < samples; t++) z[t]! *= col[start + t]!;
    }
  };

  const delaysOf = (run: Run, first: number) => (run.chain.v === 1 ? [first] : [first, ...run.interior.map((k) => first + k + 1), first + run.chain.w]);
  const openWindow = (chain: Chain): void => {
    chain.runs = combinations(chain.w - 1, chain.v - 2).map((interior) => ({ chain, interior, first: 0, found: false, done: false, terms: [], ahead: 1 }));
  };

  let empty = 0;
  for (let D = 1; D <= opts.maxDegree; D++) {
    // One chain per number of delays v and split of D over them: its windows w = v - 1, v, ... are
    // searched in order, and each window holds one run per choice of interior delays, in which the
    // first delay grows until its stop. Chains are independent of each other, and so are the runs
    // of one window, so all active runs advance together, a batch at a time; sums and terms are
    // gathered afterwards in the documented order, so every result is as one target at a time.
    const chains: Chain[] = [];
    for (let v = 1; v <= D; v++) for (const degrees of compositions(D, v)) chains.push({ v, degrees, w: v - 1, runs: [], windows: [], done: false });
    chains.forEach(openWindow);
    for (;;) {
      for (const chain of chains) {
        while (!chain.done && chain.runs.every((r) => r.done)) {
          const window = { sum: 0, terms: [] as BasisTerm[] };
          for (const run of chain.runs) for (const term of run.terms) {
            window.terms.push(term);
            window.sum += term.capacity;
          }
          chain.windows.push(window);
          if (window.sum === 0 || chain.v === 1 || chain.w + 1 > opts.maxDelay) chain.done = true;
          else {
            chain.w++;
            openWindow(chain);
          }
        }
      }
      const active = chains.flatMap((c) => (c.done ? [] : c.runs.filter((r) => !r.done)));
      if (active.length === 0) break;
      // Each active run gets an equal share of the batch, at most `ahead` targets (1, then doubling
      // while the run goes on). More than one is speculative: targets past the run's stop are
      // computed and discarded, so short runs waste little and long ones fill the batch.
      const share = Math.max(1, Math.floor(B / active.length));
      const slots: { run: Run; first: number }[] = [];
      for (const run of active) {
        const n = Math.min(share, run.ahead, opts.maxDelay - run.chain.w - run.first + 1);
        for (let i = 0; i < n; i++) slots.push({ run, first: run.first + i });
        run.ahead *= 2;
      }
      const s0 = performance.now();
      for (let at = 0; at < slots.length; at += B) {
        const k = Math.min(B, slots.length - at);
        const b0 = performance.now();
        for (let i = 0; i < k; i++) build(i, delaysOf(slots[at + i]!.run, slots[at + i]!.first), slots[at + i]!.run.chain.degrees);
        building += performance.now() - b0;
        est.capacities(zs, k, caps);
        for (let i = 0; i < k; i++) {
          const slot = slots[at + i]!, run = slot.run;
          if (run.done || slot.first !== run.first) {
            speculative++;
            continue;
          }
          const c = caps[i]! >= theta ? caps[i]! : 0;
          run.first++;
          if (c === 0) {
            if (run.found || run.first >= opts.leadIn) run.done = true;
          } else {
            run.found = true;
            run.terms.push({ delays: delaysOf(run, slot.first), degrees: [...run.chain.degrees], capacity: c });
          }
          if (run.first + run.chain.w > opts.maxDelay) run.done = true;
        }
      }
      products += performance.now() - s0;
    }
    let sum = 0;
    for (const chain of chains) for (const window of chain.windows) {
      terms.push(...window.terms);
      sum += window.sum;
    }
    progress?.(D, est.evaluated - speculative);
    byDegree.push(sum);
    empty = sum < opts.dThreshold ? empty + 1 : 0;
    if (empty >= 2) break;
  }
  const t2 = performance.now();
  return {
    samples, units, rank: est.rank, threshold: theta, byDegree, total: byDegree.reduce((a, b) => a + b, 0), terms,
    evaluated: est.evaluated - speculative, speculative, degreesSearched: byDegree.length, seconds: { factorise: (t1 - t0) / 1000, search: (t2 - t1) / 1000, products: (products - building) / 1000, targets: building / 1000 },
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
