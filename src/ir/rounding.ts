/**
 * The random numbers of stochastic rounding. A processor that rounds stochastically by adding a
 * b-bit random number k to the dropped bits and truncating rounds up when k + 2^b rem >= 2^b,
 * i.e. with probability floor(2^b rem) / 2^b, where rem is the dropped fraction: a change below
 * 2^-b of an LSB is never kept. BrainScaleS-2's per-column LFSRs give 8-bit numbers
 * (header.rounding_bits = 8). The IR rounds up when its draw u < rem; the draw below, the double
 * just under (k + 1) / 2^b, makes that happen exactly when (k + 1) / 2^b <= rem.
 */
export function roundingDraw(uniform: number, bits: number): number {
  if (bits === 0 || bits >= 53) return uniform;
  const scale = 2 ** bits;
  // x (1 - 2^-53) is the next double below x for these x (an integer over a power of two)
  return ((Math.floor(uniform * scale) + 1) / scale) * (1 - 2 ** -53);
}
