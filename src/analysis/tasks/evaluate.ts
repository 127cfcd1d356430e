/**
 * Runs a task set on recorded states: builds the state matrix (sample i = the state at tick
 * start + 1 + i, which has seen the stream up to row i), drops the washout, fits every target on the
 * train samples from one Gram matrix (ridge.ts) and scores R^2 on the test samples.
 */
import { Matrix } from "ml-matrix";
import { taskGrid, type Task } from "./grid.ts";
import { fitRidge, predict, rSquared } from "./ridge.ts";
import type { TaskPlan } from "./check.ts";

export interface TaskResult extends Task {
  channelName: string;
  r2: number;
}

export interface TaskTable {
  ticks: Float64Array;
  columns: Float64Array[];
}

/** State rows (samples x states) for samples [from, from + count). */
export function stateMatrix(plan: TaskPlan, table: TaskTable, from: number, count: number): Matrix {
  const X = new Matrix(count, table.columns.length);
  for (let i = 0; i < count; i++) {
    const tick = plan.stream.startTick + 1 + from + i;
    if (table.ticks[tick] !== tick) throw new Error(`internal: recorded row ${tick} is tick ${table.ticks[tick]}`);
    for (let c = 0; c < table.columns.length; c++) X.set(i, c, table.columns[c]![tick]!);
  }
  return X;
}

/** Targets (samples x tasks) u_k(i + shift)^power for samples [from, from + count). */
export function targetMatrix(plan: TaskPlan, tasks: Task[], from: number, count: number): Matrix {
  const { values, channels } = plan.stream;
  const Y = new Matrix(count, tasks.length);
  tasks.forEach((t, j) => {
    for (let i = 0; i < count; i++) Y.set(i, j, values[(from + i + t.shift) * channels + t.channel]! ** t.power);
  });
  return Y;
}

export function evaluateTasks(plan: TaskPlan, table: TaskTable): TaskResult[] {
  const t = plan.tasks;
  const tasks = taskGrid(plan.channels, t.shifts, t.powers);
  const Xtrain = stateMatrix(plan, table, t.washout, t.train);
  const Xtest = stateMatrix(plan, table, t.washout + t.train, t.test);
  const fit = fitRidge(Xtrain, targetMatrix(plan, tasks, t.washout, t.train), t.ridge);
  const r2 = rSquared(targetMatrix(plan, tasks, t.washout + t.train, t.test), predict(fit, Xtest));
  return tasks.map((task, j) => ({ ...task, channelName: plan.stream.names[task.channel]!, r2: r2[j]! }));
}

export function meanR2(results: TaskResult[]): number {
  return results.reduce((s, r) => s + r.r2, 0) / results.length;
}
