/**
 * engram import FILE.nir [-o DIR] [--dt T] [--duration T]: a NIR graph as engram model files
 * (DIR/<name>.yaml plus the nir-*.yaml components it uses). The files are written to a temporary
 * folder next to DIR and renamed into place, so a refused import leaves nothing behind.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { readNir } from "../interchange/nir-read.ts";
import { nirToModel, type ImportedModel } from "../interchange/nir-to-model.ts";
import { toYaml } from "../interchange/yaml-out.ts";
import { applyMetadata, engramMetadata, metadataSeconds } from "../interchange/nir-metadata.ts";

export const NIR_COMPONENTS = fileURLToPath(new URL("../../models/components/nir/", import.meta.url));

export interface ImportCliOptions {
  file: string;
  out?: string;
  /** Seconds. */
  dt?: number;
  duration?: number;
  /** Seconds; default dt. */
  spikeArea?: number;
}

export async function importNir(opts: ImportCliOptions): Promise<{ dir: string; model: string; imported: ImportedModel }> {
  const name = basename(opts.file).replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]/g, "_") || "model";
  const nir = await readNir(opts.file);
  const meta = engramMetadata(nir, opts.file);
  const dt = opts.dt ?? metadataSeconds(meta?.dt) ?? 1e-4;
  const imported = nirToModel(nir, { dt, duration: opts.duration ?? metadataSeconds(meta?.duration) ?? 1, spikeArea: opts.spikeArea, name, file: opts.file });
  const extra = meta ? applyMetadata(imported.network, { ...meta, ...(opts.dt !== undefined ? { dt: `${opts.dt} s` } : {}), ...(opts.duration !== undefined ? { duration: `${opts.duration} s` } : {}) }) : new Map<string, string>();
  const dir = resolve(opts.out ?? name);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new EngramError([{ code: "output-exists", message: `output folder ${displayPath(dir)} exists and is not empty`, hint: "remove it or name another folder with -o" }]);
  }
  const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}.import-`));
  try {
    const model = `${name}.yaml`;
    writeFileSync(join(tmp, model), toYaml(imported.network, `engram model imported from ${basename(opts.file)}: edit freely; see docs/interchange.md for the mapping`));
    for (const c of imported.components) copyFileSync(join(NIR_COMPONENTS, `${c}.yaml`), join(tmp, `${c}.yaml`));
    for (const [file, text] of extra) writeFileSync(join(tmp, file), text);
    if (existsSync(dir)) rmSync(dir, { recursive: true }); // empty (checked above)
    renameSync(tmp, dir);
    return { dir, model: join(dir, model), imported };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export async function importCommand(opts: ImportCliOptions & { data?: string; signal?: string }): Promise<number> {
  if (/\.onnx$/i.test(opts.file)) return (await import("./import-onnx.ts")).importOnnxCommand(opts);
  if (!/\.nir$/i.test(opts.file)) {
    throw new EngramError([{ code: "unknown-format", message: `engram import reads NIR (.nir) and ONNX (.onnx) files, got ${displayPath(opts.file)}` }]);
  }
  const { dir, model, imported } = await importNir(opts);
  const net = imported.network as { populations: Record<string, unknown>; projections?: Record<string, unknown> };
  process.stdout.write(`imported ${displayPath(opts.file)}: ${Object.keys(net.populations).length} populations, ${Object.keys(net.projections ?? {}).length} projections\nwrote ${displayPath(dir)}/ (run it with: engram run ${displayPath(model)})\n`);
  return 0;
}
