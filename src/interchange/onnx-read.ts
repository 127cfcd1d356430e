/**
 * Reads an ONNX model and ONNX tensor files (test-data .pb) with onnx-proto, the maintained
 * protobuf definition of ONNX: no hand-written parser. Checks that every op is one engram
 * supports and that the shapes of the bound tensors fit the ops; every problem is an EngramError
 * naming the node, the op and the tensor.
 */
import { existsSync, readFileSync } from "node:fs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { num, onnx, tensorOf, type Tensor } from "../model/onnx-tensor.ts";

export { tensorOf, type Tensor };

export const SUPPORTED_OPS = ["Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Sigmoid", "Tanh", "Clip", "Identity", "Constant", "Reshape", "Flatten", "RNN"] as const;

export interface OnnxNode {
  index: number;
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, { i?: number; f?: number; s?: string; ints?: number[]; floats?: number[]; strings?: string[]; t?: Tensor }>;
}

export interface OnnxGraph {
  file: string;
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, Tensor>;
  /** Graph inputs that are not initializers, in order (what test data binds). */
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
}

const where = (file: string, path: string) => ({ file: displayPath(file), path: [path] });

export function readTensorFile(file: string): Tensor & { name: string } {
  if (!existsSync(file)) throw new EngramError([{ code: "file-not-found", message: `tensor file not found: ${displayPath(file)}` }]);
  let t;
  try {
    t = onnx.TensorProto.decode(readFileSync(file));
  } catch (e) {
    throw new EngramError([{ code: "bad-tensor", message: `not an ONNX TensorProto: ${(e as Error).message}`, where: where(file, "") }]);
  }
  return { ...tensorOf(t, file, ""), name: t.name ?? "" };
}

export function readOnnx(file: string): OnnxGraph {
  if (!existsSync(file)) throw new EngramError([{ code: "file-not-found", message: `ONNX file not found: ${displayPath(file)}` }]);
  let m;
  try {
    m = onnx.ModelProto.decode(readFileSync(file));
  } catch (e) {
    throw new EngramError([{ code: "bad-onnx", message: `not an ONNX model: ${(e as Error).message}`, where: where(file, "") }]);
  }
  const g = m.graph;
  if (!g) throw new EngramError([{ code: "bad-onnx", message: "the model has no graph", where: where(file, "graph") }]);
  const opset = num((m.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx")?.version ?? 0);
  const initializers = new Map((g.initializer ?? []).map((t, i) => [t.name ?? "", tensorOf(t, file, `graph.initializer[${i}]`)]));
  const dimsOf = (v: import("onnx-proto").onnx.IValueInfoProto) => (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : num(d.dimValue)));
  const nodes: OnnxNode[] = (g.node ?? []).map((n, index) => {
    const attrs: OnnxNode["attrs"] = new Map();
    (n.attribute ?? []).forEach((a, k) => {
      attrs.set(a.name ?? "", { i: a.i !== undefined && a.i !== null ? num(a.i) : undefined, f: a.f ?? undefined, s: a.s && a.s.length ? new TextDecoder().decode(a.s) : undefined, ints: (a.ints ?? []).map(num), floats: a.floats ?? [], strings: (a.strings ?? []).map((x) => new TextDecoder().decode(x)), t: a.t ? tensorOf(a.t, file, `graph.node[${index}].attribute[${k}]`) : undefined });
    });
    return { index, name: n.name || `#${index}`, op: n.opType ?? "", inputs: n.input ?? [], outputs: n.output ?? [], attrs };
  });
  const unsupported = nodes.filter((n) => !(SUPPORTED_OPS as readonly string[]).includes(n.op) || (n.op === "RNN" && !rnnIsTanh(n)));
  if (unsupported.length > 0) {
    throw new EngramError(unsupported.map((n) => ({ code: "unsupported-op", message: `node ${n.name} (op ${n.op}${n.op === "RNN" ? ` with activations ${(n.attrs.get("activations")?.strings ?? []).join(", ")}` : ""}) is not supported`, where: where(file, `graph.node[${n.index}]`), expected: `one of ${SUPPORTED_OPS.join(", ")} (RNN with tanh only)`, received: n.op })));
  }
  return {
    file,
    opset,
    nodes,
    initializers,
    inputs: (g.input ?? []).filter((v) => !initializers.has(v.name ?? "")).map((v) => ({ name: v.name ?? "", dims: dimsOf(v) })),
    outputs: (g.output ?? []).map((v) => ({ name: v.name ?? "", dims: dimsOf(v) })),
  };
}

function rnnIsTanh(n: OnnxNode): boolean {
  const a = n.attrs.get("activations");
  return a === undefined || (a.strings ?? []).every((x) => x === "Tanh");
}
