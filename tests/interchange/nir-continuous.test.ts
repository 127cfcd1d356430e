/**
 * NIR's continuous signals: the v of LI, CubaLI and Integrator nodes feeding other neurons and
 * Threshold nodes through weights (nir-continuous projections into the *-continuous components and
 * nir-threshold). Expected traces are derived by hand from engram's rules (docs/interchange.md):
 * the post neuron reads w * v_pre of the previous step, exponential Euler is exact for a constant
 * input over a step, and a Threshold spikes in each step whose input exceeds its threshold.
 * Export -> import gives the same model file.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { importNir } from "../../src/cli/import.ts";
import { exportNir } from "../../src/cli/export.ts";
import { writeNir } from "../../src/interchange/nir-write.ts";
import { readNir } from "../../src/interchange/nir-read.ts";
import { MAX_CONTINUOUS_DELAY_TICKS } from "../../src/interchange/nir-to-model.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { arrayOf, type NirArray, type NirGraph, type NirNode } from "../../src/interchange/nir-graph.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { getTarget } from "../../targets/registry.ts";

const n = (type: string, params: Record<string, NirArray | number[]> = {}): NirNode => ({ type, params: new Map(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? arrayOf(v) : v])), strings: new Map(), path: "" });

describe("continuous signals between NIR nodes", () => {
  it("LI -> Linear -> LIF and LI -> Linear -> Threshold: the traces engram's rules give by hand", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-nir-cont-"));
    const g: NirGraph = {
      nodes: new Map(Object.entries({
        input: n("Input", { shape: arrayOf([1], [1], "i64") }),
        fc: n("Affine", { weight: arrayOf([1], [1, 1]), bias: [0] }),
        li: n("LI", { tau: [0.005], r: [1], v_leak: [0] }),
        to_lif: n("Linear", { weight: arrayOf([2], [1, 1]) }),
        lif: n("LIF", { tau: [0.005], r: [1], v_leak: [0], v_threshold: [10], v_reset: [0] }),
        to_th: n("Linear", { weight: arrayOf([1], [1, 1]) }),
        th: n("Threshold", { threshold: [0.1] }),
        out: n("Output", { shape: arrayOf([1], [1], "i64") }),
        out_li: n("Output", { shape: arrayOf([1], [1], "i64") }),
        to_int: n("Linear", { weight: arrayOf([3], [1, 1]) }),
        integ: n("Integrator", { r: [1] }),
        out_int: n("Output", { shape: arrayOf([1], [1], "i64") }),
        to_cuba: n("Linear", { weight: arrayOf([1], [1, 1]) }),
        cuba: n("CubaLIF", { tau_syn: [0.005], tau_mem: [0.01], r: [1], v_leak: [0], v_threshold: [10], v_reset: [0], w_in: [1] }),
      })),
      edges: [["input", "fc"], ["fc", "li"], ["li", "to_lif"], ["to_lif", "lif"], ["li", "to_th"], ["to_th", "th"], ["th", "out"], ["li", "out_li"], ["li", "to_int"], ["to_int", "integ"], ["integ", "out_int"], ["li", "to_cuba"], ["to_cuba", "cuba"]],
      path: "node",
      metadata: new Map(),
    };
    await writeNir(join(dir, "c.nir"), { version: "1.0.0", graph: g });
    const { model } = await importNir({ file: join(dir, "c.nir"), out: join(dir, "m"), dt: 0.001, duration: 0.02, spikeArea: 0.001 });
    const net = parse(readFileSync(model, "utf8"));
    expect(net.populations.lif.neuron).toBe("nir-lif-continuous.yaml");
    expect(net.populations.th.neuron).toBe("nir-threshold.yaml");
    expect(net.populations.li.neuron).toBe("nir-li.yaml");
    expect(net.populations.integ.neuron).toBe("nir-integrator-continuous.yaml");
    expect(net.populations.cuba.neuron).toBe("nir-cubalif-continuous.yaml");
    expect(net.projections.to_lif).toMatchObject({ pre: "li", post: "lif", synapse: "nir-continuous.yaml", params: { w: 2 } });

    // Export -> import: the same model file (before the driver is added).
    await exportNir(model, join(dir, "back.nir"));
    const again = await importNir({ file: join(dir, "back.nir"), out: join(dir, "m2") });
    const body = (f: string) => readFileSync(f, "utf8").split("\n").filter((l) => !/^(# |name: |doc: )/.test(l));
    expect(body(again.model)).toEqual(body(model));

    // Drive it: one spike at 1 ms; record li.v and lif.v every step.
    net.stimuli = [{ kind: "spikes", target: "input", times: ["1 ms"] }];
    net.recordings = [{ var: "li.v", as: "li", elements: "all", every: "1 ms" }, { var: "lif.v", as: "lif", elements: "all", every: "1 ms" }, { var: "integ.v", as: "integ", elements: "all", every: "1 ms" }, { var: "cuba.I", as: "cuba", elements: "all", every: "1 ms" }];
    writeFileSync(model, stringify(net));
    const program = compile(model, { target: "reference" });
    const h = getTarget("reference").execute!(program);
    h.run();
    const [li, lif, integ, cuba] = h.recorded.tables.map((t) => Array.from(t.columns[0]!.subarray(0, t.count)));
    // By hand: the spike (area 1 ms, weight 1) adds 1 ms * r / tau = 0.2 to li.v, then li decays by a = exp(-1/5) per step.
    const a = Math.exp(-1 / 5);
    expect(li![2]).toBeCloseTo(0.2, 15);
    for (let k = 2; k < 20; k++) expect(li![k + 1]).toBeCloseTo(li![k]! * a, 15);
    // lif: tau dv/dt = -v + r (2 li), with li of the previous step held over the step (exact exponential Euler).
    for (let k = 0; k < 20; k++) expect(lif![k + 1]).toBeCloseTo(lif![k]! * a + (1 - a) * 2 * li![k]!, 14);
    expect(lif![3]).toBeGreaterThan(0);
    // Integrator: dv/dt = r (3 li) / 1 s, constant over a step: v grows by dt 3 li of the previous step.
    for (let k = 0; k < 20; k++) expect(integ![k + 1]).toBeCloseTo(integ![k]! + 0.001 * 3 * li![k]!, 15);
    // CubaLIF: tau_syn dI/dt = -I + w_in (1 li), the same exact step with a = exp(-1/5).
    for (let k = 0; k < 20; k++) expect(cuba![k + 1]).toBeCloseTo(cuba![k]! * a + (1 - a) * li![k]!, 14);
    expect(integ![20]).toBeGreaterThan(0);
    // Threshold: a spike in every step whose input (li of the previous step) exceeds 0.1.
    const thIndex = program.populations.findIndex((p) => p.name === "th");
    const offset = program.populations.slice(0, thIndex).reduce((s, p) => s + p.size, 0);
    const spikes = h.recorded.spikes;
    const ticks = Array.from(spikes.ticks.subarray(0, spikes.count)).filter((_, i) => spikes.neurons[i] === offset);
    const expected = li!.map((v, k) => (v > 0.1 ? k : -1)).filter((k) => k >= 0);
    expect(expected.length).toBeGreaterThan(2);
    expect(ticks).toEqual(expected);
  }, 120_000);

  it("Threshold fed by spikes (spike = w spike_area / dt for one step): a coincidence detector and the threshold fixture", async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-nir-th-"));
    // Two inputs, both into two Threshold units (thresholds 1.5 and 0.5) with weight 1: with
    // spike_area = dt a spike is an input of 1 for one step, so unit 0 fires only when both inputs
    // spike in the same step, unit 1 whenever either does.
    const g: NirGraph = {
      nodes: new Map(Object.entries({
        input: n("Input", { shape: arrayOf([2], [1], "i64") }),
        fc: n("Linear", { weight: arrayOf([1, 1, 1, 1], [2, 2]) }),
        th: n("Threshold", { threshold: [1.5, 0.5] }),
        out: n("Output", { shape: arrayOf([2], [1], "i64") }),
      })),
      edges: [["input", "fc"], ["fc", "th"], ["th", "out"]],
      path: "node",
      metadata: new Map(),
    };
    await writeNir(join(dir, "t.nir"), { version: "1.0.0", graph: g });
    const { model } = await importNir({ file: join(dir, "t.nir"), out: join(dir, "m"), dt: 0.001, duration: 0.01 });
    const net = parse(readFileSync(model, "utf8"));
    expect(net.populations.th).toMatchObject({ neuron: "nir-threshold.yaml", params: { threshold: { values: [1.5, 0.5] }, dt_sample: "0.001 s", tau_step: "0.000015625 s" } });
    expect(net.projections.fc.synapse).toBe("nir-input-threshold.yaml");
    net.stimuli = [{ kind: "spikes", target: "input", neurons: [0], times: ["1 ms", "3 ms"] }, { kind: "spikes", target: "input", neurons: [1], times: ["3 ms", "5 ms"] }];
    writeFileSync(model, stringify(net));
    const program = compile(model, { target: "reference" });
    const h = getTarget("reference").execute!(program);
    h.run();
    const sp = h.recorded.spikes;
    const at = (neuron: number) => Array.from(sp.ticks.subarray(0, sp.count)).filter((_, i) => sp.neurons[i] === neuron);
    const inputTicks = [...new Set([...at(0), ...at(1)])].sort((a, b) => a - b);
    expect(inputTicks).toEqual([1, 3, 5]);
    // A source spike in step s is the Threshold's input in step s + 1 (as for every jump: seen from the next step).
    expect(at(2)).toEqual([4]);
    expect(at(3)).toEqual([2, 4, 6]);

    // NIR's own threshold fixture (Input[3] -> Threshold [1, 2, 3] -> Output) imports too.
    const fx = await importNir({ file: join(import.meta.dirname, "../fixtures/interchange/nir/generated/nirtests_test_threshold.nir"), out: join(dir, "fx") });
    const fxNet = parse(readFileSync(fx.model, "utf8"));
    expect(fxNet.populations.threshold.params.threshold).toEqual({ values: [1, 2, 3] });
    expect(fxNet.projections.input_to_threshold ?? Object.values(fxNet.projections)[0]).toMatchObject({ pre: "input", post: "threshold", synapse: "nir-input-threshold.yaml", connect: "one_to_one" });
  }, 120_000);

  it("a Delay of k steps on a continuous v: the signal arrives exactly k steps later (relays), export -> import keeps it", async () => {
    // LI -> Linear 3 -> Integrator, twice: once directly, once through a Delay of 3 ms = 3 steps,
    // and a third Integrator behind per-element delays [1 ms, 3 ms] of a 2-unit LI pair.
    const dir = mkdtempSync(join(tmpdir(), "engram-nir-delay-"));
    const k = 3;
    const g: NirGraph = {
      nodes: new Map(Object.entries({
        input: n("Input", { shape: arrayOf([1], [1], "i64") }),
        fc: n("Affine", { weight: arrayOf([1], [1, 1]), bias: [0] }),
        li: n("LI", { tau: [0.005], r: [1], v_leak: [0] }),
        out_li: n("Output", { shape: arrayOf([1], [1], "i64") }),
        now: n("Linear", { weight: arrayOf([3], [1, 1]) }),
        integ: n("Integrator", { r: [1] }),
        out_int: n("Output", { shape: arrayOf([1], [1], "i64") }),
        wait: n("Delay", { delay: [k * 0.001] }),
        later: n("Linear", { weight: arrayOf([3], [1, 1]) }),
        integ_d: n("Integrator", { r: [1] }),
        out_d: n("Output", { shape: arrayOf([1], [1], "i64") }),
      })),
      edges: [["input", "fc"], ["fc", "li"], ["li", "out_li"], ["li", "now"], ["now", "integ"], ["integ", "out_int"], ["li", "wait"], ["wait", "later"], ["later", "integ_d"], ["integ_d", "out_d"]],
      path: "node",
      metadata: new Map(),
    };
    await writeNir(join(dir, "d.nir"), { version: "1.0.0", graph: g });
    const { model } = await importNir({ file: join(dir, "d.nir"), out: join(dir, "m"), dt: 0.001, duration: 0.03, spikeArea: 0.001 });
    const net = parse(readFileSync(model, "utf8"));
    expect(Object.keys(net.populations).filter((p) => net.populations[p].neuron === "nir-delay-relay.yaml")).toEqual(["later_delay_1", "later_delay_2", "later_delay_3"]);
    expect(net.projections.later).toEqual({ pre: "later_delay_3", post: "integ_d", synapse: "nir-continuous.yaml", connect: "all_to_all", params: { w: 3 } });

    // Export -> import: the same model file; the exported graph has a Delay of k dt again.
    await exportNir(model, join(dir, "back.nir"));
    const back = await readNir(join(dir, "back.nir"));
    expect(Array.from(back.graph.nodes.get("later_delay")!.params.get("delay")!.data)).toEqual([k * 0.001]);
    expect([...back.graph.nodes.values()].some((x) => x.type === "nir-delay-relay")).toBe(false);
    const again = await importNir({ file: join(dir, "back.nir"), out: join(dir, "m2") });
    const body = (f: string) => readFileSync(f, "utf8").split("\n").filter((l) => !/^(# |name: |doc: )/.test(l));
    expect(body(again.model)).toEqual(body(model));

    net.stimuli = [{ kind: "spikes", target: "input", times: ["1 ms"] }];
    writeFileSync(model, stringify(net));
    const h = getTarget("reference").execute!(compile(model, { target: "reference" }));
    h.run();
    const col = (as: string) => {
      const t = h.recorded.tables[net.recordings.findIndex((r: { as: string }) => r.as === as)]!;
      return Array.from(t.columns[0]!.subarray(0, t.count));
    };
    const li = col("out_li"), integ = col("out_int"), delayed = col("out_d");
    // By hand (as above): integ grows by dt 3 li of the previous step; the delayed one by dt 3 li of k steps earlier.
    const lag = (s: number) => (s - k >= 0 ? li[s - k]! : 0);
    expect(Math.max(...li)).toBeGreaterThan(0.1);
    for (let s = 0; s + 1 < li.length; s++) {
      expect(integ[s + 1]).toBeCloseTo(integ[s]! + 0.001 * 3 * li[s]!, 15);
      expect(delayed[s + 1]).toBeCloseTo(delayed[s]! + 0.001 * 3 * lag(s), 15);
    }
    // The same trace, exactly k steps later.
    for (let s = 0; s + k < li.length; s++) expect(delayed[s + k]).toBeCloseTo(integ[s]!, 15);
    expect(delayed[k + 2]).toBe(0);
    expect(delayed[k + 3]).toBeGreaterThan(0);
  }, 120_000);

  it(`a continuous Delay of at most ${MAX_CONTINUOUS_DELAY_TICKS} steps imports; one step more is refused at the Delay, quoting the value`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-nir-delay-max-"));
    const graphWith = (ticks: number): NirGraph => ({
      nodes: new Map(Object.entries({
        input: n("Input", { shape: arrayOf([1], [1], "i64") }),
        li: n("LI", { tau: [0.005], r: [1], v_leak: [0] }),
        wait: n("Delay", { delay: [ticks * 0.001] }),
        integ: n("Integrator", { r: [1] }),
      })),
      edges: [["input", "li"], ["li", "wait"], ["wait", "integ"]],
      path: "node",
      metadata: new Map(),
    });
    await writeNir(join(dir, "ok.nir"), { version: "1.0.0", graph: graphWith(MAX_CONTINUOUS_DELAY_TICKS) });
    const ok = await importNir({ file: join(dir, "ok.nir"), out: join(dir, "ok"), dt: 0.001 });
    expect(Object.keys(ok.imported.network.populations as object).filter((p) => p.startsWith("wait_delay_"))).toHaveLength(MAX_CONTINUOUS_DELAY_TICKS);
    const ticks = MAX_CONTINUOUS_DELAY_TICKS + 1;
    await writeNir(join(dir, "long.nir"), { version: "1.0.0", graph: graphWith(ticks) });
    const e = await importNir({ file: join(dir, "long.nir"), out: join(dir, "long"), dt: 0.001 }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(EngramError);
    const d = (e as EngramError).diagnostics[0]!;
    expect(d.code).toBe("continuous-delay");
    expect(d.where?.path).toEqual(["node/nodes/wait/delay"]);
    expect(d.received).toBe(`${ticks * 0.001} s`);
    expect(d.message).toContain(`${ticks} steps of dt = 0.001 s`);
    expect(existsSync(join(dir, "long"))).toBe(false);
  }, 60_000);
});
