/**
 * The estimator's hot loop, p = X'z, for k targets at once (P = X'Z, N x k). Written by hand
 * (plain JS on Float64Array) because ml-matrix's mmul works on arrays of JS arrays and would need
 * a copy of the 10^7-value state matrix per call.
 *
 * Bit-identical to the one-target loop it replaces: every sum p[j] = sum_t X[t, j] z[t] is
 * accumulated with its own accumulator in the order t = 0, 1, ..., T - 1 (the accumulator is
 * parked in `out` between time chunks, which is exact), and columns past the last full group of
 * four use the same four-way-split `dot` as before. The speed comes from
 *  - register blocking: four state columns x two targets per pass, eight accumulators, so each
 *    loaded value feeds two or four multiply-adds instead of one (four x four measured no faster:
 *    V8 has 16 float registers);
 *  - time chunks: within CHUNK samples, four state columns stay in cache while every target of
 *    the batch passes them, so the state matrix is read from memory once per batch, not once per
 *    target. Measured (docs/benchmarks.md): 0.5-0.75 of the one-target CPU time per target.
 */

/** Samples per time chunk: four state columns and a batch of 8 targets, 12 x 1024 x 8 B = 96 KB, stay in L2. */
const CHUNK = 1024;

/** out[b * N + j] = columns[j] . zs[b] for b < k, j < N (zs[b] of length T). */
export function productsBatch(columns: Float64Array[], zs: Float64Array[], k: number, T: number, out: Float64Array): void {
  const N = columns.length;
  const full = N - (N % 4);
  out.fill(0, 0, k * N);
  // One target: no chunking (nothing to reuse), the loop the estimator had before batching.
  if (k === 1) for (let j = 0; j < full; j += 4) block4x1(columns, j, zs[0]!, 0, T, out, 0);
  else for (let t0 = 0; t0 < T; t0 += CHUNK) {
    const t1 = Math.min(T, t0 + CHUNK);
    for (let j = 0; j < full; j += 4) {
      let b = 0;
      for (; b + 1 < k; b += 2) block4x2(columns, j, zs[b]!, zs[b + 1]!, t0, t1, out, b * N, (b + 1) * N);
      if (b < k) block4x1(columns, j, zs[b]!, t0, t1, out, b * N);
    }
  }
  for (let b = 0; b < k; b++) for (let j = full; j < N; j++) out[b * N + j] = dot(columns[j]!, zs[b]!, T);
}

function block4x2(columns: Float64Array[], j: number, y: Float64Array, z: Float64Array, t0: number, t1: number, out: Float64Array, oy: number, oz: number): void {
  const a = columns[j]!, b = columns[j + 1]!, c = columns[j + 2]!, d = columns[j + 3]!;
  let a0 = out[oy + j]!, b0 = out[oy + j + 1]!, c0 = out[oy + j + 2]!, d0 = out[oy + j + 3]!;
  let a1 = out[oz + j]!, b1 = out[oz + j + 1]!, c1 = out[oz + j + 2]!, d1 = out[oz + j + 3]!;
  for (let t = t0; t < t1; t++) {
    const u = y[t]!, w = z[t]!;
    const xa = a[t]!, xb = b[t]!, xc = c[t]!, xd = d[t]!;
    a0 += xa * u;
    b0 += xb * u;
    c0 += xc * u;
    d0 += xd * u;
    a1 += xa * w;
    b1 += xb * w;
    c1 += xc * w;
    d1 += xd * w;
  }
  out[oy + j] = a0;
  out[oy + j + 1] = b0;
  out[oy + j + 2] = c0;
  out[oy + j + 3] = d0;
  out[oz + j] = a1;
  out[oz + j + 1] = b1;
  out[oz + j + 2] = c1;
  out[oz + j + 3] = d1;
}

function block4x1(columns: Float64Array[], j: number, z: Float64Array, t0: number, t1: number, out: Float64Array, o: number): void {
  const a = columns[j]!, b = columns[j + 1]!, c = columns[j + 2]!, d = columns[j + 3]!;
  let s0 = out[o + j]!, s1 = out[o + j + 1]!, s2 = out[o + j + 2]!, s3 = out[o + j + 3]!;
  for (let t = t0; t < t1; t++) {
    const w = z[t]!;
    s0 += a[t]! * w;
    s1 += b[t]! * w;
    s2 += c[t]! * w;
    s3 += d[t]! * w;
  }
  out[o + j] = s0;
  out[o + j + 1] = s1;
  out[o + j + 2] = s2;
  out[o + j + 3] = s3;
}

/** Dot product with four accumulators (independent dependency chains run faster in V8). */
export function dot(a: Float64Array, b: Float64Array, n: number): number {
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
