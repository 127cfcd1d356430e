/**
 * A periodic input stream (issue 14, the poster's conclusion 2: periodic against non-periodic
 * tasks): u(t) = sum_i a_i sin(2 pi t / P_i + phi_i) / sum_i |a_i| for t = 0, 1, ... samples, so
 * |u| <= 1 exactly and the series does not depend on its length (unlike a min-max scaling).
 * Phases not given are drawn U[0, 2 pi) from the stream's seed, one per period in order; optional
 * white noise N(0, noise^2), drawn after the phases from the same generator, is added after the
 * scaling (it makes the series only partly predictable).
 */
import { Rng } from "../../util/rng.ts";
import { StreamError } from "./stream-error.ts";

export interface PeriodicParams {
  /** Periods in samples (> 1: a period of one sample or less is aliased). */
  periods: number[];
  /** One amplitude per period (default 1 each). */
  amplitudes?: number[];
  /** One phase per period, radians (default: drawn from the seed). */
  phases?: number[];
  /** SD of the added white noise (default 0). */
  noise?: number;
  /** The stream's own seed (default: the network seed). */
  seed?: number;
}

export function periodicSeries(p: PeriodicParams, length: number, networkSeed: number): Float64Array {
  const n = p.periods.length;
  for (const key of ["amplitudes", "phases"] as const) {
    const given = p[key];
    if (given && given.length !== n) throw new StreamError(`periodic.${key} lists ${given.length} value(s) for ${n} period(s)`, `give one ${key.slice(0, -1)} per period`, String(given.length));
  }
  const amplitudes = p.amplitudes ?? p.periods.map(() => 1);
  const rng = new Rng(p.seed ?? networkSeed, "stream:periodic");
  // Drawn even when given, so adding phases to a file does not shift the noise it draws.
  const drawn = p.periods.map(() => 2 * Math.PI * rng.uniform());
  const phases = p.phases ?? drawn;
  let norm = 0;
  for (let i = 0; i < n; i++) norm += Math.abs(amplitudes[i]!);
  if (norm === 0) throw new StreamError("periodic.amplitudes are all 0: the series would be 0/0", "give at least one non-zero amplitude", "0");
  const noise = p.noise ?? 0;
  const out = new Float64Array(length);
  for (let t = 0; t < length; t++) {
    let u = 0;
    for (let i = 0; i < n; i++) u += amplitudes[i]! * Math.sin((2 * Math.PI * t) / p.periods[i]! + phases[i]!);
    out[t] = u / norm + (noise > 0 ? noise * rng.normal() : 0);
  }
  return out;
}
