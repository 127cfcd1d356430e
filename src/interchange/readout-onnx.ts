/**
 * The ridge readouts of a model's `tasks` block as one ONNX Gemm (Y = X W + B): the model runs on
 * the float64 reference target, every task is fitted exactly as `engram run` fits it
 * (src/analysis/tasks/: washout, train samples, ridge with unpenalised bias), and the weights
 * [states, tasks] and biases [tasks] are written as DOUBLE tensors, so that ONNX Runtime reproduces
 * engram's predictions to float64 rounding (float32 would lose the large, cancelling weights of a
 * lightly regularised readout). Column j of Y is task j; the graph's doc string and metadata
 * (`engram.tasks`) list them as channel/shift/power.
 */
import { createRequire } from "node:module";
import { compile } from "../compiler/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { planTasks } from "../analysis/tasks/check.ts";
import { stateColumns, targetRows } from "../analysis/tasks/evaluate.ts";
import { taskGrid, type Task } from "../analysis/tasks/grid.ts";
import { fitRidge, predict } from "../analysis/tasks/ridge.ts";

const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");

export interface Readout {
  name: string;
  states: string;
  tasks: (Task & { label: string })[];
  /** [states + 1][tasks] row-major; the last row is the bias (ridge.ts's layout). */
  w: Float64Array;
  nStates: number;
  /** The test samples' states [test][states] row-major and engram's predictions [test][tasks]. */
  testStates: Float64Array;
  predictions: Float64Array;
  testCount: number;
}

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

export function readoutToOnnx(r: Readout, producer: string): Uint8Array {
  const D = onnx.TensorProto.DataType.DOUBLE;
  const n = r.nStates, m = r.tasks.length;
  const io = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: D, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: producer,
    opsetImport: [{ domain: "", version: 13 }],
    metadataProps: [{ key: "engram.tasks", value: JSON.stringify(r.tasks.map((k) => ({ channel: k.channel, shift: k.shift, power: k.power }))) }, { key: "engram.states", value: r.states }],
    graph: {
      name: `${r.name}_readout`,
      docString: `Ridge readouts of ${r.name}: Y[:, j] predicts task j from the states ${r.states} (X, one row per sample). Tasks: ${r.tasks.map((k, j) => `${j}: ${k.label}`).join("; ")}`,
      node: [{ name: "readout", opType: "Gemm", input: ["X", "W", "B"], output: ["Y"] }],
      initializer: [
        { name: "W", dims: [n, m], dataType: D, doubleData: Array.from(r.w.subarray(0, n * m)) },
        { name: "B", dims: [m], dataType: D, doubleData: Array.from(r.w.subarray(n * m)) },
      ],
      input: [io("X", ["batch", n])],
      output: [io("Y", ["batch", m])],
    },
  }).finish();
}
