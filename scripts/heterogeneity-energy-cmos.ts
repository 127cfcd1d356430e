/**
 * The CMOS column of docs/heterogeneity.md's score-per-energy table from actual cmos runs: the
 * ESN-100 of models/reservoir/mackey-glass.yaml (tau ~ gamma of the homogeneous mean, CV as in
 * scripts/heterogeneity-ipc-energy.ts) compiled to the cmos IR and run on its emulator as
 * `engram run --target cmos` does (prepareRun: default width, stochastic rounding, ideal chip),
 * readout trained on the chip's own states, energy measured from the emulator's counts. The
 * float64 run of the same seed gives the estimate the earlier table used, for comparison.
 * Run: node --import tsx scripts/heterogeneity-energy-cmos.ts [--seeds 1,2]
 */
import { resolve } from "node:path";
import { compile } from "../src/compiler/pipeline.ts";
import { Executor } from "../targets/reference/executor.ts";
import { getTarget } from "../targets/registry.ts";
import { planTasks } from "../src/analysis/tasks/check.ts";
import { evaluateTasks, meanR2, type TaskTable } from "../src/analysis/tasks/evaluate.ts";
import { energyOfRun } from "../src/cli/run-energy.ts";
import { prepareRun } from "../src/cli/execute-run.ts";
import { IDEAL } from "../src/compiler/fixed/variation.ts";
import { VERSION } from "../src/cli/main.ts";
import type { ModelOverride } from "../src/model/load.ts";

const MODEL = resolve("models/reservoir/mackey-glass.yaml");
const MEAN_MS = 2.8037;
const cvs = [0, 0.5, 1, 2];
const at = process.argv.indexOf("--seeds");
const seeds = at > 0 ? process.argv[at + 1]!.split(",").map(Number) : [1, 2];

const override = (cv: number): ModelOverride[] => cv === 0 ? [] : [{
  path: ["populations", "res", "params", "tau"],
  value: { dist: "gamma", mean: `${MEAN_MS} ms`, variance: `${(cv * MEAN_MS) ** 2} ms^2` },
  where: { file: MODEL, path: ["populations", "res", "params", "tau"] }, file: MODEL,
}];

const g = (x: number) => x.toPrecision(4);
const lines = [
  `ESN-100 on Mackey-Glass, tau ~ gamma(mean ${MEAN_MS} ms, CV), on the cmos emulator (default width, stochastic rounding) and in float64, seeds ${seeds.join(", ")}:`,
  "",
  "| tau CV | seed | mean R², cmos | mean R², float64 | cmos synaptic transmissions (measured) | cmos plasticity updates (measured) | CMOS J measured (static + dynamic) | CMOS J estimated from float64 (static + dynamic) | R² per J, CMOS measured | R² per J, CMOS estimated (float64) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];
const cmos = getTarget("cmos");
for (const cv of cvs) {
  for (const seed of seeds) {
    const chip = compile(MODEL, { target: "cmos", seed, overrides: override(cv) });
    const run = prepareRun(chip, cmos, { rounding: "stochastic", variation: IDEAL, engramVersion: VERSION });
    run.handle.run();
    const plan = planTasks(chip);
    const r2c = meanR2(evaluateTasks(plan, run.handle.recorded.tables[plan.recording]! as TaskTable));
    const ec = energyOfRun(chip, run.handle, "cmos");
    const ref = compile(MODEL, { target: "reference", seed, overrides: override(cv) });
    const ex = new Executor(ref);
    ex.run();
    const r2f = meanR2(evaluateTasks(planTasks(ref), ex.recorded.tables[plan.recording]!));
    const ef = energyOfRun(ref, ex, "reference");
    const c = ec.models.cmos, f = ef.models.cmos;
    lines.push(`| ${cv} | ${seed} | ${r2c.toFixed(5)} | ${r2f.toFixed(5)} | ${g(ec.activity.transmissions)} | ${g(ec.activity.plasticityUpdates)} | ${g(c.joules)} (${g(c.static_j as number)} + ${g(c.dynamic_j as number)}) | ${g(f.joules)} (${g(f.static_j as number)} + ${g(f.dynamic_j as number)}) | ${(r2c / c.joules).toFixed(1)} | ${(r2f / f.joules).toFixed(1)} |`);
    process.stderr.write(`cv ${cv} seed ${seed} done (${c.basis})\n`);
  }
}
process.stdout.write(lines.join("\n") + "\n");
