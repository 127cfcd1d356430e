/**
 * engram bench --reservoir (issue 14): ESN-100 on Mackey-Glass (R² per horizon over seeds) and the
 * 435-task battery's time, simulation plus all fits, against a plain-JS loop of the same reservoir
 * and the plain-JS fits (ridge.ts; the default fits run on the SIMD kernel, ridge-wasm.ts), both
 * measured in the same run.
 */
import { compile } from "../compiler/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { planTasks } from "../analysis/tasks/check.ts";
import { evaluateTasks, meanR2 } from "../analysis/tasks/evaluate.ts";
import type { Program } from "../ir/program.ts";

const MG = "models/reservoir/mackey-glass.yaml";
const BATTERY = "models/reservoir/battery-435.yaml";

/** CPU seconds (user + system) since `from`: on a shared machine wall time overstates the work. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
};

function runTasks(program: Program, compareJs = false): { simulate: number; simCpu: number; fit: number; fitCpu: number; r2: number[]; mean: number; jsFit: number; jsFitCpu: number; jsMean: number; maxDiff: number } {
  const plan = planTasks(program);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const ex = new Executor(program);
  ex.run();
  const simCpu = cpuSince(c0);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const results = evaluateTasks(plan, ex.recorded.tables[plan.recording]!);
  const fitCpu = cpuSince(c1);
  const t2 = performance.now();
  // The plain-JS fits of the same states, for comparison (only when asked: the battery).
  let jsFit = NaN, jsFitCpu = NaN, jsMean = NaN, maxDiff = NaN;
  if (compareJs) {
    const c3 = process.cpuUsage(), t3 = performance.now();
    const js = evaluateTasks(plan, ex.recorded.tables[plan.recording]!, "js");
    jsFitCpu = cpuSince(c3);
    jsFit = (performance.now() - t3) / 1000;
    jsMean = meanR2(js);
    maxDiff = Math.max(...js.map((r, j) => Math.abs(r.r2 - results[j]!.r2)));
  }
  return { simulate: (t1 - t0) / 1000, simCpu, fit: (t2 - t1) / 1000, fitCpu, r2: results.map((r) => r.r2), mean: meanR2(results), jsFit, jsFitCpu, jsMean, maxDiff };
}

/** The same leaky ESN written as one plain loop (CSR recurrent weights), for comparison. */
function plainLoop(program: Program): number {
  const pop = program.populations[0]!;
  const n = pop.size;
  const rec = program.projections[0]!;
  const w = rec.vars.find((v) => v.name === "w")!.init;
  const tau = pop.vars.find((v) => v.name === "tau")?.init;
  const tauConst = 0.003; // unused when tau is per neuron
  const stream = program.stimuli.find((s) => s.kind === "stream") as Extract<Program["stimuli"][number], { kind: "stream" }>;
  const dt = program.tickSeconds;
  const a = Float64Array.from({ length: n }, (_, i) => 1 - Math.exp(-dt / (tau ? tau[i]! : tauConst)));
  const rowStart = new Int32Array(n + 1);
  for (let k = 0; k < w.length; k++) rowStart[rec.postIndex[k]! + 1]!++;
  for (let i = 0; i < n; i++) rowStart[i + 1]! += rowStart[i]!;
  const x = new Float64Array(n);
  const prev = new Float64Array(n);
  const K = stream.channels;
  const t0 = performance.now();
  for (let t = 0; t < program.durationTicks; t++) {
    prev.set(x);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) s += w[k]! * prev[rec.preIndex[k]!]!;
      for (let c = 0; c < K; c++) s += stream.weights[i * K + c]! * stream.values[t * K + c]!;
      x[i] = prev[i]! + (Math.tanh(s) - prev[i]!) * a[i]!;
    }
  }
  return (performance.now() - t0) / 1000;
}

export function reservoirBench(quick: boolean): string[] {
  const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5];
  const first = compile(MG, { target: "reference" });
  const shifts = first.tasks!.shifts;
  const out = [
    `ESN-100 on Mackey-Glass (${MG}: leaky a = 0.3, homogeneous, spectral radius 1.25, ridge 1e-6 with bias; washout ${first.tasks!.washout}, train ${first.tasks!.train}, test ${first.tasks!.test}). Test R² per horizon:`,
    "",
    `| seed | ${shifts.map((h) => `h=${h}`).join(" | ")} |`,
    `| --- | ${shifts.map(() => "---").join(" | ")} |`,
  ];
  const all: number[][] = [];
  for (const seed of seeds) {
    const r = runTasks(compile(MG, { target: "reference", seed }));
    all.push(r.r2);
    out.push(`| ${seed} | ${r.r2.map((x) => x.toFixed(5)).join(" | ")} |`);
  }
  out.push(`| mean | ${shifts.map((_, j) => (all.reduce((s, r) => s + r[j]!, 0) / all.length).toFixed(5)).join(" | ")} |`, "");
  const battery = compile(BATTERY, { target: "reference" });
  const reps = quick ? 1 : 3;
  const rows: { sim: number; simCpu: number; fit: number; fitCpu: number; plain: number; mean: number; jsFit: number; jsFitCpu: number; jsMean: number; maxDiff: number }[] = [];
  for (let i = 0; i < reps; i++) {
    const r = runTasks(battery, true);
    rows.push({ sim: r.simulate, simCpu: r.simCpu, fit: r.fit, fitCpu: r.fitCpu, plain: plainLoop(battery), mean: r.mean, jsFit: r.jsFit, jsFitCpu: r.jsFitCpu, jsMean: r.jsMean, maxDiff: r.maxDiff });
  }
  const best = (f: (r: (typeof rows)[number]) => number) => Math.min(...rows.map(f));
  out.push(
    `435-task battery (${BATTERY}: N = ${battery.populations[0]!.size}, ${battery.durationTicks} steps), best of ${reps}:`,
    "",
    "| simulation, reference target (s) | of which CPU (s) | plain-JS loop of the same reservoir (s) | all 435 fits and scores, SIMD kernel (s) | of which CPU (s) | same fits, plain JS (s) | of which CPU (s) | simulation + fits (s) | of which CPU (s) | mean R² | mean R², plain JS | largest ΔR² of a task |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    `| ${best((r) => r.sim).toFixed(3)} | ${best((r) => r.simCpu).toFixed(3)} | ${best((r) => r.plain).toFixed(3)} | ${best((r) => r.fit).toFixed(3)} | ${best((r) => r.fitCpu).toFixed(3)} | ${best((r) => r.jsFit).toFixed(3)} | ${best((r) => r.jsFitCpu).toFixed(3)} | ${best((r) => r.sim + r.fit).toFixed(3)} | ${best((r) => r.simCpu + r.fitCpu).toFixed(3)} | ${rows[0]!.mean.toFixed(5)} | ${rows[0]!.jsMean.toFixed(5)} | ${Math.max(...rows.map((r) => r.maxDiff)).toExponential(1)} |`,
  );
  return out;
}
