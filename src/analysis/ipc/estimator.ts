/**
 * The capacity of recorded states for one target (Dambre et al. 2012; seed-models.md E step 3):
 *   C[z] = 1 - min_w <(z - Xw)^2> / <z^2> = p' R^+ p / <z^2>,  p = X'z / T,  R = X'X / T,
 * with every state column and the target centred (an intercept). R is factorised once
 * (symmetric eigendecomposition, ml-matrix) and the whitening W = V_r L_r^(-1/2) over the
 * eigenvalues above a relative tolerance is reused for every target: C = |W'p|^2 / <z^2>.
 * The per-target work is p (T x N multiply-adds); everything else is N x r.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** Eigenvalues below this fraction of the largest count as zero (rank and pseudo-inverse). */
export const RANK_TOLERANCE = 1e-14;

export class CapacityEstimator {
  readonly samples: number;
  readonly units: number;
  /** Rank of the (centred, z-scored) states. */
  readonly rank: number;
  /** Column-major states, each column z-scored (constant columns left at zero). */
  private readonly columns: Float64Array[];
  /** N x r whitening, row-major. */
  private readonly whiten: Float64Array;
  private readonly p: Float64Array;
  /** Targets evaluated so far. */
  evaluated = 0;

  /** states: T rows of N values (row-major). */
  constructor(states: Float64Array, samples: number, units: number) {
    if (states.length !== samples * units) throw new RangeError(`states hold ${states.length} values, not ${samples} x ${units}`);
    this.samples = samples;
    this.units = units;
    const T = samples, N = units;
    this.columns = Array.from({ length: N }, (_, j) => {
      const c = new Float64Array(T);
      let mean = 0;
      for (let t = 0; t < T; t++) mean += (c[t] = states[t * N + j]!);
      mean /= T;
      let ss = 0;
      for (let t = 0; t < T; t++) ss += (c[t]! -= mean) ** 2;
      const sd = Math.sqrt(ss / T);
      if (sd > 0 && sd > 1e-12 * (Math.abs(mean) + 1)) for (let t = 0; t < T; t++) c[t]! /= sd;
      else c.fill(0);
      return c;
    });
    const R = new Matrix(N, N);
    for (let i = 0; i < N; i++) {
      for (let j = i; j < N; j++) {
        const v = dot(this.columns[i]!, this.columns[j]!, T) / T;
        R.set(i, j, v);
        R.set(j, i, v);
      }
    }
    const eig = new EigenvalueDecomposition(R, { assumeSymmetric: true });
    const values = eig.realEigenvalues;
    const V = eig.eigenvectorMatrix;
    const top = Math.max(0, ...values);
    const keep = values.map((l, k) => [l, k] as const).filter(([l]) => l > RANK_TOLERANCE * top && l > 0);
    this.rank = keep.length;
    this.whiten = new Float64Array(N * this.rank);
    keep.forEach(([l, k], c) => {
      const s = 1 / Math.sqrt(l);
      for (let i = 0; i < N; i++) this.whiten[i * this.rank + c] = V.get(i, k) * s;
    });
    this.p = new Float64Array(N);
  }

  /** Capacity of target z (length T; centred here, in place). 0 for a constant target. */
  capacity(z: Float64Array): number {
    const T = this.samples, N = this.units, r = this.rank;
    this.evaluated++;
    let mean = 0;
    for (let t = 0; t < T; t++) mean += z[t]!;
    mean /= T;
    let zz = 0;
    for (let t = 0; t < T; t++) zz += (z[t]! -= mean) ** 2;
    if (!(zz > 0)) return 0;
    let j = 0;
    for (; j + 3 < N; j += 4) dot4(this.columns, j, z, T, this.p);
    for (; j < N; j++) this.p[j] = dot(this.columns[j]!, z, T);
    for (let i = 0; i < N; i++) this.p[i]! /= T;
    let c = 0;
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += this.whiten[i * r + k]! * this.p[i]!;
      c += s * s;
    }
    return c / (zz / T);
  }
}

/**
 * out[j..j+3] = columns[j..j+3] . z in one pass: each z value is loaded once for four columns,
 * about 15-20 % less CPU than four separate dot products (measured in this file's benchmark,
 * docs/benchmarks.md). The products are the estimator's hot loop.
 */
function dot4(columns: Float64Array[], j: number, z: Float64Array, n: number, out: Float64Array): void {
  const a = columns[j]!, b = columns[j + 1]!, c = columns[j + 2]!, d = columns[j + 3]!;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let t = 0; t < n; t++) {
    const w = z[t]!;
    s0 += a[t]! * w;
    s1 += b[t]! * w;
    s2 += c[t]! * w;
    s3 += d[t]! * w;
  }
  out[j] = s0;
  out[j + 1] = s1;
  out[j + 2] = s2;
  out[j + 3] = s3;
}

/** Dot product with four accumulators (independent dependency chains run faster in V8). */
function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t = 0;
  for (; t + 3 < n; t += 4) {
    s0 += a[t]! * b[t]!;
    s1 += a[t + 1]! * b[t + 1]!;
    s2 += a[t + 2]! * b[t + 2]!;
    s3 += a[t + 3]! * b[t + 3]!;
  }
  for (; t < n; t++) s0 += a[t]! * b[t]!;
  return s0 + s1 + s2 + s3;
}
