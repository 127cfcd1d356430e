/**
 * Issue 17: a synapse's `summed` onto its presynaptic neuron (NAME_pre), the reverse traversal that
 * carries fixed random feedback B^T e to a layer. Hand-derived values on the reference target, the
 * same on both chips (IR STORE_ADD with index PRE) bit-exactly with the IR interpreter, and the
 * located error for a target that neither neuron declares.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { runModel } from "../helpers/run.ts";
import { expectSameAsInterpreter } from "../helpers/same-as-interpreter.ts";

const FILE = "tests/fixtures/chemical/reverse.yaml";
// B (post i, pre j) = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], e = (1, 2, 3):
// E_0 = 0.1 + 0.6 + 1.5 = 2.2, E_1 = 0.2 + 0.8 + 1.8 = 2.8. The input unit's e follows E within
// one step (exp(-20)); E is written in step 1 and read in step 2.
const E = [2.2, 2.8];

describe("summed NAME_pre: B^T e onto the presynaptic layer", () => {
  it("reference: hand-derived sums", () => {
    const r = runModel(FILE);
    E.forEach((v, j) => expect(r.final(`e[${j}]`)).toBeCloseTo(v, 7));
  });
  it("reference, more presynaptic than postsynaptic neurons: every presynaptic sum is cleared each step (hand-derived)", () => {
    // B (post i, pre j) = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], e = (1, 2): E = (0.9, 1.2, 1.5). A sum
    // cleared only over the first n_post elements would let E_2 grow by 1.5 each step.
    const r = runModel("tests/fixtures/chemical/reverse-wide.yaml");
    [0.9, 1.2, 1.5].forEach((v, j) => expect(r.final(`e[${j}]`)).toBeCloseTo(v, 7));
  });
  for (const target of ["cmos", "bss2"] as const) {
    it(`${target}: STORE_ADD onto PRE, the same sums to a few LSB, emulator = IR interpreter`, { timeout: 60_000 }, () => {
      const { ir } = compileFixed(compile(FILE, { target }), getTarget(target).caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
      const pre = ir.kernels.flatMap((k) => k.ops).filter((o) => o.op === OP_BY_NAME.get("STORE_ADD")!.code && o.index === 2);
      expect(pre.length).toBeGreaterThan(0);
      expectSameAsInterpreter(ir);
      const emu = new Emulator(ir, "generated");
      emu.run(ir.header.duration_ticks);
      const p = ir.probes[0]!;
      const s = ir.states[p.state]!;
      const last = emu.probes[0]!.data.slice(-2).map((raw) => (raw * 2 ** -s.format.frac) / s.unit_scale);
      E.forEach((v, j) => expect(Math.abs(last[j]! - v)).toBeLessThan(0.01));
    });
  }
  it("a summed target that neither neuron declares is a located error naming both forms", () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-rev-"));
    writeFileSync(join(dir, "syn.yaml"), "engram: 1\nkind: synapse\nparams: { B: 1 }\nsummed:\n  Q_pre: B * e_post\n");
    writeFileSync(join(dir, "net.yaml"), FILE_TEXT(dir));
    try {
      compile(join(dir, "net.yaml"), { target: "reference" });
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      const d = (e as EngramError).diagnostics[0]!;
      expect(d.code).toBe("undefined-symbol");
      expect(d.received).toBe("Q_pre");
      expect(d.expected).toContain("E_pre");
      expect(d.where?.line).toBe(5);
    }
  });
});

const FILE_TEXT = (dir: string) => `engram: 1
kind: network
dt: 10 ms
duration: 10 ms
populations:
  a: { neuron: ${process.cwd()}/models/chemical/input-unit.yaml, size: 1 }
  b: { neuron: ${process.cwd()}/tests/fixtures/chemical/const-error-unit.yaml, size: 1 }
projections:
  fb: { pre: a, post: b, synapse: ${dir}/syn.yaml, connect: all_to_all }
`;
