/**
 * The battery's fits with the WebAssembly SIMD dot kernel (src/util/f64-dots.ts): the same ridge
 * regression as ridge.ts (one Gram matrix G = A'A + lambda diag(1, ..., 1, 0) of A = [X 1],
 * factorised once by ml-matrix's Cholesky, all targets as right-hand sides), with G, A'Y and the
 * test predictions as kernel calls instead of typed-array loops. Equal to ridge.ts to rounding
 * (tests/reservoir/ridge-wasm.test.ts).
 *
 * Layout in the kernel's memory: train design columns (features, then the ones column) and train
 * targets column-major (one task per column, padded to an even length); test design row-major
 * (one sample per row: features, 1, pad) and the weights column-major (one task per column, same
 * order), so every prediction is one dot product of length features + 1.
 */
import { CholeskyDecomposition, Matrix, solve } from "ml-matrix";
import { DotArena } from "../../util/f64-dots.ts";

const even = (n: number) => n + (n & 1);

/** One arena reused across fits (reset, or replaced by a larger one): a fresh 40 MB memory per fit cost as much as the products. */
let arena: DotArena | undefined;
function arenaFor(doubles: number): DotArena | undefined {
  if (arena && arena.f64.length >= doubles + 16) arena.reset();
  else arena = DotArena.tryCreate(doubles);
  return arena;
}

/**
 * R^2 on the test samples of every task j < m. target(j, test, into) writes task j's train (test
 * false) or test (test true) values into `into` (length = samples of that split). Undefined if the
 * problem does not fit a WebAssembly memory (the caller then fits in plain JS).
 */
export function ridgeScoresWasm(train: Float64Array[], test: Float64Array[], m: number, lambda: number, target: (j: number, test: boolean, into: Float64Array) => void): Float64Array | undefined {
  const n = train.length, F = n + 1;
  const rowsTr = train[0]!.length, rowsTe = test[0]!.length;
  const St = even(rowsTr), P = even(F);
  const ar = arenaFor(F * St + m * St + F * F + F * m + rowsTe * P + m * P + m * rowsTe + 16);
  if (!ar) return undefined;
  const f = ar.f64;
  // Train: A = [X 1] and Y, column-major.
  const A = ar.alloc(F * St), Y = ar.alloc(m * St), G = ar.alloc(F * F), AY = ar.alloc(F * m);
  for (let a = 0; a < n; a++) f.set(train[a]!, A + a * St);
  f.fill(1, A + n * St, A + n * St + rowsTr);
  for (let j = 0; j < m; j++) target(j, false, ar.view(Y + j * St, rowsTr));
  ar.dots(A, St, F, A, St, F, 0, St, G, F);
  ar.dots(A, St, F, Y, St, m, 0, St, AY, F);
  const Gm = new Matrix(F, F);
  for (let a = 0; a < F; a++) for (let b = a; b < F; b++) {
    const v = f[G + b * F + a]!; // A_a . A_b; the upper half, mirrored
    Gm.set(a, b, v);
    Gm.set(b, a, v);
  }
  for (let a = 0; a < n; a++) Gm.set(a, a, Gm.get(a, a) + lambda);
  const B = new Matrix(F, m);
  for (let j = 0; j < m; j++) for (let a = 0; a < F; a++) B.set(a, j, f[AY + j * F + a]!);
  const chol = new CholeskyDecomposition(Gm);
  // Without a ridge term G may be singular: then the minimum-norm least-squares solution (SVD).
  const W = chol.isPositiveDefinite() ? chol.solve(B) : solve(Gm, B, true);
  // Test: design rows and weight columns, then one dot per (sample, task).
  const X = ar.alloc(rowsTe * P), Wc = ar.alloc(m * P), Yhat = ar.alloc(m * rowsTe);
  for (let a = 0; a < n; a++) {
    const col = test[a]!;
    for (let i = 0; i < rowsTe; i++) f[X + i * P + a] = col[i]!;
  }
  for (let i = 0; i < rowsTe; i++) f[X + i * P + n] = 1;
  for (let a = 0; a < F; a++) {
    const row = W.getRow(a);
    for (let j = 0; j < m; j++) f[Wc + j * P + a] = row[j]!;
  }
  ar.dots(X, P, rowsTe, Wc, P, m, 0, P, Yhat, rowsTe);
  // R^2 per task, as rSquared in ridge.ts.
  const y = new Float64Array(rowsTe), r2 = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    target(j, true, y);
    let mean = 0;
    for (let i = 0; i < rowsTe; i++) mean += y[i]!;
    mean /= rowsTe;
    let res = 0, tot = 0;
    for (let i = 0; i < rowsTe; i++) {
      res += (y[i]! - f[Yhat + j * rowsTe + i]!) ** 2;
      tot += (y[i]! - mean) ** 2;
    }
    r2[j] = tot > 0 ? 1 - res / tot : NaN;
  }
  return r2;
}
