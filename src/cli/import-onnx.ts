/**
 * engram import FILE.onnx [-o DIR] [--data DIR] [--signal NAME]: an ONNX graph as an engram model of
 * discrete-time rate units (src/interchange/onnx-to-model.ts). Binds the graph's inputs from a
 * test-data folder (default: test_data_set_0 next to the file), writes DIR/<name>.yaml, the
 * onnx-*.yaml components, the signal as a CSV stream, a copy of the ONNX file and its test data, and
 * onnx.json (which recording holds which output, for engram compare). Before the folder is renamed
 * into place the model runs on the float64 reference target and must reproduce engram's float64
 * evaluation of the graph to 1e-9 relative; the output table shows it, ONNX Runtime and the test
 * data's reference outputs side by side. Nothing is written when any step fails.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { compile } from "../compiler/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";
import { readOnnx } from "../interchange/onnx-read.ts";
import { bindTestData, type TestData } from "../interchange/onnx-check.ts";
import { evaluateOnnx } from "../interchange/onnx-eval.ts";
import { maxRelativeError, runOrt } from "../interchange/onnx-ort.ts";
import { onnxToModel } from "../interchange/onnx-to-model.ts";
import { outputsFromRun, SIDECAR, type OnnxSidecar } from "../interchange/onnx-sidecar.ts";
import { toYaml } from "../interchange/yaml-out.ts";

export const ONNX_COMPONENTS = fileURLToPath(new URL("../../models/components/onnx/", import.meta.url));

/** engram's run of the imported model against its own float64 evaluation of the graph: rounding only. */
const SELF_CHECK = 1e-9;

export interface OnnxImportOptions {
  file: string;
  out?: string;
  data?: string;
  signal?: string;
}

export interface OnnxImportResult {
  dir: string;
  model: string;
  /** Per output: max relative error of the engram run against the test data, of ORT against it, and of the run against ORT. */
  rows: { output: string; dims: number[]; engram: number | undefined; ort: number | undefined; engramVsOrt: number | undefined }[];
  ortMissing?: string;
  /** Set (to the CSV's path) when there was no test data and the signal was written as zeros. */
  zeroSignal?: string;
}

export async function importOnnx(o: OnnxImportOptions): Promise<OnnxImportResult> {
  const dataDir = o.data ?? join(dirname(o.file), "test_data_set_0");
  const graph = readOnnx(o.file);
  const data = o.data === undefined && !existsSync(dataDir) ? zeroSignal(graph, o.file) : bindTestData(graph, dataDir);
  const signal = o.signal ?? graph.inputs[0]?.name;
  if (signal === undefined || !graph.inputs.some((i) => i.name === signal)) {
    throw new EngramError([{ code: "no-signal", message: signal === undefined ? "the graph has no input that is not an initializer: nothing to drive the model with" : `--signal ${signal} is not a graph input`, where: { file: displayPath(o.file), path: ["graph.input"] }, expected: graph.inputs.map((i) => i.name).join(", ") }]);
  }
  // ONNX's test folders call every file model.onnx: then the folder names the model.
  const safe = (s: string) => s.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]/g, "_");
  const stem = safe(basename(o.file));
  const modelName = (stem === "model" ? safe(basename(dirname(resolve(o.file)))) : stem) || "model";
  const imported = onnxToModel(graph, { name: modelName, signal, feeds: data.feeds });
  const dir = resolve(o.out ?? modelName);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new EngramError([{ code: "output-exists", message: `output folder ${displayPath(dir)} exists and is not empty`, hint: "remove it or name another folder with -o" }]);
  const ownFloat = evaluateOnnx(graph, data.feeds);
  const ort = await runOrt(o.file, data.feeds);
  const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}.import-`));
  try {
    const model = `${modelName}.yaml`;
    writeFileSync(join(tmp, model), toYaml(imported.network, `engram model imported from ${basename(o.file)}: edit freely; see docs/interchange.md for the mapping`));
    for (const c of imported.components) copyFileSync(join(ONNX_COMPONENTS, `${c}.yaml`), join(tmp, `${c}.yaml`));
    writeFileSync(join(tmp, imported.csv.file), imported.csv.text);
    mkdirSync(join(tmp, "onnx", "test_data_set_0"), { recursive: true });
    copyFileSync(o.file, join(tmp, "onnx", "model.onnx"));
    for (const f of [...data.inputFiles, ...data.outputFiles]) copyFileSync(join(dataDir, f), join(tmp, "onnx", "test_data_set_0", f));
    const sidecar: OnnxSidecar = { model, onnx: "onnx/model.onnx", data: "onnx/test_data_set_0", signal, signalDims: imported.signal.dims, csv: imported.csv.file, timed: imported.signal.timed, outputs: imported.outputs };
    writeFileSync(join(tmp, SIDECAR), `${JSON.stringify(sidecar, null, 1)}\n`);

    // The written model, run on the float64 reference target, against engram's evaluation of the graph.
    const program = compile(join(tmp, model), { target: "reference" });
    const handle = getTarget("reference").execute!(program);
    handle.run();
    const engram = outputsFromRun(handle.recorded.tables, imported.outputs);
    const rows = graph.outputs.map((out) => {
      const mine = engram.get(out.name)!, own = ownFloat.get(out.name)!, ref = data.references.get(out.name);
      const self = maxRelativeError(mine, own);
      if (!(self <= SELF_CHECK)) throw new EngramError([{ code: "internal-mismatch", message: `the imported model's output "${out.name}" differs from engram's float64 evaluation of the graph by ${self.toExponential(2)} relative (allowed ${SELF_CHECK})`, hint: "this is a bug in engram's ONNX import; please report it with the file" }]);
      const ortOut = ort.ok ? ort.outputs.get(out.name) : undefined;
      return { output: out.name, dims: own.dims, engram: ref ? maxRelativeError(mine, ref) : undefined, ort: ref && ortOut ? maxRelativeError(ortOut, ref) : undefined, engramVsOrt: ortOut ? maxRelativeError(mine, ortOut) : undefined };
    });
    if (existsSync(dir)) rmSync(dir, { recursive: true }); // empty (checked above)
    renameSync(tmp, dir);
    return { dir, model: join(dir, model), rows, ortMissing: ort.ok ? undefined : ort.reason, zeroSignal: data.inputFiles.length === 0 ? join(dir, imported.csv.file) : undefined };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Without a test-data folder: a graph whose only non-initializer input is the signal imports with
 * an all-zero signal of its declared shape (symbolic dimensions as 1); the CSV is then the place
 * to put real inputs. Nothing to compare with but engram's own float64 evaluation and ORT.
 */
function zeroSignal(graph: ReturnType<typeof readOnnx>, file: string): TestData {
  const where = { file: displayPath(file), path: ["graph.input"] };
  if (graph.inputs.length !== 1) throw new EngramError([{ code: "unbound-input", message: `the graph has ${graph.inputs.length} inputs that are not initializers (${graph.inputs.map((i) => i.name).join(", ")}) and there is no test-data folder to bind them`, where, hint: "name a folder of input_N.pb tensors with --data (ONNX's test_data_set_0 layout)" }]);
  const inp = graph.inputs[0]!;
  const dims = inp.dims.map((d) => (typeof d === "number" && d > 0 ? d : 1));
  return { feeds: new Map([[inp.name, { dims, data: new Float64Array(dims.reduce((a, b) => a * b, 1)) }]]), references: new Map(), inputFiles: [], outputFiles: [] };
}

export async function importOnnxCommand(o: OnnxImportOptions): Promise<number> {
  const r = await importOnnx(o);
  const fmt = (x: number | undefined) => (x === undefined ? "n/a" : x.toExponential(2));
  process.stdout.write(`imported ${displayPath(o.file)} -> ${displayPath(r.dir)}/\n`);
  process.stdout.write(`max relative error per output (engram = the written model on the float64 reference target)\n`);
  process.stdout.write(`output  shape  engram vs test data  ONNX Runtime vs test data  engram vs ONNX Runtime\n`);
  for (const row of r.rows) process.stdout.write(`${row.output}  ${JSON.stringify(row.dims)}  ${fmt(row.engram)}  ${fmt(row.ort)}  ${fmt(row.engramVsOrt)}\n`);
  if (r.ortMissing) process.stdout.write(`ONNX Runtime: ${r.ortMissing}\n`);
  if (r.zeroSignal) process.stdout.write(`no test data: the signal is all zeros; put real inputs in ${r.zeroSignal}\n`);
  process.stdout.write(`run it with: engram run ${displayPath(r.model)}; compare with ONNX Runtime and the chips: engram compare ${displayPath(r.model)}\n`);
  return 0;
}
