/**
 * The capacity of recorded states for one target (Dambre et al. 2012; seed-models.md E step 3):
 *   C[z] = 1 - min_w <(z - Xw)^2> / <z^2> = p' R^+ p / <z^2>,  p = X'z / T,  R = X'X / T,
 * with every state column and the target centred (an intercept). R is factorised once
 * (symmetric eigendecomposition, ml-matrix) and the whitening W = V_r L_r^(-1/2) over the
 * eigenvalues above a relative tolerance is reused for every target: C = |W'p|^2 / <z^2>.
 * The per-target work is p (T x N multiply-adds); everything else is N x r. Targets are
 * evaluated in batches (`capacities`), the products for a batch in one pass: by default with the
 * WebAssembly SIMD kernel (src/util/f64-dots.ts; the states then live in its memory), else with
 * the plain-JS loops of products.ts ("js"), whose every sum runs in the order t = 0 ... T - 1.
 * The two agree to rounding (~1e-13 relative; tests/analysis/ipc/kernel.test.ts).
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { dot, productsBatch } from "./products.ts";
import { DotArena, wasmDotsAvailable } from "../../util/f64-dots.ts";

/** "wasm": the SIMD kernel (the default where WebAssembly SIMD exists); "js": plain loops. */
export type IpcKernel = "wasm" | "js";

/** Targets per kernel call (capacities() splits larger batches). */
const WASM_BATCH = 16;

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
  /** p = X'z of each target of a batch (k x N), reused. */
  private p: Float64Array;
  private zz = new Float64Array(1);
  /** Targets evaluated so far. */
  evaluated = 0;

  readonly kernel: IpcKernel;
  /** wasm: the arena holding the columns (stride `stride`), the batch's targets and products. */
  private readonly arena?: DotArena;
  private readonly stride: number;
  private readonly at = { x: 0, z: 0, p: 0 };

  /** Target buffers handed out by `buffers` (in the kernel's memory for "wasm": no copy per batch). */
  private readonly slots: Float64Array[];

  /** states: T rows of N values (row-major); slots: target buffers `buffers()` hands out. */
  constructor(states: Float64Array, samples: number, units: number, kernel: IpcKernel = wasmDotsAvailable() ? "wasm" : "js", slots = WASM_BATCH) {
    if (states.length !== samples * units) throw new RangeError(`states hold ${states.length} values, not ${samples} x ${units}`);
    this.samples = samples;
    this.units = units;
    const T = samples, N = units;
    // Columns padded to an even length with zeros (the kernel's two lanes); the pad adds nothing.
    this.stride = T + (T & 1);
    if (kernel === "wasm") {
      const S = this.stride;
      const Z = Math.max(slots, WASM_BATCH);
      this.arena = DotArena.tryCreate(S * (N + Z) + 2 * Z * N + 16);
      if (this.arena) this.at = { x: this.arena.alloc(S * N), z: this.arena.alloc(S * Z), p: this.arena.alloc(Z * N) };
      else kernel = "js"; // states beyond a WebAssembly memory (4 GiB): plain-JS products, same results to rounding
    }
    this.kernel = kernel;
    this.slots = Array.from({ length: slots }, (_, b) => (this.arena ? this.arena.view(this.at.z + b * this.stride, T) : new Float64Array(T)));
    this.columns = Array.from({ length: N }, (_, j) => {
      const c = this.arena ? this.arena.view(this.at.x + j * this.stride, T) : new Float64Array(T);
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
    // R with the plain sequential dot in both kernels, bit-identical to the estimator before the
    // SIMD kernel: near-linear reservoirs have eigenvalues over many decades, and any other rounding
    // of R moves their capacities in the 4th digit (the kernel's rounding of p moves them by ~1e-10).
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

  /** Buffers of length T to build targets in; passing them (in order) to `capacities` saves a copy. */
  buffers(): readonly Float64Array[] {
    return this.slots;
  }

  /** Capacity of target z (length T; centred here, in place). 0 for a constant target. */
  capacity(z: Float64Array): number {
    const out = new Float64Array(1);
    this.capacities([z], 1, out);
    return out[0]!;
  }

  /**
   * Capacities of the targets zs[0..k) (each centred in place) into out[0..k): the same numbers,
   * bit for bit, as k calls of `capacity` (products.ts keeps every sum's order), computed with
   * one pass over the states per batch.
   */
  capacities(zs: Float64Array[], k: number, out: Float64Array): void {
    const T = this.samples, N = this.units, r = this.rank;
    this.evaluated += k;
    if (this.p.length < k * N) this.p = new Float64Array(k * N);
    if (this.zz.length < k) this.zz = new Float64Array(k);
    for (let b = 0; b < k; b++) {
      const z = zs[b]!;
      let mean = 0;
      for (let t = 0; t < T; t++) mean += z[t]!;
      mean /= T;
      let zz = 0;
      for (let t = 0; t < T; t++) zz += (z[t]! -= mean) ** 2;
      this.zz[b] = zz;
    }
    if (this.arena) this.productsWasm(zs, k);
    else productsBatch(this.columns, zs, k, T, this.p);
    for (let b = 0; b < k; b++) {
      const zz = this.zz[b]!;
      if (!(zz > 0)) {
        out[b] = 0;
        continue;
      }
      const o = b * N;
      for (let i = 0; i < N; i++) this.p[o + i]! /= T;
      let c = 0;
      for (let q = 0; q < r; q++) {
        let s = 0;
        for (let i = 0; i < N; i++) s += this.whiten[i * r + q]! * this.p[o + i]!;
        c += s * s;
      }
      out[b] = c / (zz / T);
    }
  }

  /** this.p[b * N + j] = X_j . zs[b] with the SIMD kernel, WASM_BATCH targets per call. */
  private productsWasm(zs: Float64Array[], k: number): void {
    const ar = this.arena!, f = ar.f64, N = this.units, S = this.stride;
    if (k <= this.slots.length && zs.slice(0, k).every((z, b) => z === this.slots[b])) {
      // Built in place by the caller (buffers()): one call over the whole batch.
      f.fill(0, this.at.p, this.at.p + k * N);
      ar.dots(this.at.x, S, N, this.at.z, S, k, 0, S, this.at.p, N);
      this.p.set(f.subarray(this.at.p, this.at.p + k * N));
      return;
    }
    // Targets from elsewhere are copied into the kernel's memory; any that already live there
    // (buffers() out of order) are copied out first, so that no copy overwrites another target.
    if (zs.slice(0, k).some((z) => z.buffer === f.buffer)) zs = zs.slice(0, k).map((z) => Float64Array.from(z));
    for (let b0 = 0; b0 < k; b0 += WASM_BATCH) {
      const nb = Math.min(WASM_BATCH, k - b0);
      for (let b = 0; b < nb; b++) f.set(zs[b0 + b]!.subarray(0, this.samples), this.at.z + b * S);
      f.fill(0, this.at.p, this.at.p + nb * N);
      ar.dots(this.at.x, S, N, this.at.z, S, nb, 0, S, this.at.p, N);
      this.p.set(f.subarray(this.at.p, this.at.p + nb * N), b0 * N);
    }
  }
}
