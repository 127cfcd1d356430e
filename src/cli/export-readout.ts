/**
 * The ridge readouts of a model's tasks block, fitted as `engram run` fits them: the model runs on
 * the float64 reference target, every task is fitted on the train samples (src/analysis/tasks/:
 * washout, ridge with unpenalised bias), and the test samples' states and engram's predictions are
 * kept to check the exported ONNX graph against (src/interchange/readout-onnx.ts writes it).
 */
import { compile } from "../compiler/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { planTasks } from "../analysis/tasks/check.ts";
import { stateColumns, targetRows } from "../analysis/tasks/evaluate.ts";
import { taskGrid } from "../analysis/tasks/grid.ts";
import { fitRidge, predict } from "../analysis/tasks/ridge.ts";
import type { Readout } from "../interchange/readout-onnx.ts";

export function fitReadout(model: string, seed?: number): Readout {
  const program = compile(model, { target: "reference", seed });
  if (!program.tasks) throw new EngramError([{ code: "no-readout", message: `${displayPath(model)} has no tasks block: there is no ridge readout to export`, hint: "add tasks (docs/model-format.md, Analysis), or export one projection with --projection NAME" }]);
  const plan = planTasks(program);
  const handle = getTarget("reference").execute!(program);
  handle.run();
  const table = handle.recorded.tables[plan.recording]!;
  const t = plan.tasks;
  const tasks = taskGrid(plan.channels, t.shifts, t.powers);
  const train = stateColumns(plan, table, t.washout, t.train);
  const test = stateColumns(plan, table, t.washout + t.train, t.test);
  const w = fitRidge(train, targetRows(plan, tasks, t.washout, t.train), t.ridge);
  const n = train.length;
  const testStates = new Float64Array(t.test * n);
  for (let i = 0; i < t.test; i++) for (let a = 0; a < n; a++) testStates[i * n + a] = test[a]![i]!;
  return {
    name: program.name,
    states: t.states,
    tasks: tasks.map((k) => ({ ...k, label: `${plan.stream.names[k.channel]} shift ${k.shift} power ${k.power}` })),
    w,
    nStates: n,
    testStates,
    predictions: predict(w, test, tasks.length),
    testCount: t.test,
  };
}

