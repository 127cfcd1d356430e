/**
 * The periodic-vs-non-periodic tables of docs/heterogeneity.md (the poster's conclusion 2) from the
 * results.csv of studies/heterogeneity-periodic.yaml: per task (periodic / Mackey-Glass), network
 * (static / plastic) and E[tau_n], the homogeneous network's mean R² and, per Var[tau_n] > 0, the
 * heterogeneous network's, the paired difference (same seed: same connectivity, weights and input)
 * with the number of seeds in which heterogeneity scores at least as well, and the medians.
 * Usage: node --import tsx scripts/heterogeneity-periodic.ts [STUDY_DIR] [SCALAR]
 * (default out/studies/heterogeneity-periodic, mean_r2).
 */
import { fmt, median, ms, readOkRows } from "./lib/study-results.ts";
import { join } from "node:path";

const dir = process.argv[2] ?? join("out", "studies", "heterogeneity-periodic");
const scalar = process.argv[3] ?? "mean_r2";
const { rows } = readOkRows(dir);


const M = "populations.res.params.tau.mean", V = "populations.res.params.tau.variance";
const label = (model: string) => {
  const task = model.includes("periodic") ? "periodic" : "Mackey-Glass";
  return `${task}, ${model.includes("plastic") ? "plastic" : "static"}`;
};
const models = [...new Set(rows.map((r) => r.model!))];
const means = [...new Set(rows.map((r) => r[M]!))];
const variances = [...new Set(rows.map((r) => r[V]!))].filter((v) => !v.startsWith("0 "));
const by = (model: string, m: string, v: string) => new Map(rows.filter((r) => r.model === model && r[M] === m && r[V] === v).map((r) => [r.seed!, Number(r[scalar])]));

const out = [
  `${scalar}: homogeneous (Var[tau_n] = 0) and heterogeneous (gamma, Var[tau_n] as given) at each E[tau_n]; "A - B" is heterogeneous minus homogeneous per seed, mean ± SD; "seeds" counts seeds with A >= B.`,
  "",
  `| task, network | E[tau_n] | homogeneous: mean ± SD (median) | ${variances.map((v) => `Var ${v}: A - B (seeds)`).join(" | ")} | heterogeneous, best median |`,
  `| --- | --- | --- | ${variances.map(() => "---").join(" | ")} | --- |`,
];
for (const model of models) {
  for (const m of means) {
    const homog = by(model, m, "0 ms^2");
    const h = [...homog.values()];
    const cells = variances.map((v) => {
      const het = by(model, m, v);
      const seeds = [...het.keys()].filter((s) => homog.has(s));
      const d = seeds.map((s) => het.get(s)! - homog.get(s)!);
      return `${ms(d)} (${d.filter((x) => x >= 0).length}/${seeds.length})`;
    });
    const best = variances.map((v) => ({ v, med: median([...by(model, m, v).values()]) })).sort((a, b) => b.med - a.med)[0]!;
    out.push(`| ${label(model.split("/").at(-1)!)} | ${m} | ${ms(h)} (${fmt(median(h))}) | ${cells.join(" | ")} | ${fmt(best.med)} at ${best.v} |`);
  }
}
process.stdout.write(out.join("\n") + "\n");
