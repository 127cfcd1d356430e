/**
 * Measures the error of the quiet-stretch acceleration against plain 0.2 ms stepping, same model
 * and seed, at 8 h: prints a markdown table for docs/numerics.md.
 * Run: node --import tsx scripts/accuracy.ts
 */
import { compile } from "../src/compiler/pipeline.ts";
import { Executor } from "../targets/reference/executor.ts";

function final(file: string, seed: number, accelerate: boolean) {
  const ex = new Executor(compile(file, { target: "reference", seed, accelerate }));
  const t0 = performance.now();
  ex.run();
  const wall = (performance.now() - t0) / 1000;
  const get = (name: string) => {
    for (const t of ex.recorded.tables) {
      const j = t.names.indexOf(name);
      if (j >= 0) return t.columns[j]![t.count - 1]!;
    }
    return NaN;
  };
  return { h: get("h"), z: get("z"), p: get("p"), wall, dense: ex.stats.denseSteps };
}

// Optional arguments name the models to run (e.g. `wlfs`); none: all of them.
const only = process.argv.slice(2);
const cases = ([["basic-late", 1], ["stet", 3], ["slfs", 3], ["wtet", 3], ["wlfs", 3]] as [string, number][]).filter(([m]) => only.length === 0 || only.includes(m));
console.log("| model (seed) | variable | plain 0.2 ms | accelerated | abs. error | rel. error |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [m, seed] of cases) {
  const file = `models/stc/${m}.yaml`;
  const plain = final(file, seed, false);
  const fast = final(file, seed, true);
  for (const v of ["h", "z", "p"] as const) {
    const a = plain[v], b = fast[v];
    const abs = Math.abs(a - b);
    const rel = a === 0 ? (b === 0 ? 0 : Infinity) : abs / Math.abs(a);
    console.log(`| ${m} (${seed}) | ${v} | ${a.toPrecision(9)} | ${b.toPrecision(9)} | ${abs.toExponential(2)} | ${rel.toExponential(2)} |`);
  }
  console.error(`${m}: plain ${plain.wall.toFixed(2)} s (${plain.dense} steps), accelerated ${fast.wall.toFixed(3)} s (${fast.dense} dense steps)`);
}
