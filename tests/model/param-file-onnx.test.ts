/**
 * Trained parameters from ONNX initializers (issue 17, item 4): `{ file: x.onnx, initializer: name,
 * unit }` binds a per-neuron parameter or a weight matrix from one FLOAT/DOUBLE initializer, with
 * the same shape rules as .npy (per synapse [n_post, n_pre] as PyTorch stores weight[out][in]) and
 * located errors. The ONNX files are written here with engram's own writer (`denseToOnnx`) and with
 * onnx-proto, and one is a real fixture written by onnx/onnx.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { denseToOnnx } from "../../src/interchange/onnx-write.ts";
import { errorOf, param, paramNet } from "../helpers/param-net.ts";

const { onnx } = createRequire(import.meta.url)("onnx-proto") as typeof import("onnx-proto");
const FIXTURE_RNN = "/work/shared/fixtures/onnx/node_test_simple_rnn_defaults/model.onnx";
const dir = mkdtempSync(join(tmpdir(), "engram-param-onnx-"));

const model = (tau: string, w: string, connect?: string) => paramNet(dir, tau, w, connect);

// W[post][pre] as PyTorch stores nn.Linear(3, 2).weight (out x in); the bias (2 values) serves as tau_mem in ms.
const W = [[1, 2, 3], [4, 5, 6]];
writeFileSync(join(dir, "dense.onnx"), denseToOnnx({ weight: Float64Array.from(W.flat()), bias: Float64Array.from([5, 20]), nIn: 3, nOut: 2, name: "fc" }, "engram-test"));

// Every storage form a PyTorch export uses, plus the bad cases, written with onnx-proto.
const T = onnx.TensorProto.DataType;
const f32raw = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);
const f64raw = (xs: number[]) => new Uint8Array(Float64Array.from(xs).buffer);
writeFileSync(
  join(dir, "rnn.onnx"),
  onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "rnn",
      node: [{ opType: "Identity", input: ["x"], output: ["y"] }],
      initializer: [
        // raw_data, as torch.onnx.export writes it
        { name: "rnn.weight_hh_l0", dims: [2, 3], dataType: T.FLOAT, rawData: f32raw(W.flat().map((x) => x / 8)) },
        { name: "tau", dims: [2], dataType: T.DOUBLE, rawData: f64raw([7, 9]) },
        { name: "tau_double_data", dims: [2], dataType: T.DOUBLE, doubleData: [11, 13] },
        { name: "steps", dims: [2], dataType: T.INT64, int64Data: [1, 2] },
        { name: "tau_nan", dims: [2], dataType: T.FLOAT, floatData: [5, NaN] },
        { name: "W_inf", dims: [2, 3], dataType: T.FLOAT, rawData: f32raw([1, 2, 3, 4, 5, -Infinity]) },
        { name: "tau3", dims: [3], dataType: T.FLOAT, floatData: [1, 2, 3] },
        { name: "far", dims: [2], dataType: T.FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: "location", value: "weights.bin" }] },
      ],
      input: [{ name: "x" }],
      output: [{ name: "y" }],
    },
  }).finish(),
);
writeFileSync(join(dir, "garbage.onnx"), "this is not protobuf at all\n");
writeFileSync(join(dir, "tau.csv"), "5\n20\n");

describe("binding parameters from ONNX initializers", () => {
  it("engram's own Gemm export: weight W[out][in] per synapse, bias as per-neuron tau", () => {
    const p = compile(model("{ file: dense.onnx, initializer: B, unit: ms }", "{ file: dense.onnx, initializer: W, unit: mV }"), { target: "reference" });
    // float32 on disk: 5 and 20 are exact in float32, so the SI values are the same products as for a literal.
    expect(param(p, "post", "tau_mem")).toEqual([5 * 1e-3, 20 * 1e-3]);
    expect(param(p, "syn", "w").map((x) => Math.round(x * 1e6) / 1e3)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it("raw_data float32 matrix lands at W[post][pre] of each synapse under random connectivity", () => {
    const p = compile(model("10 ms", "{ file: rnn.onnx, initializer: rnn.weight_hh_l0, unit: mV }", "{ kind: random, p: 0.5 }"), { target: "reference" });
    const syn = p.projections[0]!;
    const w = param(p, "syn", "w");
    expect(w.length).toBeGreaterThan(0);
    // k/8 is exact in float32, so the value is exactly (k/8) mV in SI.
    w.forEach((x, k) => expect(x).toBeCloseTo((W[syn.postIndex[k]!]![syn.preIndex[k]!]! / 8) * 1e-3, 15));
  });
  it("DOUBLE initializers, in raw_data and in double_data", () => {
    expect(param(compile(model("{ file: rnn.onnx, initializer: tau, unit: ms }", "1 mV"), { target: "reference" }), "post", "tau_mem")).toEqual([7 * 1e-3, 9 * 1e-3]); // value x the unit's SI factor
    expect(param(compile(model("{ file: rnn.onnx, initializer: tau_double_data, unit: ms }", "1 mV"), { target: "reference" }), "post", "tau_mem")).toEqual([11 * 1e-3, 13 * 1e-3]);
  });
});

describe("ONNX parameter errors: located, naming the file and the initializer", () => {
  const bad = (tau: string) => errorOf(() => compile(model(tau, "1 mV"), { target: "reference" }));
  it("unknown initializer lists the available names", () => {
    const d = bad("{ file: dense.onnx, initializer: fc.weight, unit: ms }");
    expect(d.code).toBe("bad-param-file");
    expect(d.message).toBe('parameter file "dense.onnx": has no initializer "fc.weight"');
    expect(d.expected).toBe("W, B");
    expect(d.received).toBe("fc.weight");
    expect(d.where?.line).toBe(11);
  });
  it("wrong shape quotes both shapes", () => {
    const d = bad("{ file: rnn.onnx, initializer: tau3, unit: ms }");
    expect(d.code).toBe("shape-mismatch");
    expect(d.message).toBe('parameter "tau_mem" of "post" from "rnn.onnx#tau3": expected shape [2] (one value per neuron of "post"), found [3]');
    const w = errorOf(() => compile(model("10 ms", "{ file: dense.onnx, initializer: B, unit: mV }"), { target: "reference" }));
    expect(w.message).toBe('parameter "w" of "syn" from "dense.onnx#B": expected shape [2, 3] (W[post][pre]) or [6] (one value per synapse, in connection order), found [2]');
  });
  it("non-float element type", () => {
    const d = bad("{ file: rnn.onnx, initializer: steps, unit: ms }");
    expect(d.message).toBe('parameter file "rnn.onnx": initializer "steps" has element type INT64');
    expect(d.expected).toBe("FLOAT or DOUBLE");
  });
  it("NaN and infinity quote the index and the value", () => {
    expect(bad("{ file: rnn.onnx, initializer: tau_nan, unit: ms }").message).toBe('parameter file "rnn.onnx#tau_nan": element [1] is NaN');
    const d = errorOf(() => compile(model("10 ms", "{ file: rnn.onnx, initializer: W_inf, unit: mV }"), { target: "reference" }));
    expect(d.message).toBe('parameter file "rnn.onnx#W_inf": element [1, 2] is -Infinity');
  });
  it("external data, a file that is not ONNX, a missing initializer name, and keys for the wrong file type", () => {
    const cases: [string, string][] = [
      ["{ file: rnn.onnx, initializer: far }", 'parameter file "rnn.onnx": initializer "far": tensor "far" keeps its data in the external file "weights.bin"'],
      ["{ file: garbage.onnx, initializer: W }", 'parameter file "garbage.onnx": is not a valid ONNX model'],
      ["{ file: dense.onnx, unit: ms }", 'parameter file "dense.onnx": an .onnx file needs "initializer"'],
      ["{ file: dense.onnx, initializer: B, column: tau, unit: ms }", 'parameter file "dense.onnx": "column" applies to .csv files only'],
      ["{ file: tau.csv, initializer: B, unit: ms }", 'parameter file "tau.csv": "initializer" applies to .onnx files only'],
    ];
    for (const [tau, msg] of cases) {
      const d = bad(tau);
      expect(d.code).toBe("bad-param-file");
      expect(d.message.startsWith(msg)).toBe(true);
      expect(d.where?.line).toBe(11);
    }
  });
  it("a real ONNX file (onnx/onnx's RNN node test) whose weights are graph inputs, not initializers", () => {
    const d = bad(`{ file: ${FIXTURE_RNN}, initializer: R, unit: ms }`);
    expect(d.message).toBe(`parameter file "${FIXTURE_RNN}": has no initializer "R"`);
    expect(d.expected).toBe("(the file has no initializers)");
    expect(d.hint).toBe('"R" is a graph input, not an initializer: its values are not in the file');
  });
});
