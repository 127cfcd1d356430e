/**
 * Optional instrumentation of a float64 run, for the fixed-point compiler passes: per state
 * variable the range of values (all elements, all time) and a histogram of the size of its
 * per-tick ODE change, in powers of two. From these, quantisation chooses formats and reports which
 * variables change by less than one LSB per update (and would freeze under round-to-nearest).
 */
export const HIST_MIN_EXP = -100;
export const HIST_BINS = 130; // 2^-100 .. 2^29

/** Scratch views for reading a double's exponent bits (floor(log2 |x|) without Math.log2). */
export const F64 = new Float64Array(1);
export const U32 = new Uint32Array(F64.buffer);

export interface VarAnalysis {
  /** [min, max] of the value. */
  range: Float64Array;
  /** hist[i]: ticks whose |change| lies in [2^(i + HIST_MIN_EXP), 2^(i + 1 + HIST_MIN_EXP)); zero changes are not counted. */
  hist: Float64Array;
  /** Ticks with exactly zero change. */
  zero: Float64Array;
}

export function newVarAnalysis(): VarAnalysis {
  return { range: Float64Array.of(Infinity, -Infinity), hist: new Float64Array(HIST_BINS), zero: new Float64Array(1) };
}

/** Key of a variable in the analysis map. */
export const analysisKey = (group: string, variable: string) => `${group}.${variable}`;

/** Statements recording one update of local `x` from `old`; `nt` is the number of ticks the step spans. */
export function recordStatements(a: string, x: string, old: string): string {
  return `{ const r = ${a}.range; if (${x} < r[0]) r[0] = ${x}; if (${x} > r[1]) r[1] = ${x};
  const d = Math.abs(${x} - ${old}) / nt;
  if (d > 0) { F64[0] = d; let e = ((U32[1] >>> 20) & 2047) - 1023 - ${HIST_MIN_EXP}; if (e < 0) e = 0; if (e >= ${HIST_BINS}) e = ${HIST_BINS - 1}; ${a}.hist[e] += nt; } else ${a}.zero[0] += nt; }`;
}

/** Fraction of (non-frozen) ticks whose change is below `lsb`. */
export function fractionBelow(v: VarAnalysis, lsb: number): number {
  let below = 0, total = 0;
  for (let i = 0; i < HIST_BINS; i++) {
    const upper = 2 ** (i + 1 + HIST_MIN_EXP);
    total += v.hist[i]!;
    if (upper <= lsb) below += v.hist[i]!;
  }
  return total > 0 ? below / total : 0;
}

/** Median per-tick change (geometric bin centre), or 0 when the variable never changed. */
export function medianChange(v: VarAnalysis): number {
  let total = 0;
  for (let i = 0; i < HIST_BINS; i++) total += v.hist[i]!;
  if (total === 0) return 0;
  let acc = 0;
  for (let i = 0; i < HIST_BINS; i++) {
    acc += v.hist[i]!;
    if (acc >= total / 2) return 2 ** (i + 0.5 + HIST_MIN_EXP);
  }
  return 0;
}
