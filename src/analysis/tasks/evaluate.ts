/**
 * Runs a task set on recorded states: builds the state matrix (sample i = the state at tick
 * start + 1 + i, which has seen the stream up to row i), drops the washout, fits every target on the
 * train samples from one Gram matrix (ridge.ts) and scores R^2 on the test samples.
 */
import { taskGrid, type Task } from "./grid.ts";
import { fitRidge, predict, rSquared, type Targets } from "./ridge.ts";
import type { TaskPlan } from "./check.ts";

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

/** Targets u_k(i + shift)^power for samples [from, from + count), row-major over the tasks. */
export function targetRows(plan: TaskPlan, tasks: Task[], from: number, count: number): Targets {
  const { values, channels } = plan.stream;
  const m = tasks.length;
  const data = new Float64Array(count * m);
  tasks.forEach((t, j) => {
    for (let i = 0; i < count; i++) data[i * m + j] = values[(from + i + t.shift) * channels + t.channel]! ** t.power;
  });
  return { data, m };
}

export function evaluateTasks(plan: TaskPlan, table: TaskTable): TaskResult[] {
  const t = plan.tasks;
  const tasks = taskGrid(plan.channels, t.shifts, t.powers);
  const train = stateColumns(plan, table, t.washout, t.train);
  const test = stateColumns(plan, table, t.washout + t.train, t.test);
  const w = fitRidge(train, targetRows(plan, tasks, t.washout, t.train), t.ridge);
  const r2 = rSquared(targetRows(plan, tasks, t.washout + t.train, t.test), predict(w, test, tasks.length));
  return tasks.map((task, j) => ({ ...task, channelName: plan.stream.names[task.channel]!, r2: r2[j]! }));
}

export function meanR2(results: TaskResult[]): number {
  return results.reduce((s, r) => s + r.r2, 0) / results.length;
}
