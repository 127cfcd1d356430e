/**
 * What the heterogeneity table scripts share: a study's results.csv as rows of strings (the runs
 * that succeeded), and the summary numbers they print. Mean and SD come from the study command's
 * own summary (src/study/summary.ts, meanSd), so the scripts' tables and `engram study`'s
 * summary.md agree on what "mean ± SD" means (sample SD).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { meanSd } from "../../src/study/summary.ts";

export type Row = Record<string, string>;

/** The header's columns and the rows with status ok of STUDY_DIR/results.csv (no quoted commas in the columns read). */
export function readOkRows(studyDir: string): { cols: string[]; rows: Row[] } {
  const [head, ...lines] = readFileSync(join(studyDir, "results.csv"), "utf8").trim().split("\n");
  const cols = head!.split(",");
  const rows = lines.map((l) => Object.fromEntries(l.split(",").slice(0, cols.length).map((v, i) => [cols[i]!, v]))).filter((r) => r.status === "ok");
  return { cols, rows };
}

export const mean = (xs: number[]) => meanSd(xs).mean;
export const sd = (xs: number[]) => meanSd(xs).sd;

export function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

/** Three decimals, fewer for large values. */
export const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
/** "mean ± SD", each with fmt. */
export const ms = (xs: number[]) => `${fmt(mean(xs))} ± ${fmt(sd(xs))}`;
