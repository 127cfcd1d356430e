/**
 * The heterogeneity sweeps (studies/heterogeneity-*.yaml, docs/heterogeneity.md): each parses,
 * expands to the grid size the docs state, and its grid points compile with their overrides
 * (means, variances, distributions and sizes reach the model). Also the tasks scalar: an unknown
 * one is refused at its line, a tasks scalar on a model without tasks too, and one run writes
 * the R² that engram run's task fit gives.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadStudy } from "../../src/study/schema.ts";
import { expandStudy } from "../../src/study/expand.ts";
import { checkStudy, overridesOf } from "../../src/study/check.ts";
import { runOne } from "../../src/study/run-one.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

// Runs per study as documented in docs/heterogeneity.md ("Sweeps") and docs/studies.md.
const SIZES: [string, number, string][] = [
  ["heterogeneity-neuronal.yaml", 8 * 8 * 5, "E[tau_n] x Var[tau_n] x 5 seeds"],
  ["heterogeneity-synaptic.yaml", 8 * 8 * 5, "E[tau_s] x Var[tau_s] x 5 seeds"],
  ["heterogeneity-neuronal-var.yaml", 3 * 8 * 10, "3 distributions x Var[tau_n] x 10 seeds"],
  ["heterogeneity-synaptic-var.yaml", 2 * 8 * 10, "Var[tau_n] x Var[tau_s] x 10 seeds"],
  ["heterogeneity-claims.yaml", 2 * 2 * 4 * 10, "static/plastic x homog./heterog. x 4 sizes x 10 seeds"],
  ["heterogeneity-plastic-rule.yaml", 8 * 8 * 3, "tau_s x alpha x 3 seeds"],
  ["heterogeneity-forgetting.yaml", 2 * 2 * 10, "static/plastic x homog./heterog. x 10 seeds (Mackey-Glass subtasks in sequence)"],
  ["heterogeneity-forgetting-synaptic.yaml", 2 * 4 * 5, "Var[tau_n] x Var[tau_s] x 5 seeds (subtasks in sequence)"],
  ["heterogeneity-forgetting-rule.yaml", 2 * 3 * 5, "Var[tau_n] x E[tau_s] x 5 seeds (subtasks in sequence)"],
  ["heterogeneity-periodic.yaml", 4 * 3 * 4 * 10, "periodic/Mackey-Glass x static/plastic x E[tau_n] x Var[tau_n] x 10 seeds"],
  ["heterogeneity-logistic.yaml", 3 * 3 * 2 * 10, "logistic f: tau_s x alpha x homog./heterog. x 10 seeds"],
  ["heterogeneity-logistic-static.yaml", 2 * 10, "logistic f, static: homog./heterog. x 10 seeds"],
  ["heterogeneity-forgetting-logistic.yaml", 2 * 2 * 10, "logistic f: static/plastic x homog./heterog. x 10 seeds (subtasks in sequence)"],
  ["heterogeneity-forgetting-neuronal.yaml", 2 * 3 * 4 * 5, "tanh/logistic plastic x E[tau_n] x Var[tau_n] x 5 seeds (subtasks in sequence)"],
  ["heterogeneity-forgetting-synaptic-sweep.yaml", 2 * 4 * 4 * 5, "tanh/logistic plastic x E[tau_s] x Var[tau_s] x 5 seeds (subtasks in sequence)"],
  ["heterogeneity-cmos.yaml", 2 * 2 * (1 + 2) * 5, "static/plastic x homog./heterog. x (float64 + cmos 12/16 bits) x 5 seeds"],
  ["lif-reservoir-bss2.yaml", (1 + 4) * 5, "float64 + bss2 with/without mismatch x with/without noise x 5 seeds"],
];

describe("heterogeneity study files", () => {
  for (const [file, runs, what] of SIZES) {
    it(`${file}: ${runs} runs (${what}); the first and last grid points compile with their values`, () => {
      const study = loadStudy(resolve("studies", file));
      const specs = expandStudy(study);
      expect(specs.length).toBe(runs);
      expect(new Set(specs.map((s) => s.id)).size).toBe(runs);
      for (const spec of [specs[0]!, specs.at(-1)!]) {
        const program = compile(spec.model, { target: "reference", seed: spec.seed, overrides: overridesOf(study, spec) });
        expect(program.tasks, spec.id).toBeDefined();
        const res = program.populations.find((p) => p.name === "res")!;
        if ("populations.res.size" in spec.params) expect(res.size).toBe(spec.params["populations.res.size"]);
      }
    }, 60_000);
  }

  it("a variance in the grid reaches the drawn tau_n: 0 is one fixed value, 32 ms^2 draws per unit", () => {
    const study = loadStudy(resolve("studies/heterogeneity-neuronal.yaml"));
    const specs = expandStudy(study).filter((s) => s.seed === 1 && s.params["populations.res.params.tau.mean"] === "4 ms");
    const tau = (v: string) => {
      const spec = specs.find((s) => s.params["populations.res.params.tau.variance"] === v)!;
      const res = compile(spec.model, { target: "reference", seed: 1, overrides: overridesOf(study, spec) }).populations.find((p) => p.name === "res")!;
      return res.vars.find((x) => x.name === "tau");
    };
    expect(tau("0 ms^2")).toBeUndefined(); // homogeneous: a constant, not a per-unit array
    const drawn = tau("32 ms^2")!.init;
    const mean = drawn.reduce((a, b) => a + b, 0) / drawn.length;
    // gamma, mean 4 ms, variance 32 ms^2, 100 draws: the sample mean within 3 standard errors (0.57 ms each)
    expect(Math.abs(mean - 0.004)).toBeLessThan(3 * Math.sqrt(32e-6 / 100));
    expect(new Set(drawn).size).toBe(100);
  });
});

describe("tasks scalars", () => {
  const dir = mkdtempSync(join(tmpdir(), "engram-study-tasks-"));
  const small = join(dir, "esn.yaml");
  writeFileSync(small, `engram: 1\nkind: network\nextends: ${resolve("tests/fixtures/reservoir/esn-small.yaml")}\ntasks: { states: res.x, washout: 20, train: 150, test: 100, shifts: [1, 5] }\n`);
  const study = (collect: string, model = small) => {
    const f = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, `study: 1\nname: t\nmodel: ${model}\ngrid:\n  seeds: { from: 1, to: 1 }\ncollect:\n${collect}\n`);
    return loadStudy(f);
  };
  const problem = (collect: string, model?: string) => {
    try {
      const s = study(collect, model);
      checkStudy(s, expandStudy(s));
    } catch (e) {
      if (e instanceof EngramError) return e.diagnostics[0]!;
      throw e;
    }
    throw new Error("accepted");
  };

  it("a tasks scalar on a model without a tasks block is an error at the scalar", () => {
    const d = problem("  r2: { tasks: mean }", resolve("tests/fixtures/reservoir/esn-small.yaml"));
    expect(d.code).toBe("scalar-not-written");
    expect(d.where?.path).toEqual(["collect", "r2"]);
  });

  it("one run writes the mean and per-task R² of the model's task set, and tasks.csv", async () => {
    const s = study('  mean_r2: { tasks: mean }\n  h5: { tasks: "task[shift=5].r2" }\n  nope: { tasks: "task[shift=7].r2" }');
    const [spec] = expandStudy(s);
    checkStudy(s, [spec!]);
    const out = mkdtempSync(join(tmpdir(), "engram-study-tasks-out-"));
    const r = await runOne({ spec: spec!, out, collect: s.data.collect, atSeconds: {}, overrides: [], keep: [], executor: "test" });
    expect(r.status, r.error).toBe("ok");
    const rows = readFileSync(join(out, "runs", spec!.id, "tasks.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    const r2 = rows.map((c) => Number(c[4]));
    expect(rows.map((c) => c[2])).toEqual(["1", "5"]);
    expect(r.scalars.h5).toBeCloseTo(r2[1]!, 9); // tasks.csv keeps 10 significant digits
    expect(r.scalars.mean_r2).toBeCloseTo((r2[0]! + r2[1]!) / 2, 9);
    expect(r.scalars.mean_r2).toBeGreaterThan(0.5);
    expect(r.scalars.nope).toBeNull(); // no such task: missing, with the reason
    expect(r.missing?.nope).toContain("task[shift=7].r2");
  }, 60_000);
});
