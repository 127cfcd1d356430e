/**
 * Design-rule checks: one test per rule, each on a network built to violate exactly that rule,
 * asserting the limit, the actual number and a remedy in the diagnostic.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";
import { EngramError, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { caps as bss2 } from "../../targets/bss2/caps.ts";
import { caps as cmos } from "../../targets/cmos/caps.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-drc-"));
const components = resolve("models/components");

/** A network of `nE` LIF neurons with random static synapses driven by one spike source. */
function network(name: string, nE: number, p: number, duration = "0.05 s", weight = "4.2 mV", sources = 1, drive = "all_to_all"): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `engram: 1
kind: network
name: ${name}
dt: 0.2 ms
duration: ${duration}
populations:
  src: { source: true, size: ${sources} }
  exc: { neuron: ${components}/lif-current.yaml, size: ${nE} }
projections:
  drive: { pre: src, post: exc, synapse: ${components}/static-synapse.yaml, connect: ${drive}, params: { w: ${weight} } }
  rec: { pre: exc, post: exc, synapse: ${components}/static-synapse.yaml, connect: { kind: random, p: ${p}, autapses: false } }
stimuli:
  - { kind: regular, target: src, interval: 5 ms }
`);
  return file;
}

function violations(file: string, caps: TargetCaps): Diagnostic[] {
  const program = compile(file, { target: caps.name });
  try {
    compileFixed(program, caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics;
    throw e;
  }
  return [];
}

describe("design-rule checks", () => {
  it("a small network fits BrainScaleS-2", () => {
    expect(violations(network("small", 20, 0.1), bss2)).toEqual([]);
  });

  it("neurons: 600 neurons do not fit 512", () => {
    const ds = violations(network("many-neurons", 600, 0.01), bss2);
    const d = ds.find((x) => x.code === "drc-neurons")!;
    expect(d.received).toBe("600");
    expect(d.expected).toBe("<= 512");
    expect(d.hint).toMatch(/scale|split/);
  });

  it("synapses: more synapses than the array holds", () => {
    const ds = violations(network("many-synapses", 500, 0.6), bss2);
    const d = ds.find((x) => x.code === "drc-synapses")!;
    expect(Number(d.received)).toBeGreaterThan(131072);
    expect(d.expected).toBe("<= 131072");
  });

  it("fan-in: a neuron with more inputs than synapse rows", () => {
    const ds = violations(network("fan-in", 400, 0.9), bss2);
    const d = ds.find((x) => x.code === "drc-fan-in")!;
    expect(Number(d.received)).toBeGreaterThan(256);
    expect(d.expected).toBe("<= 256");
  });

  it("every violation is reported at once", () => {
    const codes = violations(network("everything", 600, 0.9), bss2).map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(["drc-neurons", "drc-synapses", "drc-fan-in"]));
  });

  it("kernel cycles and period: work that cannot fit any admissible period", () => {
    // A 10x slower clock makes the STC synapse kernel need a period longer than its fastest
    // digital time constant allows.
    const slow: TargetCaps = { ...bss2, name: "bss2-slow-clock", clockHz: 2.5e6 };
    const ds = violations(resolve("models/stc/stet.yaml"), slow);
    const d = ds.find((x) => x.code === "drc-period")!;
    expect(d.message).toContain("syn.Ca");
    expect(d.hint).toMatch(/acceleration/);
  });

  it("kernel cycles: work over the budget of its period is reported with the cycle counts", () => {
    // All-digital target at 10 kHz: one tick (0.2 ms) holds 2 cycles; the accuracy bound pins the period to 1 tick.
    const tight: TargetCaps = { ...cmos, name: "cmos-10kHz", clockHz: 1e4, maxStepOverTau: 1e-9 };
    const ds = violations(network("cycles", 20, 0.1), tight);
    const d = ds.find((x) => x.code === "drc-kernel-cycles")!;
    expect(d.expected).toBe("<= 2 cycles per period");
    expect(Number(d.received!.split(" ")[0])).toBeGreaterThan(2);
    expect(ds.some((x) => x.code === "drc-period")).toBe(true);
  });

  it("labels: a row shared by more distinct sources than its 6-bit labels tell apart", () => {
    // 20000 sources spread over 100 neurons with ~240 inputs each: every row gathers ~100 sources.
    const ds = violations(network("labels", 100, 0.01, "0.01 s", "4.2 mV", 20000, "{ kind: random, p: 0.012 }"), bss2);
    const d = ds.find((x) => x.code === "drc-labels")!;
    expect(d.expected).toBe("<= 64 sources per row");
    expect(Number(d.received!.split(" ")[0])).toBeGreaterThan(64);
  });

  it("weight sign: one projection with excitatory and inhibitory weights", () => {
    const ds = violations(network("sign", 20, 0.1, "0.01 s", "{ dist: uniform, low: -2 mV, high: 2 mV }"), bss2);
    const d = ds.find((x) => x.code === "drc-weight-sign")!;
    expect(d.message).toContain('"drive"');
    expect(d.hint).toMatch(/split/);
  });

  it("weight range: weights spanning more than 63 steps of a 6-bit weight", () => {
    const ds = violations(network("range", 20, 0.1, "0.01 s", "{ dist: uniform, low: 0.001 mV, high: 4 mV }", 200), bss2) // 4000 weights: the smallest is near 0.001 mV;
    const d = ds.find((x) => x.code === "drc-weight-range")!;
    expect(d.expected).toBe("max/min <= 63");
    expect(Number(d.received)).toBeGreaterThan(63);
  });

  it("placement: every synapse on its own crossbar site, labels within the row's label space", () => {
    const program = compile(network("placed", 50, 0.2), { target: "bss2" });
    const r = compileFixed(program, bss2, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    for (const c of r.ir.connectivity) {
      const sites = new Set(c.row.map((row, s) => `${c.array[s]}:${row}:${c.column[s]}`));
      expect(sites.size).toBe(c.row.length);
      for (const l of c.label) expect(l).toBeLessThan(64);
    }
  });

  it("memory: state beyond the processor's memory", () => {
    const ds = violations(network("memory", 400, 0.2), { ...cmos, name: "cmos-small-memory", limits: { ...cmos.limits, memoryBytes: 1024 } });
    const d = ds.find((x) => x.code === "drc-memory")!;
    expect(d.expected).toBe("<= 1024 bytes");
    expect(d.hint).toMatch(/--bits|reduce/);
  });
});
