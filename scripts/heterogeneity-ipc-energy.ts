/**
 * Issue 15's two claims, measured: IPC by degree and score per energy against heterogeneity.
 * The ESN-100 of models/reservoir/mackey-glass.yaml with tau drawn per unit from a gamma
 * distribution of the homogeneous mean (2.8037 ms, leak 0.3) and coefficient of variation CV
 * (0 = homogeneous), over seeds. Per run: mean test R² over the 8 Mackey-Glass horizons, the
 * energy of the run (biology, BSS-2 and CMOS estimated from its event counts), and the IPC of
 * the same network under i.i.d. U[-1, 1] input (its stream weights, T samples).
 * Run: node --import tsx scripts/heterogeneity-ipc-energy.ts [--quick] [--svg FILE]
 * (--svg: the mean capacity by degree per CV as stacked bars, src/analysis/ipc/write.ts).
 */
import { resolve } from "node:path";
import { compile } from "../src/compiler/pipeline.ts";
import { Executor } from "../targets/reference/executor.ts";
import { planTasks } from "../src/analysis/tasks/check.ts";
import { evaluateTasks, meanR2 } from "../src/analysis/tasks/evaluate.ts";
import { energyOfRun } from "../src/cli/run-energy.ts";
import { driveUniform } from "../src/analysis/ipc/drive.ts";
import { informationProcessingCapacity, IPC_DEFAULTS } from "../src/analysis/ipc/search.ts";
import type { ModelOverride } from "../src/model/load.ts";
import { renderCapacitySvg } from "../src/analysis/ipc/write.ts";
import { writeFileAtomic } from "../src/util/atomic-write.ts";

const quick = process.argv.includes("--quick");
const MODEL = resolve("models/reservoir/mackey-glass.yaml");
const MEAN_MS = 2.8037;
const cvs = [0, 0.5, 1, 2];
const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5];
const T = quick ? 5000 : 20000, WASHOUT = 200, MAX_DELAY = 100;

const override = (cv: number): ModelOverride[] => cv === 0 ? [] : [{
  path: ["populations", "res", "params", "tau"],
  value: { dist: "gamma", mean: `${MEAN_MS} ms`, variance: `${(cv * MEAN_MS) ** 2} ms^2` },
  where: { file: MODEL, path: ["populations", "res", "params", "tau"] }, file: MODEL,
}];

type Row = { cv: number; seed: number; r2: number; atp: number; bioJ: number; bss2J: number; cmosJ: number; ipc: number[]; total: number; rank: number; spikes: number };
const rows: Row[] = [];
for (const cv of cvs) {
  for (const seed of seeds) {
    const program = compile(MODEL, { target: "reference", seed, overrides: override(cv) });
    const ex = new Executor(program);
    ex.run();
    const plan = planTasks(program);
    const r2 = meanR2(evaluateTasks(plan, ex.recorded.tables[plan.recording]!));
    const e = energyOfRun(program, ex, "reference");
    const stream = program.stimuli.find((s) => s.kind === "stream")!;
    const d = driveUniform(compile(MODEL, { target: "reference", seed, overrides: override(cv) }), { input: { population: stream.target, variable: (stream as { input: string }).input }, states: { population: "res", variable: "x" }, samples: WASHOUT + T, hold: 1, scale: 1, seed });
    const ipc = informationProcessingCapacity(d.u, WASHOUT, d.states.subarray(WASHOUT * d.units), T, d.units, { ...IPC_DEFAULTS, maxDegree: 3, maxDelay: MAX_DELAY });
    rows.push({ cv, seed, r2, atp: e.models.biology.atp, bioJ: e.models.biology.joules, bss2J: e.models.bss2.joules, cmosJ: e.models.cmos.joules, ipc: ipc.byDegree, total: ipc.total, rank: ipc.rank, spikes: e.activity.spikes });
    process.stderr.write(`cv ${cv} seed ${seed}: R² ${r2.toFixed(5)}, IPC ${ipc.byDegree.map((c) => c.toFixed(2)).join("/")}, ATP ${e.models.biology.atp.toExponential(3)}\n`);
  }
}
const ms = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { m, sd };
};
const f = (xs: number[], digits = 2, exp = false) => {
  const { m, sd } = ms(xs);
  return exp ? `${m.toExponential(3)} ± ${sd.toExponential(1)}` : `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
};
const out = [
  `IPC (T = ${T}, delays <= ${MAX_DELAY}, degrees <= 3, threshold 2 chi2.isf(1e-3, rank) / T) and Mackey-Glass mean R² per energy, ESN-100, tau ~ gamma(mean ${MEAN_MS} ms, CV), seeds ${seeds.join(", ")} (mean ± SD):`,
  "",
  "| tau CV | C deg 1 | C deg 2 | C deg 3 | C total | mean R² | spikes (rate model) | biology ATP | R² per ATP | R² per J, biology | R² per J, BSS-2 | R² per J, CMOS |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...cvs.map((cv) => {
    const rs = rows.filter((r) => r.cv === cv);
    const col = (k: number) => f(rs.map((r) => r.ipc[k] ?? 0));
    return `| ${cv} | ${col(0)} | ${col(1)} | ${col(2)} | ${f(rs.map((r) => r.total))} | ${f(rs.map((r) => r.r2), 5)} | ${f(rs.map((r) => r.spikes), 0)} | ${f(rs.map((r) => r.atp), 0, true)} | ${f(rs.map((r) => r.r2 / r.atp), 0, true)} | ${f(rs.map((r) => r.r2 / r.bioJ), 0, true)} | ${f(rs.map((r) => r.r2 / r.bss2J), 1)} | ${f(rs.map((r) => r.r2 / r.cmosJ), 1)} |`;
  }),
];
process.stdout.write(out.join("\n") + "\n");
const svgAt = process.argv.indexOf("--svg");
if (svgAt > 0) {
  const bars = cvs.map((cv) => {
    const rs = rows.filter((r) => r.cv === cv);
    return { label: `CV ${cv}`, byDegree: [0, 1, 2].map((k) => ms(rs.map((r) => r.ipc[k] ?? 0)).m) };
  });
  writeFileAtomic(process.argv[svgAt + 1]!, await renderCapacitySvg(`ESN-100, tau ~ gamma (mean ${MEAN_MS} ms): IPC by degree, mean of seeds ${seeds.join(", ")} (dashed: N)`, bars, 100, "heterogeneity of tau (coefficient of variation)"));
}
