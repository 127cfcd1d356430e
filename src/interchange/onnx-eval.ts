/**
 * Float64 evaluation of an imported ONNX graph, op by op, with ONNX's semantics (numpy
 * broadcasting, Gemm's alpha/beta/transposes, RNN with tanh: H_t = tanh(X_t W^T + H_{t-1} R^T +
 * Wb + Rb)). It is the float64 reference of the ONNX side, checked against the ONNX test data and
 * against ONNX Runtime. Shape problems are EngramErrors naming the node and the tensor.
 */
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import type { OnnxGraph, OnnxNode, Tensor } from "./onnx-read.ts";

const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

export function evaluateOnnx(g: OnnxGraph, feeds: Map<string, Tensor>): Map<string, Tensor> {
  const values = new Map<string, Tensor>([...g.initializers, ...feeds]);
  for (const inp of g.inputs) {
    const t = values.get(inp.name);
    if (!t) throw new EngramError([{ code: "unbound-input", message: `graph input "${inp.name}" has no value: give it in the test data or as an initializer`, where: { file: displayPath(g.file), path: ["graph.input", inp.name] } }]);
    if (inp.dims.length !== t.dims.length || inp.dims.some((d, i) => typeof d === "number" && d > 0 && d !== t.dims[i])) {
      throw new EngramError([{ code: "shape-mismatch", message: `graph input "${inp.name}" is declared ${JSON.stringify(inp.dims)} but the bound tensor is ${JSON.stringify(t.dims)}`, where: { file: displayPath(g.file), path: ["graph.input", inp.name] } }]);
    }
  }
  for (const n of g.nodes) {
    const fail = (message: string): never => {
      throw new EngramError([{ code: "shape-mismatch", message: `node ${n.name} (${n.op}): ${message}`, where: { file: displayPath(g.file), path: [`graph.node[${n.index}]`] } }]);
    };
    const input = (k: number): Tensor | undefined => {
      const name = n.inputs[k];
      if (name === undefined || name === "") return undefined;
      return values.get(name) ?? fail(`input "${name}" is not computed by any earlier node, initializer or graph input`);
    };
    const outs = run(n, input, fail);
    outs.forEach((t, k) => {
      if (n.outputs[k]) values.set(n.outputs[k]!, t);
    });
  }
  return new Map(g.outputs.map((o) => [o.name, values.get(o.name)!]));
}

/** One node on constant tensors (also the constant folding of the ONNX import, onnx-to-model.ts). */
export function run(n: OnnxNode, input: (k: number) => Tensor | undefined, fail: (m: string) => never): Tensor[] {
  const A = () => input(0) ?? fail("missing first input");
  const attr = (k: string) => n.attrs.get(k);
  const map = (f: (x: number) => number) => {
    const a = A();
    return [{ dims: a.dims, data: a.data.map(f) }];
  };
  switch (n.op) {
    case "Identity":
      return [A()];
    case "Relu":
      return map((x) => (x > 0 ? x : 0));
    case "Sigmoid":
      return map((x) => 1 / (1 + Math.exp(-x)));
    case "Tanh":
      return map(Math.tanh);
    case "Clip": {
      const lo = input(1)?.data[0] ?? attr("min")?.f ?? -Infinity, hi = input(2)?.data[0] ?? attr("max")?.f ?? Infinity;
      return map((x) => Math.min(hi, Math.max(lo, x)));
    }
    case "Constant":
      return [attr("value")?.t ?? fail("Constant needs a tensor attribute value")];
    case "Add":
    case "Sub":
    case "Mul":
    case "Div": {
      const f = { Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y, Mul: (x: number, y: number) => x * y, Div: (x: number, y: number) => x / y }[n.op];
      return [broadcast2(A(), input(1) ?? fail("missing second input"), f, fail)];
    }
    case "Flatten": {
      const a = A();
      let axis = attr("axis")?.i ?? 1;
      if (axis < 0) axis += a.dims.length;
      return [{ dims: [count(a.dims.slice(0, axis)), count(a.dims.slice(axis))], data: a.data }];
    }
    case "Reshape": {
      const a = A();
      const want = Array.from(input(1)?.data ?? fail("Reshape needs a shape input"));
      const dims = want.map((d, i) => (d === 0 ? a.dims[i]! : d));
      const known = count(dims.filter((d) => d !== -1));
      const filled = dims.map((d) => (d === -1 ? a.data.length / known : d));
      if (count(filled) !== a.data.length || filled.some((d) => !Number.isInteger(d))) fail(`cannot reshape ${JSON.stringify(a.dims)} to ${JSON.stringify(want)}`);
      return [{ dims: filled, data: a.data }];
    }
    case "MatMul": {
      const a = A(), b = input(1) ?? fail("missing second input");
      if (a.dims.length !== 2 || b.dims.length !== 2) fail(`engram evaluates 2-d MatMul only, got ${JSON.stringify(a.dims)} x ${JSON.stringify(b.dims)}`);
      return [gemm(a, b, undefined, 1, 1, false, false, fail)];
    }
    case "Gemm":
      return [gemm(A(), input(1) ?? fail("missing B"), input(2), attr("alpha")?.f ?? 1, attr("beta")?.f ?? 1, (attr("transA")?.i ?? 0) === 1, (attr("transB")?.i ?? 0) === 1, fail)];
    case "RNN":
      return rnn(n, input, fail);
  }
  return fail("unsupported op");
}

function gemm(a: Tensor, b: Tensor, c: Tensor | undefined, alpha: number, beta: number, tA: boolean, tB: boolean, fail: (m: string) => never): Tensor {
  if (a.dims.length !== 2 || b.dims.length !== 2) fail(`A and B must be matrices, got ${JSON.stringify(a.dims)} and ${JSON.stringify(b.dims)}`);
  const [M, K] = tA ? [a.dims[1]!, a.dims[0]!] : [a.dims[0]!, a.dims[1]!];
  const [K2, N] = tB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
  if (K !== K2) fail(`A is ${JSON.stringify(a.dims)}${tA ? " (transposed)" : ""} and B is ${JSON.stringify(b.dims)}${tB ? " (transposed)" : ""}: inner sizes ${K} and ${K2} differ`);
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a.data[tA ? k * M + i : i * K + k]! * b.data[tB ? j * K + k : k * N + j]!;
      out[i * N + j] = alpha * s;
    }
  const y = { dims: [M, N], data: out };
  return c ? broadcast2(y, { dims: c.dims, data: c.data.map((x) => beta * x) }, (p, q) => p + q, fail) : y;
}

/** numpy broadcasting of two tensors. */
function broadcast2(a: Tensor, b: Tensor, f: (x: number, y: number) => number, fail: (m: string) => never): Tensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...Array(rank - d.length).fill(1), ...d];
  const da = pad(a.dims), db = pad(b.dims);
  const dims = da.map((x, i) => {
    const y = db[i]!;
    if (x !== y && x !== 1 && y !== 1) fail(`shapes ${JSON.stringify(a.dims)} and ${JSON.stringify(b.dims)} do not broadcast`);
    return Math.max(x, y);
  });
  const out = new Float64Array(count(dims));
  const idx = new Array(rank).fill(0);
  for (let k = 0; k < out.length; k++) {
    let ia = 0, ib = 0;
    for (let r = 0; r < rank; r++) {
      ia = ia * da[r]! + (da[r] === 1 ? 0 : idx[r]);
      ib = ib * db[r]! + (db[r] === 1 ? 0 : idx[r]);
    }
    out[k] = f(a.data[ia]!, b.data[ib]!);
    for (let r = rank - 1; r >= 0; r--) {
      if (++idx[r] < dims[r]!) break;
      idx[r] = 0;
    }
  }
  return { dims, data: out };
}

function rnn(n: OnnxNode, input: (k: number) => Tensor | undefined, fail: (m: string) => never): Tensor[] {
  const X = input(0)!, W = input(1) ?? fail("missing W"), R = input(2) ?? fail("missing R"), B = input(3), initialH = input(5);
  if ((n.attrs.get("direction")?.s ?? "forward") !== "forward") fail(`direction ${n.attrs.get("direction")?.s} is not supported (forward only)`);
  if ((n.attrs.get("layout")?.i ?? 0) !== 0) fail("layout 1 is not supported");
  if (input(4)) fail("sequence_lens is not supported");
  if (X.dims.length !== 3) fail(`X must be [seq, batch, input], got ${JSON.stringify(X.dims)}`);
  const [T, batch, In] = X.dims as [number, number, number];
  const H = n.attrs.get("hidden_size")?.i ?? W.dims[1]!;
  if (W.dims.join() !== [1, H, In].join()) fail(`W must be [1, ${H}, ${In}], got ${JSON.stringify(W.dims)}`);
  if (R.dims.join() !== [1, H, H].join()) fail(`R must be [1, ${H}, ${H}], got ${JSON.stringify(R.dims)}`);
  if (B && B.dims.join() !== [1, 2 * H].join()) fail(`B must be [1, ${2 * H}], got ${JSON.stringify(B.dims)}`);
  let h = initialH ? Float64Array.from(initialH.data) : new Float64Array(batch * H);
  const Y = new Float64Array(T * batch * H);
  for (let t = 0; t < T; t++) {
    const next = new Float64Array(batch * H);
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < H; j++) {
        let s = B ? B.data[j]! + B.data[H + j]! : 0;
        for (let k = 0; k < In; k++) s += X.data[(t * batch + b) * In + k]! * W.data[j * In + k]!;
        for (let k = 0; k < H; k++) s += h[b * H + k]! * R.data[j * H + k]!;
        next[b * H + j] = Math.tanh(s);
      }
    h = next;
    Y.set(h, t * batch * H);
  }
  return [{ dims: [T, 1, batch, H], data: Y }, { dims: [1, batch, H], data: h }];
}
