/**
 * Current stimuli on JS numbers: the fast twins of src/ir/current.ts' BigInt semantics, exact by
 * construction (products are split so that no intermediate reaches 2^53; where one could, NaN
 * tells the caller to take the BigInt path).
 */
const TWO53 = 2 ** 53;
const TWO16 = 2 ** 16;
const TWO32 = 2 ** 32;
const HALF = 2 ** 31;

/**
 * round(a * b / 2^32), nearest with ties away from zero, for integers a and b; NaN if an
 * intermediate could pass 2^53. b = bh 2^16 + bl with 0 <= bl < 2^16, so
 * a b / 2^32 = floor(a bh / 2^16) + (rem(a bh) 2^16 + a bl) / 2^32, every term below 2^53
 * for the operands the verifier admits (|a| < 2^33 with b < 2^32, or |a| < 2^32 with |b| < 2^37).
 */
export function mulRoundQ32(a: number, b: number): number {
  const bh = Math.floor(b / TWO16);
  const bl = b - bh * TWO16;
  const A = a * bh, B = a * bl;
  if (!(Math.abs(A) < TWO53 && Math.abs(B) < TWO53)) return NaN;
  const fA = Math.floor(A / TWO16);
  const C = (A - fA * TWO16) * TWO16 + B;
  if (!(Math.abs(C) < TWO53)) return NaN;
  const fC = Math.floor(C / TWO32);
  const rem = C - fC * TWO32;
  const positive = (a > 0 && b > 0) || (a < 0 && b < 0);
  return rem > HALF || (rem === HALF && positive) ? fA + fC + 1 : fA + fC;
}

/** One OU step in the state's raw units, saturated to [lo, hi]; NaN: use the BigInt path. */
export function ouStepNumber(x: number, mean: number, decayQ32: number, kick: number, n: number, lo: number, hi: number): number {
  const v = mean + mulRoundQ32(x - mean, decayQ32) + mulRoundQ32(kick, n);
  return v < lo ? lo : v > hi ? hi : v; // NaN fails both comparisons and stays NaN
}

/**
 * (input, value) -> input + value shifted right by `shift` bits (nearest, ties away from zero; a
 * negative shift scales up), saturated to [lo, hi]. Exact: value and input are raw state values
 * (< 2^33), and a sum too large to be exact lies far outside [lo, hi] anyway. Built once per
 * current, with its power of two computed once: it runs per neuron per tick.
 */
export function inputAdder(shift: number, lo: number, hi: number): (input: number, value: number) => number {
  const scale = 2 ** -shift; // exact: a power of two
  return (input, value) => {
    let v = value * scale;
    if (shift > 0) {
      const floor = Math.floor(v);
      const rem = v - floor;
      v = rem > 0.5 || (rem === 0.5 && value > 0) ? floor + 1 : floor;
    }
    const r = input + v;
    return r < lo ? lo : r > hi ? hi : r;
  };
}
