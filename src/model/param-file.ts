/**
 * Reads a parameter or weight array from a file (`{ file, unit, column }` or
 * `{ file, unit, initializer }` in a model's params): .npy through npyjs (a maintained reader),
 * .onnx initializers through onnx-proto (`onnx-tensor.ts`, shared with the ONNX importer), .csv by
 * hand (a numeric table: no CSV package is needed for numbers separated by commas, and this way
 * every bad cell is reported with its line).
 * Returns the values in C (row-major) order with their shape. Every problem is a located error
 * naming the file and quoting what was found: unreadable or malformed file, unsupported dtype, a
 * cell that is not a number, NaN or infinity (with its index), a missing column or initializer
 * (listing the ones there are), an initializer whose element type is not FLOAT or DOUBLE.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { parse as parseNpy } from "npyjs";
import { EngramError, type SourceLocation } from "../diagnostics/diagnostic.ts";
import { dataTypeName, num, onnx, tensorOf } from "./onnx-tensor.ts";

export interface ParamArray {
  values: Float64Array;
  shape: number[];
  /** The path as written, for messages. */
  file: string;
}

/** Largest parameter file read (bytes): 2^28, a 32M-element float64 matrix. */
export const MAX_PARAM_FILE_BYTES = 2 ** 28;

const fail = (where: SourceLocation, file: string, message: string, extra: { expected?: string; received?: string; hint?: string } = {}): never => {
  throw new EngramError([{ code: "bad-param-file", message: `parameter file "${file}": ${message}`, where, ...extra }]);
};

/** Index of flat position k in a shape, as "[i, j]". */
export function indexOf(k: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(k % shape[d]!);
    k = Math.floor(k / shape[d]!);
  }
  return `[${idx.join(", ")}]`;
}

export function readParamFile(file: string, where: SourceLocation, opts: { column?: string; initializer?: string } = {}): ParamArray {
  const path = isAbsolute(file) ? file : resolve(dirname(where.file), file);
  const ext = extname(file).toLowerCase();
  if (ext !== ".npy" && ext !== ".csv" && ext !== ".onnx") fail(where, file, `unsupported file type "${ext || "(none)"}"`, { expected: ".npy, .csv or .onnx", received: file });
  if (ext !== ".csv" && opts.column !== undefined) fail(where, file, `"column" applies to .csv files only`, { received: opts.column });
  if (ext !== ".onnx" && opts.initializer !== undefined) fail(where, file, `"initializer" applies to .onnx files only`, { received: opts.initializer });
  if (ext === ".onnx" && opts.initializer === undefined) fail(where, file, `an .onnx file needs "initializer" to name the tensor to read`, { hint: "e.g. { file: model.onnx, initializer: rnn.weight_hh_l0 }" });
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) fail(where, file, "is not a file", { received: path });
    size = st.size;
  } catch (e) {
    if (e instanceof EngramError) throw e;
    return fail(where, file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { received: path, hint: "paths are relative to the file that names them" });
  }
  if (size > MAX_PARAM_FILE_BYTES) fail(where, file, `is ${size} bytes, more than the ${MAX_PARAM_FILE_BYTES} a parameter file may have`);
  const bytes = readFileSync(path);
  const out = ext === ".npy" ? fromNpy(bytes, file, where) : ext === ".onnx" ? fromOnnx(bytes, file, where, opts.initializer!) : fromCsv(bytes.toString("utf8"), file, where, opts.column);
  for (let k = 0; k < out.values.length; k++) {
    const v = out.values[k]!;
    if (!Number.isFinite(v)) fail(where, out.file, `element ${indexOf(k, out.shape)} is ${String(v)}`, { expected: "finite numbers", received: String(v) });
  }
  return out;
}

function fromNpy(bytes: Buffer, file: string, where: SourceLocation): ParamArray {
  let arr: ReturnType<typeof parseNpy>;
  try {
    arr = parseNpy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (e) {
    return fail(where, file, `is not a valid .npy file (${(e as Error).message})`);
  }
  const numeric = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"];
  if (!numeric.includes(arr.dtype)) fail(where, file, `has dtype "${arr.dtype}"`, { expected: "a real numeric dtype (float16/32/64, int, uint)", received: arr.dtype });
  const shape = arr.shape.length === 0 ? [1] : [...arr.shape];
  const n = shape.reduce((a, b) => a * b, 1);
  const src = arr.data as unknown as ArrayLike<number | bigint>;
  if (src.length !== n) fail(where, file, `holds ${src.length} values, but its header's shape [${shape.join(", ")}] needs ${n}`);
  const values = new Float64Array(n);
  if (arr.fortranOrder && shape.length > 1) {
    // Column-major data (numpy's order='F'): element with C index k sits at its reversed-index position.
    for (let k = 0; k < n; k++) {
      let rest = k, f = 0, stride = 1;
      const idx: number[] = [];
      for (let d = shape.length - 1; d >= 0; d--) (idx[d] = rest % shape[d]!), (rest = Math.floor(rest / shape[d]!));
      for (let d = 0; d < shape.length; d++) (f += idx[d]! * stride), (stride *= shape[d]!);
      values[k] = Number(src[f]!);
    }
  } else for (let k = 0; k < n; k++) values[k] = Number(src[k]!);
  return { values, shape, file };
}

/** One initializer of an ONNX model: FLOAT or DOUBLE only (an integer tensor is not a trained weight). */
function fromOnnx(bytes: Buffer, file: string, where: SourceLocation, name: string): ParamArray {
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail(where, file, `is not a valid ONNX model (${(e as Error).message})`);
  }
  const inits = model.graph?.initializer ?? [];
  const k = inits.findIndex((t) => t.name === name);
  if (k < 0) {
    const names = inits.map((t) => t.name ?? "");
    const inputs = (model.graph?.input ?? []).map((v) => v.name ?? "").filter((n) => !names.includes(n));
    return fail(where, file, `has no initializer "${name}"`, {
      expected: names.length > 0 ? names.join(", ") : "(the file has no initializers)",
      received: name,
      hint: inputs.includes(name) ? `"${name}" is a graph input, not an initializer: its values are not in the file` : undefined,
    });
  }
  const t = inits[k]!;
  const T = onnx.TensorProto.DataType;
  if (t.dataType !== T.FLOAT && t.dataType !== T.DOUBLE) fail(where, file, `initializer "${name}" has element type ${dataTypeName(t)}`, { expected: "FLOAT or DOUBLE", received: dataTypeName(t) });
  let tensor;
  try {
    tensor = tensorOf(t, file, `graph.initializer[${k}]`);
  } catch (e) {
    if (!(e instanceof EngramError)) throw e;
    return fail(where, file, `initializer "${name}": ${e.diagnostics[0]!.message}`, { hint: e.diagnostics[0]!.hint });
  }
  const shape = tensor.dims.length === 0 ? [1] : tensor.dims.map(num);
  return { values: tensor.data, shape, file: `${file}#${name}` };
}

function fromCsv(text: string, file: string, where: SourceLocation, column: string | undefined): ParamArray {
  const lines = text.split(/\r?\n/).map((l, i) => ({ text: l.trim(), line: i + 1 })).filter((l) => l.text !== "" && !l.text.startsWith("#"));
  if (lines.length === 0) fail(where, file, "is empty");
  const cells = (l: { text: string }) => l.text.split(",").map((c) => c.trim());
  let rows = lines;
  let pick: number | null = null;
  if (column !== undefined) {
    const header = cells(lines[0]!);
    pick = header.indexOf(column);
    if (pick < 0) fail(where, file, `has no column "${column}"`, { expected: header.join(", "), received: column });
    rows = lines.slice(1);
    if (rows.length === 0) fail(where, file, "has a header but no rows");
  }
  const width = cells(rows[0]!).length;
  const values: number[] = [];
  for (const l of rows) {
    const cs = cells(l);
    if (cs.length !== width) fail(where, file, `line ${l.line} has ${cs.length} cells, the first row has ${width}`, { received: l.text.slice(0, 80) });
    for (let j = 0; j < cs.length; j++) {
      if (pick !== null && j !== pick) continue;
      const c = cs[j]!;
      const v = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(c) ? Number(c) : /^[-+]?(nan|inf|infinity)$/i.test(c) ? Number(c.replace(/inf$/i, "Infinity").replace(/^([-+]?)nan$/i, "NaN")) : null;
      if (v === null) fail(where, file, `line ${l.line}, cell ${j + 1}: "${c}" is not a number`, { hint: column === undefined ? 'a header row needs "column:" to name the column to read' : undefined });
      values.push(v!);
    }
  }
  const shape = pick !== null ? [values.length] : width === 1 ? [values.length] : [rows.length, width];
  return { values: Float64Array.from(values), shape, file };
}
