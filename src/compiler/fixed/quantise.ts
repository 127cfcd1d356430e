/**
 * Pass "quantise": gives every state variable a fixed-point format from its range and the
 * target's widths, and reports, in model units, each variable's LSB and how many of its per-tick
 * changes are smaller than one LSB: those are lost under round-to-nearest (the slow STC variables
 * are the classic case), and for each decaying variable where its decay stops under its rounding
 * (the dead zone, decay.ts). Ranges and change sizes come from an instrumented float64 run of the
 * model with its own stimuli (range analysis by simulation), widened by a safety margin.
 */
import type { Program } from "../../ir/program.ts";
import type { TargetCaps } from "./caps.ts";
import { extent } from "./interval.ts";
import { deadZone, largestJumps, pureDecays, residueLsb, thresholdsOf, type DeadZone } from "./decay.ts";

export type Rounding = "floor" | "nearest" | "stochastic";

export interface Format {
  width: number;
  signed: boolean;
  frac: number;
  rounding: Rounding;
  overflow: "wrap" | "saturate";
}

export interface VarStats {
  min: number;
  max: number;
  /** Fraction of changing ticks whose change is below a given size. */
  fractionBelow(size: number): number;
  /** Median per-tick change (0 if it never changes). */
  medianChange: number;
}

export interface QuantisedVar {
  group: string;
  name: string;
  unit: string;
  unitScale: number;
  format: Format;
  lsb: number;
  /** Fraction of per-tick changes below one LSB. */
  belowLsb: number;
  medianChange: number;
  /** Range seen in the float64 analysis run (SI), before the margin. */
  observed: [number, number];
  flag: string | null;
  /** Information that is not a warning. */
  note?: string | null;
  /** Where the variable's decay stops under its rounding, and the thresholds nearby (decay.ts). */
  deadZone?: DeadZone | null;
}

/** Headroom over the observed range. */
export const RANGE_MARGIN = 1.25;

/** Most fractional bits such that [lo, hi] fits `width` bits. */
export function fracFor(lo: number, hi: number, width: number, signed: boolean): number {
  const mag = Math.max(Math.abs(lo), Math.abs(hi), Number.MIN_VALUE);
  // Integer bits may be negative: a value of 3e-9 (amperes) needs 28 fractional bits before its first one.
  const intBits = Math.ceil(Math.log2(mag));
  let frac = width - (signed ? 1 : 0) - intBits;
  // Guard against the edge where mag is an exact power of two.
  const maxRaw = signed ? 2 ** (width - 1) - 1 : 2 ** width - 1;
  while (Math.round(mag * 2 ** frac) > maxRaw) frac--;
  return Math.max(-64, Math.min(96, frac)); // the IR's format limits
}

/** Raw integer of a real value in a format: nearest with ties away from zero (the IR's rule), saturated. */
export function toRaw(x: number, f: Format): number {
  const lo = f.signed ? -(2 ** (f.width - 1)) : 0;
  const hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
  const scaled = x * 2 ** f.frac;
  const r = Math.sign(scaled) * Math.round(Math.abs(scaled)); // Math.round alone sends -2.5 to -2
  return Math.min(hi, Math.max(lo, r));
}

/**
 * A per-element constant array as state (mismatched circuits, per-element parameters): a format
 * of `width` bits sized to its values, the raw values (one when all are equal) and their range.
 */
export function constantArray(values: ArrayLike<number>, width: number): { format: Format; init: number[]; range: [number, number] } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) (lo = Math.min(lo, values[i]!)), (hi = Math.max(hi, values[i]!));
  const signed = lo < 0;
  const format: Format = { width, signed, frac: fracFor(Math.min(lo, 0), Math.max(hi, 0), width, signed), rounding: "nearest", overflow: "saturate" };
  const raw = Array.from(values, (v) => toRaw(v, format));
  return { format, init: raw.every((r) => r === raw[0]) ? [raw[0]!] : raw, range: [lo, hi] };
}

export function quantise(
  program: Program,
  stats: Map<string, VarStats>,
  caps: TargetCaps,
  opts: {
    rounding: Rounding;
    bits?: number;
    /** Ticks between updates of a variable (multi-rate kernels). */
    periodOf?: (group: string, name: string) => number;
    /** Variables integrated by the analog core: continuous on the chip, not subject to LSB freezing. */
    analog?: Set<string>;
    /**
     * Variables that relax within a second: they round to nearest even when stochastic rounding
     * is asked for (their active changes are large, and at a rest set by inputs nearest gives a
     * fixed point, if not the rest itself: the dead-zone line of the report says how far off).
     * Pure decays among them round as the chip rounds a decay instead (caps.decay, decay.ts).
     */
    fast?: Set<string>;
    /** Traces kept time-stamped (lazy.ts): read as x D^n, one rounding per read, so no dead zone. */
    stamped?: Set<string>;
  },
): QuantisedVar[] {
  const out: QuantisedVar[] = [];
  // Pure decays round as the chip rounds a decay (caps.decay), unless floor is asked for everywhere.
  const decays = pureDecays(program);
  const thresholds = thresholdsOf(program);
  const jumps = largestJumps(program);
  const groups = [...program.populations.map((p) => ({ g: p, owner: "neuron" as const })), ...program.projections.map((p) => ({ g: p, owner: "synapse" as const }))];
  for (const { g, owner } of groups) {
    for (const u of g.odes) {
      const v = g.vars.find((x) => x.name === u.var)!;
      const s = stats.get(`${g.name}.${u.var}`);
      const [lo0, hi0] = extent(v.init, [s?.min ?? 0, s?.max ?? 0]);
      // A variable that never moved still needs a format: give it one display unit of range.
      const still = lo0 === 0 && hi0 === 0;
      const lo = lo0 < 0 ? lo0 * RANGE_MARGIN : lo0;
      const hi = still ? v.unitScale : hi0 * RANGE_MARGIN;
      const width = opts.bits ?? caps.stateWidth[owner];
      // A declared unsigned fraction (state.X.format: ufrac, e.g. STSP's x and u in [0, 1]) is
      // uQ0.W whatever its observed range: 1 itself saturates to 1 - 2^-W (one LSB below).
      const ufrac = v.format === "ufrac";
      const signed = ufrac ? false : lo < 0;
      const frac = ufrac ? width : fracFor(lo, hi, width, signed);
      const lsb = 2 ** -frac;
      // A variable updated every `period` ticks changes by about period x its per-tick change per update.
      const period = opts.periodOf?.(g.name, u.var) ?? 1;
      const below = s ? s.fractionBelow(lsb / period) : 0;
      const median = (s?.medianChange ?? 0) * period;
      let flag: string | null = null;
      const what = `${(below * 100).toFixed(below > 0.5 ? 0 : 1)}% of its updates${period > 1 ? ` (every ${period} ticks)` : ""} change it by less than one LSB`;
      const note = opts.analog?.has(`${g.name}.${u.var}`) ? "analog core: continuous on the chip; this format is what the emulator keeps" : ufrac ? "declared an unsigned fraction in [0, 1] (format: ufrac): 1 is kept as 1 - 1 LSB" : null;
      const isFast = opts.fast?.has(`${g.name}.${u.var}`) ?? false;
      const key = `${g.name}.${u.var}`;
      const isDecay = decays.has(key) && !opts.analog?.has(key);
      if (note && !ufrac) {
        flag = null;
      } else if (isDecay && opts.rounding !== "floor") {
        flag = null; // rounds as the chip rounds a decay: the dead-zone line says where it stops
      } else if (isFast && opts.rounding === "stochastic") {
        flag = null; // relaxes within a second: nearest rounding (see `fast`)
      } else if (below > 0.01 && opts.rounding === "stochastic") {
        flag = `${what}: stochastic rounding keeps them on average (unbiased, at the cost of up to one LSB of noise per update)`;
        // A b-bit random number cannot round up a change below 2^-b LSB (src/ir/rounding.ts).
        const bits = caps.roundingBits;
        const lost = bits > 0 && s ? s.fractionBelow((lsb * 2 ** -bits) / period) : 0;
        if (lost > 0.01) flag += `; but ${(lost * 100).toFixed(lost > 0.5 ? 0 : 1)}% change it by less than 2^-${bits} LSB, below the resolution of ${caps.name}'s ${bits}-bit random numbers: those are lost`;
      } else if (below > 0.5) {
        const k = median > 0 ? Math.ceil((lsb / median) * period) : Infinity;
        flag = `${what}: ${opts.rounding === "floor" ? "floor rounding biases them downward" : "round-to-nearest freezes them"}; use stochastic rounding${k <= 1e6 ? ` or update every >= ${k} ticks` : ""}`;
      } else if (below > 0.01) {
        flag = what;
      }
      const rounding: Rounding =
        isDecay && opts.rounding !== "floor" ? caps.decay.rounding : opts.rounding === "stochastic" && (opts.fast?.has(key) || opts.analog?.has(key)) ? "nearest" : opts.rounding;
      const dz = opts.analog?.has(key) ? null : deadZone(program, g.name, u.var, lsb, rounding, period, [lo0, hi0], thresholds, jumps, opts.stamped?.has(key));
      out.push({ group: g.name, name: u.var, unit: v.unit, unitScale: v.unitScale, format: { width, signed, frac, rounding, overflow: "saturate" }, lsb, belowLsb: below, medianChange: median, observed: [lo0, hi0], flag, note, deadZone: dz });
    }
  }
  return out;
}

/** The human report printed by engram compile. */
export function quantisationReport(vars: QuantisedVar[], target: string): string {
  const rows = vars.map((v) => {
    const q = `${v.format.signed ? "s" : "u"}Q${v.format.width - v.format.frac - (v.format.signed ? 1 : 0)}.${v.format.frac}`;
    const unit = v.unit === "1" ? "" : ` ${v.unit}`;
    return `  ${`${v.group}.${v.name}`.padEnd(14)} ${q.padEnd(10)} ${v.format.width}b ${v.format.rounding.padEnd(10)} LSB ${(v.lsb / v.unitScale).toExponential(2)}${unit}`.padEnd(66) +
      ` median |change|/update ${(v.medianChange / v.unitScale).toExponential(2)}${unit}${v.flag ? `\n      ! ${v.flag}` : ""}${v.note ? `\n        (${v.note})` : ""}${deadZoneLines(v)}`;
  });
  return [`quantisation for ${target} (formats from the observed range x${RANGE_MARGIN}):`, ...rows].join("\n");
}

/** The dead-zone lines of a decaying variable in the report: residue in model units and LSB, thresholds, flag. */
function deadZoneLines(v: QuantisedVar): string {
  const z = v.deadZone;
  if (!z) return "";
  const u = v.unit === "1" ? "" : ` ${v.unit}`;
  const m = (x: number) => `${Number((x / v.unitScale).toPrecision(3))}${u}`;
  const lsbs = (x: number) => `${Number((x / v.lsb).toPrecision(3))} LSB`;
  const [upLsb, downLsb] = z.stamped ? [0, 0] : residueLsb(z.rule, z.D);
  const where = z.above === 0 && z.below === 0
    ? upLsb === 0 && downLsb === 0 ? "reaches its rest" : "reaches its rest from the side it is seen on"
    : [z.above > 0 ? `${m(z.above)} (${lsbs(z.above)}) above` : "", z.below > 0 ? `${m(z.below)} (${lsbs(z.below)}) below` : ""].filter(Boolean).join(" and ") + " its rest";
  const rest = z.rest === null ? "a rest set by its inputs" : `rest ${m(z.rest)}`;
  const th = z.thresholds.length ? `; compared against ${z.thresholds.map(m).join(", ")}` : "";
  const margin = z.thresholds.length && (z.above > 0 || z.below > 0) ? ` (flagged within ${z.margin !== null ? `one event's jump, ${m(z.margin)}` : "10 % of the distance from the rest"})` : "";
  return `\n        decay (${rest}, D ${z.D.toPrecision(6)} per update, ${z.stamped ? `time-stamped: read as stored x D^n, rounded once; ${z.rule} at events` : z.rule}): stops ${where === "reaches its rest" ? "at its rest" : where === "reaches its rest from the side it is seen on" ? "at its rest (from the side it is seen on)" : `up to ${where}`}${th}${margin}${z.flag ? `\n      ! ${z.flag}` : ""}`;
}
