/**
 * Explicit per-element parameter values ({ values: [...], unit }), which NIR import writes for
 * weight matrices and per-neuron constants: used element by element (in connection order for
 * projections), with their unit; a wrong count or a non-finite value is a located error.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const COMPONENTS = resolve(import.meta.dirname, "../../models/components");

function model(tau: string, w: string): string {
  const dir = mkdtempSync(join(tmpdir(), "engram-values-"));
  const file = join(dir, "net.yaml");
  writeFileSync(file, `engram: 1
kind: network
duration: 10 ms
populations:
  pre: { source: true, size: 2 }
  post:
    neuron: ${COMPONENTS}/lif-current.yaml
    size: 3
    params:
      tau_mem: ${tau}
projections:
  syn:
    pre: pre
    post: post
    synapse: ${COMPONENTS}/static-synapse.yaml
    connect: all_to_all
    params:
      w: ${w}
`);
  return file;
}

describe("per-element values", () => {
  it("are used element by element, in the given unit (projections in all_to_all order: post-major)", () => {
    const p = compile(model("{ values: [5, 10, 20], unit: ms }", "{ values: [1, 2, 3, 4, 5, 6], unit: mV }"), { target: "reference" });
    expect(Array.from(p.populations.find((x) => x.name === "post")!.vars.find((v) => v.name === "tau_mem")!.init)).toEqual([0.005, 0.01, 0.02]);
    const syn = p.projections[0]!;
    const w = syn.vars.find((v) => v.name === "w")!.init;
    expect(Array.from(syn.preIndex)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(syn.postIndex)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(w)).toEqual([0.001, 0.002, 0.003, 0.004, 0.005, 0.006]);
  });

  it("a wrong count is a located error naming the parameter and the group", () => {
    try {
      compile(model("{ values: [5, 10], unit: ms }", "1 mV"), { target: "reference" });
      throw new Error("compiled");
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      const d = (e as EngramError).diagnostics[0]!;
      expect(d.message).toBe('parameter "tau_mem" of "post" lists 2 values, but "post" has 3 elements');
      expect(d.where?.line).toBe(10);
    }
  });

  it("a value of the wrong unit or a negative time is refused", () => {
    expect(() => compile(model("{ values: [5, 10, 20], unit: mV }", "1 mV"), { target: "reference" })).toThrow(/must be a time/);
    expect(() => compile(model("{ values: [5, -10, 20], unit: ms }", "1 mV"), { target: "reference" })).toThrow(/must not be negative/);
  });
});
