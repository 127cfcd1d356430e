/**
 * Physical quantities. Model files write values with units ("48.8 ms", "10 Mohm"); inside the
 * toolchain every number is in SI base units, and units return only at the edges (traces, plots).
 * mathjs does the unit algebra; this module is the only place that talks to it about units.
 */
import { createRequire } from "node:module";
import type { Unit, MathJsInstance, FactoryFunctionMap, create as Create } from "mathjs";

// mathjs' single-file bundle loads in ~0.1 s; its ESM entry pulls in hundreds of modules (~1 s).
// Only the parser and the unit system are instantiated.
const bundle = createRequire(import.meta.url)("mathjs/lib/browser/math.js") as { create: typeof Create } & Record<string, FactoryFunctionMap>;
export const math: MathJsInstance = bundle.create({ ...bundle.parseDependencies, ...bundle.unitDependencies });

/** Dimension vector in mathjs' base order (mass, length, time, current, temperature, ...). */
export type Dimension = readonly number[];

export interface Quantity {
  /** Value in SI base units. */
  si: number;
  dimension: Dimension;
}

const DIMENSIONLESS: Dimension = new Array(9).fill(0);

/** Spellings people use that mathjs does not know. */
function normaliseUnitText(text: string): string {
  return text.replace(/Ω/g, "ohm").replace(/Ohm/g, "ohm").replace(/µ|μ/g, "u");
}

export class UnitParseError extends Error {}

/**
 * A number outside what engram accepts anywhere: not finite, or not in the one range of
 * NUMBER_RANGE. Never retried as an expression ("1e308 Mohm" is not "1e308 * Mohm").
 */
export class NumberRangeError extends UnitParseError {}

/**
 * The one rule for every number a model gives or derives, in SI units: 0, or a magnitude between
 * 1e-100 and 1e+100. Products and quotients of three such numbers stay finite and normal in
 * float64, so no equation built from parameters overflows or loses all precision. Physical values
 * are far inside (8 h = 2.9e4 s, 1 pF = 1e-12 F, 1 Gohm = 1e9 ohm).
 */
export const NUMBER_RANGE = { min: 1e-100, max: 1e100 } as const;

/** Throws NumberRangeError unless `si` obeys NUMBER_RANGE; `text` is what the user wrote. */
export function checkNumber(si: number, text: string | number): number {
  if (!Number.isFinite(si)) {
    const overflow = typeof text === "string" && Number.isFinite(Number.parseFloat(text));
    throw new NumberRangeError(overflow ? `${quoteNumber(text)} overflows: in SI units it is beyond the largest number (1.8e308)` : `${quoteNumber(text)} is not a finite number`);
  }
  const m = Math.abs(si);
  if (m !== 0 && (m < NUMBER_RANGE.min || m > NUMBER_RANGE.max)) {
    throw new NumberRangeError(`${quoteNumber(text)} is ${si.toExponential(3)} in SI units, outside the range every engram number must be in: 0 or a magnitude between ${NUMBER_RANGE.min} and ${NUMBER_RANGE.max}`);
  }
  return si;
}

function quoteNumber(text: string | number): string {
  return typeof text === "number" ? String(text) : `"${text}"`;
}

/** "NaN ms", "Infinity s", "-inf mV": a non-finite number with a unit, which mathjs reads as a unit name. */
const NON_FINITE_WORD = /^[+-]?(nan|inf|infinity)\b/i;

/**
 * Quantities already parsed, by text: mathjs' unit parser was a sixth of compiling a small model,
 * and a study compiles the same model files once per run (docs/benchmarks.md, "Studies"). A text
 * that is no quantity (a parameter expression such as "0.2 * h0", which the caller then parses as
 * one) is kept too, as its error's kind and message, raised afresh each time. Callers get their own copy.
 */
const PARSED = new Map<string, Quantity | { error: typeof UnitParseError; message: string }>();
const PARSED_MAX = 10_000;

/** Parses "48.8 ms", "-65 mV", "0.05 nA s^0.5", "1", "0.5". Throws UnitParseError with a readable reason. */
export function parseQuantity(text: string | number): Quantity {
  if (typeof text === "number") return { si: checkNumber(text, text), dimension: DIMENSIONLESS };
  const known = PARSED.get(text);
  if (known && "error" in known) throw new known.error(known.message);
  if (known) return { si: known.si, dimension: known.dimension.slice() };
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  let q: Quantity;
  try {
    q = parseQuantityText(text);
  } catch (e) {
    if (e instanceof UnitParseError) PARSED.set(text, { error: e instanceof NumberRangeError ? NumberRangeError : UnitParseError, message: e.message });
    throw e;
  }
  PARSED.set(text, { si: q.si, dimension: q.dimension.slice() });
  return q;
}

function parseQuantityText(text: string): Quantity {
  const trimmed = normaliseUnitText(text.trim());
  const bare = Number(trimmed);
  if (trimmed !== "" && !Number.isNaN(bare)) return { si: checkNumber(bare, text), dimension: DIMENSIONLESS };
  if (NON_FINITE_WORD.test(trimmed)) throw new NumberRangeError(`"${text}" is not a finite number`);
  let unit: Unit;
  try {
    unit = math.unit(trimmed);
  } catch (e) {
    throw new UnitParseError((e as Error).message);
  }
  if (unit.value === null) throw new UnitParseError(`"${text}" has a unit but no number`);
  const si = unit.value as unknown as number;
  return { si: checkNumber(si, text), dimension: unit.dimensions.slice() };
}

/** The SI value of one display unit ("mV" -> 1e-3) and its dimension. */
export function parseUnit(unitText: string): Quantity {
  const t = normaliseUnitText(unitText.trim());
  if (t === "1" || t === "") return { si: 1, dimension: DIMENSIONLESS };
  return parseQuantity(`1 ${t}`);
}

export function sameDimension(a: Dimension, b: Dimension): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (Math.abs((a[i] ?? 0) - (b[i] ?? 0)) > 1e-12) return false;
  }
  return true;
}

export function isDimensionless(d: Dimension): boolean {
  return sameDimension(d, DIMENSIONLESS);
}

const BASE_NAMES = ["kg", "m", "s", "A", "K", "cd", "mol", "rad", "bit"]; // mathjs base order

/** Human-readable SI form of a dimension, e.g. "kg m^2 s^-3 A^-1" (volt). */
export function formatDimension(d: Dimension): string {
  if (isDimensionless(d)) return "dimensionless";
  const named = DIMENSION_NAMES.find(([dim]) => sameDimension(dim, d));
  const parts: string[] = [];
  d.forEach((p, i) => {
    if (Math.abs(p) > 1e-12) parts.push(p === 1 ? BASE_NAMES[i]! : `${BASE_NAMES[i]}^${+p.toFixed(6)}`);
  });
  return named ? `${named[1]} (${parts.join(" ")})` : parts.join(" ");
}

const DIMENSION_NAMES: [Dimension, string][] = [
  ["1 V", "voltage"],
  ["1 A", "current"],
  ["1 s", "time"],
  ["1 Hz", "frequency"],
  ["1 ohm", "resistance"],
  ["1 C", "charge"],
  ["1 V/s", "voltage per time"],
  ["1 A/s", "current per time"],
].map(([u, n]) => [math.unit(u!).dimensions.slice(), n!] as [Dimension, string]);

export const DIMENSIONLESS_DIM = DIMENSIONLESS;
