/**
 * Runs a task set on recorded states: builds the state matrix (sample i = the state at tick
 * start + 1 + i, which has seen the stream up to row i), drops the washout, fits every target on the
 * train samples from one Gram matrix (ridge.ts) and scores R^2 on the test samples.
 */
import { taskGrid, type Task } from "./grid.ts";
import { fitRidgeColumns, predictColumn, rSquared } from "./ridge.ts";
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

/** Target u_k(i + shift)^power for samples [from, from + count). */
export function targetColumn(plan: TaskPlan, t: Task, from: number, count: number): Float64Array {
  const { values, channels } = plan.stream;
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) y[i] = values[(from + i + t.shift) * channels + t.channel]! ** t.power;
  return y;
}

export function evaluateTasks(plan: TaskPlan, table: TaskTable): TaskResult[] {
  const t = plan.tasks;
  const tasks = taskGrid(plan.channels, t.shifts, t.powers);
  const train = stateColumns(plan, table, t.washout, t.train);
  const test = stateColumns(plan, table, t.washout + t.train, t.test);
  const w = fitRidgeColumns(train, tasks.map((task) => targetColumn(plan, task, t.washout, t.train)), t.ridge);
  return tasks.map((task, j) => ({ ...task, channelName: plan.stream.names[task.channel]!, r2: rSquared(targetColumn(plan, task, t.washout + t.train, t.test), predictColumn(w, test, j)) }));
}

export function meanR2(results: TaskResult[]): number {
  return results.reduce((s, r) => s + r.r2, 0) / results.length;
}
