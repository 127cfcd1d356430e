/**
 * The results table, one row per run in grid order: results.csv, and the same columns as an
 * Apache Arrow IPC file (results.arrow) that pandas, polars or R's arrow read directly. Only
 * values that the runs determine go in (no wall times, hosts or workers), so the bytes are the
 * same whichever pool or cluster produced them.
 */
import { Table, Utf8, Float64, Int32, vectorFromArray, tableToIPC, type Vector } from "apache-arrow";
import { gridColumns, gridValue } from "./expand.ts";
import type { Study } from "./schema.ts";
import type { Row } from "./collect.ts";

export const status = (r: Row): string => r.record?.status ?? "missing";

/** Errors as one line (a cell), the diagnostics' lines joined. */
export const errorText = (r: Row): string => (r.record?.error ?? "").split("\n").map((l) => l.trim()).filter(Boolean).join(" | ");

function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  const s = String(v); // numbers: shortest round-trip form
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function resultsCsv(study: Study, rows: Row[]): string {
  const grid = gridColumns(study);
  const scalars = Object.keys(study.data.collect);
  const lines = [["run", "id", ...grid, "seed", "status", ...scalars, "error"].join(",")];
  for (const r of rows) {
    const cells = [r.spec.index, r.spec.id, ...grid.map((c) => gridValue(r.spec, c)), r.spec.seed, status(r), ...scalars.map((s) => r.record?.scalars[s] ?? null), errorText(r)];
    lines.push(cells.map(csvCell).join(","));
  }
  return lines.join("\n") + "\n";
}

export function resultsArrow(study: Study, rows: Row[]): Uint8Array {
  const grid = gridColumns(study);
  const columns: Record<string, Vector> = {};
  columns.run = vectorFromArray(rows.map((r) => r.spec.index), new Int32());
  columns.id = vectorFromArray(rows.map((r) => r.spec.id), new Utf8());
  for (const c of grid) {
    const values = rows.map((r) => gridValue(r.spec, c));
    // A numeric axis (bits, a numeric parameter) stays numeric; anything else is text.
    const numeric = values.every((v) => typeof v === "number" || v === "");
    columns[c] = numeric ? vectorFromArray(values.map((v) => (v === "" ? null : (v as number))), new Float64()) : vectorFromArray(values.map((v) => String(v)), new Utf8());
  }
  columns.seed = vectorFromArray(rows.map((r) => r.spec.seed), new Float64()); // seeds reach 2^32 - 1
  columns.status = vectorFromArray(rows.map(status), new Utf8());
  for (const s of Object.keys(study.data.collect)) columns[s] = vectorFromArray(rows.map((r) => r.record?.scalars[s] ?? null), new Float64());
  columns.error = vectorFromArray(rows.map((r) => errorText(r) || null), new Utf8());
  return tableToIPC(new Table(columns), "file");
}
