/**
 * Gamma(shape k, scale theta) draws from the project's seeded Rng. Written here because the draw
 * must come from that generator's stream (same seed, bit-identical network); the maintained
 * samplers bring their own generators. Method: Marsaglia & Tsang 2000 ("A simple method for
 * generating gamma variables"), with the k < 1 boost Gamma(k) = Gamma(k + 1) U^(1/k).
 */
import type { Rng } from "../../util/rng.ts";

export function drawGamma(rng: Rng, shape: number, scale: number): number {
  if (shape < 1) {
    const g = drawGamma(rng, shape + 1, 1);
    return scale * g * Math.pow(rng.uniformPositive(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniformPositive();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return scale * d * v;
  }
}
