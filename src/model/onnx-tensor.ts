/**
 * ONNX tensors as float64 arrays, decoded with onnx-proto (the maintained protobuf definition of
 * ONNX). It lives in src/model, the lower layer, so that parameter files (`param-file.ts`) and the
 * ONNX importer (`src/interchange/onnx-read.ts`) share one decoder without src/model importing
 * src/interchange (which imports src/model).
 */
import { createRequire } from "node:module";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "./load.ts";

// onnx-proto ships CommonJS; createRequire keeps this module ESM.
export const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");

export type TensorProto = import("onnx-proto").onnx.ITensorProto;

export interface Tensor {
  dims: number[];
  data: Float64Array;
}

/** A protobuf int64 (Long) or number as a number. */
export const num = (x: unknown): number => (typeof x === "object" && x !== null && "toNumber" in x ? (x as { toNumber(): number }).toNumber() : Number(x));

const where = (file: string, path: string) => ({ file: displayPath(file), path: [path] });

/** The element type's name, e.g. "FLOAT", "INT64". */
export const dataTypeName = (t: TensorProto): string => onnx.TensorProto.DataType[t.dataType ?? 0] ?? String(t.dataType);

/** A TensorProto as float64 values (float, double, int32/64 and raw little-endian data). */
export function tensorOf(t: TensorProto, file: string, path: string): Tensor {
  const dims = (t.dims ?? []).map(num);
  const count = dims.reduce((a, b) => a * b, 1);
  const T = onnx.TensorProto.DataType;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const loc = (t.externalData ?? []).find((e) => e.key === "location")?.value ?? "?";
    throw new EngramError([{ code: "unsupported-tensor", message: `tensor "${t.name ?? ""}" keeps its data in the external file "${loc}"; engram reads tensors stored inside the .onnx file`, where: where(file, path), hint: "save the model without external data (onnx.save_model(m, f, save_as_external_data=False))" }]);
  }
  let data: Float64Array;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const fromRaw = (size: number, get: (o: number) => number) => Float64Array.from({ length: raw!.length / size }, (_, i) => get(i * size));
  switch (t.dataType) {
    case T.FLOAT:
      data = view ? fromRaw(4, (o) => view.getFloat32(o, true)) : Float64Array.from(t.floatData ?? []);
      break;
    case T.DOUBLE:
      data = view ? fromRaw(8, (o) => view.getFloat64(o, true)) : Float64Array.from(t.doubleData ?? []);
      break;
    case T.INT64:
      data = view ? fromRaw(8, (o) => Number(view.getBigInt64(o, true))) : Float64Array.from((t.int64Data ?? []).map(num));
      break;
    case T.INT32:
      data = view ? fromRaw(4, (o) => view.getInt32(o, true)) : Float64Array.from(t.int32Data ?? []);
      break;
    default:
      throw new EngramError([{ code: "unsupported-tensor", message: `tensor "${t.name ?? ""}" has element type ${dataTypeName(t)}; engram reads FLOAT, DOUBLE, INT32 and INT64`, where: where(file, path) }]);
  }
  if (data.length !== count) throw new EngramError([{ code: "bad-tensor", message: `tensor "${t.name ?? ""}" holds ${data.length} values but its dims ${JSON.stringify(dims)} need ${count}`, where: where(file, path) }]);
  return { dims, data };
}
