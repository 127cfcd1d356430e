/**
 * Weight statistics over time from a run's traces.csv (columns w[i] and x[i], as the
 * models/sticky/reservoir-*.yaml runs record them): per sample time, the largest |w|, the mean |w|
 * and the mean |x|. Used for the table in docs/seed-models.md ("Weight-dependent multipliers").
 * Run: npx tsx scripts/seed-models/weight-stats.ts out/reservoir-sticky [more run folders]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

for (const dir of process.argv.slice(2)) {
  const [head, ...rows] = readFileSync(join(dir, "traces.csv"), "utf8").trim().split("\n");
  const names = head!.split(",");
  const w = names.flatMap((n, i) => (n.startsWith("w[") ? [i] : []));
  const x = names.flatMap((n, i) => (n.startsWith("x[") ? [i] : []));
  console.log(`${dir}\n| t (s) | max abs w | mean abs w | mean abs x |\n| --- | --- | --- | --- |`);
  for (const row of rows) {
    const v = row.split(",");
    const abs = (cols: number[]) => cols.map((i) => Math.abs(Number(v[i])));
    const aw = abs(w), ax = abs(x);
    console.log(`| ${Number(v[0]).toFixed(0)} | ${Math.max(...aw).toFixed(3)} | ${(aw.reduce((a, b) => a + b, 0) / aw.length).toFixed(3)} | ${(ax.reduce((a, b) => a + b, 0) / ax.length).toFixed(3)} |`);
  }
}
