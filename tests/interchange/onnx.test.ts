/**
 * ONNX side of the interchange: the fixtures from onnx/onnx's backend tests (Gemm with transB, RNN
 * with tanh) decode with onnx-proto, evaluate in float64 and in ONNX Runtime, and both match the
 * reference tensors the ONNX project ships (test_data_set_0/output_N.pb, float32) to 1e-6
 * relative. Graphs built here with onnx-proto check the refusals: an unsupported op named with its
 * node and the supported list, a shape mismatch naming the node, and an opset ORT cannot run.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkOnnx } from "../../src/interchange/onnx-check.ts";
import { readOnnx } from "../../src/interchange/onnx-read.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");
const FIXTURES = resolve(import.meta.dirname, "../fixtures/interchange/onnx");

const tensor = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: values });
const valueInfo = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

/** A one-node model Y = op(X, W, C) with W and C as initializers, and its test data. */
function build(op: string, opset: number, w: [number[], number[]], x: [number[], number[]], attrs: object[] = []): { file: string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), "engram-onnx-"));
  const model = onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: "g",
      node: [{ name: "layer", opType: op, input: ["X", "W", "C"], output: ["Y"], attribute: attrs }],
      initializer: [tensor("W", w[0], w[1]), tensor("C", [2], [0.5, -1])],
      input: [valueInfo("X", x[0])],
      output: [valueInfo("Y", [x[0][0]!, 2])],
    },
  }).finish();
  writeFileSync(join(dir, "model.onnx"), model);
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "input_0.pb"), onnx.TensorProto.encode(tensor("X", x[0], x[1])).finish());
  return { file: join(dir, "model.onnx"), data: join(dir, "data") };
}

describe("ONNX fixtures", () => {
  for (const name of ["node_test_gemm_transposeB", "node_test_simple_rnn_defaults"]) {
    it(`${name}: float64 and ONNX Runtime match the reference outputs to 1e-6`, async () => {
      const c = await checkOnnx(join(FIXTURES, name, "model.onnx"), join(FIXTURES, name, "test_data_set_0"));
      expect(c.ortMissing).toBeUndefined();
      expect(c.rows.length).toBe(1);
      for (const r of c.rows) {
        expect(r.float64).toBeLessThanOrEqual(1e-6);
        expect(r.ort).toBeLessThanOrEqual(1e-6);
      }
      expect(c.rows[0]!.dims).toEqual(name.includes("rnn") ? [1, 3, 4] : [3, 4]);
    }, 60_000);
  }
});

describe("ONNX graphs built here", () => {
  it("a Gemm with initializers: weights bound, output computed (hand-checked values)", async () => {
    // X [1, 3] = [1, 2, 3]; W [2, 3] transB -> Y = X W^T + C = [1*1 + 2*0 + 3*2 + 0.5, 1*0 + 2*1 + 3*(-1) - 1] = [7.5, -2].
    const m = build("Gemm", 13, [[2, 3], [1, 0, 2, 0, 1, -1]], [[1, 3], [1, 2, 3]], [{ name: "transB", i: 1, type: onnx.AttributeProto.AttributeType.INT }]);
    writeFileSync(join(m.data, "output_0.pb"), onnx.TensorProto.encode(tensor("Y", [1, 2], [7.5, -2])).finish());
    const c = await checkOnnx(m.file, m.data);
    expect(c.rows[0]!.float64).toBe(0);
    expect(c.rows[0]!.ort).toBe(0);
  }, 60_000);

  it("an unsupported op is refused with its name, node and the supported list", () => {
    const m = build("Conv", 13, [[2, 3], [1, 0, 2, 0, 1, -1]], [[1, 3], [1, 2, 3]]);
    try {
      readOnnx(m.file);
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      const d = (e as EngramError).diagnostics[0]!;
      expect(d.message).toBe("node layer (op Conv) is not supported");
      expect(d.expected).toContain("Gemm, MatMul, Add");
      expect(d.where?.path).toEqual(["graph.node[0]"]);
    }
  });

  it("a weight of the wrong shape is refused naming the node", async () => {
    const m = build("Gemm", 13, [[2, 4], [1, 0, 2, 0, 1, -1, 0, 0]], [[1, 3], [1, 2, 3]], [{ name: "transB", i: 1, type: onnx.AttributeProto.AttributeType.INT }]);
    writeFileSync(join(m.data, "output_0.pb"), onnx.TensorProto.encode(tensor("Y", [1, 2], [0, 0])).finish());
    await expect(checkOnnx(m.file, m.data)).rejects.toThrow(/node layer \(Gemm\): A is \[1,3\] and B is \[2,4\] \(transposed\): inner sizes 3 and 4 differ/);
  }, 60_000);

  it("an opset ONNX Runtime does not implement: float64 still runs and the check says why ORT is missing", async () => {
    const m = build("Gemm", 6, [[2, 3], [1, 0, 2, 0, 1, -1]], [[1, 3], [1, 2, 3]], [{ name: "transB", i: 1, type: onnx.AttributeProto.AttributeType.INT }]);
    writeFileSync(join(m.data, "output_0.pb"), onnx.TensorProto.encode(tensor("Y", [1, 2], [7.5, -2])).finish());
    const c = await checkOnnx(m.file, m.data);
    expect(c.rows[0]!.float64).toBe(0);
    if (c.ortMissing !== undefined) {
      expect(c.ortMissing).toMatch(/ONNX Runtime/);
      expect(c.rows[0]!.ort).toBeUndefined();
    } else expect(c.rows[0]!.ort).toBe(0); // this ORT build still runs opset 6
  }, 60_000);
});

describe("ONNX export of a dense layer", () => {
  it("a projection's weights and its post population's bias, as a Gemm that ONNX Runtime runs", async () => {
    const { writeNir } = await import("../../src/interchange/nir-write.ts");
    const { arrayOf } = await import("../../src/interchange/nir-graph.ts");
    const { importNir } = await import("../../src/cli/import.ts");
    const { exportOnnx } = await import("../../src/cli/export.ts");
    const { runOrt } = await import("../../src/interchange/onnx-ort.ts");
    const dir = mkdtempSync(join(tmpdir(), "engram-onnx-export-"));
    // Input 3 -> Affine [2, 3] with bias -> LIF 2, imported from NIR, then exported as ONNX.
    const W = [0.5, -1.25, 2, 0.75, 0.125, -0.5], b = [0.25, -1.5];
    const node = (type: string, params: Record<string, ReturnType<typeof arrayOf>>) => ({ type, params: new Map(Object.entries(params)), strings: new Map(), path: "" });
    await writeNir(join(dir, "l.nir"), { version: "1.0.0", graph: { nodes: new Map([["input", node("Input", { shape: arrayOf([3], [1], "i64") })], ["fc", node("Affine", { weight: arrayOf(W, [2, 3]), bias: arrayOf(b) })], ["lif", node("LIF", { tau: arrayOf([0.01, 0.01]), r: arrayOf([1, 1]), v_leak: arrayOf([0, 0]), v_threshold: arrayOf([1, 1]) })]]), edges: [["input", "fc"], ["fc", "lif"]], path: "node", metadata: new Map() } });
    const { model } = await importNir({ file: join(dir, "l.nir"), out: join(dir, "m") });
    await exportOnnx(model, "fc", join(dir, "fc.onnx"));
    const X = [1, 2, 3, -1, 0.5, 4];
    const r = await runOrt(join(dir, "fc.onnx"), new Map([["X", { dims: [2, 3], data: Float64Array.from(X) }]]));
    expect(r.ok).toBe(true);
    // By hand: Y[n][o] = sum_i X[n][i] W[o][i] + b[o] (all values exact in float32).
    const hand = [0, 1].flatMap((nn) => [0, 1].map((o) => X[nn * 3]! * W[o * 3]! + X[nn * 3 + 1]! * W[o * 3 + 1]! + X[nn * 3 + 2]! * W[o * 3 + 2]! + b[o]!));
    if (r.ok) expect(Array.from(r.outputs.get("Y")!.data)).toEqual(hand);
    // And it decodes and evaluates through engram's own ONNX reader.
    expect(readOnnx(join(dir, "fc.onnx")).nodes.map((nn) => nn.op)).toEqual(["Gemm"]);
  }, 60_000);
});
