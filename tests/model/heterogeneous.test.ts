/**
 * Model-format features beyond the STC protocols, on models/examples/heterogeneous-lif.yaml:
 * parameter distributions, random connectivity, OU and constant currents, determinism.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";

const FILE = "models/examples/heterogeneous-lif.yaml";

function run(seed?: number) {
  const program = compile(FILE, { target: "reference", seed });
  const ex = new Executor(program);
  ex.run();
  return { program, ex };
}

describe("heterogeneous LIF example", () => {
  it("draws tau_mem per neuron from the truncated normal, reproducibly", () => {
    const a = compile(FILE, { target: "reference" });
    const b = compile(FILE, { target: "reference" });
    const c = compile(FILE, { target: "reference", seed: 4 });
    const tau = (p: typeof a) => p.populations[0]!.vars.find((v) => v.name === "tau_mem")!.init;
    expect(Array.from(tau(a))).toEqual(Array.from(tau(b)));
    expect(Array.from(tau(a))).not.toEqual(Array.from(tau(c)));
    const t = Array.from(tau(a));
    for (const x of t) expect(x >= 0.005 && x <= 0.02).toBe(true);
    const mean = t.reduce((s, x) => s + x, 0) / t.length;
    expect(Math.abs(mean - 0.01)).toBeLessThan(5 * (0.002 / Math.sqrt(t.length))); // 5 standard errors
    expect(new Set(t).size).toBe(t.length);
  });

  it("connects about p N (N-1) pairs without autapses", () => {
    const p = compile(FILE, { target: "reference" }).projections[0]!;
    const expected = 0.1 * 50 * 49;
    expect(Math.abs(p.size - expected)).toBeLessThan(5 * Math.sqrt(expected * 0.9));
    for (let k = 0; k < p.size; k++) expect(p.preIndex[k]).not.toBe(p.postIndex[k]);
  });

  it("pulsed neurons fire tonically during the 2 nA pulse; the run is reproducible", () => {
    const a = run();
    const b = run();
    const sa = a.ex.recorded.spikes;
    const sb = b.ex.recorded.spikes;
    expect(sa.count).toBe(sb.count);
    expect(Array.from(sa.ticks.subarray(0, sa.count))).toEqual(Array.from(sb.ticks.subarray(0, sb.count)));
    // Hand-derived: V_inf = -65 mV + 10 Mohm (0.15 + 2) nA = -43.5 mV > V_th, so without noise each of
    // neurons 0-9 fires every tau ln((V_inf - V_reset)/(V_inf - V_th)) + 2 ms = 10.4 ms (~97 Hz).
    let pulse = 0;
    for (let i = 0; i < sa.count; i++) {
      const t = sa.ticks[i]! * 2e-4;
      if (sa.neurons[i]! < 10 && t >= 1 && t < 1.2) pulse++;
    }
    const rate = pulse / 10 / 0.2;
    expect(rate).toBeGreaterThan(60);
    expect(rate).toBeLessThan(200);
  });
});
