/**
 * The quantisation report's exact text and the flags quantise() sets (src/compiler/fixed/quantise.ts),
 * written from the mutation tier's survivors (docs/reliability.md, "quantise, current file"):
 * the dead-zone line of a decaying variable for every case of its wording, declared unsigned
 * fractions (format: ufrac), and pure decays that get no rounding flag. Expected strings are
 * written out by hand from the report's rules (three significant digits, LSB counts, units).
 */
import { describe, expect, it } from "vitest";
import { quantisationReport, type QuantisedVar } from "../../src/compiler/fixed/quantise.ts";
import type { DeadZone } from "../../src/compiler/fixed/decay.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/analyse-by-run.ts";
import { getTarget } from "../../targets/registry.ts";

/** A variable in mV with an LSB of exactly 1 mV (unitScale 1e-3): model units and LSB counts read alike. */
function mv(zone: Partial<DeadZone> | null, unit = "mV", unitScale = 1e-3): QuantisedVar {
  const deadZone: DeadZone | null = zone === null ? null : { rest: 0, D: 0.5, rule: "nearest", above: 0, below: 0, thresholds: [], margin: null, flag: null, ...zone };
  return {
    group: "syn", name: "x", unit, unitScale,
    format: { width: 16, signed: true, frac: 10, rounding: "nearest", overflow: "saturate" },
    lsb: 1e-3, belowLsb: 0, medianChange: 1e-6, observed: [0, 1], flag: null, note: null, deadZone,
  };
}

/** The report from its decay line on (the last lines of the variable's row). */
const decayText = (v: QuantisedVar): string => {
  const r = quantisationReport([v], "test");
  const at = r.indexOf("\n        decay (");
  return at < 0 ? "" : r.slice(at);
};
const line = (head: string, tail: string) => `\n        decay (${head}): stops ${tail}`;

describe("the dead-zone line of the quantisation report", () => {
  it("is absent for a variable without a decay", () => {
    expect(quantisationReport([mv(null)], "test")).not.toContain("decay (");
    expect(decayText(mv(null))).toBe("");
  });

  it("says a stochastic decay reaches its rest (no residue on either side)", () => {
    expect(decayText(mv({ rule: "stochastic", D: 0.75 }))).toBe(line("rest 0 mV, D 0.750000 per update, stochastic", "at its rest"));
  });

  it("says a nearest or floor decay with no residue on the seen side reaches its rest from that side", () => {
    // residueLsb("nearest", D) = 1 / (2 (1 - D)) on both sides: not 0, so "from the side it is seen on"
    expect(decayText(mv({ rule: "nearest" }))).toBe(line("rest 0 mV, D 0.500000 per update, nearest", "at its rest (from the side it is seen on)"));
    // floor: no residue above, 1 / (1 - D) below: also one-sided
    expect(decayText(mv({ rule: "floor" }))).toBe(line("rest 0 mV, D 0.500000 per update, floor", "at its rest (from the side it is seen on)"));
  });

  it("describes a time-stamped trace and its rounding at events", () => {
    expect(decayText(mv({ stamped: true, rule: "nearest", D: 0.9 }))).toBe(line("rest 0 mV, D 0.900000 per update, time-stamped: read as stored x D^n, rounded once; nearest at events", "at its rest"));
  });

  it("gives the residue above, below, or both, in model units and LSB", () => {
    expect(decayText(mv({ above: 2e-3 }))).toBe(line("rest 0 mV, D 0.500000 per update, nearest", "up to 2 mV (2 LSB) above its rest"));
    expect(decayText(mv({ below: 3e-3 }))).toBe(line("rest 0 mV, D 0.500000 per update, nearest", "up to 3 mV (3 LSB) below its rest"));
    expect(decayText(mv({ above: 2e-3, below: 3.5e-3 }))).toBe(line("rest 0 mV, D 0.500000 per update, nearest", "up to 2 mV (2 LSB) above and 3.5 mV (3.5 LSB) below its rest"));
  });

  it("names a rest set by the inputs, and a non-zero rest in model units", () => {
    expect(decayText(mv({ rest: null, rule: "stochastic" }))).toBe(line("a rest set by its inputs, D 0.500000 per update, stochastic", "at its rest"));
    expect(decayText(mv({ rest: -0.07, rule: "stochastic" }))).toBe(line("rest -70 mV, D 0.500000 per update, stochastic", "at its rest"));
  });

  it("lists the thresholds, and the margin only when a residue is left", () => {
    // thresholds but no residue: no margin clause
    expect(decayText(mv({ rule: "stochastic", thresholds: [5e-3, 6e-3] }))).toBe(line("rest 0 mV, D 0.500000 per update, stochastic", "at its rest; compared against 5 mV, 6 mV"));
    // a residue but no thresholds: no margin clause either
    expect(decayText(mv({ above: 2e-3, margin: 5e-4 }))).toBe(line("rest 0 mV, D 0.500000 per update, nearest", "up to 2 mV (2 LSB) above its rest"));
    // both: the margin is one event's jump when known, else 10 % of the distance
    expect(decayText(mv({ above: 2e-3, thresholds: [5e-3], margin: 5e-4 }))).toBe(line("rest 0 mV, D 0.500000 per update, nearest", "up to 2 mV (2 LSB) above its rest; compared against 5 mV (flagged within one event's jump, 0.5 mV)"));
    expect(decayText(mv({ below: 3e-3, thresholds: [5e-3] }))).toBe(line("rest 0 mV, D 0.500000 per update, nearest", "up to 3 mV (3 LSB) below its rest; compared against 5 mV (flagged within 10 % of the distance from the rest)"));
  });

  it("ends with the flag on its own line", () => {
    expect(decayText(mv({ above: 2e-3, thresholds: [2.5e-3], margin: 1e-3, flag: "the residue is within one jump of 2.5 mV" }))).toBe(
      line("rest 0 mV, D 0.500000 per update, nearest", "up to 2 mV (2 LSB) above its rest; compared against 2.5 mV (flagged within one event's jump, 1 mV)") + "\n      ! the residue is within one jump of 2.5 mV",
    );
  });

  it("prints dimensionless values without a unit and divides by the unit's scale", () => {
    expect(decayText(mv({ above: 0.25, rest: 1, rule: "nearest" }, "1", 1))).toBe(line("rest 1, D 0.500000 per update, nearest", "up to 0.25 (250 LSB) above its rest"));
  });
});

describe("formats and flags quantise() gives", () => {
  const fixed = (file: string, target: "cmos" | "bss2", rounding: "nearest" | "floor" | "stochastic") =>
    compileFixed(compile(file, { target }), getTarget(target).caps, { rounding, engramVersion: "test", analyse: analyseByRun });

  it("keeps a declared unsigned fraction (format: ufrac) as uQ0.W with its note, whatever its range", () => {
    const r = fixed("models/stsp/stsp-lif-pair.yaml", "cmos", "nearest");
    const ufrac = r.quantised.filter((v) => v.note?.startsWith("declared an unsigned fraction"));
    expect(ufrac.map((v) => v.name).sort()).toEqual(["u", "x"]);
    for (const v of ufrac) {
      expect(v.format.signed).toBe(false);
      expect(v.format.frac).toBe(v.format.width);
      expect(v.lsb).toBe(2 ** -v.format.width);
    }
    expect(r.report).toContain("(declared an unsigned fraction in [0, 1] (format: ufrac): 1 is kept as 1 - 1 LSB)");
  });

  it("gives a pure decay no rounding flag unless it floors (the dead-zone line speaks for it)", () => {
    // STET's calcium on cmos is a pure decay (x' = -x / tau) with 97 % of its per-tick changes below
    // one LSB: any other variable like it gets "round-to-nearest freezes them" or the stochastic note
    const ca = (rounding: "nearest" | "floor" | "stochastic") => fixed("models/stc/stet.yaml", "cmos", rounding).quantised.find((v) => `${v.group}.${v.name}` === "syn.Ca")!;
    for (const rounding of ["nearest", "stochastic"] as const) {
      const v = ca(rounding);
      expect(v.deadZone).not.toBeNull();
      expect(v.belowLsb).toBeGreaterThan(0.5);
      expect(v.flag).toBeNull();
    }
    const floored = ca("floor");
    expect(floored.belowLsb).toBeGreaterThan(0.5);
    expect(floored.flag).toMatch(/change it by less than one LSB: floor rounding biases them downward/);
  });
});
