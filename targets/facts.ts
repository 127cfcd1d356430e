/**
 * Target descriptions as data: every figure of a chip is a Fact carrying its value, unit and
 * provenance (a source, or an explicit assumption with its reason). The compiler reads the
 * derived capabilities (caps.ts in each target folder); docs/targets.md is generated from here.
 * Their zod schemas are in facts-schema.ts: everything that runs a model loads this file, and
 * zod is a tenth of a second of a study worker's start-up.
 */
export type Fact = { value: number | number[] | string; unit: string; source: string } | { value: number | number[] | string; unit: string; assumption: string };

/** A chip description: named sections of named facts. */
export type ChipFacts = { name: string; doc: string; sections: Record<string, Record<string, Fact>> };

/** Shorthands for writing facts. */
export const src = (value: Fact["value"], unit: string, source: string): Fact => ({ value, unit, source });
export const assume = (value: Fact["value"], unit: string, assumption: string): Fact => ({ value, unit, assumption });

/** The numeric value of a fact (for deriving capabilities). */
export function num(f: Fact): number {
  if (typeof f.value !== "number") throw new Error(`fact is not a single number: ${JSON.stringify(f.value)}`);
  return f.value;
}

/** A rounding rule named by a fact. */
export function rounding(f: Fact): "floor" | "nearest" | "stochastic" {
  if (f.value !== "floor" && f.value !== "nearest" && f.value !== "stochastic") throw new Error(`fact is not a rounding rule: ${JSON.stringify(f.value)}`);
  return f.value;
}

export function range(f: Fact): [number, number] {
  if (!Array.isArray(f.value) || f.value.length !== 2) throw new Error(`fact is not a range: ${JSON.stringify(f.value)}`);
  return [f.value[0]!, f.value[1]!];
}

/** A markdown table of the facts (docs/targets.md). */
export function factsTable(chip: ChipFacts): string {
  const lines = [`## ${chip.name}`, "", chip.doc, "", "| section | item | value | unit | provenance |", "| --- | --- | --- | --- | --- |"];
  for (const [section, facts] of Object.entries(chip.sections)) {
    for (const [item, f] of Object.entries(facts)) {
      const value = Array.isArray(f.value) ? f.value.join(" - ") : String(f.value);
      const prov = "source" in f ? f.source : `ASSUMPTION: ${f.assumption}`;
      lines.push(`| ${section} | ${item} | ${value} | ${f.unit} | ${prov.replace(/\|/g, "/")} |`);
    }
  }
  return lines.join("\n") + "\n";
}
