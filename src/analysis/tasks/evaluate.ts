/**
 * Runs a task set on recorded states: builds the state matrix (sample i = the state at tick
 * start + 1 + i, which has seen the stream up to row i), drops the washout, fits every target on the
 * train samples from one Gram matrix (ridge.ts) and scores R^2 on the test samples. The products
 * run on the WebAssembly SIMD kernel (ridge-wasm.ts) where it exists, else as plain JS (ridge.ts);
 * the two agree to rounding.
 */
import { taskGrid, type Task } from "./grid.ts";
import { fitRidge, predict, rSquared, type Targets } from "./ridge.ts";
import type { TaskPlan } from "./check.ts";
import { ridgeScoresWasm } from "./ridge-wasm.ts";
import { wasmDotsAvailable } from "../../util/f64-dots.ts";

/** "wasm": the SIMD kernel (default where WebAssembly SIMD exists); "js": the plain loops of ridge.ts. */
export type FitKernel = "wasm" | "js";

export interface TaskResult extends Task {
  channelName: string;
  r2: number;
}

export interface TaskTable {
  ticks: Float64Array;
  columns: Float64Array[];
}

/** State columns (one array per state element) for samples [from, from + count). */
export function stateColumns(plan: TaskPlan, table: TaskTable, from: number, count: number): Float64Array[] {
  const first = plan.stream.startTick + 1 + from;
  if (table.ticks[first] !== first || table.ticks[first + count - 1] !== first + count - 1) throw new Error(`internal: recorded rows do not match ticks ${first}..${first + count - 1}`);
  return table.columns.map((c) => c.slice(first, first + count));
}

/** v^p for the task powers: products for 1-3 (Math.pow is several times slower), the same in both fit paths. */
const power = (v: number, p: number) => (p === 1 ? v : p === 2 ? v * v : p === 3 ? v * v * v : v ** p);

/** Targets u_k(i + shift)^power for samples [from, from + count), row-major over the tasks. */
export function targetRows(plan: TaskPlan, tasks: Task[], from: number, count: number): Targets {
  const { values, channels } = plan.stream;
  const m = tasks.length;
  const data = new Float64Array(count * m);
  tasks.forEach((t, j) => {
    for (let i = 0; i < count; i++) data[i * m + j] = power(values[(from + i + t.shift) * channels + t.channel]!, t.power);
  });
  return { data, m };
}

/** Task `task`'s values u_k(i + shift)^power for samples [from, from + into.length). */
function targetColumn(plan: TaskPlan, task: Task, from: number, into: Float64Array): void {
  const { values, channels } = plan.stream;
  const { shift, channel } = task;
  if (task.power === 1) for (let i = 0; i < into.length; i++) into[i] = values[(from + i + shift) * channels + channel]!;
  else for (let i = 0; i < into.length; i++) into[i] = power(values[(from + i + shift) * channels + channel]!, task.power);
}

export function evaluateTasks(plan: TaskPlan, table: TaskTable, kernel: FitKernel = wasmDotsAvailable() ? "wasm" : "js"): TaskResult[] {
  const t = plan.tasks;
  const tasks = taskGrid(plan.channels, t.shifts, t.powers);
  const train = stateColumns(plan, table, t.washout, t.train);
  const test = stateColumns(plan, table, t.washout + t.train, t.test);
  let r2: Float64Array;
  // The SIMD fits return undefined for a problem beyond a WebAssembly memory (4 GiB): then plain JS.
  const fast = kernel === "wasm" ? ridgeScoresWasm(train, test, tasks.length, t.ridge, (j, isTest, into) => targetColumn(plan, tasks[j]!, isTest ? t.washout + t.train : t.washout, into)) : undefined;
  if (fast) r2 = fast;
  else {
    const w = fitRidge(train, targetRows(plan, tasks, t.washout, t.train), t.ridge);
    r2 = rSquared(targetRows(plan, tasks, t.washout + t.train, t.test), predict(w, test, tasks.length));
  }
  return tasks.map((task, j) => ({ ...task, channelName: plan.stream.names[task.channel]!, r2: r2[j]! }));
}

export function meanR2(results: TaskResult[]): number {
  return results.reduce((s, r) => s + r.r2, 0) / results.length;
}
