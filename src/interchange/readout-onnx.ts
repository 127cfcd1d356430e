/**
 * The ridge readouts of a model's `tasks` block as one ONNX Gemm (Y = X W + B): the fit
 * (src/cli/export-readout.ts, exactly as `engram run` fits it) gives the weights [states, tasks]
 * and biases [tasks], written here as DOUBLE tensors, so that ONNX Runtime reproduces
 * engram's predictions to float64 rounding (float32 would lose the large, cancelling weights of a
 * lightly regularised readout). Column j of Y is task j; the graph's doc string and metadata
 * (`engram.tasks`) list them as channel/shift/power.
 */
import { createRequire } from "node:module";

const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");

export interface Readout {
  name: string;
  states: string;
  /** One per column of Y: the stream channel, shift and power of the target, and a label. */
  tasks: { channel: number; shift: number; power: number; label: string }[];
  /** [states + 1][tasks] row-major; the last row is the bias (ridge.ts's layout). */
  w: Float64Array;
  nStates: number;
  /** The test samples' states [test][states] row-major and engram's predictions [test][tasks]. */
  testStates: Float64Array;
  predictions: Float64Array;
  testCount: number;
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
