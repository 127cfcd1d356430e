/** engram export MODEL.yaml --to nir -o FILE.nir: the model's static graph as a NIR file (docs/interchange.md). */
import { displayPath } from "../model/load.ts";
import { renameSync, writeFileSync } from "node:fs";
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

export async function exportCommand(opts: { model: string; to: "nir" | "onnx"; out: string; projection?: string }): Promise<number> {
  if (opts.to === "onnx") {
    await exportOnnx(opts.model, opts.projection!, opts.out);
    process.stdout.write(`wrote ${displayPath(opts.out)} (ONNX Gemm of projection ${opts.projection})\n`);
    return 0;
  }
  await exportNir(opts.model, opts.out);
  process.stdout.write(`wrote ${displayPath(opts.out)} (NIR)\n`);
  return 0;
}
