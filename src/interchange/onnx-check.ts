/**
 * Binding and checking an ONNX file: its inputs from a test-data folder of input_N.pb tensors
 * (graph initializers need none), its reference outputs output_N.pb, and the float64 evaluation
 * and ONNX Runtime against those references.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { evaluateOnnx } from "./onnx-eval.ts";
import { maxRelativeError, runOrt } from "./onnx-ort.ts";
import { readOnnx, readTensorFile, type OnnxGraph, type Tensor } from "./onnx-read.ts";

export interface OnnxCheck {
  graph: OnnxGraph;
  /** Per graph output: max relative error of engram float64 and of ORT against the reference. */
  rows: { output: string; dims: number[]; float64: number; ort: number | undefined }[];
  ortMissing?: string;
}

export interface TestData {
  feeds: Map<string, Tensor>;
  /** Reference outputs by graph output name (absent when the folder has no output_N.pb). */
  references: Map<string, Tensor>;
  inputFiles: string[];
  outputFiles: string[];
}

/** The graph's non-initializer inputs bound, in order, to DIR/input_N.pb; references from output_N.pb. */
export function bindTestData(graph: OnnxGraph, dataDir: string): TestData {
  if (!existsSync(dataDir)) throw new EngramError([{ code: "file-not-found", message: `test-data folder not found: ${displayPath(dataDir)}`, hint: "name a folder with input_N.pb (and output_N.pb) tensors, as ONNX's test_data_set_0" }]);
  const pb = (prefix: string) => readdirSync(dataDir).filter((f) => new RegExp(`^${prefix}_\\d+\\.pb$`).test(f)).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  const ins = pb("input"), outs = pb("output");
  if (ins.length !== graph.inputs.length) {
    throw new EngramError([{ code: "unbound-input", message: `the graph has ${graph.inputs.length} inputs (${graph.inputs.map((i) => i.name).join(", ")}) but ${displayPath(dataDir)} holds ${ins.length} input tensors`, where: { file: displayPath(graph.file), path: ["graph.input"] } }]);
  }
  const feeds = new Map<string, Tensor>(graph.inputs.map((inp, k) => [inp.name, readTensorFile(join(dataDir, ins[k]!))]));
  const references = new Map<string, Tensor>();
  graph.outputs.forEach((o, k) => outs[k] && references.set(o.name, readTensorFile(join(dataDir, outs[k]!))));
  return { feeds, references, inputFiles: ins, outputFiles: outs };
}

export async function checkOnnx(file: string, dataDir: string): Promise<OnnxCheck> {
  const graph = readOnnx(file);
  const { feeds, references } = bindTestData(graph, dataDir);
  const mine = evaluateOnnx(graph, feeds);
  const ort = await runOrt(file, feeds);
  const rows = graph.outputs.map((o, k) => {
    const ref = references.get(o.name);
    const got = mine.get(o.name)!;
    if (!ref) throw new EngramError([{ code: "missing-reference", message: `no reference tensor output_${k}.pb for output "${o.name}" in ${displayPath(dataDir)}` }]);
    if (got.dims.join() !== ref.dims.join()) throw new EngramError([{ code: "shape-mismatch", message: `output "${o.name}" is ${JSON.stringify(got.dims)} in float64 but the reference is ${JSON.stringify(ref.dims)}`, where: { file: displayPath(file), path: ["graph.output", o.name] } }]);
    return { output: o.name, dims: got.dims, float64: maxRelativeError(got, ref), ort: ort.ok ? maxRelativeError(ort.outputs.get(o.name)!, ref) : undefined };
  });
  return { graph, rows, ortMissing: ort.ok ? undefined : ort.reason };
}
