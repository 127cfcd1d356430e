/**
 * Ridge regression with bias through ml-matrix (a maintained package; no hand-written solver).
 * One Gram matrix G = A^T A + lambda diag(1, ..., 1, 0) of the design A = [X 1] (the bias is not
 * penalised), factorised once by Cholesky and solved for all targets at once (many right-hand sides).
 */
import { CholeskyDecomposition, Matrix, solve } from "ml-matrix";

export interface RidgeFit {
  /** (features + 1) x targets: the last row is the bias. */
  weights: Matrix;
}

/** X: samples x features, Y: samples x targets. */
export function fitRidge(X: Matrix, Y: Matrix, lambda: number): RidgeFit {
  const A = withBias(X);
  const At = A.transpose();
  const G = At.mmul(A);
  for (let i = 0; i < X.columns; i++) G.set(i, i, G.get(i, i) + lambda);
  const B = At.mmul(Y);
  const chol = new CholeskyDecomposition(G);
  // Without a ridge term G may be singular: then the minimum-norm least-squares solution (SVD).
  const weights = chol.isPositiveDefinite() ? chol.solve(B) : solve(G, B, true);
  return { weights };
}

export function predict(fit: RidgeFit, X: Matrix): Matrix {
  return withBias(X).mmul(fit.weights);
}

function withBias(X: Matrix): Matrix {
  const A = new Matrix(X.rows, X.columns + 1);
  for (let r = 0; r < X.rows; r++) {
    for (let c = 0; c < X.columns; c++) A.set(r, c, X.get(r, c));
    A.set(r, X.columns, 1);
  }
  return A;
}

/** R^2 = 1 - sum (y - yhat)^2 / sum (y - mean y)^2 per column, on the given (test) rows. */
export function rSquared(Y: Matrix, Yhat: Matrix): Float64Array {
  const out = new Float64Array(Y.columns);
  for (let j = 0; j < Y.columns; j++) {
    let mean = 0;
    for (let i = 0; i < Y.rows; i++) mean += Y.get(i, j);
    mean /= Y.rows;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < Y.rows; i++) {
      const y = Y.get(i, j);
      res += (y - Yhat.get(i, j)) ** 2;
      tot += (y - mean) ** 2;
    }
    out[j] = tot > 0 ? 1 - res / tot : NaN;
  }
  return out;
}
