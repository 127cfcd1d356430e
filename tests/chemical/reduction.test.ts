/**
 * Issue 17, item 2: the chemical synapse with L = 1, K = 0, v = 1, tau = 1 step and phi the
 * identity is the three-term rule of Shervani-Tabar & Rosenbaum (seed-models.md C.2, acceptance 1),
 * bit for bit on every target: the same float64 traces on the reference target, the same raw
 * integers on both chips' emulators (every rounding mode), and each chip's emulator the same as
 * the IR reference interpreter.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { runModel } from "../helpers/run.ts";
import { expectSameAsInterpreter } from "../helpers/same-as-interpreter.ts";

const CHEM = "tests/fixtures/chemical/reduce-chemical.yaml";
const THREE = "tests/fixtures/chemical/reduce-three-term.yaml";
const columns = ["y[0]", "y[1]", "y[2]", ...Array.from({ length: 64 }, (_, i) => `w1[${i}]`), ...Array.from({ length: 48 }, (_, i) => `w2[${i}]`)];

describe("chemical synapse, L = 1: exactly the three-term rule", () => {
  it("reference (float64): identical traces, and the weights do learn", { timeout: 60_000 }, () => {
    const a = runModel(CHEM), b = runModel(THREE);
    for (const c of columns) expect(Array.from(a.column(c)), c).toEqual(Array.from(b.column(c)));
    // Not a vacuous equality: the weights moved.
    const w = a.column("w2[0]");
    expect(Math.abs(w.at(-1)! - w[0]!)).toBeGreaterThan(1e-3);
  });

  for (const target of ["cmos", "bss2"] as const) {
    for (const rounding of ["nearest", "stochastic"] as const) {
      it(`${target}, ${rounding} rounding: identical raw traces; emulator = IR interpreter`, { timeout: 120_000 }, () => {
        const build = (file: string) => compileFixed(compile(file, { target }), getTarget(target).caps, { rounding, engramVersion: "test", analyse: analyseByRun }).ir;
        const chem = build(CHEM), three = build(THREE);
        const run = (ir: typeof chem) => {
          const emu = new Emulator(ir, "generated");
          emu.run(ir.header.duration_ticks);
          return emu.probes.map((p) => Array.from(p.data));
        };
        const pa = run(chem), pb = run(three);
        expect(pa.length).toBe(pb.length);
        pa.forEach((d, i) => expect(d, chem.probes[i]!.column).toEqual(pb[i]));
        const w2 = chem.probes.findIndex((p) => p.column.startsWith("w2"));
        const data = pa[w2]!;
        expect(data.slice(-48)).not.toEqual(data.slice(0, 48));
        expectSameAsInterpreter(chem, 40);
      });
    }
  }
});
