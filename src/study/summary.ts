/**
 * summary.md: per grid point, how many runs succeeded and each scalar's mean ± SD over seeds;
 * outcome classes where the study defines them; how many runs failed and why.
 */
import { gridColumns, gridValue, type RunSpec } from "./expand.ts";
import type { Study } from "./schema.ts";
import { errorText, status } from "./write-table.ts";
import type { Row } from "./collect.ts";

export interface PointGroup {
  /** The grid point's values in the grid columns that vary across the study. */
  label: Record<string, string | number | boolean>;
  rows: Row[];
}

/** Grid columns whose value differs between runs (the ones worth showing). */
export function varyingColumns(study: Study, specs: RunSpec[]): string[] {
  return gridColumns(study).filter((c) => new Set(specs.map((s) => String(gridValue(s, c)))).size > 1);
}

/** A model's file name without folder and extension: the label in tables and plots. */
export const shortModel = (label: string): string => label.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/, "");

/** Rows grouped by grid point, in grid order. */
export function groupByPoint(study: Study, rows: Row[]): PointGroup[] {
  const cols = varyingColumns(study, rows.map((r) => r.spec));
  const groups = new Map<string, PointGroup>();
  for (const r of rows) {
    let g = groups.get(r.spec.point);
    if (!g) groups.set(r.spec.point, (g = { label: Object.fromEntries(cols.map((c) => [c, c === "model" ? shortModel(r.spec.modelLabel) : gridValue(r.spec, c)])), rows: [] }));
    g.rows.push(r);
  }
  return [...groups.values()];
}

export function meanSd(xs: number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0; // sample SD
  return { mean, sd, n };
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toPrecision(4) : x.toFixed(3);
}

/** "mean ± SD" with one number of decimals for both: four significant digits of the larger. */
export function formatMeanSd(mean: number, sd: number): string {
  const big = Math.max(Math.abs(mean), Math.abs(sd));
  if (!Number.isFinite(big)) return `${mean} ± ${sd}`;
  const decimals = big === 0 ? 3 : Math.min(12, Math.max(0, 3 - Math.floor(Math.log10(big))));
  return `${mean.toFixed(decimals)} ± ${sd.toFixed(decimals)}`;
}

/** The values of a scalar over a group's successful runs. */
export const valuesOf = (g: PointGroup, scalar: string): number[] =>
  g.rows.flatMap((r) => (r.record?.status === "ok" && typeof r.record.scalars[scalar] === "number" ? [r.record.scalars[scalar]!] : []));

export function classOf(x: number, classes: Record<string, { above?: number; below?: number }>): string {
  for (const [name, c] of Object.entries(classes)) if ((c.above === undefined || x > c.above) && (c.below === undefined || x < c.below)) return name;
  return "unclassified";
}

export function summaryMarkdown(study: Study, rows: Row[], command: string): string {
  const groups = groupByPoint(study, rows);
  const cols = Object.keys(groups[0]?.label ?? {});
  const scalars = Object.keys(study.data.collect);
  const g = study.data.grid;
  const out: string[] = [];
  out.push(`# Study ${study.data.name}`, "");
  if (study.data.doc) out.push(study.data.doc.trim(), "");
  const failed = rows.filter((r) => status(r) !== "ok").length;
  out.push(`${rows.length} runs: ${groups.length} grid point(s) × seeds ${g.seeds.from}-${g.seeds.to}${g.seeds.derive ? " (derived)" : ""}; ${rows.length - failed} ok, ${failed} failed. Mean ± SD over each point's successful runs (sample SD).`, "");
  out.push(`Produced by \`${command}\`.`, "");
  out.push(`| ${[...cols, "ok", ...scalars].join(" | ")} |`, `| ${[...cols, "ok", ...scalars].map(() => "---").join(" | ")} |`);
  for (const grp of groups) {
    const ok = grp.rows.filter((r) => status(r) === "ok").length;
    const cells = scalars.map((s) => {
      const xs = valuesOf(grp, s);
      if (xs.length === 0) return "–";
      const m = meanSd(xs);
      return `${formatMeanSd(m.mean, m.sd)}${xs.length < ok ? ` (${xs.length} runs)` : ""}`;
    });
    out.push(`| ${[...cols.map((c) => String(grp.label[c])), `${ok}/${grp.rows.length}`, ...cells].join(" | ")} |`);
  }
  for (const [scalar, classes] of Object.entries(study.data.classify)) {
    const names = [...Object.keys(classes)];
    out.push("", `Outcome classes of ${scalar} (${Object.entries(classes).map(([n, c]) => `${n}: ${[c.above !== undefined ? `> ${c.above}` : "", c.below !== undefined ? `< ${c.below}` : ""].filter(Boolean).join(" and ") || "otherwise"}`).join("; ")}), runs per class:`, "");
    out.push(`| ${[...cols, ...names].join(" | ")} |`, `| ${[...cols, ...names].map(() => "---").join(" | ")} |`);
    for (const grp of groups) {
      const counts = names.map((n) => valuesOf(grp, scalar).filter((x) => classOf(x, classes) === n).length);
      out.push(`| ${[...cols.map((c) => String(grp.label[c])), ...counts.map(String)].join(" | ")} |`);
    }
  }
  // Scalars some successful runs did not write.
  const notes: string[] = [];
  for (const s of scalars) {
    const lacking = rows.filter((r) => r.record?.status === "ok" && r.record.scalars[s] === null);
    if (lacking.length > 0) notes.push(`- ${s}: missing in ${lacking.length} successful run(s): ${lacking[0]!.record!.missing?.[s] ?? "no value"}`);
  }
  if (notes.length > 0) out.push("", "## Missing values", "", ...notes);
  if (failed > 0) {
    out.push("", `## Failures (${failed} of ${rows.length})`, "");
    const reasons = new Map<string, string[]>();
    for (const r of rows.filter((x) => status(x) !== "ok")) {
      const why = status(r) === "missing" ? "no result (the run did not finish)" : errorText(r);
      reasons.set(why, [...(reasons.get(why) ?? []), r.spec.id]);
    }
    for (const [why, ids] of reasons) out.push(`- ${ids.length} run(s): ${why} (e.g. runs/${ids[0]})`);
  }
  return out.join("\n") + "\n";
}
