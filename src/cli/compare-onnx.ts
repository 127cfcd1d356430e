/**
 * engram compare for a model written by `engram import FILE.onnx` (it has onnx.json beside it):
 * ONNX Runtime is the reference column. The copied graph runs in ONNX Runtime on the copied test
 * data; the engram model runs on the float64 reference target and on each chip named in
 * --targets; every graph output is gathered from the recordings (onnx-sidecar.ts) and compared
 * element by element with ONNX Runtime (or, where ORT cannot run the file, with the test data's
 * reference outputs, and the table says why ORT is missing). A chip that cannot run the model
 * (e.g. rate activations it cannot lower) gets a row that says so, with the compiler's reason.
 * Writes DIR/compare.csv and DIR/compare.svg (each output's elements per variant).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readCsvStream, StreamError } from "../compiler/rate/streams.ts";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { readOnnx, type Tensor } from "../interchange/onnx-read.ts";
import { bindTestData } from "../interchange/onnx-check.ts";
import { maxRelativeError, runOrt } from "../interchange/onnx-ort.ts";
import { outputsFromRun, type OnnxSidecar } from "../interchange/onnx-sidecar.ts";
import { baseConfig, renderSpec } from "../analysis/plot.ts";
import type { TopLevelSpec } from "vega-lite";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { safeName } from "../util/safe-name.ts";
import { analyseByRun } from "./compile.ts";
import { prepareOutDir } from "./out-dir.ts";
import type { CompareOptions } from "./compare.ts";
import { VERSION } from "./main.ts";

export interface OnnxCompareRow {
  variant: string;
  output: string;
  /** Against the reference column; undefined when the variant did not run. */
  maxAbs?: number;
  maxRel?: number;
  rmse?: number;
  status: string;
}

export interface OnnxCompareResult {
  reference: "onnxruntime" | "test data";
  ortMissing?: string;
  rows: OnnxCompareRow[];
}

function errorsOf(a: Tensor, ref: Tensor): { maxAbs: number; maxRel: number; rmse: number } {
  let maxAbs = 0, sq = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const d = Math.abs(a.data[i]! - ref.data[i]!);
    maxAbs = Math.max(maxAbs, d);
    sq += d * d;
  }
  return { maxAbs, maxRel: maxRelativeError(a, ref), rmse: Math.sqrt(sq / Math.max(1, ref.data.length)) };
}

export async function compareOnnx(o: CompareOptions, found: { dir: string; sidecar: OnnxSidecar }): Promise<OnnxCompareResult> {
  const { dir, sidecar } = found;
  const onnxFile = join(dir, sidecar.onnx);
  const graph = readOnnx(onnxFile);
  // The constants from the copied test data; the signal from the model's CSV (which the user may edit).
  const dataDir = join(dir, sidecar.data);
  const data = existsSync(join(dataDir, "input_0.pb")) ? bindTestData(graph, dataDir) : { feeds: new Map<string, Tensor>(), references: new Map<string, Tensor>() };
  const fromTestData = data.feeds.get(sidecar.signal);
  const signal = signalFromCsv(join(dir, sidecar.csv), sidecar);
  data.feeds.set(sidecar.signal, signal);
  // The test data's output_N.pb belong to its input: they are a reference only while the CSV holds that input.
  if (!fromTestData || fromTestData.data.some((x, i) => Math.fround(x) !== Math.fround(signal.data[i]!))) data.references.clear();
  const refProgram = compile(o.model, { target: "reference", seed: o.seed, limits: o.limits });
  const out = o.out ?? join("out", safeName(`${refProgram.name}.compare`));
  prepareOutDir(out, { force: o.force === true, command: "compare" });
  const ort = await runOrt(onnxFile, data.feeds);
  const reference = ort.ok ? ort.outputs : data.references;
  if (!ort.ok && data.references.size === 0) throw new EngramError([{ code: "no-reference", message: `ONNX Runtime cannot run ${sidecar.onnx} (${ort.reason}) and ${sidecar.data} has no output_N.pb for the model's input (none, or the CSV holds another input): nothing to compare with` }]);
  const variants: { label: string; outputs?: Map<string, Tensor>; status: string }[] = [];
  if (ort.ok) variants.push({ label: "ONNX Runtime", outputs: ort.outputs, status: "reference" });
  if (data.references.size > 0) variants.push({ label: "test data", outputs: data.references, status: ort.ok ? "output_N.pb" : `reference (ONNX Runtime missing: ${ort.reason})` });
  const handle = getTarget("reference").execute!(refProgram);
  handle.run();
  variants.push({ label: "float64", outputs: outputsFromRun(handle.recorded.tables, sidecar.outputs), status: "ran" });
  for (const name of o.targets.filter((t) => t !== "reference")) {
    const target = getTarget(name);
    for (const rounding of o.roundings) {
      for (const bits of o.bits) {
        const label = `${name} ${rounding}${bits ? ` ${bits}-bit` : ""}`;
        if (bits !== undefined && !target.caps.allowedWidths.includes(bits)) {
          variants.push({ label, status: `not run: ${name} has no ${bits}-bit state (it has ${target.caps.allowedWidths.join(", ")})` });
          continue;
        }
        try {
          const program = compile(o.model, { target: name, seed: o.seed, limits: o.limits });
          const { ir } = compileFixed(program, target.caps, { rounding, bits, variation: o.variation, engramVersion: VERSION, analyse: analyseByRun });
          const h = new EmulatorHandle(ir, program.spikeRecording);
          h.run();
          variants.push({ label, outputs: outputsFromRun(h.recorded.tables, sidecar.outputs), status: "ran" });
        } catch (e) {
          if (!(e instanceof EngramError)) throw e;
          const d = e.diagnostics[0]!;
          variants.push({ label, status: `cannot run on ${name}: ${d.code}: ${d.message}` });
        }
      }
    }
  }
  const rows: OnnxCompareRow[] = [];
  for (const v of variants) {
    for (const g of graph.outputs) {
      const ref = reference.get(g.name);
      if (v.outputs === (reference as unknown)) {
        rows.push({ variant: v.label, output: g.name, maxAbs: 0, maxRel: 0, rmse: 0, status: v.status });
        continue;
      }
      const got = v.outputs?.get(g.name);
      rows.push(got && ref ? { variant: v.label, output: g.name, ...errorsOf(got, ref), status: v.status } : { variant: v.label, output: g.name, status: ref ? v.status : `no reference for ${g.name}` });
    }
  }
  const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const num = (x: number | undefined) => (x === undefined ? "" : String(x));
  const csv = ["variant,output,max_abs_error,max_rel_error,rmse,status", ...rows.map((r) => [r.variant, r.output, num(r.maxAbs), num(r.maxRel), num(r.rmse), r.status].map((x) => csvField(x)).join(","))].join("\n") + "\n";
  writeFileAtomic(join(out, "compare.csv"), csv);
  writeFileAtomic(join(out, "compare.svg"), await elementsSvg(`${refProgram.name}: engram against ${ort.ok ? "ONNX Runtime" : "the test data"}`, graph.outputs.map((g) => g.name), variants.filter((v) => v.outputs)));
  const fmt = (x: number | undefined) => (x === undefined ? "-" : x === 0 ? "0" : x.toExponential(2));
  const lines = [
    `reference: ${ort.ok ? "ONNX Runtime (onnxruntime-node, float32)" : `the test data's output_N.pb (ONNX Runtime missing: ${ort.reason})`}`,
    `${"variant".padEnd(24)} ${"output".padEnd(10)} ${"max |err|".padStart(10)} ${"max rel".padStart(10)} ${"RMSE".padStart(10)}  status`,
    ...rows.map((r) => `${r.variant.padEnd(24)} ${r.output.padEnd(10)} ${fmt(r.maxAbs).padStart(10)} ${fmt(r.maxRel).padStart(10)} ${fmt(r.rmse).padStart(10)}  ${r.status}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n  wrote ${join(out, "compare.csv")}\n  wrote ${join(out, "compare.svg")}\n`);
  return { reference: ort.ok ? "onnxruntime" : "test data", ortMissing: ort.ok ? undefined : ort.reason, rows };
}

/** The signal tensor as the model's stream feeds it: the first row (static graph) or one row per step (RNN). */
function signalFromCsv(file: string, s: OnnxSidecar): Tensor {
  const dims = s.signalDims;
  const total = dims.reduce((a, b) => a * b, 1);
  const rows = s.timed ? dims[0]! : 1;
  let stream;
  try {
    stream = readCsvStream(file, undefined, rows);
  } catch (e) {
    if (e instanceof StreamError) throw new EngramError([{ code: "bad-stream", message: e.message, hint: e.hint }]);
    throw e;
  }
  if (stream.channels * rows !== total) throw new EngramError([{ code: "shape-mismatch", message: `${file} has ${stream.channels} columns; the signal "${s.signal}" ${JSON.stringify(dims)} needs ${total / rows}` }]);
  return { dims, data: stream.values.slice(0, total) };
}

/** One panel per output: its elements (flattened, row-major) per variant, the reference in black. */
async function elementsSvg(title: string, outputs: string[], variants: { label: string; outputs?: Map<string, Tensor> }[]): Promise<string> {
  const labels = variants.map((v) => v.label);
  const panels = outputs.map((name) => ({
    width: 560,
    height: 160,
    data: { values: variants.flatMap((v) => Array.from(v.outputs!.get(name)?.data ?? [], (y, i) => ({ i, y, variant: v.label }))) },
    mark: { type: "line" as const, point: true, strokeWidth: 1 },
    encoding: {
      x: { field: "i", type: "quantitative" as const, axis: { title: `${name}: element (row-major)`, tickMinStep: 1 } },
      y: { field: "y", type: "quantitative" as const, scale: { zero: false }, axis: { title: name } },
      color: { field: "variant", type: "nominal" as const, scale: { domain: labels, range: ["#000000", "#7f7f7f", "#1f77b4", "#ff7f0e", "#d62728", "#17becf", "#9467bd", "#8c564b"].slice(0, labels.length) }, legend: { title: null, orient: "top" as const } },
    },
  }));
  return renderSpec({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, config: baseConfig, spacing: 10, vconcat: panels } as TopLevelSpec);
}
