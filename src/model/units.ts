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

/** Parses "48.8 ms", "-65 mV", "0.05 nA s^0.5", "1", "0.5". Throws UnitParseError with a readable reason. */
export function parseQuantity(text: string | number): Quantity {
  if (typeof text === "number") {
    if (!Number.isFinite(text)) throw new UnitParseError(`not a finite number: ${text}`);
    return { si: text, dimension: DIMENSIONLESS };
  }
  const trimmed = normaliseUnitText(text.trim());
  const bare = Number(trimmed);
  if (trimmed !== "" && Number.isFinite(bare)) return { si: bare, dimension: DIMENSIONLESS };
  let unit: Unit;
  try {
    unit = math.unit(trimmed);
  } catch (e) {
    throw new UnitParseError((e as Error).message);
  }
  if (unit.value === null) throw new UnitParseError(`"${text}" has a unit but no number`);
  const si = unit.value as unknown as number;
  if (!Number.isFinite(si)) throw new UnitParseError(`not a finite number: ${text}`);
  return { si, dimension: unit.dimensions.slice() };
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
