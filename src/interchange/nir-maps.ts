/**
 * The weight-carrying NIR nodes as sparse linear maps over flattened (row-major) signals:
 * Affine/Linear (dense), Scale (diagonal), Flatten (index only), Delay (index only, per-element
 * delay), Conv1d/Conv2d (one shared-weight label per kernel element) and SumPool2d/AvgPool2d (one
 * label per pooling node). Shape errors name the node and the field.
 */
import { elementCount, type NirArray, type NirNode } from "./nir-graph.ts";
import { emptyOp, identityOp, push, type LinearOp } from "./linear-op.ts";

export const MAP_TYPES = ["Affine", "Linear", "Scale", "Flatten", "Delay", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d"] as const;

export interface MapResult {
  op: LinearOp;
  outShape: number[];
  bias: Float64Array;
}

/** A located problem with one field of one node; nir-to-model turns it into an EngramError. */
export class FieldError extends Error {
  constructor(readonly field: string, message: string, readonly expected?: string, readonly received?: string) {
    super(message);
  }
}

export function need(node: NirNode, field: string): NirArray {
  const a = node.params.get(field);
  if (!a) throw new FieldError(field, `${node.type} node has no "${field}"`, `a numeric dataset ${field}`, `fields ${[...node.params.keys(), ...node.strings.keys()].join(", ") || "(none)"}`);
  return a;
}

function pair(node: NirNode, field: string, fallback: number, dims: number): number[] {
  const a = node.params.get(field);
  if (!a) return Array(dims).fill(fallback);
  if (a.data.length === 1) return Array(dims).fill(a.data[0]!);
  if (a.data.length !== dims) throw new FieldError(field, `"${field}" must have ${dims} values`, `${dims} values`, JSON.stringify(Array.from(a.data)));
  return Array.from(a.data);
}

export function buildMap(node: NirNode, inShape: number[]): MapResult {
  const nIn = elementCount(inShape);
  switch (node.type) {
    case "Affine":
    case "Linear": {
      const w = need(node, "weight");
      if (w.shape.length !== 2) throw new FieldError("weight", `weight must be a matrix [out, in]`, "2 dimensions", JSON.stringify(w.shape));
      const [nOut, k] = w.shape as [number, number];
      if (k !== nIn) throw new FieldError("weight", `weight has ${k} columns but the node receives ${nIn} values (shape ${JSON.stringify(inShape)})`, `${nIn} columns`, `shape ${JSON.stringify(w.shape)}`);
      const op = emptyOp(nIn, nOut);
      // Row-major [out][in] is post-major order: the order of engram's all_to_all connectivity.
      for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) push(op, i, o, w.data[o * nIn + i]!, 0, -1);
      op.f32 = w.dtype === "f32";
      return { op, outShape: [nOut], bias: node.type === "Affine" ? vector(node, "bias", nOut) : new Float64Array(nOut) };
    }
    case "Scale": {
      const s = need(node, "scale");
      const v = broadcast(s, nIn, "scale");
      const op = emptyOp(nIn, nIn);
      for (let i = 0; i < nIn; i++) push(op, i, i, v[i]!, 0, -1);
      op.f32 = s.dtype === "f32";
      return { op, outShape: inShape, bias: new Float64Array(nIn) };
    }
    case "Flatten": {
      const declared = node.params.get("input_type");
      if (declared && elementCount(Array.from(declared.data)) !== nIn) throw new FieldError("input_type", `Flatten declares input ${JSON.stringify(Array.from(declared.data))} but receives ${nIn} values (shape ${JSON.stringify(inShape)})`);
      const rank = inShape.length;
      const norm = (x: number) => (x < 0 ? x + rank : x);
      const start = norm(node.params.get("start_dim")?.data[0] ?? 0), end = norm(node.params.get("end_dim")?.data[0] ?? -1);
      const outShape = rank === 0 ? [1] : [...inShape.slice(0, start), elementCount(inShape.slice(start, end + 1)), ...inShape.slice(end + 1)];
      return { op: identityOp(nIn), outShape, bias: new Float64Array(nIn) };
    }
    case "Delay": {
      const d = broadcast(need(node, "delay"), nIn, "delay");
      for (let i = 0; i < nIn; i++) if (!(d[i]! >= 0)) throw new FieldError("delay", `delay[${i}] must be a non-negative time in seconds`, ">= 0", String(d[i]));
      return { op: identityOp(nIn, d), outShape: inShape, bias: new Float64Array(nIn) };
    }
    case "Conv1d":
    case "Conv2d":
      return conv(node, inShape, node.type === "Conv1d" ? 1 : 2);
    case "SumPool2d":
    case "AvgPool2d":
      return pool(node, inShape);
  }
  throw new FieldError("type", `not a weight node: ${node.type}`);
}

function vector(node: NirNode, field: string, n: number): Float64Array {
  const a = node.params.get(field);
  return a ? broadcast(a, n, field) : new Float64Array(n);
}

export function broadcast(a: NirArray, n: number, field: string): Float64Array {
  if (a.data.length === n) return Float64Array.from(a.data);
  if (a.data.length === 1) return new Float64Array(n).fill(a.data[0]!);
  throw new FieldError(field, `"${field}" has ${a.data.length} values but the node has ${n} elements`, `1 or ${n} values`, `shape ${JSON.stringify(a.shape)}`);
}

/** Spatial shape of a conv/pool input: [C, ...spatial], from upstream or the node's input_shape. */
function spatial(node: NirNode, inShape: number[], dims: number, channels: number | undefined): { c: number; size: number[] } {
  const n = elementCount(inShape);
  const declared = node.params.get("input_shape");
  let size: number[] | undefined;
  if (declared) size = Array.from(declared.data);
  else if (inShape.length === dims + 1) size = inShape.slice(1);
  if (!size || size.length !== dims) throw new FieldError("input_shape", `cannot tell the ${dims}-d spatial input shape of the ${node.type} node`, `input_shape with ${dims} values or an input of shape [C, ...${dims} dims]`, `input shape ${JSON.stringify(inShape)}`);
  const c = n / elementCount(size);
  if (!Number.isInteger(c) || (channels !== undefined && c !== channels)) throw new FieldError("input_shape", `the node receives ${n} values, which is not ${channels ?? "C"} channels of ${JSON.stringify(size)}`, channels !== undefined ? `${channels * elementCount(size)} values` : undefined, `input shape ${JSON.stringify(inShape)}`);
  return { c, size };
}

function padding(node: NirNode, kernel: number[], dilation: number[], dims: number): number[] {
  const text = node.strings.get("padding");
  if (text === "valid") return Array(dims).fill(0);
  if (text === "same") return kernel.map((k, i) => Math.floor((dilation[i]! * (k - 1)) / 2));
  if (text !== undefined) throw new FieldError("padding", `unknown padding "${text}"`, "valid, same or numbers", text);
  return pair(node, "padding", 0, dims);
}

function conv(node: NirNode, inShape: number[], dims: 1 | 2): MapResult {
  const w = need(node, "weight");
  if (w.shape.length !== dims + 2) throw new FieldError("weight", `${node.type} weight must be [C_out, C_in/groups, ${dims === 1 ? "k" : "kH, kW"}]`, `${dims + 2} dimensions`, JSON.stringify(w.shape));
  const [cOut, cInG, ...k] = w.shape as number[];
  const groups = node.params.get("groups")?.data[0] ?? 1;
  const { c: cIn, size } = spatial(node, inShape, dims, cInG! * groups);
  if (cOut! % groups !== 0) throw new FieldError("groups", `${cOut} output channels do not split into ${groups} groups`);
  const stride = pair(node, "stride", 1, dims), dilation = pair(node, "dilation", 1, dims), pad = padding(node, k, dilation, dims);
  const out = size.map((s, i) => Math.floor((s + 2 * pad[i]! - dilation[i]! * (k[i]! - 1) - 1) / stride[i]!) + 1);
  if (out.some((x) => x < 1)) throw new FieldError("weight", `kernel ${JSON.stringify(k)} does not fit the input ${JSON.stringify(size)} (padding ${JSON.stringify(pad)})`);
  const [H, W] = dims === 2 ? size : [1, size[0]!];
  const [kH, kW] = dims === 2 ? k : [1, k[0]!];
  const [oH, oW] = dims === 2 ? out : [1, out[0]!];
  const [sH, sW] = dims === 2 ? stride : [1, stride[0]!];
  const [dH, dW] = dims === 2 ? dilation : [1, dilation[0]!];
  const [pH, pW] = dims === 2 ? pad : [0, pad[0]!];
  const op = emptyOp(cIn * H! * W!, cOut! * oH! * oW!);
  const perGroupOut = cOut! / groups;
  for (let co = 0; co < cOut!; co++) {
    const g = Math.floor(co / perGroupOut);
    for (let ci = 0; ci < cInG!; ci++) {
      for (let ky = 0; ky < kH!; ky++) {
        for (let kx = 0; kx < kW!; kx++) {
          const weight = w.data[((co * cInG! + ci) * kH! + ky) * kW! + kx]!;
          const label = op.labels.length;
          op.labels.push(dims === 2 ? `${co}_${ci}_${ky}_${kx}` : `${co}_${ci}_${kx}`);
          const cin = g * cInG! + ci;
          for (let oy = 0; oy < oH!; oy++) {
            const iy = oy * sH! - pH! + ky * dH!;
            if (iy < 0 || iy >= H!) continue;
            for (let ox = 0; ox < oW!; ox++) {
              const ix = ox * sW! - pW! + kx * dW!;
              if (ix < 0 || ix >= W!) continue;
              push(op, (cin * H! + iy) * W! + ix, (co * oH! + oy) * oW! + ox, weight, 0, label);
            }
          }
        }
      }
    }
  }
  op.f32 = w.dtype === "f32";
  const biasPerChannel = vector(node, "bias", cOut!);
  const bias = new Float64Array(op.nOut);
  for (let co = 0; co < cOut!; co++) bias.fill(biasPerChannel[co]!, co * oH! * oW!, (co + 1) * oH! * oW!);
  return { op, outShape: [cOut!, ...out], bias };
}

function pool(node: NirNode, inShape: number[]): MapResult {
  const k = pair(node, "kernel_size", NaN, 2);
  if (k.some((x) => !(x >= 1))) throw new FieldError("kernel_size", "kernel_size must be positive", "two sizes >= 1", JSON.stringify(k));
  const stride = pair(node, "stride", NaN, 2).map((s, i) => (Number.isNaN(s) ? k[i]! : s));
  const pad = pair(node, "padding", 0, 2);
  const { c, size } = spatial(node, inShape, 2, undefined);
  const [H, W] = size as [number, number];
  const out = [0, 1].map((i) => Math.floor((size[i]! + 2 * pad[i]! - k[i]!) / stride[i]!) + 1);
  const [oH, oW] = out as [number, number];
  // AvgPool divides by the full window (padding counted), as PyTorch's default and NIR do.
  const weight = node.type === "AvgPool2d" ? 1 / (k[0]! * k[1]!) : 1;
  const op = emptyOp(c * H * W, c * oH * oW);
  op.labels.push(node.type === "AvgPool2d" ? "mean" : "sum");
  for (let ch = 0; ch < c; ch++)
    for (let oy = 0; oy < oH; oy++)
      for (let ox = 0; ox < oW; ox++)
        for (let ky = 0; ky < k[0]!; ky++)
          for (let kx = 0; kx < k[1]!; kx++) {
            const iy = oy * stride[0]! - pad[0]! + ky, ix = ox * stride[1]! - pad[1]! + kx;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) push(op, (ch * H + iy) * W + ix, (ch * oH + oy) * oW + ox, weight, 0, 0);
          }
  return { op, outShape: [c, oH, oW], bias: new Float64Array(op.nOut) };
}
