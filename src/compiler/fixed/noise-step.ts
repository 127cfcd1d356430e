/**
 * Trial-to-trial noise advanced in lumps (variation.ts, lower.ts): instead of one draw per tick,
 * an analog variable x receives one draw every `period` ticks, sized so that the lump equals
 * what `period` per-tick draws would have added once the deterministic decay in between has
 * acted on them. For x_{t+1} = a x_t + s N_t (decay a per tick, per-tick SD s):
 *
 *   x_{t+k} = a^k x_t + s sqrt((1 - a^(2k)) / (1 - a^2)) N
 *
 * in distribution. The analog kernel applies the decay a^k (tick by tick, without noise), and a
 * noise kernel running every k ticks adds the second term, so at the kernel's ticks x has the
 * distribution of per-tick noisy stepping, and the stationary SD s / sqrt(1 - a^2) is kept.
 * Between them x relaxes without noise, so the emulator can jump once it settles.
 */

/**
 * The SD of the lump over k ticks: s sqrt((1 - a^(2k)) / (1 - a^2)), 0 < a < 1, k >= 1
 * (via expm1, so a near 1 loses no digits). k = 1 gives s.
 */
export function lumpedNoiseSd(perTickSd: number, decayPerTick: number, ticks: number): number {
  if (!(decayPerTick > 0 && decayPerTick < 1)) throw new Error(`lumped noise needs a decay factor in (0, 1), got ${decayPerTick}`);
  if (!(Number.isInteger(ticks) && ticks >= 1)) throw new Error(`lumped noise needs a whole number of ticks >= 1, got ${ticks}`);
  const l = Math.log(decayPerTick);
  return perTickSd * Math.sqrt(Math.expm1(2 * ticks * l) / Math.expm1(2 * l));
}
