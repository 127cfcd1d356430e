/**
 * Heterogeneous against homogeneous, paired by seed, for any study whose grid has
 * populations.res.params.tau.variance (0 = homogeneous): per combination of the other grid values
 * (and model), per non-zero variance, mean ± SD and median of both sides, the paired difference
 * (same seed: same connectivity, weights and input) and the seeds in which heterogeneity scores at
 * least as well. Used for studies/heterogeneity-logistic*.yaml in docs/heterogeneity.md.
 * Usage: node --import tsx scripts/heterogeneity-paired.ts STUDY_DIR [SCALAR (default mean_r2)]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: heterogeneity-paired.ts STUDY_DIR [SCALAR]");
const scalar = process.argv[3] ?? "mean_r2";
type Row = Record<string, string>;
const [head, ...lines] = readFileSync(join(dir, "results.csv"), "utf8").trim().split("\n");
const cols = head!.split(",");
const rows: Row[] = lines.map((l) => Object.fromEntries(l.split(",").slice(0, cols.length).map((v, i) => [cols[i]!, v]))).filter((r) => r.status === "ok");
const V = "populations.res.params.tau.variance";
const params = cols.filter((c) => c.includes(".") && c !== V);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
const ms = (xs: number[]) => `${fmt(mean(xs))} ± ${fmt(sd(xs))}`;

const key = (r: Row) => [r.model!.split("/").at(-1)!.replace(/\.yaml$/, ""), ...params.map((p) => r[p]!)].join(" | ");
const groups = new Map<string, Row[]>();
for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
const out = [
  `${scalar}, A = heterogeneous (Var[tau_n] as given), B = homogeneous (Var[tau_n] = 0); A - B per seed, mean ± SD; "seeds" counts seeds with A >= B.`,
  "",
  `| model | ${params.map((p) => `${p.split(".").slice(-2).join(".")} | `).join("")}Var[tau_n] | B: mean ± SD (median) | A: mean ± SD (median) | A - B (paired) | seeds |`,
  `| --- | ${params.map(() => "--- | ").join("")}--- | --- | --- | --- | --- |`,
];
for (const [k, g] of groups) {
  const homog = new Map(g.filter((r) => r[V]!.startsWith("0 ")).map((r) => [r.seed!, Number(r[scalar])]));
  for (const v of [...new Set(g.map((r) => r[V]!))].filter((x) => !x.startsWith("0 "))) {
    const het = new Map(g.filter((r) => r[V] === v).map((r) => [r.seed!, Number(r[scalar])]));
    const seeds = [...het.keys()].filter((s) => homog.has(s));
    const a = seeds.map((s) => het.get(s)!), b = seeds.map((s) => homog.get(s)!);
    const d = seeds.map((_, i) => a[i]! - b[i]!);
    out.push(`| ${k} | ${v} | ${ms(b)} (${fmt(median(b))}) | ${ms(a)} (${fmt(median(a))}) | ${ms(d)} | ${d.filter((x) => x >= 0).length}/${seeds.length} |`);
  }
}
process.stdout.write(out.join("\n") + "\n");
