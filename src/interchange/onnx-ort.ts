/**
 * ONNX Runtime (onnxruntime-node, CPU) as the float reference of an imported ONNX graph. ORT does
 * not implement very old opsets: then the result says why ORT is missing instead of failing the
 * import.
 */
import { createRequire } from "node:module";
import type { Tensor } from "./onnx-read.ts";

export type OrtResult = { ok: true; outputs: Map<string, Tensor> } | { ok: false; reason: string };

export async function runOrt(file: string, feeds: Map<string, Tensor>): Promise<OrtResult> {
  const ort = createRequire(import.meta.url)("onnxruntime-node") as typeof import("onnxruntime-node");
  let session;
  try {
    session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
  } catch (e) {
    return { ok: false, reason: `ONNX Runtime cannot load the model: ${(e as Error).message.split("\n")[0]}` };
  }
  try {
    const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [k, name] of session.inputNames.entries()) {
      const t = feeds.get(name);
      if (!t) return { ok: false, reason: `no value for ONNX Runtime input "${name}"` };
      // Float inputs as float32 unless the graph declares double (engram's exported readouts).
      const meta = session.inputMetadata?.[k];
      const double = meta !== undefined && meta.isTensor && meta.type === "float64";
      inputs[name] = double ? new ort.Tensor("float64", Float64Array.from(t.data), t.dims) : new ort.Tensor("float32", Float32Array.from(t.data), t.dims);
    }
    const out = await session.run(inputs);
    return { ok: true, outputs: new Map(Object.entries(out).map(([k, v]) => [k, { dims: [...v.dims], data: Float64Array.from(v.data as ArrayLike<number>) }])) };
  } catch (e) {
    return { ok: false, reason: `ONNX Runtime failed: ${(e as Error).message.split("\n")[0]}` };
  } finally {
    await session.release();
  }
}

/** Largest |a - b| / max(|b|, 1e-12) over the elements, b the reference. */
export function maxRelativeError(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!) / Math.max(Math.abs(b.data[i]!), 1e-12));
  return m;
}
