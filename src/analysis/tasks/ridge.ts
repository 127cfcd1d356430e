/**
 * Ridge regression with bias; the linear solve is ml-matrix's Cholesky (a maintained package; no
 * hand-written solver). One Gram matrix G = A^T A + lambda diag(1, ..., 1, 0) of the design
 * A = [X 1] (the bias is not penalised) is factorised once and solved for all targets at once
 * (many right-hand sides). G, A^T Y and the test predictions are accumulated here over typed
 * arrays (features as columns, targets row-major, the inner loop running over the targets), which
 * is several times faster than element access through Matrix for thousands of samples.
 */
import { CholeskyDecomposition, Matrix, solve } from "ml-matrix";

/** Targets: `rows` samples x `m` targets, row-major. */
export interface Targets {
  data: Float64Array;
  m: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** Weights, (features + 1) x m row-major; row `features` is the bias. */
export function fitRidge(features: Float64Array[], y: Targets, lambda: number): Float64Array {
  const n = features.length;
  const { data, m } = y;
  const rows = data.length / m;
  const G = new Matrix(n + 1, n + 1);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      const v = dot(features[a]!, features[b]!);
      G.set(a, b, v);
      G.set(b, a, v);
    }
    const s = sum(features[a]!);
    G.set(a, n, s);
    G.set(n, a, s);
    G.set(a, a, G.get(a, a) + lambda);
  }
  G.set(n, n, rows);
  // A^T Y, row-major (n + 1) x m.
  const aty = new Float64Array((n + 1) * m);
  for (let a = 0; a <= n; a++) {
    const f = a < n ? features[a]! : null;
    const base = a * m;
    for (let i = 0; i < rows; i++) {
      const x = f ? f[i]! : 1;
      const r = i * m;
      for (let j = 0; j < m; j++) aty[base + j]! += x * data[r + j]!;
    }
  }
  const B = new Matrix(n + 1, m);
  for (let a = 0; a <= n; a++) for (let j = 0; j < m; j++) B.set(a, j, aty[a * m + j]!);
  const chol = new CholeskyDecomposition(G);
  // Without a ridge term G may be singular: then the minimum-norm least-squares solution (SVD).
  const W = chol.isPositiveDefinite() ? chol.solve(B) : solve(G, B, true);
  const w = new Float64Array((n + 1) * m);
  for (let a = 0; a <= n; a++) for (let j = 0; j < m; j++) w[a * m + j] = W.get(a, j);
  return w;
}

/** Predictions, samples x m row-major. */
export function predict(w: Float64Array, features: Float64Array[], m: number): Float64Array {
  const n = features.length;
  const rows = features[0]!.length;
  const out = new Float64Array(rows * m);
  for (let i = 0; i < rows; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) out[r + j] = w[n * m + j]!;
    for (let a = 0; a < n; a++) {
      const x = features[a]![i]!;
      const base = a * m;
      for (let j = 0; j < m; j++) out[r + j]! += x * w[base + j]!;
    }
  }
  return out;
}

/** R^2 = 1 - sum (y - yhat)^2 / sum (y - mean y)^2 per target (NaN for a constant target). */
export function rSquared(y: Targets, yhat: Float64Array): Float64Array {
  const { data, m } = y;
  const rows = data.length / m;
  const mean = new Float64Array(m);
  for (let i = 0; i < rows; i++) for (let j = 0; j < m; j++) mean[j]! += data[i * m + j]!;
  for (let j = 0; j < m; j++) mean[j]! /= rows;
  const res = new Float64Array(m);
  const tot = new Float64Array(m);
  for (let i = 0; i < rows; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) {
      const v = data[r + j]!;
      res[j]! += (v - yhat[r + j]!) ** 2;
      tot[j]! += (v - mean[j]!) ** 2;
    }
  }
  return Float64Array.from(res, (s, j) => (tot[j]! > 0 ? 1 - s / tot[j]! : NaN));
}
