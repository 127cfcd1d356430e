/**
 * Paired comparisons for the heterogeneity studies: by default heterogeneous against homogeneous
 * (populations.res.params.tau.variance, baseline 0 ms^2), or any grid column against a baseline
 * value (`--pair target=reference`: cmos against float64). Per combination of the other grid
 * values (and model) and per non-baseline value: mean ± SD and median of both sides, the paired
 * difference (same seed: same connectivity, weights and input) and the seeds in which A scores at
 * least as well as B. A baseline row matches every A row that agrees on the columns the baseline
 * row sets (a float64 run has no rounding or width, so it is the baseline of every cmos width).
 * Used for studies/heterogeneity-logistic*.yaml and heterogeneity-cmos.yaml in docs/heterogeneity.md.
 * Usage: node --import tsx scripts/heterogeneity-paired.ts STUDY_DIR [SCALAR (default mean_r2)] [--pair COLUMN=BASELINE]
 */
import { fmt, mean, median, ms, readOkRows, type Row } from "./lib/study-results.ts";

const args = process.argv.slice(2);
const pairAt = args.indexOf("--pair");
const [pairColumn, baseline] = pairAt >= 0 ? args.splice(pairAt, 2)[1]!.split("=") : ["populations.res.params.tau.variance", "0 ms^2"];
const [dir, scalar = "mean_r2"] = args;
if (!dir || !pairColumn || baseline === undefined) throw new Error("usage: heterogeneity-paired.ts STUDY_DIR [SCALAR] [--pair COLUMN=BASELINE]");
const { cols, rows } = readOkRows(dir);
// Grid columns: the model, the parameters (dotted paths) and target, rounding, bits, mismatch, noise, when they vary.
const grid = ["model", ...cols.filter((c) => c.includes(".")), "target", "rounding", "bits", "mismatch", "noise"].filter((c) => c !== pairColumn && (c === "model" || new Set(rows.map((r) => r[c])).size > 1));

const show = (c: string, v: string) => (c === "model" ? v.split("/").at(-1)!.replace(/\.yaml$/, "") : v);
const label = (c: string) => (c.includes(".") ? c.split(".").slice(-2).join(".") : c);

const isBase = (r: Row) => r[pairColumn] === baseline;
const key = (r: Row) => grid.map((c) => r[c]).join("\u0000");
const groups = new Map<string, Row[]>();
for (const r of rows.filter((x) => !isBase(x))) groups.set(`${key(r)}\u0000${r[pairColumn]}`, [...(groups.get(`${key(r)}\u0000${r[pairColumn]}`) ?? []), r]);
const out = [
  `${scalar}, A = ${label(pairColumn)} as given, B = ${label(pairColumn)} ${baseline}; A - B per seed, mean ± SD; "seeds" counts seeds with A >= B.`,
  "",
  `| ${grid.map(label).join(" | ")} | ${label(pairColumn)} | B: mean ± SD (median) | A: mean ± SD (median) | A - B (paired) | seeds |`,
  `| ${grid.map(() => "---").join(" | ")} | --- | --- | --- | --- | --- |`,
];
for (const g of groups.values()) {
  const a0 = g[0]!;
  const base = rows.filter((r) => isBase(r) && grid.every((c) => r[c] === "" || r[c] === a0[c]));
  const b = new Map(base.map((r) => [r.seed!, Number(r[scalar])]));
  const seeds = g.map((r) => r.seed!).filter((s) => b.has(s));
  const av = seeds.map((s) => Number(g.find((r) => r.seed === s)![scalar]));
  const bv = seeds.map((s) => b.get(s)!);
  const d = av.map((x, i) => x - bv[i]!);
  out.push(`| ${grid.map((c) => show(c, a0[c]!)).join(" | ")} | ${a0[pairColumn]} | ${ms(bv)} (${fmt(median(bv))}) | ${ms(av)} (${fmt(median(av))}) | ${ms(d)} | ${d.filter((x) => x >= 0).length}/${seeds.length} |`);
}
process.stdout.write(out.join("\n") + "\n");
