/**
 * A plain echo-state network x(t) = f(W x(t-1) + w_in u(t)) driven by i.i.d. U[-1, 1] input: the
 * system of seed-models.md E's measured table, used to validate the estimator and to benchmark it
 * independently of the compiler. W: i.i.d. normal entries scaled to spectral radius rho;
 * w_in: i.i.d. U[-scale, scale].
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { Rng } from "../../util/rng.ts";

export interface EsnOptions {
  units: number;
  samples: number;
  washout: number;
  inputScale: number;
  spectralRadius: number;
  activation: "linear" | "tanh";
  seed: number;
}

/** u has washout + samples values; state row k follows u[washout + k]. */
export function runEsn(o: EsnOptions): { u: Float64Array; states: Float64Array } {
  const N = o.units;
  const rng = new Rng(o.seed, "ipc-esn");
  const W = new Matrix(N, N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) W.set(i, j, rng.normal());
  const e = new EigenvalueDecomposition(W);
  const radius = Math.max(...e.realEigenvalues.map((re, k) => Math.hypot(re, e.imaginaryEigenvalues[k]!)));
  const w = Float64Array.from(W.to1DArray(), (x) => (x * o.spectralRadius) / radius);
  const win = Float64Array.from({ length: N }, () => o.inputScale * (2 * rng.uniform() - 1));
  const total = o.washout + o.samples;
  const u = Float64Array.from({ length: total }, () => 2 * rng.uniform() - 1);
  let x = new Float64Array(N), next = new Float64Array(N);
  const states = new Float64Array(o.samples * N);
  const tanh = o.activation === "tanh";
  for (let t = 0; t < total; t++) {
    for (let i = 0; i < N; i++) {
      let s = win[i]! * u[t]!;
      for (let j = 0; j < N; j++) s += w[i * N + j]! * x[j]!;
      next[i] = tanh ? Math.tanh(s) : s;
    }
    [x, next] = [next, x];
    if (t >= o.washout) states.set(x, (t - o.washout) * N);
  }
  return { u, states };
}
