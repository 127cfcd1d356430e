/**
 * How far the continual rule moves the recurrent weights of models/reservoir/mackey-glass-plastic.yaml
 * over its run, per (tau_s, alpha): the relative Frobenius change ||W_end - W_0|| / ||W_0|| and the
 * spectral radius at the end (docs/heterogeneity.md, "Continual plasticity: the rule tuned").
 * Usage: node --import tsx scripts/plastic-weight-drift.ts [seed]
 */
import { compile } from "../src/compiler/pipeline.ts";
import { spectralRadius } from "../src/compiler/rate/spectral.ts";
import { Executor } from "../targets/reference/executor.ts";

const file = "models/reservoir/mackey-glass-plastic.yaml";
const seed = Number(process.argv[2] ?? 1);
const where = { file, line: 1, column: 1 };
const rows: string[] = ["| tau_s | alpha | rel. change of W | radius at end |", "| --- | --- | --- | --- |"];
for (const tauS of ["1 s", "10 s", "30 s", "100 s", "1000 s"]) {
  for (const alpha of [1, 3, 10]) {
    const overrides = [
      { path: ["projections", "rec", "params", "tau_s"], value: tauS, where, file },
      { path: ["projections", "rec", "params", "alpha"], value: alpha, where, file },
    ];
    const program = compile(file, { target: "reference", seed, overrides });
    const rec = program.projections.find((p) => p.name === "rec")!;
    const w0 = Float64Array.from(rec.vars.find((v) => v.name === "w")!.init);
    const ex = new Executor(program);
    ex.run();
    const w = ex.groups.get("rec")!.arrays.get("w")!;
    let d = 0, n = 0;
    for (let k = 0; k < w.length; k++) (d += (w[k]! - w0[k]!) ** 2), (n += w0[k]! ** 2);
    rows.push(`| ${tauS} | ${alpha} | ${Math.sqrt(d / n).toFixed(3)} | ${spectralRadius(100, rec.preIndex, rec.postIndex, w).toFixed(3)} |`);
  }
}
process.stdout.write(`seed ${seed}, ${file}, initial radius 1.25\n${rows.join("\n")}\n`);
