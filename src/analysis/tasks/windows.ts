/**
 * Segment-wise fits and forgetting (the poster's continual-learning protocol, issue 14): for each
 * `tasks.windows` entry a readout is fitted by ridge regression on the states of its `train`
 * samples and scored (R² per task) on its `test` samples; with a `retest` window, the same readout,
 * frozen, is scored again on that later window. Forgetting per task is R²(test) - R²(retest): how
 * much of what the readout did on a subtask is lost once the network has run (and, under continual
 * plasticity, changed) through the later subtasks. A window's mean is the plain mean over tasks.
 *
 * R² is unbounded below (a frozen linear readout on a drifted network extrapolates), so one seed's
 * R² of -10^5 dominates a mean over seeds. `forgetting_clipped` bounds it: per task
 * max(R²(test), 0) - max(R²(retest), 0), in [-1, 1] (1: the subtask was learnt perfectly and is
 * lost completely; a readout worse than predicting the mean counts as knowing nothing).
 */
import { taskGrid, type Task } from "./grid.ts";
import { fitRidge, predict, rSquared } from "./ridge.ts";
import type { TaskPlan } from "./check.ts";
import { stateColumns, targetRows, type TaskTable } from "./evaluate.ts";

export interface WindowTask extends Task {
  r2: number;
  retest_r2: number | null;
  forgetting: number | null;
  forgetting_clipped: number | null;
}

export interface WindowResult {
  name: string;
  /** Mean over tasks of R² on the test window, of R² on the retest window and of their difference. */
  r2: number;
  retest_r2: number | null;
  forgetting: number | null;
  /** Mean over tasks of max(R²(test), 0) - max(R²(retest), 0): bounded in [-1, 1]. */
  forgetting_clipped: number | null;
  /** Means over tasks of max(R², 0) on test and retest: forgetting_clipped is their difference. */
  r2_clipped: number;
  retest_r2_clipped: number | null;
  tasks: WindowTask[];
}

const clip0 = (r2: number) => (r2 < 0 ? 0 : r2);

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

export function evaluateWindows(plan: TaskPlan, table: TaskTable): WindowResult[] {
  const t = plan.tasks;
  const tasks = taskGrid(plan.channels, t.shifts, t.powers);
  const m = tasks.length;
  const score = (w: Float64Array, [from, to]: [number, number]) => rSquared(targetRows(plan, tasks, from, to - from), predict(w, stateColumns(plan, table, from, to - from), m));
  return (t.windows ?? []).map((win) => {
    const [from, to] = win.train;
    const w = fitRidge(stateColumns(plan, table, from, to - from), targetRows(plan, tasks, from, to - from), t.ridge);
    const r2 = score(w, win.test);
    const again = win.retest ? score(w, win.retest) : null;
    const rows: WindowTask[] = tasks.map((task, j) => ({ ...task, r2: r2[j]!, retest_r2: again ? again[j]! : null, forgetting: again ? r2[j]! - again[j]! : null, forgetting_clipped: again ? clip0(r2[j]!) - clip0(again[j]!) : null }));
    return {
      name: win.name,
      r2: mean(rows.map((r) => r.r2)),
      retest_r2: again ? mean(rows.map((r) => r.retest_r2!)) : null,
      forgetting: again ? mean(rows.map((r) => r.forgetting!)) : null,
      forgetting_clipped: again ? mean(rows.map((r) => r.forgetting_clipped!)) : null,
      r2_clipped: mean(rows.map((r) => clip0(r.r2))),
      retest_r2_clipped: again ? mean(rows.map((r) => clip0(r.retest_r2!))) : null,
      tasks: rows,
    };
  });
}

export function windowsCsv(results: WindowResult[], names: string[]): string {
  const f = (x: number | null) => (x === null || Number.isNaN(x) ? "" : x.toPrecision(10));
  const rows = results.flatMap((w) => w.tasks.map((r) => `${w.name},${r.channel},${names[r.channel]},${r.shift},${r.power},${f(r.r2)},${f(r.retest_r2)},${f(r.forgetting)},${f(r.forgetting_clipped)}`));
  return ["window,channel,channel_name,shift,power,r2,retest_r2,forgetting,forgetting_clipped", ...rows].join("\n") + "\n";
}
