/**
 * The claims table of docs/heterogeneity.md from the heterogeneity studies' results.csv: each
 * comparison pairs runs with the same seed (the studies use common random numbers, so seed k has
 * the same connectivity, weights and draws at every grid point) and reports both sides' mean ± SD,
 * the paired difference's mean ± SD and in how many seeds the first side is at least as good.
 * Usage (after the studies ran into out/studies/):
 *   node --import tsx scripts/heterogeneity-claims.ts [STUDIES_DIR]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? join("out", "studies");
type Row = Record<string, string>;

/** results.csv rows that succeeded (no grid value or scalar holds a comma; `error`, the last column, may). */
function rows(study: string): Row[] {
  const [head, ...lines] = readFileSync(join(dir, study, "results.csv"), "utf8").trim().split("\n");
  const cols = head!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").slice(0, cols.length).map((v, i) => [cols[i]!, v]))).filter((r) => r.status === "ok");
}

/** scalar by seed for the rows that match every filter (a model filter matches the file name). */
function side(study: string, scalar: string, filter: Row): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows(study)) {
    if (Object.entries(filter).every(([k, v]) => (k === "model" ? r.model!.endsWith(`/${v}`) : r[k] === v))) out.set(r.seed!, Number(r[scalar]));
  }
  return out;
}

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};

function compare(claim: string, study: string, scalar: string, a: [string, Row], b: [string, Row]): string {
  const x = side(study, scalar, a[1]), y = side(study, scalar, b[1]);
  const seeds = [...x.keys()].filter((s) => y.has(s)).sort((p, q) => Number(p) - Number(q));
  if (seeds.length === 0) throw new Error(`${claim}: no paired runs in ${study}`);
  const xs = seeds.map((s) => x.get(s)!), ys = seeds.map((s) => y.get(s)!);
  const wins = seeds.filter((s) => x.get(s)! >= y.get(s)!).length;
  return `| ${claim} | ${a[0]} | ${b[0]} | ${stats(xs)} | ${stats(ys)} | ${stats(xs.map((v, i) => v - ys[i]!))} | ${wins}/${seeds.length} | \`${study}\`, seeds ${seeds[0]}-${seeds.at(-1)} |`;
}

const TAU_VAR = "populations.res.params.tau.variance";
const SIZE = "populations.res.size";
const plastic = "mackey-glass-plastic-heterogeneous.yaml";
const stat = "mackey-glass-heterogeneous.yaml";
const lines = [
  "| claim | A | B | A: mean R² | B: mean R² | A - B (paired) | seeds with A >= B | study |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  compare("heterogeneous >= homogeneous, plastic", "heterogeneity-claims", "mean_r2", ["gamma CV 1, N = 100", { model: plastic, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "100" }], ["homogeneous, N = 100", { model: plastic, [TAU_VAR]: "0 ms^2", [SIZE]: "100" }]),
  compare("heterogeneous >= homogeneous, plastic", "heterogeneity-neuronal-var", "mean_r2", ["gamma CV 0.5", { model: plastic, [TAU_VAR]: "2 ms^2" }], ["homogeneous", { model: plastic, [TAU_VAR]: "0 ms^2" }]),
  compare("heterogeneous >= homogeneous, plastic (h = 84)", "heterogeneity-claims", "r2_h84", ["gamma CV 1, N = 100", { model: plastic, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "100" }], ["homogeneous, N = 100", { model: plastic, [TAU_VAR]: "0 ms^2", [SIZE]: "100" }]),
  compare("heterogeneous >= homogeneous, static", "heterogeneity-claims", "mean_r2", ["gamma CV 1, N = 100", { model: stat, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "100" }], ["homogeneous, N = 100", { model: stat, [TAU_VAR]: "0 ms^2", [SIZE]: "100" }]),
  compare("skewed > symmetric, equal variance", "heterogeneity-neuronal-var", "mean_r2", ["gamma CV 1", { model: plastic, [TAU_VAR]: "7.8607 ms^2" }], ["truncated normal CV 1", { model: "mackey-glass-plastic-normal.yaml", [TAU_VAR]: "7.8607 ms^2" }]),
  compare("skewed > symmetric, equal variance", "heterogeneity-neuronal-var", "mean_r2", ["log-normal CV 1", { model: "mackey-glass-plastic-lognormal.yaml", [TAU_VAR]: "7.8607 ms^2" }], ["truncated normal CV 1", { model: "mackey-glass-plastic-normal.yaml", [TAU_VAR]: "7.8607 ms^2" }]),
  compare("skewed > symmetric, equal variance", "heterogeneity-neuronal-var", "mean_r2", ["gamma CV 0.5", { model: plastic, [TAU_VAR]: "2 ms^2" }], ["truncated normal CV 0.5", { model: "mackey-glass-plastic-normal.yaml", [TAU_VAR]: "2 ms^2" }]),
  compare("skewed > symmetric, equal variance", "heterogeneity-neuronal-var", "mean_r2", ["gamma CV 2", { model: plastic, [TAU_VAR]: "32 ms^2" }], ["truncated normal CV 2", { model: "mackey-glass-plastic-normal.yaml", [TAU_VAR]: "32 ms^2" }]),
  compare("heterogeneous >= homogeneous, plastic, N = 50", "heterogeneity-claims", "mean_r2", ["gamma CV 1, N = 50", { model: plastic, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "50" }], ["homogeneous, N = 50", { model: plastic, [TAU_VAR]: "0 ms^2", [SIZE]: "50" }]),
  compare("small heterogeneous >= large homogeneous, plastic", "heterogeneity-claims", "mean_r2", ["gamma CV 1, N = 50", { model: plastic, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "50" }], ["homogeneous, N = 100", { model: plastic, [TAU_VAR]: "0 ms^2", [SIZE]: "100" }]),
  compare("small heterogeneous >= large homogeneous, plastic", "heterogeneity-claims", "mean_r2", ["gamma CV 1, N = 100", { model: plastic, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "100" }], ["homogeneous, N = 200", { model: plastic, [TAU_VAR]: "0 ms^2", [SIZE]: "200" }]),
  compare("small heterogeneous >= large homogeneous, static", "heterogeneity-claims", "mean_r2", ["gamma CV 1, N = 50", { model: stat, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "50" }], ["homogeneous, N = 100", { model: stat, [TAU_VAR]: "0 ms^2", [SIZE]: "100" }]),
  compare("small heterogeneous >= large homogeneous, static", "heterogeneity-claims", "mean_r2", ["gamma CV 1, N = 25", { model: stat, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "25" }], ["homogeneous, N = 50", { model: stat, [TAU_VAR]: "0 ms^2", [SIZE]: "50" }]),
  compare("static >= plastic", "heterogeneity-claims", "mean_r2", ["static, homogeneous", { model: stat, [TAU_VAR]: "0 ms^2", [SIZE]: "100" }], ["plastic, homogeneous", { model: plastic, [TAU_VAR]: "0 ms^2", [SIZE]: "100" }]),
  compare("static >= plastic", "heterogeneity-claims", "mean_r2", ["static, gamma CV 1", { model: stat, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "100" }], ["plastic, gamma CV 1", { model: plastic, [TAU_VAR]: "7.8607 ms^2", [SIZE]: "100" }]),
];

// Mean R² by network size (the claims study's grid), mean ± SD over seeds.
const sizes = ["25", "50", "100", "200"];
const bySize = ["", "| network | tau_n | " + sizes.map((n) => `N = ${n}`).join(" | ") + " |", "| --- | --- | " + sizes.map(() => "---").join(" | ") + " |"];
for (const [name, model] of [["static", stat], ["plastic", plastic]]) {
  for (const [label, v] of [["homogeneous", "0 ms^2"], ["gamma CV 1", "7.8607 ms^2"]]) {
    bySize.push(`| ${name} | ${label} | ${sizes.map((n) => stats([...side("heterogeneity-claims", "mean_r2", { model: model!, [TAU_VAR]: v!, [SIZE]: n }).values()])).join(" | ")} |`);
  }
}
process.stdout.write([...lines, ...bySize].join("\n") + "\n");
