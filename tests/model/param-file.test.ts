/**
 * Trained parameters from files (issue 17): `{ file, unit, column }` binds a per-neuron parameter
 * or a weight matrix from .npy (npyjs) or .csv, with shape and unit checks; every bad file is a
 * located error that names the file and quotes what it found (exit 1, no stack trace).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dump } from "npyjs";
import { compile } from "../../src/compiler/pipeline.ts";
import { errorOf, param, paramNet } from "../helpers/param-net.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-param-file-"));
const put = (name: string, data: string | ArrayBuffer | Uint8Array) => writeFileSync(join(dir, name), typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
const npy = (values: number[], shape: number[], dtype: "f8" | "f4" | "i4" = "f8") =>
  dump(dtype === "f8" ? Float64Array.from(values) : dtype === "f4" ? Float32Array.from(values) : Int32Array.from(values), shape);

const model = (tau: string, w: string, connect?: string) => paramNet(dir, tau, w, connect);

// W[post][pre] as PyTorch stores a Linear weight (out x in): 2 x 3.
const W = [[1, 2, 3], [4, 5, 6]];
put("tau.npy", npy([5, 20], [2]));
put("tau32.npy", npy([5, 20], [2], "f4"));
put("W.npy", npy(W.flat(), [2, 3]));
put("W.csv", W.map((r) => r.join(",")).join("\n") + "\n");
put("params.csv", "name,tau_mem,other\na,7,0\nb,9,0\n");
put("tau-nan.npy", npy([5, NaN], [2]));
put("W-nan.csv", "1,2,3\n4,nan,6\n");
put("W-bad.csv", "1,2,3\n4,five,6\n");
put("W-ragged.csv", "1,2,3\n4,5\n");
put("garbage.npy", "this is not numpy\n");
put("W.txt", "1,2,3\n");
put("tau3.npy", npy([5, 20, 30], [3]));
// numpy's order='F': the same W stored column by column, flagged in the header (same header length).
const fortran = Buffer.from(npy([1, 4, 2, 5, 3, 6], [2, 3]));
fortran.write(fortran.toString("latin1").replace("'fortran_order':False", "'fortran_order':True ").slice(0, 128), 0, "latin1");
put("W-fortran.npy", new Uint8Array(fortran));

describe("binding parameters from files", () => {
  it(".npy vector per neuron, in the given unit (float64 and float32)", () => {
    expect(param(compile(model("{ file: tau.npy, unit: ms }", "1 mV"), { target: "reference" }), "post", "tau_mem")).toEqual([0.005, 0.02]);
    expect(param(compile(model("{ file: tau32.npy, unit: ms }", "1 mV"), { target: "reference" }), "post", "tau_mem")).toEqual([0.005, 0.02]);
  });
  it(".npy matrix W[post][pre] per synapse (all_to_all: post-major order)", () => {
    const p = compile(model("10 ms", "{ file: W.npy, unit: mV }"), { target: "reference" });
    expect(param(p, "syn", "w").map((x) => Math.round(x * 1e6) / 1e3)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it(".npy in Fortran (column-major) order is read as the same matrix", () => {
    const p = compile(model("10 ms", "{ file: W-fortran.npy, unit: mV }"), { target: "reference" });
    expect(param(p, "syn", "w").map((x) => Math.round(x * 1e6) / 1e3)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it("a matrix is read at W[post][pre] of each synapse under random connectivity", () => {
    const p = compile(model("10 ms", "{ file: W.csv, unit: mV }", "{ kind: random, p: 0.5 }"), { target: "reference" });
    const syn = p.projections[0]!;
    const w = param(p, "syn", "w");
    expect(w.length).toBeGreaterThan(0);
    w.forEach((x, k) => expect(x).toBeCloseTo(W[syn.postIndex[k]!]![syn.preIndex[k]!]! * 1e-3, 15));
  });
  it(".csv column under a header row", () => {
    const tau = param(compile(model("{ file: params.csv, column: tau_mem, unit: ms }", "1 mV"), { target: "reference" }), "post", "tau_mem");
    expect(tau).toEqual([7 * 1e-3, 9 * 1e-3]); // value x the unit's SI factor, as for every quantity
  });
});

describe("parameter-file errors: located, naming the file, quoting what was found", () => {
  it("wrong shape for a population", () => {
    const d = errorOf(() => compile(model("{ file: tau3.npy, unit: ms }", "1 mV"), { target: "reference" }));
    expect(d.code).toBe("shape-mismatch");
    expect(d.message).toBe('parameter "tau_mem" of "post" from "tau3.npy": expected shape [2] (one value per neuron of "post"), found [3]');
    expect(d.where?.line).toBe(11);
  });
  it("wrong shape for a projection", () => {
    const d = errorOf(() => compile(model("10 ms", "{ file: tau.npy, unit: mV }"), { target: "reference" }));
    expect(d.message).toBe('parameter "w" of "syn" from "tau.npy": expected shape [2, 3] (W[post][pre]) or [6] (one value per synapse, in connection order), found [2]');
  });
  it("NaN in .npy and .csv, with its index", () => {
    expect(errorOf(() => compile(model("{ file: tau-nan.npy, unit: ms }", "1 mV"), { target: "reference" })).message).toBe('parameter file "tau-nan.npy": element [1] is NaN');
    expect(errorOf(() => compile(model("10 ms", "{ file: W-nan.csv, unit: mV }"), { target: "reference" })).message).toBe('parameter file "W-nan.csv": element [1, 1] is NaN');
  });
  it("wrong unit (an override must keep the parameter's dimension)", () => {
    const d = errorOf(() => compile(model("{ file: tau.npy, unit: mV }", "1 mV"), { target: "reference" }));
    expect(d.code).toBe("wrong-unit");
    expect(d.message).toContain('parameter "tau_mem" of "post" must be a time');
    expect(d.received).toContain("tau.npy");
  });
  it("bad files: not .npy, a cell that is not a number, ragged rows, missing file or column, unknown type", () => {
    const cases: [string, string][] = [
      ["{ file: garbage.npy }", 'parameter file "garbage.npy": is not a valid .npy file'],
      ["{ file: W-bad.csv, unit: mV }", 'parameter file "W-bad.csv": line 2, cell 2: "five" is not a number'],
      ["{ file: W-ragged.csv, unit: mV }", 'parameter file "W-ragged.csv": line 2 has 2 cells, the first row has 3'],
      ["{ file: missing.npy, unit: mV }", 'parameter file "missing.npy": cannot be read (ENOENT)'],
      ["{ file: params.csv, column: tau_m, unit: mV }", 'parameter file "params.csv": has no column "tau_m"'],
      ["{ file: W.txt, unit: mV }", 'parameter file "W.txt": unsupported file type ".txt"'],
    ];
    for (const [w, msg] of cases) {
      const d = errorOf(() => compile(model("10 ms", w), { target: "reference" }));
      expect(d.code).toBe("bad-param-file");
      expect(d.message.startsWith(msg)).toBe(true);
      expect(d.where?.line).toBe(19);
    }
  });
});
