/**
 * Short-term plasticity on the chips (issue 17): the compiled STSP models run on the emulator bit
 * for bit like the IR reference interpreter, on cmos and bss2, with both roundings; x and u are
 * unsigned fractions (uQ0.16) as declared (format: ufrac); and the compile report says where the
 * STSP state goes and why (bss2's STP circuits, its processor, or cmos's digital state).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { expectSameAsInterpreter as same } from "../helpers/same-as-interpreter.ts";
import { interpret } from "../../src/ir/reference.ts";

const models = [
  ["models/stsp/stsp-small.yaml", "rate units (Masse form), recurrent, stream input", "res"],
  ["models/stsp/stsp-lif-pair.yaml", "LIF, facilitating and depressing (Tsodyks-Markram)", "pre"],
  ["models/stsp/stsp-lif-depressing.yaml", "LIF, depression only", "pre"],
] as const;

describe("STSP on cmos and bss2: emulator = reference interpreter, bit for bit", () => {
  for (const [file, what, pop] of models) {
    for (const target of ["cmos", "bss2"] as const) {
      for (const rounding of ["nearest", "stochastic"] as const) {
        it(`${what}, ${target}, ${rounding}`, { timeout: 60_000 }, () => {
          const program = compile(file, { target });
          const { ir, report } = compileFixed(program, getTarget(target).caps, { rounding, engramVersion: "test", analyse: analyseByRun });
          for (const v of ["x", "u"]) {
            const s = ir.states.find((st) => st.name === `${pop}.${v}`)!;
            expect(s.format).toMatchObject({ width: 16, signed: false, frac: 16 });
          }
          expect(report).toContain("short-term plasticity:");
          const ticks = Math.min(ir.header.duration_ticks, 2000);
          // The STSP state moves during the compared ticks (the test is not about a frozen program).
          const xi = ir.states.findIndex((st) => st.name === `${pop}.x`);
          const end = interpret(ir, ticks).state[xi]!.map(Number);
          expect(Math.min(...end)).toBeLessThan(0.95 * 2 ** 16);
          same(ir, ticks);
        });
      }
    }
  }
});

describe("where STSP goes, and why (capabilities as data)", () => {
  const reportOf = (file: string, target: "cmos" | "bss2") => compileFixed(compile(file, { target }), getTarget(target).caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun }).report;
  it("bss2: depression only, recovery 20-80 ms, 2 neurons: on the synapse drivers' STP circuits", { timeout: 60_000 }, () => {
    expect(reportOf("models/stsp/stsp-lif-depressing.yaml", "bss2")).toMatch(/pre: x, u, rel on the short-term plasticity circuits \(one per presynaptic neuron, 2 of 256; recovery tau 0.02-0.08 s; U in 4-bit steps/);
  });
  it("bss2: facilitation and recovery of 0.2-1.5 s: on the processor, both reasons named", { timeout: 60_000 }, () => {
    const r = reportOf("models/stsp/stsp-lif-pair.yaml", "bss2");
    expect(r).toContain("pre: x, u, rel on the processor, not the short-term plasticity circuits");
    expect(r).toContain("u facilitates");
    expect(r).toContain("recovery tau 0.2-1.5 s: 2 of 2 outside");
  });
  it("bss2: rate-driven STSP: on the processor (the circuits act on spike events)", { timeout: 60_000 }, () => {
    expect(reportOf("models/stsp/stsp-small.yaml", "bss2")).toContain("driven by the unit's rate, while the circuits act on spike events");
  });
  it("cmos: no STP circuits declared: digital state", { timeout: 60_000 }, () => {
    expect(reportOf("models/stsp/stsp-lif-pair.yaml", "cmos")).toContain("pre: x, u, rel digital state (cmos declares no short-term plasticity circuits)");
  });
});
