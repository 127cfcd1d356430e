/**
 * engram import FILE.onnx [--data DIR]: decodes the graph, binds its inputs from a test-data folder
 * (default: test_data_set_0 next to the file), evaluates it in float64 and in ONNX Runtime and
 * prints both against the reference outputs. It then refuses to write an engram model: the ops
 * need rate units (dense rate layers, a discrete-time rate population for RNN), which engram's
 * model format does not have yet (issue 14). Exit 1, with the comparison shown.
 */
import { dirname, join } from "node:path";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { checkOnnx } from "../interchange/onnx-check.ts";

export async function importOnnxCommand(file: string, data?: string): Promise<number> {
  const dir = data ?? join(dirname(file), "test_data_set_0");
  const check = await checkOnnx(file, dir);
  const ops = [...new Set(check.graph.nodes.map((n) => n.op))].join(", ");
  process.stdout.write(`decoded ${displayPath(file)}: opset ${check.graph.opset}, ${check.graph.nodes.length} nodes (${ops}), inputs bound from ${displayPath(dir)}\n`);
  process.stdout.write(`output  shape  float64 max rel. error  ONNX Runtime max rel. error  (against ${displayPath(dir)}/output_N.pb)\n`);
  for (const r of check.rows) process.stdout.write(`${r.output}  ${JSON.stringify(r.dims)}  ${r.float64.toExponential(2)}  ${r.ort === undefined ? "n/a" : r.ort.toExponential(2)}\n`);
  if (check.ortMissing) process.stdout.write(`ONNX Runtime: ${check.ortMissing}\n`);
  throw new EngramError([{ code: "needs-rate-units", message: `${displayPath(file)} decodes and evaluates, but it cannot be written as an engram model yet: its ops (${ops}) need rate units (dense rate layers${check.graph.nodes.some((n) => n.op === "RNN") ? ", a discrete-time rate population for RNN" : ""}), which engram's model format does not have`, hint: "rate neurons are issue 14; see docs/interchange.md" }]);
}
