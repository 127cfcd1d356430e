/**
 * Bad model files: each gives a located error (file, line, path) that quotes the offending value,
 * collected before anything runs. Fixtures are small files in a temp folder that extend the real
 * protocol models, so each one differs from a working model in exactly one mistake.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError, renderDiagnostics, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-errors-"));
const STET = resolve("models/stc/stet.yaml");
const COMPONENTS = resolve("models/components");

function fixture(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function diagnosticsOf(file: string): Diagnostic[] {
  try {
    compile(file, { target: "reference" });
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics;
    throw e;
  }
  throw new Error("expected the model to be rejected");
}

describe("bad model files give located errors", () => {
  it("unknown key: names the key, its line and the closest valid key", () => {
    const file = fixture("unknown-key.yaml", `engram: 1\nkind: network\nextends: ${STET}\nduraton: 1 h\n`);
    const [d, ...rest] = diagnosticsOf(file);
    expect(rest).toHaveLength(0);
    expect(d!.code).toBe("unknown-key");
    expect(d!.where!.file).toContain("unknown-key.yaml");
    expect(d!.where!.line).toBe(4);
    expect(d!.received).toBe("duraton");
    expect(d!.hint).toContain('"duration"');
  });

  it("wrong unit: a time constant given in millivolts", () => {
    const file = fixture("wrong-unit.yaml", `engram: 1\nkind: network\nextends: ${STET}\nprojections:\n  syn:\n    params:\n      tau_Ca: 48.8 mV\n`);
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("wrong-unit");
    expect(d!.where!.line).toBe(7);
    expect(d!.where!.path).toEqual(["projections", "syn", "params", "tau_Ca"]);
    expect(d!.received).toContain("48.8 mV");
    expect(d!.message).toContain("time");
  });

  it("wrong unit in a stimulus: a rate given in milliseconds", () => {
    const file = fixture("wrong-rate.yaml", `engram: 1\nkind: network\nextends: ${STET}\nstimuli:\n  - { kind: poisson, target: pre, rate: 100 ms, start: 1 h, stop: 2 h }\n`);
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("wrong-unit");
    expect(d!.where!.path).toEqual(["stimuli", 0, "rate"]);
    expect(d!.message).toContain("100 ms");
  });

  it("undefined symbol in an equation: names it and suggests the closest name", () => {
    const neuron = fixture("bad-neuron.yaml", `engram: 1\nkind: neuron\nextends: ${join(COMPONENTS, "lif-stc.yaml")}\nstate:\n  V:\n    unit: mV\n    init: V_rev\n    ode: (-(V - V_rev) + R * (I_syn + I_stim)) / tau_mme\n`);
    const file = fixture("undefined-symbol.yaml", `engram: 1\nkind: network\nextends: ${STET}\npopulations:\n  post: { neuron: ${neuron}, size: 1 }\n`);
    const [d, ...rest] = diagnosticsOf(file);
    expect(rest).toHaveLength(0);
    expect(d!.code).toBe("undefined-symbol");
    expect(d!.where!.file).toContain("bad-neuron.yaml");
    expect(d!.where!.line).toBe(8);
    expect(d!.received).toBe("tau_mme");
    expect(d!.hint).toContain('"tau_mem"');
  });

  it("negative time constant: points at the value", () => {
    const file = fixture("negative-tau.yaml", `engram: 1\nkind: network\nextends: ${STET}\npopulations:\n  post:\n    params: { tau_mem: -10 ms }\n`);
    const ds = diagnosticsOf(file);
    const d = ds.find((x) => x.code === "negative-time")!;
    expect(d).toBeDefined();
    expect(d.where!.line).toBe(6);
    expect(d.where!.path).toEqual(["populations", "post", "params", "tau_mem"]);
    expect(d.received).toContain("-10 ms");
  });

  it("stimulus past the end of the run", () => {
    const file = fixture("late-stimulus.yaml", `engram: 1\nkind: network\nextends: ${STET}\nstimuli:\n  - { kind: poisson, target: pre, rate: 100 Hz, start: 7 h, stop: 9 h }\n`);
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("out-of-run");
    expect(d!.where!.path).toEqual(["stimuli", 0, "stop"]);
    expect(d!.where!.line).toBe(5);
    expect(d!.received).toBe("9 h");
  });

  it("analysis of a projection that does not exist: names it and points at it", () => {
    const small = resolve("models/stc/memory-network-small.yaml");
    const file = fixture("bad-analysis.yaml", `engram: 1\nkind: network\nextends: ${small}\nanalysis:\n  assembly: { projection: EE, size: 15, recall_fraction: 0.5, learn: 2 s, recall: [4 s] }\n`);
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("unknown-projection");
    expect(d!.received).toBe("EE");
    expect(d!.where!.line).toBe(5);
  });

  it("lazy_synapses with a slow step in volts: the unit is checked", () => {
    const small = resolve("models/stc/memory-network-small.yaml");
    const file = fixture("bad-slow-step.yaml", `engram: 1\nkind: network\nextends: ${small}\nnumerics: { lazy_synapses: true, slow_step: 1 mV }\n`);
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("wrong-unit");
    expect(renderDiagnostics([d!])).toContain("1 mV");
  });

  it("several mistakes are all reported at once", () => {
    const file = fixture("many.yaml", `engram: 1\nkind: network\nextends: ${STET}\nstimuli:\n  - { kind: poisson, target: pree, rate: 100 Hz, start: 7 h, stop: 9 h }\nrecordings:\n  - { var: syn.hh, every: 1 s }\n`);
    const ds = diagnosticsOf(file);
    const codes = ds.map((d) => d.code);
    expect(codes).toContain("unknown-population");
    expect(codes).toContain("unknown-variable");
    expect(renderDiagnostics(ds)).toMatch(/^2 problems:/);
  });
});
