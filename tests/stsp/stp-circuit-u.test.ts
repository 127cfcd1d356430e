/**
 * Issue 17: short-term plasticity mapped onto bss2's STP circuits runs with the circuits' 4-bit
 * utilisation (targets/bss2/facts.ts short_term_plasticity.utilization_bits, haldls
 * synapse_driver.h; scale utilization_max assumed 1): U = 0.45 lies between the steps 6/15 and
 * 7/15, so bss2 runs u = 7/15 and `engram compare` shows an error of 7/15 - 0.45 = 0.0167 on u.
 * cmos has no circuits: u stays 0.45 to its LSB. U = 0.6 = 9/15 is on the grid on both.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { expectSameAsInterpreter } from "../helpers/same-as-interpreter.ts";

const FILE = "tests/fixtures/stsp/lif-depressing-offgrid.yaml";
const build = (target: "cmos" | "bss2") => compileFixed(compile(FILE, { target }), getTarget(target).caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });

/** pre.u's initial values as numbers (its raw integers over 2^frac). */
function uInit(ir: ReturnType<typeof build>["ir"]): number[] {
  const s = ir.states.find((st) => st.name === "pre.u")!;
  return s.init.map((raw) => raw * 2 ** -s.format.frac);
}

describe("bss2 STP circuits: U in the circuits' 4-bit steps", () => {
  it("bss2: u runs at 7/15 and 9/15; the report names the largest error of U, 0.0167", { timeout: 60_000 }, () => {
    const { ir, report } = build("bss2");
    expect(report).toMatch(/pre: x, u, rel on the short-term plasticity circuits .*U in 4-bit steps of 0\.0667, largest error 0\.0167/);
    const u = uInit(ir);
    expect(Math.abs(u[0]! - 7 / 15)).toBeLessThan(2 ** -16);
    expect(Math.abs(u[1]! - 9 / 15)).toBeLessThan(2 ** -16);
    expectSameAsInterpreter(ir, 1000);
  });

  it("cmos (no circuits): u stays 0.45 and 0.6 to an LSB", { timeout: 60_000 }, () => {
    const { ir, report } = build("cmos");
    expect(report).toContain("cmos declares no short-term plasticity circuits");
    const u = uInit(ir);
    expect(Math.abs(u[0]! - 0.45)).toBeLessThan(2 ** -16);
    expect(Math.abs(u[1]! - 0.6)).toBeLessThan(2 ** -16);
  });
});
