/**
 * The file `engram import FILE.onnx` writes next to the model (`onnx.json`): where the ONNX graph
 * and its test data were copied, which graph input is the signal, and which recording and steps
 * hold each graph output. `engram compare` reads it to add ONNX Runtime as the reference column.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import type { OnnxOutputMap } from "./onnx-to-model.ts";
import type { Tensor } from "./onnx-read.ts";

export const SIDECAR = "onnx.json";

export interface OnnxSidecar {
  /** The model file (in the same folder) this sidecar describes. */
  model: string;
  /** The copied ONNX graph and test-data folder, relative to the folder. */
  onnx: string;
  data: string;
  signal: string;
  /** The signal's ONNX dims, the CSV that feeds it and whether its axis 0 is time (one CSV row per step). */
  signalDims: number[];
  csv: string;
  timed: boolean;
  outputs: OnnxOutputMap[];
}

/** The sidecar of MODEL.yaml, when MODEL.yaml was written by engram import FILE.onnx. */
export function findSidecar(model: string): { dir: string; sidecar: OnnxSidecar } | undefined {
  const dir = dirname(model);
  const file = join(dir, SIDECAR);
  if (!existsSync(file)) return undefined;
  let s: OnnxSidecar;
  try {
    s = JSON.parse(readFileSync(file, "utf8")) as OnnxSidecar;
  } catch (e) {
    throw new EngramError([{ code: "bad-sidecar", message: `${displayPath(file)} is not valid JSON: ${(e as Error).message}` }]);
  }
  if (typeof s !== "object" || s === null || s.model !== basename(model)) return undefined;
  if (typeof s.onnx !== "string" || typeof s.data !== "string" || !Array.isArray(s.outputs)) throw new EngramError([{ code: "bad-sidecar", message: `${displayPath(file)} lacks "onnx", "data" or "outputs"`, hint: "re-run engram import on the ONNX file" }]);
  return { dir, sidecar: s };
}

type Tables = { ticks: Float64Array; columns: Float64Array[]; names: string[]; count: number }[];

/** Each graph output as a tensor, gathered from a run's recordings at the steps the sidecar names. */
export function outputsFromRun(tables: Tables, outputs: OnnxOutputMap[]): Map<string, Tensor> {
  const result = new Map<string, Tensor>();
  for (const o of outputs) {
    const table = tables.find((t) => t.names[0]?.startsWith(`${o.record}[`));
    if (!table) throw new EngramError([{ code: "missing-recording", message: `the run has no recording "${o.record}" for ONNX output "${o.name}"`, hint: `keep the recording { var: ${o.population}.x, as: ${o.record}, elements: all } in the model` }]);
    const size = table.names.length;
    const data = new Float64Array(size * o.ticks.length);
    o.ticks.forEach((tick, s) => {
      const row = table.ticks.subarray(0, table.count).indexOf(tick);
      if (row < 0) throw new EngramError([{ code: "missing-recording", message: `recording "${o.record}" has no sample at step ${tick} (ONNX output "${o.name}")`, hint: "keep the duration and every: 1 ms that engram import wrote" }]);
      for (let i = 0; i < size; i++) data[s * size + i] = table.columns[i]![row]!;
    });
    result.set(o.name, { dims: o.dims, data });
  }
  return result;
}
