/**
 * Numbers checked where they enter (issue 11, item 1): one range rule for every quantity, derived
 * constants finite, divisions by parameters that can be 0 refused at the parameter, unbounded time
 * distributions refused; model files refused by type, size and alias expansion before they can
 * hang or leak their content. Each case was found by the bad-input campaign: before the fix it ran
 * silently (tau_h: 1e308 s, tau_syn: 0 ms, normal tau_mem, log of a negative parameter, a parameter
 * evaluating to infinity) or crashed with a stack trace (a directory as extends, alias bombs).
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError, renderDiagnostics, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-numbers-"));
const EARLY = resolve("models/stc/basic-early.yaml");

function fixture(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function diagnosticsOf(file: string, limits?: Parameters<typeof compile>[1]["limits"]): Diagnostic[] {
  try {
    compile(file, { target: "reference", limits });
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics;
    throw e;
  }
  throw new Error("expected the model to be refused");
}

const synParam = (name: string, key: string, value: string) => fixture(name, `engram: 1\nkind: network\nextends: ${EARLY}\nprojections:\n  syn:\n    params: { ${key}: ${value} }\n`);
const postParam = (name: string, key: string, value: string) => fixture(name, `engram: 1\nkind: network\nextends: ${EARLY}\npopulations:\n  post:\n    params: { ${key}: ${value} }\n`);

/** A one-population network of a neuron written here (for equations the shipped models do not have). */
function neuronNet(name: string, neuron: string, extra = ""): string {
  const n = fixture(`${name}-neuron.yaml`, `engram: 1\nkind: neuron\n${neuron}`);
  return fixture(`${name}.yaml`, `engram: 1\nkind: network\ndt: 0.1 ms\nduration: 50 ms\npopulations:\n  pop: { neuron: ${n}, size: 2 }\n${extra}`);
}

describe("one range rule for every number", () => {
  it("tau_h: 1e308 s is refused like h_max: 1e308 V, at the value, quoting it", () => {
    const [tau] = diagnosticsOf(synParam("tau-h.yaml", "tau_h", "1e308 s"));
    const [hmax] = diagnosticsOf(synParam("h-max.yaml", "h_max", "1e308 V"));
    for (const [d, text] of [[tau!, "1e308 s"], [hmax!, "1e308 V"]] as const) {
      expect(d.where!.path, renderDiagnostics([d])).toEqual(["projections", "syn", "params", d === tau ? "tau_h" : "h_max"]);
      expect(d.where!.line).toBe(6);
      expect(d.message).toContain(`"${text}"`);
      expect(d.message).toContain("outside the range every engram number must be in");
    }
    expect(tau!.code).toBe(hmax!.code);
  });

  it("a parameter expression evaluating to infinity is refused at the parameter", () => {
    const ds = diagnosticsOf(synParam("inf.yaml", "gamma_d", "1e200 * 1e200"));
    expect(ds[0]!.where!.path).toEqual(["projections", "syn", "params", "gamma_d"]);
    expect(ds[0]!.message).toContain("1e200 * 1e200");
    expect(ds[0]!.message).toMatch(/overflows|not a finite/);
    // its dependants say so once each, and nothing is reported twice
    const texts = ds.map((d) => renderDiagnostics([d]));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it("NaN ms says it is not a finite number (not 'Unit NaN not found')", () => {
    const [d] = diagnosticsOf(fixture("nan.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\nduration: NaN ms\n`));
    expect(d!.message).toBe('"NaN ms" is not a finite number');
    expect(d!.where!.path).toEqual(["duration"]);
  });

  it("1e308 Mohm says it overflows (not 'uses Mohm, which is not a parameter')", () => {
    const ds = diagnosticsOf(postParam("big-r.yaml", "R", "1e308 Mohm"));
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toContain('"1e308 Mohm" overflows');
    expect(ds[0]!.where!.path).toEqual(["populations", "post", "params", "R"]);
  });

  it("a tick of 1e-300 s is refused at dt", () => {
    const [d] = diagnosticsOf(fixture("tiny-dt.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\ndt: 1e-300 s\n`));
    expect(d!.where!.path).toEqual(["dt"]);
    expect(d!.message).toContain('"1e-300 s"');
  });
});

describe("derived constants and divisions", () => {
  it("tau_syn: 0 ms is refused as a division by zero, at the parameter, naming the equation", () => {
    const ds = diagnosticsOf(postParam("tau-syn-0.yaml", "tau_syn", "0 ms"));
    expect(ds).toHaveLength(1);
    const d = ds[0]!;
    expect(d.code).toBe("division-by-zero");
    expect(d.where!.path).toEqual(["populations", "post", "params", "tau_syn"]);
    expect(d.message).toContain("lif-current.yaml");
    expect(d.message).toContain("tau_syn");
    expect(d.received).toContain("tau_syn = 0");
  });

  it("a division by zero written in an equation is refused", () => {
    const file = neuronNet("div0", "params: { tau_a: 5 ms, tau_b: 5 ms }\nstate:\n  x: { unit: 1, init: 1, ode: -x / (tau_a - tau_b) }\n");
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("division-by-zero");
    expect(d!.where!.file).toContain("div0-neuron.yaml");
    expect(d!.message).toContain("(tau_a - tau_b)");
    expect(d!.received).toContain("tau_a = 0.005");
  });

  it("log of a negative parameter is refused at the equation, with the parameter's value", () => {
    const file = neuronNet("log-neg", "params: { k: -2, tau: 10 ms }\nstate:\n  x: { unit: 1, init: 0, ode: log(k) / tau }\n");
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("non-finite");
    expect(d!.where!.path).toEqual(["state", "x", "ode"]);
    expect(d!.message).toContain("log(k)");
    expect(d!.received).toBe("k = -2 (SI)");
  });

  it("an unbounded normal distribution for tau_mem is refused; with an explicit min it runs", () => {
    const ds = diagnosticsOf(postParam("normal-tau.yaml", "tau_mem", "{ dist: normal, mean: 10 ms, sd: 20 ms }"));
    const d = ds.find((x) => x.code === "unbounded-distribution")!;
    expect(d, renderDiagnostics(ds)).toBeDefined();
    expect(d.where!.path).toEqual(["populations", "post", "params", "tau_mem"]);
    expect(d.hint).toContain("min");
    const ok = postParam("normal-tau-min.yaml", "tau_mem", "{ dist: normal, mean: 10 ms, sd: 2 ms, min: 1 ms }");
    expect(() => compile(ok, { target: "reference" })).not.toThrow();
  });

  it("a distribution that can draw 0 is refused as a divisor", () => {
    const ds = diagnosticsOf(postParam("uniform-tau.yaml", "tau_syn", "{ dist: uniform, low: 0 ms, high: 5 ms }"));
    expect(ds.map((d) => d.code)).toContain("division-by-zero");
  });
});

describe("model files are refused by type and size before reading", () => {
  it("a directory as extends is a located error, not EISDIR", () => {
    const [d] = diagnosticsOf(fixture("dir-extends.yaml", `engram: 1\nkind: network\nextends: ${dir}\n`));
    expect(d!.code).toBe("not-a-file");
    expect(d!.message).toContain("is a directory");
    expect(d!.where!.path).toEqual(["extends"]);
  });

  it("a directory as the model file itself is a located error", () => {
    const sub = join(dir, "a-dir.yaml");
    mkdirSync(sub, { recursive: true });
    const [d] = diagnosticsOf(sub);
    expect(d!.code).toBe("not-a-file");
    expect(d!.where!.file).toContain("a-dir.yaml");
  });

  it("neuron: /dev/zero is refused as a device without reading it", () => {
    const ds = diagnosticsOf(fixture("dev-zero.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\npopulations:\n  post: { neuron: /dev/zero }\n`));
    const d = ds.find((x) => x.code === "not-a-file")!;
    expect(d.message).toContain("/dev/zero is a device");
    expect(d.where!.path).toEqual(["populations", "post", "neuron"]);
  });

  it("extends: /etc/passwd does not print the file's content", () => {
    const other = fixture("secret.txt", "root:x:0:0:secret-content:/root:/bin/bash\n");
    const ds = diagnosticsOf(fixture("passwd.yaml", `engram: 1\nkind: network\nextends: ${other}\n`));
    const text = renderDiagnostics(ds);
    expect(ds[0]!.code).toBe("not-a-mapping");
    expect(text).not.toContain("secret-content");
    expect(ds[0]!.received).toContain("plain text");
  });

  it("a YAML alias bomb is a located error", () => {
    const lines = ["engram: 1", "kind: network", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
    const [d] = diagnosticsOf(fixture("bomb.yaml", lines.join("\n") + "\n"));
    expect(d!.code).toBe("yaml-aliases");
    expect(d!.where!.file).toContain("bomb.yaml");
  });

  it("4.2 million listed spike times are refused by the file size limit, before parsing", () => {
    const times = "0.1 s, ".repeat(4_200_000);
    const file = fixture("many-spikes.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\nstimuli:\n  - { kind: spikes, target: pre, times: [${times}0.1 s] }\n`);
    const [d] = diagnosticsOf(file);
    expect(d!.code).toBe("limit");
    expect(d!.message).toMatch(/has \d+ bytes, more than the limit of 1048576/);
    expect(d!.hint).toContain("--limit model-file-bytes=");
  });
});

describe("many mistakes of one kind", () => {
  it("2000 off-grid spike times give the first 50 errors and a count of the rest", () => {
    const times = Array.from({ length: 2000 }, (_, i) => `${10 + i * 0.01 + 0.001} ms`).join(", ");
    const ds = diagnosticsOf(fixture("off-grid-spikes.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\nduration: 1 s\nstimuli:\n  - { kind: spikes, target: pre, times: [${times}] }\n`));
    expect(ds).toHaveLength(51);
    expect(ds[0]!.where!.path).toEqual(["stimuli", 0, "times"]);
    expect(ds[50]!.message).toBe("... and 1950 more problems");
  });
});

describe("limits are estimated before allocation", () => {
  it("10^9 neurons are refused with the estimate and the limit", () => {
    const ds = diagnosticsOf(fixture("huge-pop.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\npopulations:\n  post: { size: 1000000000 }\n`));
    const d = ds.find((x) => x.message.includes("neurons over all populations"))!;
    expect(d.code).toBe("limit");
    expect(d.received).toBe("1.00e+9");
    expect(d.where!.path).toEqual(["populations", "post"]);
    expect(d.hint).toContain("--limit neurons=");
  });

  it("10^10 synapses are refused (all_to_all 10^5 x 10^5)", () => {
    const ds = diagnosticsOf(fixture("huge-proj.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\npopulations:\n  pre: { size: 100000 }\n  post: { size: 100000 }\nprojections:\n  syn: { connect: all_to_all }\n`));
    const d = ds.find((x) => x.message.includes("synapses in projection"))!;
    expect(d.received).toBe("1.00e+10");
    expect(d.where!.path).toEqual(["projections", "syn", "connect"]);
  });

  it("a huge duration is refused at duration", () => {
    const ds = diagnosticsOf(fixture("huge-duration.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\nduration: 1e30 s\n`));
    expect(ds[0]!.where!.path).toEqual(["duration"]);
    expect(ds[0]!.message).toContain("ticks");
  });

  it("a huge delay is refused by the spike-history estimate", () => {
    const syn = fixture("slow-syn.yaml", `engram: 1\nkind: synapse\nextends: ${resolve("models/components/stc-synapse.yaml")}\nparams: { t_syn_delay: 1e7 s }\n`);
    const ds = diagnosticsOf(fixture("huge-delay.yaml", `engram: 1\nkind: network\nextends: ${EARLY}\nprojections:\n  syn: { synapse: ${syn} }\n`));
    expect(ds.some((d) => d.code === "limit" && d.message.includes("spike history")), renderDiagnostics(ds)).toBe(true);
  });

  it("limits are data: a lowered limit refuses, a raised one admits", () => {
    const ds = diagnosticsOf(EARLY, { neurons: 1 });
    expect(ds[0]!.message).toContain("2 neurons");
    expect(() => compile(EARLY, { target: "reference", limits: { neurons: 2 } })).not.toThrow();
  });

  it("LIF parameters in range still compile (the rule does not refuse real models)", () => {
    expect(() => compile(postParam("ok.yaml", "tau_mem", "20 ms"), { target: "reference" })).not.toThrow();
  });
});
