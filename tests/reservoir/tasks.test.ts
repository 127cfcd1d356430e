/** Readout tasks (issue 14): the grid, the ridge fit against hand-computed cases, alignment, spec errors. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { taskGrid } from "../../src/analysis/tasks/grid.ts";
import { fitRidge, predict, rSquared } from "../../src/analysis/tasks/ridge.ts";
import { evaluateTasks } from "../../src/analysis/tasks/evaluate.ts";
import { planTasks, type TaskPlan } from "../../src/analysis/tasks/check.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { arChannels } from "../../src/compiler/rate/streams.ts";

const f64 = (a: number[]) => Float64Array.from(a);

describe("task grid", () => {
  it("5 channels x shifts -14..14 x powers 1..3 = 435 tasks, channel slowest, power fastest", () => {
    const shifts = Array.from({ length: 29 }, (_, i) => i - 14);
    const g = taskGrid([0, 1, 2, 3, 4], shifts, [1, 2, 3]);
    expect(g).toHaveLength(435);
    expect(g[0]).toEqual({ channel: 0, shift: -14, power: 1 });
    expect(g[1]).toEqual({ channel: 0, shift: -14, power: 2 });
    expect(g[3]).toEqual({ channel: 0, shift: -13, power: 1 });
    expect(g[87]).toEqual({ channel: 1, shift: -14, power: 1 });
    expect(g[434]).toEqual({ channel: 4, shift: 14, power: 3 });
    expect(new Set(g.map((t) => `${t.channel},${t.shift},${t.power}`)).size).toBe(435);
  });
  it("battery-435.yaml declares that grid", () => {
    const program = compile("models/reservoir/battery-435.yaml", { target: "reference" });
    const plan = planTasks(program);
    expect(taskGrid(plan.channels, plan.tasks.shifts, plan.tasks.powers)).toHaveLength(435);
  });
});

describe("ridge regression with bias", () => {
  const rows = (cols: number[][]) => ({ data: f64(cols[0]!.flatMap((_, i) => cols.map((c) => c[i]!))), m: cols.length });
  it("lambda = 0: exact line y = 2x + 1", () => {
    const w = fitRidge([f64([0, 1, 2, 3])], rows([[1, 3, 5, 7]]), 0);
    expect(w[0]).toBeCloseTo(2, 12);
    expect(w[1]).toBeCloseTo(1, 12);
  });
  it("lambda = 1 (bias not penalised): hand-solved normal equations, two right-hand sides", () => {
    // G = [[sum x^2 + 1, sum x], [sum x, n]] = [[15, 6], [6, 4]], b = [sum xy, sum y] = [34, 16].
    // det 24: w = (34*4 - 6*16)/24 = 5/3, bias = (15*16 - 6*34)/24 = 3/2.
    const w = fitRidge([f64([0, 1, 2, 3])], rows([[1, 3, 5, 7], [2, 6, 10, 14]]), 1);
    // row-major (features + 1) x targets: [w_0, w_1; bias_0, bias_1]
    expect(w[0]).toBeCloseTo(5 / 3, 12);
    expect(w[2]).toBeCloseTo(1.5, 12);
    // The second right-hand side (2y) from the same Gram matrix: twice the solution.
    expect(w[1]).toBeCloseTo(10 / 3, 12);
    expect(w[3]).toBeCloseTo(3, 12);
    const p = predict(w, [f64([0, 3])], 2);
    expect(p[0]).toBeCloseTo(1.5, 12);
    expect(p[2]).toBeCloseTo(6.5, 12);
    expect(p[3]).toBeCloseTo(13, 12);
  });
  it("R² = 1 - SS_res / SS_tot: y = [1, 2, 3], yhat = [1, 2, 4] gives 0.5; a constant target gives NaN", () => {
    const r = rSquared(rows([[1, 2, 3], [5, 5, 5]]), f64([1, 5, 2, 5, 4, 5]));
    expect(r[0]).toBe(0.5);
    expect(r[1]).toBeNaN();
  });
});

describe("alignment of states and targets", () => {
  // A white-noise stream and "states" that hold exactly u(t-1) and u(t-2) at tick t: shift 0 and
  // -1 are then perfectly readable, shift +3 (prediction of white noise) is not.
  const n = 3000;
  const s = arChannels(1, [0], 9, n);
  const ticks = Float64Array.from({ length: n + 1 }, (_, t) => t);
  const col = (lag: number) => Float64Array.from(ticks, (t) => (t - lag >= 0 ? s.values[t - lag]! : 0));
  const plan: TaskPlan = {
    tasks: { states: "res.x", stream: 0, washout: 10, train: 2000, test: 900, ridge: 1e-9, shifts: [0, -1, 3], powers: [1], where: {} },
    recording: 0,
    stream: { kind: "stream", target: "res", neurons: Int32Array.from([0]), startTick: 0, stopTick: n, input: "I_in", channels: 1, names: ["u0"], values: s.values, weights: f64([1]) },
    channels: [0],
    length: n,
  };
  it("state at tick t has seen u(t-1): shift 0 and -1 give R² 1, shift 3 on white noise about 0", () => {
    const r = evaluateTasks(plan, { ticks, columns: [col(1), col(2)] });
    expect(r[0]!.r2).toBeCloseTo(1, 9);
    expect(r[1]!.r2).toBeCloseTo(1, 9);
    expect(Math.abs(r[2]!.r2)).toBeLessThan(0.02);
  });
});

describe("bad task specs are located errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "engram-tasks-"));
  for (const f of ["leaky-esn-unit.yaml", "rate-synapse.yaml"]) copyFileSync(join("models/reservoir", f), join(dir, f));
  const model = (tasks: string, every = "1 ms") => {
    const f = join(dir, `m${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, `engram: 1
kind: network
dt: 1 ms
duration: 300 ms
populations:
  res: { neuron: leaky-esn-unit.yaml, size: 10 }
stimuli:
  - { kind: stream, target: res, input: I_in, source: { channels: { count: 2 } }, weights: 1 }
recordings:
  - { var: res.x, elements: all, every: ${every} }
tasks:
${tasks}
`);
    return f;
  };
  const fails = (file: string, code: string, key: string) => {
    try {
      planTasks(compile(file, { target: "reference" }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      const d = (e as EngramError).diagnostics.find((x) => x.code === code)!;
      expect(d).toBeDefined();
      expect(d.where?.file).toBe(file);
      expect(d.where?.path).toContain(key);
    }
  };
  it("washout shorter than the memory shifts", () => fails(model("  { states: res.x, washout: 2, train: 100, test: 50, shifts: [-5, 0] }"), "out-of-stream", "washout"));
  it("more samples than the stream has", () => fails(model("  { states: res.x, washout: 10, train: 200, test: 100, shifts: [0] }"), "out-of-stream", "test"));
  it("states not recorded every step", () => fails(model("  { states: res.x, washout: 10, train: 100, test: 50, shifts: [0] }", "2 ms"), "bad-recording", "states"));
  it("a channel the stream lacks", () => fails(model("  { states: res.x, washout: 10, train: 100, test: 50, shifts: [0], channels: [2] }"), "index-out-of-range", "channels"));
  it("no such stream", () => fails(model("  { states: res.x, stream: 1, washout: 10, train: 100, test: 50, shifts: [0] }"), "unknown-stream", "stream"));
});
