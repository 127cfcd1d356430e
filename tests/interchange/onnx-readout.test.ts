/**
 * ONNX export of the reservoir's ridge readouts (engram export --to onnx --readout): the Gemm graph
 * runs in ONNX Runtime and reproduces engram's predictions on the test samples (same float64
 * weights; only the summation order differs), and its metadata names the tasks. A model without a
 * tasks block is refused and nothing is written.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { exportReadout } from "../../src/cli/export.ts";
import { fitReadout } from "../../src/cli/export-readout.ts";
import { runOrt } from "../../src/interchange/onnx-ort.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");
const ROOT = resolve(import.meta.dirname, "../..");

describe("ONNX export of ridge readouts", () => {
  it("mackey-glass ESN: ONNX Runtime reproduces engram's 8 readouts on the 1900 test samples", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-readout-"));
    const model = join(ROOT, "models/reservoir/mackey-glass.yaml");
    const out = join(dir, "readout.onnx");
    const r = await exportReadout(model, out);
    expect(r).toMatchObject({ tasks: 8, samples: 1900 });
    // Independently of the export's own check: engram's fit again (deterministic run), ORT on its test states.
    const fit = fitReadout(model);
    const ort = await runOrt(out, new Map([["X", { dims: [fit.testCount, fit.nStates], data: fit.testStates }]]));
    expect(ort.ok).toBe(true);
    if (!ort.ok) return;
    const y = ort.outputs.get("Y")!;
    expect(y.dims).toEqual([1900, 8]);
    let maxAbs = 0;
    for (let i = 0; i < y.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(y.data[i]! - fit.predictions[i]!));
    expect(maxAbs).toBeLessThan(1e-9); // float64 weights; the stream is scaled to [-1, 1]
    const m = onnx.ModelProto.decode(readFileSync(out));
    expect(m.graph!.node!.map((n) => n.opType)).toEqual(["Gemm"]);
    expect(m.graph!.initializer![0]!.dataType).toBe(onnx.TensorProto.DataType.DOUBLE);
    const tasks = JSON.parse(m.metadataProps!.find((p) => p.key === "engram.tasks")!.value!) as { shift: number }[];
    expect(tasks.map((t) => t.shift)).toEqual([1, 5, 10, 17, 20, 50, 84, 100]);
  }, 300_000);

  it("a model without tasks: refused, nothing written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-readout-"));
    const out = join(dir, "x.onnx");
    const e = await exportReadout(join(ROOT, "models/stc/pair.yaml"), out).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngramError);
    expect((e as EngramError).diagnostics[0]!.code).toBe("no-readout");
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
