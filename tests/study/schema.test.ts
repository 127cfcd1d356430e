/**
 * Study files: bad ones get located errors (unknown parameter, empty grid, a scalar no run
 * writes, bad seed range, misspelt key); good ones expand into runs whose seeds and ids depend on
 * the grid point only.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadStudy } from "../../src/study/schema.ts";
import { expandStudy } from "../../src/study/expand.ts";
import { checkStudy } from "../../src/study/check.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-study-schema-"));
const stet = resolve("models/stc/stet.yaml");
const wtet = resolve("models/stc/wtet.yaml");
let n = 0;
function studyFile(text: string): string {
  const f = join(dir, `s${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}
/** The study's first diagnostic (load, expand and check, as engram study does before running). */
function problem(text: string) {
  try {
    const s = loadStudy(studyFile(text));
    checkStudy(s, expandStudy(s));
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics[0]!;
    throw e;
  }
  throw new Error("the study was accepted");
}
const base = (grid: string, collect = "  z: { trace: z }") => `study: 1\nname: t\nmodel: ${stet}\ngrid:\n${grid}\ncollect:\n${collect}\n`;

describe("study file errors", () => {
  it("an unknown model parameter names the study file's line and suggests the right one", () => {
    const d = problem(base("  params:\n    projections.syn.params.tau_hh: [100 s, 200 s]\n  seeds: { from: 1, to: 2 }"));
    expect(d.code).toBe("unknown-parameter");
    expect(d.where?.file).toMatch(/s\d+\.yaml$/);
    expect(d.where?.line).toBe(6);
    expect(d.received).toBe("tau_hh");
    expect(d.hint).toContain("tau_h");
  });
  it("a misspelt key on the way to a parameter is located in the study file too", () => {
    const d = problem(base("  params:\n    projections.syn.parms.tau_h: [100 s]\n  seeds: { from: 1, to: 2 }"));
    expect(d.code).toBe("unknown-key");
    expect(d.where?.file).toMatch(/s\d+\.yaml$/);
    expect(d.where?.line).toBe(6);
  });
  it("an empty grid axis is an error at that axis", () => {
    const d = problem(base("  target: []\n  seeds: { from: 1, to: 2 }"));
    expect(d.message).toContain('grid axis "target" is empty');
    expect(d.where?.line).toBe(5);
  });
  it("an empty grid, or none, says what a grid needs, at the grid", () => {
    let d = problem(`study: 1\nname: t\nmodel: ${stet}\ngrid: {}\ncollect:\n  z: { trace: z }\n`);
    expect(d.message).toContain("the grid needs seeds: { from: 1, to: N }");
    expect(d.where?.line).toBe(4);
    d = problem(`study: 1\nname: t\nmodel: ${stet}\ncollect:\n  z: { trace: z }\n`);
    expect(d.message).toContain("a study needs a grid");
  });
  it("an empty parameter list is an error at that parameter", () => {
    const d = problem(base("  params:\n    projections.syn.params.tau_h: []\n  seeds: { from: 1, to: 2 }"));
    expect(d.message).toContain("is empty");
    expect(d.where?.line).toBe(6);
  });
  it("a trace scalar that no run records is an error at the scalar, with the recorded columns", () => {
    const d = problem(base("  seeds: { from: 1, to: 2 }", "  zz: { trace: zed }"));
    expect(d.code).toBe("scalar-not-written");
    expect(d.where?.line).toBe(7);
    expect(d.expected).toContain("z");
    expect(d.hint).toBe('did you mean "z"?');
  });
  it("a trace scalar read after the run has ended is an error at the scalar (no run reaches that time)", () => {
    // stet.yaml runs 8 h; a trace at 30 h would otherwise quietly take the 8 h value.
    const d = problem(base("  seeds: { from: 1, to: 2 }", "  z_30h: { trace: z, at: 30 h }"));
    expect(d.code).toBe("scalar-not-written");
    expect(d.where?.line).toBe(7);
    expect(d.message).toContain("28800 s");
    expect(d.received).toBe("30 h");
  });
  it("an analysis scalar on a model without an analysis block is an error", () => {
    const d = problem(base("  seeds: { from: 1, to: 2 }", "  Q: { analysis: \"recalls[t=20].Q\" }"));
    expect(d.code).toBe("scalar-not-written");
    expect(d.message).toContain("analysis.json");
  });
  it("a seed range that runs backwards, or is not whole, is an error at the range", () => {
    let d = problem(base("  seeds: { from: 5, to: 2 }"));
    expect(d.message).toContain("seed range is empty");
    expect(d.where?.line).toBe(5);
    d = problem(base("  seeds: { from: 1.5, to: 2 }"));
    expect(d.message).toContain("whole numbers");
    d = problem(base("  seeds: { from: -1, to: 2 }"));
    expect(d.message).toContain("non-negative");
  });
  it("an unknown key in the study file is named with the keys it may have been", () => {
    const d = problem(base("  seed: { from: 1, to: 2 }"));
    expect(d.code === "unknown-key" || d.code === "invalid-value").toBe(true);
    const all = (() => {
      try {
        loadStudy(studyFile(base("  seed: { from: 1, to: 2 }")));
      } catch (e) {
        return (e as EngramError).diagnostics;
      }
      return [];
    })();
    expect(all.some((x) => x.code === "unknown-key" && x.received === "seed" && x.hint === 'did you mean "seeds"?')).toBe(true);
  });
  it("extends is a grid axis: the base file is set per grid point, and a missing one is reported at the study's line", () => {
    const pair = resolve("models/stc/pair.yaml");
    const s = loadStudy(studyFile(base(`  params:\n    extends: [${pair}]\n  seeds: { from: 1, to: 1 }`)));
    expect(() => checkStudy(s, expandStudy(s))).not.toThrow();
    const d = problem(base("  params:\n    extends: [no-such-base.yaml]\n  seeds: { from: 1, to: 1 }"));
    expect(d.code).toBe("file-not-found");
    expect(d.where?.line).toBe(6);
  });
  it("an unknown target is an error at its entry", () => {
    const d = problem(base("  target: [reference, cmoss]\n  seeds: { from: 1, to: 1 }"));
    expect(d.message).toContain('unknown target "cmoss"');
    expect(d.where?.path).toEqual(["grid", "target", 1]);
  });
});

describe("grid expansion", () => {
  const good = (seeds: string) => loadStudy(studyFile(`study: 1\nname: grid\nmodel: [${stet}, ${wtet}]\ngrid:\n  target: [reference, cmos]\n  rounding: [stochastic, nearest]\n  params:\n    projections.syn.params.tau_h: [688.4 s, 1000 s]\n  seeds: ${seeds}\ncollect:\n  z: { trace: z }\n`));
  it("rounding applies to chips only: reference runs are not repeated per rounding mode", () => {
    const runs = expandStudy(good("{ from: 1, to: 3 }"));
    // 2 models x 2 tau_h x (reference + cmos x 2 roundings) x 3 seeds
    expect(runs.length).toBe(2 * 2 * 3 * 3);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    expect(runs.filter((r) => r.target === "reference").every((r) => r.rounding === undefined)).toBe(true);
  });
  it("seeds come from the grid point: extending the seed range keeps every earlier run's id and seed", () => {
    const a = expandStudy(good("{ from: 1, to: 3 }"));
    const b = expandStudy(good("{ from: 1, to: 5 }"));
    const byId = new Map(b.map((r) => [r.id, r]));
    for (const r of a) expect(byId.get(r.id)?.seed).toBe(r.seed);
    expect(a.filter((r) => r.target === "reference" && r.modelLabel.endsWith("stet.yaml")).map((r) => r.seed).slice(0, 3)).toEqual([1, 2, 3]);
  });
  it("derived seeds differ between grid points and are the same on every expansion", () => {
    const a = expandStudy(good("{ from: 1, to: 2, derive: true }"));
    const b = expandStudy(good("{ from: 1, to: 2, derive: true }"));
    expect(a.map((r) => r.seed)).toEqual(b.map((r) => r.seed));
    expect(new Set(a.map((r) => r.seed)).size).toBe(a.length);
  });
});

describe("collected scalars", () => {
  it('"at" must be a time', () => {
    const d = problem(base("  seeds: { from: 1, to: 1 }", "  z: { trace: z, at: 5 mV }"));
    expect(d.code).toBe("bad-time");
    expect(d.where?.path).toEqual(["collect", "z", "at"]);
    const s = loadStudy(studyFile(base("  seeds: { from: 1, to: 1 }", "  z: { trace: z, at: 8 h }\n  z2: { trace: z, at: 60 }")));
    expect(s.atSeconds).toEqual({ z: 28800, z2: 60 });
  });
  it("a scalar whose name is a grid column is refused", () => {
    const d = problem(base("  seeds: { from: 1, to: 1 }", "  seed: { trace: z }"));
    expect(d.code).toBe("scalar-name-taken");
  });
});
