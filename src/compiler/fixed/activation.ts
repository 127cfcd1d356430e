/**
 * Rate activations without an op (tanh, logistic), and exp of a bounded variable argument (the
 * weight-dependent multiplier's exp(-gamma (w - a)^2), issue 17), as tables read by the IR's LOOKUP op, sized from
 * the target's capabilities (caps.functionTables), never from its name. The table covers the
 * argument's range, clipped where the function is flat to within 1e-6 of its limit, on a grid of
 * step h = 2^-s (so the index is a shift of the argument, exact); with interpolation the value is
 * T[i] + (T[i+1] - T[i]) * frac, i = floor((x - lo) / h), frac = (x - lo) / h - i.
 * The table entries are the function rounded to the output format; the slope entries are exact
 * differences of those entries, so the interpolant is continuous on the grid.
 */
import type { Interval } from "./interval.ts";

export type TabulatedFn = "tanh" | "logistic" | "exp" | "log";

/**
 * Where each function is within 1e-6 of its limit: beyond, the clamped table end stands for it.
 * exp has a limit only below (exp(-14.5) = 5e-7); above, the table covers the argument's range.
 * log has none: its table covers the argument's range, which must be positive (the softmax's
 * log-sum-exp, issue 17; lower.ts refuses a range that reaches 0).
 */
const FLAT: Record<TabulatedFn, [number, number]> = { tanh: [-7.5, 7.5], logistic: [-14.5, 14.5], exp: [-14.5, Infinity], log: [-Infinity, Infinity] };

export const evaluateFn = (fn: TabulatedFn, x: number): number => (fn === "tanh" ? Math.tanh(x) : fn === "exp" ? Math.exp(x) : fn === "log" ? Math.log(x) : 1 / (1 + Math.exp(-x)));

export const isTabulated = (fn: string): fn is TabulatedFn => fn === "tanh" || fn === "logistic" || fn === "exp" || fn === "log";

export interface TableGrid {
  /** First grid point (a multiple of h). */
  lo: number;
  /** log2(1 / h): the grid step is 2^-shift. */
  shift: number;
  /** Segments: the table has segments + 1 entries. */
  segments: number;
  /** Grid points below this are evaluated at it (log: the first grid point may be 0 or below the argument's range). */
  floor?: number;
}

/**
 * The finest power-of-two grid over the argument range (clipped to where fn is not flat) whose
 * segments + 1 entries fit `entries`.
 */
export function tableGrid(fn: TabulatedFn, arg: Interval, entries: number): TableGrid {
  const [L, S] = FLAT[fn];
  let a = Math.max(arg[0], L), b = Math.min(arg[1], S);
  if (!(b > a)) [a, b] = a >= S ? [S - 1, S] : b <= L ? [L, L + 1] : [a - 0.5, a + 0.5]; // a constant or flat argument: any small grid
  for (let shift = 24; shift >= -8; shift--) {
    const h = 2 ** -shift;
    const lo = Math.floor(a / h) * h;
    const segments = Math.max(1, Math.ceil((b - lo) / h));
    if (segments + 1 <= entries) return fn === "log" ? { lo, shift, segments, floor: a } : { lo, shift, segments };
  }
  throw new Error(`internal: no table grid for ${fn} over [${arg[0]}, ${arg[1]}] in ${entries} entries`);
}

/** Raw table entries (values, in the output's frac) and their forward differences (the last one 0). */
export function tableEntries(fn: TabulatedFn, g: TableGrid, outFrac: number, interpolate: boolean): { values: number[]; slopes: number[] } {
  const h = 2 ** -g.shift;
  // Without interpolation the value of a segment is taken at its middle (error h/2 max |f'| at worst).
  const at = (i: number) => Math.max(g.lo + (interpolate ? i : Math.min(i + 0.5, g.segments)) * h, g.floor ?? -Infinity);
  const raw = (x: number) => {
    const s = x * 2 ** outFrac;
    return Math.sign(s) * Math.round(Math.abs(s)); // nearest, ties away from zero (the IR's rule)
  };
  const values = Array.from({ length: g.segments + 1 }, (_, i) => raw(evaluateFn(fn, at(i))));
  const slopes = values.map((v, i) => (i < g.segments ? values[i + 1]! - v : 0));
  return { values, slopes };
}

/** Worst error of the interpolated table against fn over its grid (dense check; for reports and tests). */
export function tableError(fn: TabulatedFn, g: TableGrid, outFrac: number, interpolate: boolean): number {
  const { values, slopes } = tableEntries(fn, g, outFrac, interpolate);
  const h = 2 ** -g.shift;
  let worst = 0;
  for (let i = 0; i < g.segments; i++) {
    for (let j = 0; j < 8; j++) {
      const x = Math.max(g.lo + (i + j / 8) * h, g.floor ?? -Infinity);
      const y = (values[i]! + (interpolate ? (slopes[i]! * j) / 8 : 0)) * 2 ** -outFrac;
      worst = Math.max(worst, Math.abs(y - evaluateFn(fn, x)));
    }
  }
  return worst;
}
