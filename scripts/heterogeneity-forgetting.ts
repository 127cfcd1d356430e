/**
 * The forgetting tables of docs/heterogeneity.md ("Subtasks in sequence and forgetting") from the
 * results.csv of studies/heterogeneity-forgetting.yaml, -synaptic.yaml and -rule.yaml:
 * per grid point mean ± SD over seeds of each subtask's R², the drop of subtask 1's R² from its
 * first presentation to its repeat with the readout refitted (seed-models.md A.4's forgetting), and
 * the frozen subtask-1 readout's R² on the repeat with its forgetting (windows.ts); then paired comparisons (same seed on both sides:
 * same connectivity, weights and input) with the number of seeds in which A forgets at most as
 * much as B. Usage (after the studies ran into out/studies/):
 *   node --import tsx scripts/heterogeneity-forgetting.ts [STUDIES_DIR]
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { mean, median, readOkRows, sd, type Row } from "./lib/study-results.ts";

const dir = process.argv[2] ?? join("out", "studies");

/** Rows that succeeded, with `drop` = R² mg17 - R² mg17-again (seed-models.md A.4's forgetting: readout refitted on the current reservoir). */
function rows(study: string): Row[] {
  return readOkRows(join(dir, study)).rows.map((r) => ({ ...r, drop: String(Number(r.r2_mg17) - Number(r.r2_mg17_again)) }));
}

const ms = (xs: number[], d = 3) => `${mean(xs).toFixed(d)} ± ${sd(xs).toFixed(d)}`;
const SCALARS = ["r2_mg17", "r2_mg23", "r2_mg30", "r2_mg17_again", "drop", "r2_mg17_retest", "forgetting", "r2_mg17_retest_clipped", "forgetting_clipped"];

function table(study: string, keys: string[], label: (r: Row) => string): string[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows(study)) {
    const k = keys.map((c) => r[c]).join("|");
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out = [`| network | seeds | R² mg17 | R² mg23 | R² mg30 | R² mg17 again (refit) | drop (refit) | R² mg17 retest (frozen readout) | forgetting (frozen) | R² mg17 retest clipped at 0 (frozen) | clipped forgetting (frozen) |`, `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`];
  for (const g of groups.values()) out.push(`| ${label(g[0]!)} | ${g.map((r) => r.seed).join(",")} | ${SCALARS.map((s) => ms(g.map((r) => Number(r[s])))).join(" | ")} |`);
  return out;
}

function paired(study: string, what: string, a: Row, b: Row, scalar = "forgetting"): string {
  const pick = (f: Row) => new Map(rows(study).filter((r) => Object.entries(f).every(([k, v]) => (k === "model" ? r.model!.endsWith(`/${v}`) : r[k] === v))).map((r) => [r.seed!, Number(r[scalar])]));
  const x = pick(a), y = pick(b);
  const seeds = [...x.keys()].filter((s) => y.has(s));
  const d = seeds.map((s) => x.get(s)! - y.get(s)!);
  const fa = seeds.map((s) => x.get(s)!), fb = seeds.map((s) => y.get(s)!);
  return `| ${what}, ${scalar === "drop" ? "drop (refit)" : scalar === "forgetting_clipped" ? "clipped forgetting (frozen)" : "forgetting (frozen)"} | ${ms(fa)} | ${ms(fb)} | ${median(fa).toFixed(3)} / ${median(fb).toFixed(3)} | ${ms(d)} | ${d.filter((v) => v <= 0).length}/${seeds.length} |`;
}

const model = (r: Row) => (r.model!.endsWith("-plastic.yaml") ? "plastic" : "static");
const tauN = (r: Row) => (r["populations.res.params.tau.variance"] === "0 ms^2" ? "tau_n homog." : "tau_n gamma CV 1");
const lines: string[] = [];
const F = "heterogeneity-forgetting";
lines.push(`### ${F}`, "", ...table(F, ["model", "populations.res.params.tau.variance"], (r) => `${model(r)}, ${tauN(r)}`), "");
lines.push("| comparison (lower is better) | A | B | median A / B | A - B (paired) | seeds with A <= B |", "| --- | --- | --- | --- | --- | --- |");
const P = "mackey-glass-sequence-plastic.yaml", S = "mackey-glass-sequence.yaml";
const V = "populations.res.params.tau.variance";
for (const m of ["drop", "forgetting", "forgetting_clipped"]) {
  lines.push(paired(F, "plastic: heterogeneous (A) vs homogeneous (B)", { model: P, [V]: "7.8607 ms^2" }, { model: P, [V]: "0 ms^2" }, m));
  lines.push(paired(F, "homogeneous: static (A) vs plastic (B)", { model: S, [V]: "0 ms^2" }, { model: P, [V]: "0 ms^2" }, m));
  lines.push(paired(F, "heterogeneous: static (A) vs plastic (B)", { model: S, [V]: "7.8607 ms^2" }, { model: P, [V]: "7.8607 ms^2" }, m));
}
const G = "heterogeneity-forgetting-synaptic";
if (existsSync(join(dir, G, "results.csv"))) {
  const VS = "projections.rec.params.tau_s.variance";
  lines.push("", `### ${G}`, "", ...table(G, [V, VS], (r) => `${tauN(r)}, Var[tau_s] ${r[VS]}`), "");
  lines.push("| comparison (lower is better) | A | B | median A / B | A - B (paired) | seeds with A <= B |", "| --- | --- | --- | --- | --- | --- |");
  for (const m of ["drop", "forgetting", "forgetting_clipped"]) for (const v of ["4 s^2", "16 s^2", "1024 s^2"]) for (const n of ["0 ms^2", "7.8607 ms^2"]) lines.push(paired(G, `Var[tau_s] ${v} (A) vs 0 (B), Var[tau_n] ${n}`, { [V]: n, [VS]: v }, { [V]: n, [VS]: "0 s^2" }, m));
}
const R = "heterogeneity-forgetting-rule";
if (existsSync(join(dir, R, "results.csv"))) {
  const M = "projections.rec.params.tau_s.mean";
  lines.push("", `### ${R}`, "", ...table(R, [M, V], (r) => `tau_s ${r[M]}, ${tauN(r)}`), "");
  lines.push("| comparison (lower is better) | A | B | median A / B | A - B (paired) | seeds with A <= B |", "| --- | --- | --- | --- | --- | --- |");
  for (const m of ["drop", "forgetting", "forgetting_clipped"]) for (const t of ["10 s", "30 s", "100 s"]) lines.push(paired(R, `tau_s ${t}: heterogeneous tau_n (A) vs homogeneous (B)`, { [M]: t, [V]: "7.8607 ms^2" }, { [M]: t, [V]: "0 ms^2" }, m));
}
process.stdout.write(lines.join("\n") + "\n");
