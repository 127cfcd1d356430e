/**
 * Mackey-Glass series dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t), generated
 * deterministically (seed-models.md F, "our default"): classical RK4 with step h, the delayed value
 * linearly interpolated between grid points, constant history x(t <= 0) = x0, one sample per time
 * unit. Float64 with a fixed operation order, so the series is the same on every platform.
 */
export interface MackeyGlassParams {
  tau: number;
  beta: number;
  gamma: number;
  n: number;
  x0: number;
  /** RK4 step in time units; 1/step must be a whole number of steps per sample. */
  step: number;
}

export const MG_DEFAULTS: MackeyGlassParams = { tau: 17, beta: 0.2, gamma: 0.1, n: 10, x0: 1.2, step: 0.1 };

/** Series already integrated in this process (a study runs the same stream in every run); bounded. */
const known = new Map<string, Float64Array>();

/** x(0), x(1), ..., x(samples - 1) (unscaled). */
export function mackeyGlass(p: MackeyGlassParams, samples: number): Float64Array {
  const key = JSON.stringify([p.tau, p.beta, p.gamma, p.n, p.x0, p.step, samples]);
  let x = known.get(key);
  if (!x) {
    x = integrate(p, samples);
    if (known.size >= 8) known.delete(known.keys().next().value!);
    known.set(key, x);
  }
  return x.slice(); // a copy: callers may scale it in place
}

function integrate(p: MackeyGlassParams, samples: number): Float64Array {
  const perSample = Math.round(1 / p.step);
  if (Math.abs(perSample * p.step - 1) > 1e-9) throw new RangeError(`mackey_glass step ${p.step} does not divide one time unit`);
  const h = 1 / perSample;
  const steps = (samples - 1) * perSample;
  const x = new Float64Array(steps + 1);
  x[0] = p.x0;
  const lag = p.tau / h; // delay in grid steps (may be fractional)
  // x at fractional grid position s (s <= 0: the constant history).
  const at = (s: number): number => {
    if (s <= 0) return p.x0;
    const i = Math.floor(s);
    const f = s - i;
    return f === 0 ? x[i]! : x[i]! + f * (x[i + 1]! - x[i]!);
  };
  const rhs = (xt: number, xd: number) => (p.beta * xd) / (1 + Math.pow(xd, p.n)) - p.gamma * xt;
  for (let k = 0; k < steps; k++) {
    const d0 = at(k - lag);
    const dh = at(k + 0.5 - lag);
    const d1 = at(k + 1 - lag);
    const xk = x[k]!;
    const k1 = rhs(xk, d0);
    const k2 = rhs(xk + 0.5 * h * k1, dh);
    const k3 = rhs(xk + 0.5 * h * k2, dh);
    const k4 = rhs(xk + h * k3, d1);
    x[k + 1] = xk + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) out[i] = x[i * perSample]!;
  return out;
}

/** Min-max scaling to [-1, 1] (seed-models.md F). */
export function scaleToUnit(v: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const out = new Float64Array(v.length);
  const span = hi - lo;
  for (let i = 0; i < v.length; i++) out[i] = span > 0 ? (2 * (v[i]! - lo)) / span - 1 : 0;
  return out;
}
