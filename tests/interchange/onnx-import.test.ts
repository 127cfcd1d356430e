/**
 * ONNX import as an engram model of discrete-time rate units (src/interchange/onnx-to-model.ts):
 * the written model, run on the float64 reference target, reproduces ONNX Runtime and the ONNX
 * project's reference outputs to 1e-6 relative: for both fixtures (Gemm with transB, RNN with
 * tanh) and for graphs built here with every supported op, a skip connection (relay units) and a
 * bias everywhere. Refusals: unsupported op, nonlinear products, non-zero RNN initial state, a
 * tensor no node computes; nothing is written then. An opset ORT cannot run still imports, and
 * compare says why ORT is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { importOnnx } from "../../src/cli/import-onnx.ts";
import { compareOnnx } from "../../src/cli/compare-onnx.ts";
import { findSidecar } from "../../src/interchange/onnx-sidecar.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");
const FIXTURES = resolve(import.meta.dirname, "../fixtures/interchange/onnx");
const F = onnx.TensorProto.DataType.FLOAT;
const INT = onnx.AttributeProto.AttributeType.INT;
const FLOAT = onnx.AttributeProto.AttributeType.FLOAT;

const tensor = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: F, floatData: values });
const int64 = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

/** Deterministic values in [-1, 1) (a 32-bit LCG; the test needs reproducible, not random, numbers). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 31 - 1);
  });
}

interface Built {
  file: string;
  data: string;
  dir: string;
}

/** Writes model.onnx and test_data_set_0/input_N.pb (no reference outputs: ONNX Runtime is the reference). */
function write(graph: object, opset: number, inputs: [string, number[], number[]][]): Built {
  const dir = mkdtempSync(join(tmpdir(), "engram-onnx-import-"));
  writeFileSync(join(dir, "model.onnx"), onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: "", version: opset }], graph }).finish());
  mkdirSync(join(dir, "test_data_set_0"));
  inputs.forEach(([name, dims, v], k) => writeFileSync(join(dir, "test_data_set_0", `input_${k}.pb`), onnx.TensorProto.encode(tensor(name, dims, v)).finish()));
  return { file: join(dir, "model.onnx"), data: join(dir, "test_data_set_0"), dir };
}

describe("ONNX fixtures become engram models", () => {
  for (const [name, dims, ops] of [
    ["node_test_gemm_transposeB", [3, 4], ["onnx-identity.yaml"]],
    ["node_test_simple_rnn_defaults", [1, 3, 4], ["onnx-identity.yaml", "onnx-tanh.yaml"]],
  ] as const) {
    it(`${name}: the model run on float64 matches the test data and ONNX Runtime to 1e-6`, async () => {
      const out = join(mkdtempSync(join(tmpdir(), "engram-onnx-fx-")), "m");
      const r = await importOnnx({ file: join(FIXTURES, name, "model.onnx"), out });
      expect(r.ortMissing).toBeUndefined();
      expect(r.rows.map((x) => x.dims)).toEqual([dims]);
      for (const row of r.rows) {
        expect(row.engram).toBeLessThanOrEqual(1e-6);
        expect(row.ort).toBeLessThanOrEqual(1e-6);
        expect(row.engramVsOrt).toBeLessThanOrEqual(1e-6);
      }
      const model = parse(readFileSync(r.model, "utf8")) as { populations: Record<string, { neuron: string }>; projections: Record<string, unknown> };
      expect([...new Set(Object.values(model.populations).map((p) => p.neuron))].sort()).toEqual([...ops]);
      if (name.includes("rnn")) {
        // The RNN: input weights W and recurrent weights R (onto itself) into one tanh population.
        const rec = Object.values(model.projections).filter((p) => (p as { pre: string; post: string }).pre === (p as { post: string }).post);
        expect(rec.length).toBe(1);
      }
      expect(existsSync(join(out, "onnx", "model.onnx"))).toBe(true);
      // engram compare from the command line finds onnx.json and puts ONNX Runtime first.
      const { main } = await import("../../src/cli/main.ts");
      expect(await main(["compare", r.model, "--targets", "reference", "--out", join(out, "..", "cmp")])).toBe(0);
      const rows = readFileSync(join(out, "..", "cmp", "compare.csv"), "utf8").trim().split("\n");
      expect(rows[1]).toMatch(/^ONNX Runtime,\w+,0,0,0,reference$/);
      expect(rows.find((l) => l.startsWith("float64,"))).toMatch(/,ran$/);
    }, 120_000);
  }

  it("engram compare on the imported RNN: ONNX Runtime is the reference; float64 within 1e-6; cmos runs it, bss2 runs it or says why not", async () => {
    const root = mkdtempSync(join(tmpdir(), "engram-onnx-cmp-"));
    const r = await importOnnx({ file: join(FIXTURES, "node_test_simple_rnn_defaults", "model.onnx"), out: join(root, "m") });
    const found = findSidecar(r.model)!;
    expect(found.sidecar.outputs[0]!.name).toBe("Y_h");
    const c = await compareOnnx({ model: r.model, targets: ["reference", "bss2", "cmos"], roundings: ["nearest"], bits: [undefined], out: join(root, "cmp") }, found);
    expect(c.reference).toBe("onnxruntime");
    const f64 = c.rows.find((x) => x.variant === "float64")!;
    expect(f64.maxRel).toBeLessThanOrEqual(1e-6);
    const chips = c.rows.filter((x) => /^(bss2|cmos)/.test(x.variant));
    expect(chips.length).toBe(2);
    // cmos has function tables and stream inputs (targets/cmos/caps.ts), so the RNN runs there;
    // bss2 may refuse it, but only with a compiler diagnostic that says why (a DRC or lowering code).
    const cmos = chips.find((x) => x.variant.startsWith("cmos"))!;
    expect(cmos.status).toBe("ran");
    expect(Number.isFinite(cmos.maxAbs)).toBe(true);
    for (const row of chips) {
      if (row.status === "ran") expect(Number.isFinite(row.maxAbs)).toBe(true);
      else expect(row.status).toMatch(/^cannot run on bss2: (cannot-lower|drc-[a-z-]+): /);
    }
    const csv = readFileSync(join(root, "cmp", "compare.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("variant,output,max_abs_error,max_rel_error,rmse,status");
    expect(csv.length).toBe(1 + c.rows.length);
    expect(readFileSync(join(root, "cmp", "compare.svg"), "utf8")).toMatch(/^<svg/);
  }, 120_000);
});

describe("ONNX graphs built here", () => {
  it("an MLP with every supported op, a skip connection and biases matches ONNX Runtime to 1e-6", async () => {
    // X[2,4] -> Gemm(transB) -> Relu -> MatMul -> Add -> Sigmoid -> Mul/Sub/Div by constants ->
    // Clip -> Flatten, plus a skip: Tanh(Gemm(X)) added to the deep path (latency 5 vs 2), then
    // Reshape, Identity and a Constant; and a second output Y2 = -X (Sub from a constant, Neg-free).
    const W1 = values(5 * 4, 1), b1 = values(5, 2), W2 = values(5 * 3, 3), b2 = values(3, 4), Ws = values(4 * 3, 5);
    const nodes = [
      { name: "fc1", opType: "Gemm", input: ["X", "W1", "b1"], output: ["h1"], attribute: [{ name: "transB", i: 1, type: INT }, { name: "alpha", f: 0.75, type: FLOAT }, { name: "beta", f: 1.5, type: FLOAT }] },
      { name: "relu", opType: "Relu", input: ["h1"], output: ["a1"] },
      { name: "fc2", opType: "MatMul", input: ["a1", "W2"], output: ["h2"] },
      { name: "bias2", opType: "Add", input: ["h2", "b2"], output: ["h2b"] },
      { name: "sig", opType: "Sigmoid", input: ["h2b"], output: ["a2"] },
      { name: "two", opType: "Constant", input: [], output: ["k2"], attribute: [{ name: "value", t: tensor("", [], [2]), type: onnx.AttributeProto.AttributeType.TENSOR }] },
      { name: "mul", opType: "Mul", input: ["a2", "k2"], output: ["m"] },
      { name: "sub", opType: "Sub", input: ["m", "half"], output: ["s"] },
      { name: "div", opType: "Div", input: ["s", "four"], output: ["d"] },
      { name: "clip", opType: "Clip", input: ["d", "lo", "hi"], output: ["c"] },
      { name: "skip", opType: "MatMul", input: ["X", "Ws"], output: ["sk"] },
      { name: "tanh", opType: "Tanh", input: ["sk"], output: ["skt"] },
      { name: "join", opType: "Add", input: ["c", "skt"], output: ["j"] },
      { name: "flat", opType: "Flatten", input: ["j"], output: ["f"], attribute: [{ name: "axis", i: 0, type: INT }] },
      { name: "shape", opType: "Reshape", input: ["f", "shape6"], output: ["r"] },
      { name: "id", opType: "Identity", input: ["r"], output: ["Y"] },
      { name: "neg", opType: "Sub", input: ["zero", "X"], output: ["Y2"] },
    ];
    const g = write(
      {
        name: "mlp",
        node: nodes,
        initializer: [tensor("W1", [5, 4], W1), tensor("b1", [5], b1), tensor("W2", [5, 3], W2), tensor("b2", [3], b2), tensor("half", [3], [0.5, 0.25, 0.125]), tensor("four", [1, 3], [4, -2, 8]), tensor("lo", [], [-0.2]), tensor("hi", [], [0.15]), tensor("Ws", [4, 3], Ws), int64("shape6", [2], [3, 2]), tensor("zero", [], [0])],
        input: [vi("X", [2, 4])],
        output: [vi("Y", [3, 2]), vi("Y2", [2, 4])],
      },
      13,
      [["X", [2, 4], values(8, 6).map((v) => v * 2)]],
    );
    const r = await importOnnx({ file: g.file, out: join(g.dir, "m") });
    expect(r.ortMissing).toBeUndefined();
    expect(r.rows.map((x) => x.output)).toEqual(["Y", "Y2"]);
    for (const row of r.rows) expect(row.engramVsOrt).toBeLessThanOrEqual(1e-6);
    const model = parse(readFileSync(r.model, "utf8")) as { populations: Record<string, { neuron: string; size: number }> };
    const units = Object.values(model.populations).map((p) => p.neuron);
    for (const u of ["onnx-relu.yaml", "onnx-logistic.yaml", "onnx-clip.yaml", "onnx-tanh.yaml"]) expect(units).toContain(u);
    // The skip path (latency 2) meets the deep one (latency 4) through relay units.
    expect(Object.keys(model.populations).some((k) => k.includes("relay"))).toBe(true);
  }, 120_000);

  it("an RNN with biases fed by a Gemm-free signal and read as Y (every step) matches ONNX Runtime", async () => {
    const T = 5, batch = 2, In = 3, H = 4;
    const g = write(
      {
        name: "rnn",
        node: [{ name: "rnn", opType: "RNN", input: ["X", "W", "R", "B"], output: ["Y", ""], attribute: [{ name: "hidden_size", i: H, type: INT }] }],
        initializer: [tensor("W", [1, H, In], values(H * In, 7)), tensor("R", [1, H, H], values(H * H, 8).map((v) => v * 0.5)), tensor("B", [1, 2 * H], values(2 * H, 9))],
        input: [vi("X", [T, batch, In])],
        output: [vi("Y", [T, 1, batch, H])],
      },
      14,
      [["X", [T, batch, In], values(T * batch * In, 10)]],
    );
    const r = await importOnnx({ file: g.file, out: join(g.dir, "m") });
    expect(r.rows[0]!.dims).toEqual([T, 1, batch, H]);
    // ONNX Runtime computes in float32: over 5 recurrent steps its rounding (~1e-7 of the unit-scale
    // tanh values) is large relative to elements close to 0, so the check is on the absolute error
    // of values in [-1, 1]; the import itself checked the run against engram's float64 graph
    // evaluation to 1e-9 relative.
    const c = await compareOnnx({ model: r.model, targets: ["reference"], roundings: ["nearest"], bits: [undefined], out: join(g.dir, "cmp") }, findSidecar(r.model)!);
    const f64 = c.rows.find((x) => x.variant === "float64")!;
    expect(f64.maxAbs).toBeLessThanOrEqual(1e-6);
  }, 120_000);
});

describe("ONNX import refusals and ORT gaps", () => {
  const one = (node: object, opset = 13, inits: object[] = [tensor("W", [2, 3], [1, 0, 2, 0, 1, -1])]) =>
    write({ name: "g", node: [node], initializer: inits, input: [vi("X", [1, 3])], output: [vi("Y", [1, 2])] }, opset, [["X", [1, 3], [1, 2, 3]]]);
  const refused = async (b: Built): Promise<EngramError> => {
    const out = join(b.dir, "m");
    try {
      await importOnnx({ file: b.file, out });
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      expect(existsSync(out)).toBe(false); // nothing written
      expect(readFileSync(join(b.dir, "model.onnx")).length).toBeGreaterThan(0);
      return e as EngramError;
    }
    throw new Error("accepted");
  };

  it("an unsupported op: its name, its node and the supported list", async () => {
    const e = await refused(one({ name: "conv1", opType: "Conv", input: ["X", "W"], output: ["Y"] }));
    expect(e.diagnostics[0]!.message).toBe("node conv1 (op Conv) is not supported");
    expect(e.diagnostics[0]!.expected).toContain("Gemm, MatMul, Add, Sub, Mul, Div, Relu, Sigmoid, Tanh, Clip, Identity, Constant, Reshape, Flatten, RNN");
    expect(e.diagnostics[0]!.where?.path).toEqual(["graph.node[0]"]);
  }, 60_000);

  it("a product of two signals is refused naming the node", async () => {
    const e = await refused(write({ name: "g", node: [{ name: "sq", opType: "Mul", input: ["X", "X"], output: ["Y"] }], initializer: [], input: [vi("X", [1, 3])], output: [vi("Y", [1, 3])] }, 13, [["X", [1, 3], [1, 2, 3]]]));
    expect(e.diagnostics[0]!.message).toMatch(/^node sq \(Mul\): the product or quotient of two signals is not linear/);
    expect(e.diagnostics[0]!.where?.path).toEqual(["graph.node[0]"]);
  }, 60_000);

  it("an input no node computes is a located shape error", async () => {
    const e = await refused(one({ name: "fc", opType: "Gemm", input: ["X", "Wmissing"], output: ["Y"], attribute: [{ name: "transB", i: 1, type: INT }] }));
    expect(e.diagnostics[0]!.message).toMatch(/node fc \(Gemm\): input "Wmissing" is not computed/);
  }, 60_000);

  it("an RNN with a non-zero initial_h is refused", async () => {
    const b = write(
      { name: "g", node: [{ name: "r", opType: "RNN", input: ["X", "W", "R", "", "", "h0"], output: ["", "Y"], attribute: [{ name: "hidden_size", i: 1, type: INT }] }], initializer: [tensor("W", [1, 1, 1], [1]), tensor("R", [1, 1, 1], [0.5]), tensor("h0", [1, 1, 1], [0.25])], input: [vi("X", [2, 1, 1])], output: [vi("Y", [1, 1, 1])] },
      14,
      [["X", [2, 1, 1], [1, -1]]],
    );
    const e = await refused(b);
    expect(e.diagnostics[0]!.message).toMatch(/node r \(RNN\): a non-zero initial_h is not supported/);
  }, 60_000);

  it("Gemm at opset 6 (ORT has no kernel): the import still works; compare says why ORT is missing", async () => {
    const b = write(
      { name: "g", node: [{ name: "l", opType: "Gemm", input: ["X", "W", "C"], output: ["Y"], attribute: [{ name: "transB", i: 1, type: INT }, { name: "broadcast", i: 1, type: INT }] }], initializer: [tensor("W", [2, 3], [1, 0, 2, 0, 1, -1]), tensor("C", [2], [0.5, -1])], input: [vi("X", [1, 3])], output: [vi("Y", [1, 2])] },
      6,
      [["X", [1, 3], [1, 2, 3]]],
    );
    // Reference by hand: Y = X W^T + C = [1 + 6 + 0.5, 2 - 3 - 1] = [7.5, -2].
    writeFileSync(join(b.data, "output_0.pb"), onnx.TensorProto.encode(tensor("Y", [1, 2], [7.5, -2])).finish());
    const r = await importOnnx({ file: b.file, out: join(b.dir, "m") });
    expect(r.ortMissing).toMatch(/^ONNX Runtime cannot load the model: .*Gemm\(6\)/);
    expect(r.rows[0]!.engram).toBe(0);
    const c = await compareOnnx({ model: r.model, targets: ["reference"], roundings: ["nearest"], bits: [undefined], out: join(b.dir, "cmp") }, findSidecar(r.model)!);
    expect(c.reference).toBe("test data");
    expect(c.ortMissing).toMatch(/Gemm\(6\)/);
    expect(c.rows.find((x) => x.variant === "float64")!.maxAbs).toBe(0);
  }, 60_000);

  it("not an ONNX file: a located error, exit 1 from the command line, nothing written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-onnx-bad-"));
    writeFileSync(join(dir, "model.onnx"), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x7f, 0x01]));
    const e = await importOnnx({ file: join(dir, "model.onnx"), out: join(dir, "m") }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngramError);
    expect((e as EngramError).diagnostics[0]!.code).toBe("bad-onnx");
    expect((e as EngramError).diagnostics[0]!.message).toMatch(/^not an ONNX model: /);
    const { main } = await import("../../src/cli/main.ts");
    expect(await main(["import", join(dir, "model.onnx"), "-o", join(dir, "m")])).toBe(1);
    expect(existsSync(join(dir, "m"))).toBe(false);
  }, 60_000);
});

describe("ONNX files without test data", () => {
  it("weights as initializers, no test_data_set: the signal is written as zeros; compare reads the edited CSV", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-onnx-nodata-"));
    const W = values(3 * 4, 11), b = values(3, 12);
    writeFileSync(
      join(dir, "net.onnx"),
      onnx.ModelProto.encode({
        irVersion: 8,
        opsetImport: [{ domain: "", version: 13 }],
        graph: { name: "g", node: [{ name: "fc", opType: "Gemm", input: ["x", "W", "b"], output: ["h"], attribute: [{ name: "transB", i: 1, type: INT }] }, { name: "act", opType: "Tanh", input: ["h"], output: ["y"] }], initializer: [tensor("W", [3, 4], W), tensor("b", [3], b)], input: [{ name: "x", type: { tensorType: { elemType: F, shape: { dim: [{ dimParam: "batch" }, { dimValue: 4 }] } } } }], output: [vi("y", [1, 3])] },
      }).finish(),
    );
    const r = await importOnnx({ file: join(dir, "net.onnx"), out: join(dir, "m") });
    expect(r.zeroSignal).toBe(join(dir, "m", "net-input.csv"));
    const csv = readFileSync(r.zeroSignal!, "utf8").trim().split("\n");
    expect(csv[0]).toBe("u_x_0,u_x_1,u_x_2,u_x_3");
    expect(csv.slice(1).every((l) => l === "0,0,0,0")).toBe(true);
    // Put a real input in the CSV (every row: the graph is static), then compare with ONNX Runtime.
    const x = [0.5, -1, 0.25, 2];
    writeFileSync(r.zeroSignal!, [csv[0], ...csv.slice(1).map(() => x.join(","))].join("\n") + "\n");
    const c = await compareOnnx({ model: r.model, targets: ["reference"], roundings: ["nearest"], bits: [undefined], out: join(dir, "cmp") }, findSidecar(r.model)!);
    expect(c.reference).toBe("onnxruntime");
    const f64 = c.rows.find((row) => row.variant === "float64")!;
    expect(f64.maxRel).toBeLessThanOrEqual(1e-6);
    // And the reference itself is not trivial: tanh(x W^T + b) by hand, in float64, against ORT's float32.
    const hand = [0, 1, 2].map((j) => Math.tanh(b[j]! + x.reduce((sum, xi, k) => sum + xi * W[j * 4 + k]!, 0)));
    expect(Math.max(...hand.map(Math.abs))).toBeGreaterThan(0.05);
  }, 120_000);
});
