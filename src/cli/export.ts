/** engram export MODEL.yaml --to nir -o FILE.nir: the model's static graph as a NIR file (docs/interchange.md). */
import { displayPath } from "../model/load.ts";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { basename, dirname, join } from "node:path";
import { modelToNir, projectionAsDense } from "../interchange/model-to-nir.ts";
import { denseToOnnx } from "../interchange/onnx-write.ts";
import { VERSION } from "./main.ts";
import { writeNir } from "../interchange/nir-write.ts";

export async function exportNir(model: string, out: string): Promise<void> {
  await writeNir(out, modelToNir(model));
}

/** One projection's weights as an ONNX Gemm (a dense layer), written atomically. */
export async function exportOnnx(model: string, projection: string, out: string): Promise<void> {
  const layer = projectionAsDense(model, projection);
  const bytes = denseToOnnx({ ...layer, name: projection }, `engram ${VERSION}`);
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  writeFileSync(tmp, bytes);
  renameSync(tmp, out);
}

/** The model's ridge readouts (its tasks block) as an ONNX Gemm, checked through ONNX Runtime before it is kept. */
export async function exportReadout(model: string, out: string): Promise<{ maxAbs: number; tasks: number; samples: number }> {
  const { readoutToOnnx } = await import("../interchange/readout-onnx.ts");
  const { fitReadout } = await import("./export-readout.ts");
  const { runOrt } = await import("../interchange/onnx-ort.ts");
  const r = fitReadout(model);
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  writeFileSync(tmp, readoutToOnnx(r, `engram ${VERSION}`));
  try {
    const ort = await runOrt(tmp, new Map([["X", { dims: [r.testCount, r.nStates], data: r.testStates }]]));
    if (!ort.ok) throw new EngramError([{ code: "ort-failed", message: `ONNX Runtime cannot run the exported readout: ${ort.reason}` }]);
    const y = ort.outputs.get("Y")!.data;
    let maxAbs = 0;
    for (let i = 0; i < y.length; i++) maxAbs = Math.max(maxAbs, Math.abs(y[i]! - r.predictions[i]!));
    // Same float64 products in another order: rounding only (engram's guarantee of an exact export).
    const scale = r.predictions.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    if (!(maxAbs <= 1e-9 * Math.max(1, scale))) throw new EngramError([{ code: "ort-mismatch", message: `ONNX Runtime's predictions of the exported readout differ from engram's by ${maxAbs}` }]);
    renameSync(tmp, out);
    return { maxAbs, tasks: r.tasks.length, samples: r.testCount };
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function exportCommand(opts: { model: string; to: "nir" | "onnx"; out: string; projection?: string; readout?: boolean }): Promise<number> {
  if (opts.to === "onnx" && opts.readout) {
    const r = await exportReadout(opts.model, opts.out);
    process.stdout.write(`wrote ${displayPath(opts.out)} (ONNX Gemm of the ${r.tasks} ridge readouts; ONNX Runtime reproduces engram's predictions on the ${r.samples} test samples to ${r.maxAbs.toExponential(2)})\n`);
    return 0;
  }
  if (opts.to === "onnx") {
    await exportOnnx(opts.model, opts.projection!, opts.out);
    process.stdout.write(`wrote ${displayPath(opts.out)} (ONNX Gemm of projection ${opts.projection})\n`);
    return 0;
  }
  await exportNir(opts.model, opts.out);
  process.stdout.write(`wrote ${displayPath(opts.out)} (NIR)\n`);
  return 0;
}
