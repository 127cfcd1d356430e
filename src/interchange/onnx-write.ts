/**
 * A dense layer as an ONNX Gemm graph (Y = X W^T + b, transB = 1, opset 13): what engram exports
 * for a projection's weight matrix. Encoded with onnx-proto; float32 tensors, as ONNX Runtime's
 * CPU kernels take them.
 */
import { createRequire } from "node:module";

const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");

export interface DenseLayer {
  /** [out][in], row-major. */
  weight: Float64Array;
  bias: Float64Array;
  nIn: number;
  nOut: number;
  name: string;
}

export function denseToOnnx(layer: DenseLayer, producer: string): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const io = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: producer,
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: layer.name,
      node: [{ name: layer.name, opType: "Gemm", input: ["X", "W", "B"], output: ["Y"], attribute: [{ name: "transB", i: 1, type: onnx.AttributeProto.AttributeType.INT }] }],
      initializer: [
        { name: "W", dims: [layer.nOut, layer.nIn], dataType: F, floatData: Array.from(layer.weight) },
        { name: "B", dims: [layer.nOut], dataType: F, floatData: Array.from(layer.bias) },
      ],
      input: [io("X", ["batch", layer.nIn])],
      output: [io("Y", ["batch", layer.nOut])],
    },
  }).finish();
}
