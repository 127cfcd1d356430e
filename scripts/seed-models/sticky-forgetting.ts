/**
 * Issue 17, experiment (c): forgetting with and without the weight-dependent multiplier on a
 * sequence of two small tasks (models/chemical/two-tasks.csv: train A, test A, train B, test A,
 * test B), the chemical synapse (L = 1) learning online with fixed random feedback, on reference,
 * cmos and bss2, over seeds 1..5. Forgetting = test accuracy on A right after A minus after B.
 * Prints the table of docs/seed-models.md ("Weight-dependent multipliers").
 * Run: npx tsx scripts/seed-models/sticky-forgetting.ts [--seeds N]
 */
import { meanSd, score, type TargetName } from "./online-accuracy.ts";

const at = process.argv.indexOf("--seeds");
const seeds = at >= 0 ? Number(process.argv[at + 1]) : 5;
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds takes a positive whole number, got "${process.argv[at + 1]}"`);
const models = [
  ["control (no multiplier)", "models/chemical/two-tasks-chemical-1.yaml"],
  ["sticky, paper's a = 0.279, gamma = 4.70, lambda = 4.12", "models/chemical/two-tasks-sticky.yaml"],
  ["sticky, paper's values, learning rate / 4.12", "models/chemical/two-tasks-sticky-slow.yaml"],
  ["sticky, a = 0, gamma = 4.70, lambda = 1", "models/chemical/two-tasks-sticky-damped.yaml"],
] as const;
const CSV = "models/chemical/two-tasks.csv";
console.log(`| rule | target | A after A | A after B | forgetting (A after A - A after B) | B after B | CPU s per run |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
for (const [name, file] of models) {
  for (const target of ["reference", "cmos", "bss2"] as TargetName[]) {
    const runs = Array.from({ length: seeds }, (_, i) => score(file, CSV, target, i + 1));
    const col = (f: (b: number[]) => number) => meanSd(runs.map((r) => f(r.blocks)));
    console.log(`| ${name} | ${target} | ${col((b) => b[1]!)} | ${col((b) => b[3]!)} | ${col((b) => b[1]! - b[3]!)} | ${col((b) => b[4]!)} | ${meanSd(runs.map((r) => r.cpu))} |`);
  }
}
