/**
 * Measures of the cell-assembly memory experiment (stc-model.md section 8): per-neuron rates in a
 * window, recall quality Q, mutual information between rate vectors, and weight statistics per
 * synapse class. Pure functions over typed arrays; the file reading lives in cli/analyze.ts.
 */

/** Window of the authors' analysis: 0.5 s centred 0.1 s after a stimulus onset. */
export const WINDOW_BEFORE_S = 0.15;
export const WINDOW_AFTER_S = 0.35;

/**
 * [onset - 0.15, onset + 0.35), bounds snapped to their decimal value: spike times lie on a dt
 * grid that includes the bounds, and 20 - 0.15 must equal the parsed "19.8500", not a double one
 * ulp away, or a boundary spike falls in or out by rounding.
 */
export function rateWindow(onset: number): [number, number] {
  const snap = (x: number) => Number(x.toFixed(9));
  return [snap(onset - WINDOW_BEFORE_S), snap(onset + WINDOW_AFTER_S)];
}

/** Firing rate (Hz) of each neuron 0..nNeurons-1 from the spikes with t0 <= t < t1. */
export function rates(spikeTimes: Float64Array, spikeNeurons: Int32Array, nNeurons: number, t0: number, t1: number): Float64Array {
  if (!(t1 > t0)) throw new RangeError(`rates: empty window [${t0}, ${t1})`);
  const counts = new Float64Array(nNeurons);
  const len = Math.min(spikeTimes.length, spikeNeurons.length);
  for (let i = 0; i < len; i++) {
    const t = spikeTimes[i]!;
    const n = spikeNeurons[i]!;
    if (t >= t0 && t < t1 && n >= 0 && n < nNeurons) counts[n]!++;
  }
  const span = t1 - t0;
  for (let n = 0; n < nNeurons; n++) counts[n] = counts[n]! / span;
  return counts;
}

/** Mean of xs[from..to); NaN for an empty range. */
export function meanOf(xs: ArrayLike<number>, from: number, to: number): number {
  if (to <= from) return NaN;
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return s / (to - from);
}

export interface RecallQuality {
  /** (nu_ans - nu_ctrl) / nu_as; NaN when the stimulated part is silent. */
  Q: number;
  nu_as: number;
  nu_ans: number;
  nu_ctrl: number;
}

/**
 * Q over excitatory rates: as = [0, recalled) (stimulated), ans = [recalled, assembly) (the
 * rest of the assembly, to be completed by the network), ctrl = [assembly, nExc).
 */
export function recallQuality(rates: ArrayLike<number>, assembly: number, recalled: number, nExc: number): RecallQuality {
  if (!(Number.isInteger(assembly) && Number.isInteger(recalled) && Number.isInteger(nExc))) throw new RangeError("recallQuality: sizes must be integers");
  if (!(recalled > 0 && recalled <= assembly && assembly <= nExc && nExc <= rates.length)) {
    throw new RangeError(`recallQuality: need 0 < recalled (${recalled}) <= assembly (${assembly}) <= nExc (${nExc}) <= rates (${rates.length})`);
  }
  const nu_as = meanOf(rates, 0, recalled);
  const nu_ans = meanOf(rates, recalled, assembly);
  const nu_ctrl = meanOf(rates, assembly, nExc);
  return { Q: nu_as > 0 ? (nu_ans - nu_ctrl) / nu_as : NaN, nu_as, nu_ans, nu_ctrl };
}

/** Symbol index of each value (exact equality; 0 and -0 coincide) and the symbol count. */
function symbols(x: Float64Array): { index: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const index = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let id = ids.get(x[i]!);
    if (id === undefined) {
      id = ids.size;
      ids.set(x[i]!, id);
    }
    index[i] = id;
  }
  return { index, count: ids.size };
}

/** Entropy in bits of a histogram with `total` samples. */
function entropy(counts: Iterable<number>, total: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

/**
 * Mutual information (bits) between two per-neuron rate vectors, each exact value a symbol:
 * H(X) + H(Y) - H(X,Y) over the empirical distribution across neurons (no binning, as in the
 * authors' scripts).
 */
export function mutualInformation(x: Float64Array, y: Float64Array): number {
  if (x.length !== y.length) throw new RangeError(`mutualInformation: lengths differ (${x.length} vs ${y.length})`);
  const n = x.length;
  if (n === 0) return 0;
  const sx = symbols(x);
  const sy = symbols(y);
  const cx = new Float64Array(sx.count);
  const cy = new Float64Array(sy.count);
  const joint = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const a = sx.index[i]!;
    const b = sy.index[i]!;
    cx[a]!++;
    cy[b]!++;
    const key = a * sy.count + b; // < n^2, exact in a double
    joint.set(key, (joint.get(key) ?? 0) + 1);
  }
  const mi = entropy(cx, n) + entropy(cy, n) - entropy(joint.values(), n);
  // MI >= 0; only rounding of the three sums can push it a few ulps below.
  return Math.max(0, mi);
}

export type SynapseClass = "CA->CA" | "CA->ctrl" | "ctrl->CA" | "ctrl->ctrl";
export const SYNAPSE_CLASSES: SynapseClass[] = ["CA->CA", "CA->ctrl", "ctrl->CA", "ctrl->ctrl"];

export interface ClassStats {
  class: SynapseClass;
  count: number;
  mean_h: number;
  mean_z: number;
  /** Mean total weight h + h0 z. */
  mean_w: number;
  /** Fraction with |h - h0| >= theta_tag (the model's tag, stc-model.md section 4). */
  tagged_fraction: number;
}

/**
 * Statistics of E->E synapses by class; a neuron belongs to the assembly (CA) when its index is
 * below `assembly`. Empty classes give NaN means.
 */
export function weightStats(pre: Int32Array, post: Int32Array, h: Float64Array, z: Float64Array, assembly: number, h0: number, thetaTag: number): ClassStats[] {
  const len = pre.length;
  if (post.length !== len || h.length !== len || z.length !== len) {
    throw new RangeError(`weightStats: pre, post, h, z lengths differ (${pre.length}, ${post.length}, ${h.length}, ${z.length})`);
  }
  const count = new Float64Array(4);
  const sumH = new Float64Array(4);
  const sumZ = new Float64Array(4);
  const tagged = new Float64Array(4);
  for (let i = 0; i < len; i++) {
    // Class index: bit 1 = pre outside CA, bit 0 = post outside CA (order of SYNAPSE_CLASSES).
    const c = (pre[i]! < assembly ? 0 : 2) + (post[i]! < assembly ? 0 : 1);
    count[c]!++;
    sumH[c]! += h[i]!;
    sumZ[c]! += z[i]!;
    if (Math.abs(h[i]! - h0) >= thetaTag) tagged[c]!++;
  }
  return SYNAPSE_CLASSES.map((cls, c) => {
    const n = count[c]!;
    const mean_h = n > 0 ? sumH[c]! / n : NaN;
    const mean_z = n > 0 ? sumZ[c]! / n : NaN;
    return { class: cls, count: n, mean_h, mean_z, mean_w: mean_h + h0 * mean_z, tagged_fraction: n > 0 ? tagged[c]! / n : NaN };
  });
}

/**
 * Population rate (Hz per neuron) of each group of neurons [from, to) in bins of `binS` from t0
 * (the last bin may extend past t1). For the rate plots.
 */
export function binnedRates(spikeTimes: Float64Array, spikeNeurons: Int32Array, groups: [number, number][], t0: number, t1: number, binS: number): { time: Float64Array; values: Float64Array[] } {
  const nBins = Math.max(1, Math.ceil((t1 - t0) / binS - 1e-9));
  const values = groups.map(() => new Float64Array(nBins));
  const len = Math.min(spikeTimes.length, spikeNeurons.length);
  for (let i = 0; i < len; i++) {
    const t = spikeTimes[i]!;
    if (!(t >= t0 && t < t0 + nBins * binS)) continue;
    const n = spikeNeurons[i]!;
    const b = Math.min(nBins - 1, Math.floor((t - t0) / binS));
    for (let g = 0; g < groups.length; g++) if (n >= groups[g]![0] && n < groups[g]![1]) values[g]![b]!++;
  }
  groups.forEach(([from, to], g) => {
    const scale = to > from ? 1 / ((to - from) * binS) : NaN;
    for (let b = 0; b < nBins; b++) values[g]![b] = values[g]![b]! * scale;
  });
  return { time: Float64Array.from({ length: nBins }, (_, b) => t0 + (b + 0.5) * binS), values };
}
