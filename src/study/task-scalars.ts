/**
 * Study scalars read from a run's readout tasks (a model with a `tasks` block, issue 14):
 * `{ tasks: mean }` is the mean test R² over the model's task set, `memory` / `prediction` the
 * mean over negative / positive shifts, and `task[shift=84].r2` one task's R² (a lookup path as
 * for analysis scalars); `windows[name=W].r2`, `.retest_r2`, `.forgetting`, `.forgetting_clipped`, `.r2_clipped`, `.retest_r2_clipped` those of a task window. The fit runs once per run, and only when the study collects such a
 * scalar: one Gram matrix for every task of the model (src/analysis/tasks/evaluate.ts).
 */
import type { Program } from "../ir/program.ts";
import type { RunResult } from "../analysis/run-output.ts";
import { planTasks } from "../analysis/tasks/check.ts";
import { evaluateTasks, meanR2, type TaskResult } from "../analysis/tasks/evaluate.ts";
import { tasksCsv } from "../analysis/tasks/write.ts";
import { evaluateWindows, type WindowResult } from "../analysis/tasks/windows.ts";

export interface TaskSummary {
  mean: number;
  memory: number | null;
  prediction: number | null;
  task: { channel: number; channel_name: string; shift: number; power: number; r2: number }[];
  /** tasks.windows (src/analysis/tasks/windows.ts): e.g. `windows[name=mg17].forgetting`. */
  windows: WindowResult[];
}

/** Whether any collected scalar reads the tasks. */
export const collectsTasks = (collect: Record<string, object>): boolean => Object.values(collect).some((s) => "tasks" in s);

/** Fits the model's task set on the run's recorded states; also returns tasks.csv's text. */
export function taskSummary(program: Program, tables: RunResult["tables"]): { summary: TaskSummary; csv: string } {
  const plan = planTasks(program);
  const results = evaluateTasks(plan, tables[plan.recording]!);
  const mean = (rs: TaskResult[]) => (rs.length > 0 ? meanR2(rs) : null);
  const summary: TaskSummary = {
    mean: meanR2(results),
    memory: mean(results.filter((r) => r.shift < 0)),
    prediction: mean(results.filter((r) => r.shift > 0)),
    task: results.map((r) => ({ channel: r.channel, channel_name: r.channelName, shift: r.shift, power: r.power, r2: r.r2 })),
    windows: evaluateWindows(plan, tables[plan.recording]!),
  };
  return { summary, csv: tasksCsv(results) };
}
