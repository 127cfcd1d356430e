/**
 * engram -> NIR -> engram: a model exported with `engram export --to nir` and imported again is the
 * same model (same YAML, same traces and spikes, bit for bit, on the reference target). The file
 * follows the reader conventions of the fixtures (string `version` dataset, `node` group of type
 * NIRGraph, N x 2 string edges), checked here with h5wasm directly. Models engram cannot express
 * in NIR are refused by name.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import h5wasm from "h5wasm/node";
import { describe, expect, it } from "vitest";
import { importNir } from "../../src/cli/import.ts";
import { exportNir } from "../../src/cli/export.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { writeNir } from "../../src/interchange/nir-write.ts";
import { arrayOf, type NirArray, type NirGraph, type NirNode } from "../../src/interchange/nir-graph.ts";
import { runModel } from "../helpers/run.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "engram-nir-rt-"));
const n = (type: string, params: Record<string, NirArray | number[]> = {}): NirNode => ({ type, params: new Map(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? arrayOf(v) : v])), strings: new Map(), path: "" });

/** Input(2) -> Affine -> CubaLIF(3) with a recurrent Linear; CubaLIF -> Delay -> Linear -> LIF(2) and -> an LI readout. */
function network(): NirGraph {
  const nodes: Record<string, NirNode> = {
    input: n("Input", { shape: arrayOf([2], [1], "i64") }),
    fc: n("Affine", { weight: arrayOf([30, 5, 10, 25, 20, 20], [3, 2]), bias: [0.5, 0, 1] }),
    hidden: n("CubaLIF", { tau_syn: [0.002, 0.002, 0.003], tau_mem: [0.01, 0.01, 0.01], r: [1, 1, 1], v_leak: [0, 0, 0], v_threshold: [1, 1, 1], v_reset: [0, 0, 0], w_in: [1, 1, 1] }),
    rec: n("Linear", { weight: arrayOf([0, -3, 0, 0, 0, 4, 2, 0, 0], [3, 3]) }),
    wait: n("Delay", { delay: [0.0005, 0.0005, 0.0005] }),
    fc2: n("Linear", { weight: arrayOf([15, 0, 12, 0, 18, 9], [2, 3]) }),
    out: n("LIF", { tau: [0.005, 0.008], r: [1, 1], v_leak: [0, 0], v_threshold: [0.5, 0.5], v_reset: [0, 0] }),
    ro: n("Linear", { weight: arrayOf([1, 2, 3], [1, 3]) }),
    readout: n("LI", { tau: [0.02], r: [1], v_leak: [0] }),
    spikes: n("Output", { shape: arrayOf([2], [1], "i64") }),
    trace: n("Output", { shape: arrayOf([1], [1], "i64") }),
  };
  const edges: [string, string][] = [["input", "fc"], ["fc", "hidden"], ["hidden", "rec"], ["rec", "hidden"], ["hidden", "wait"], ["wait", "fc2"], ["fc2", "out"], ["out", "spikes"], ["hidden", "ro"], ["ro", "readout"], ["readout", "trace"]];
  return { nodes: new Map(Object.entries(nodes)), edges, path: "node", metadata: new Map() };
}

const STIMULI = `stimuli:
  - { kind: poisson, target: input, rate: 400 Hz, start: 0 s, stop: 40 ms }
recordings:
  - { var: hidden.v, as: hv, elements: all, every: 0.1 ms }
  - { var: out.v, as: ov, elements: all, every: 0.1 ms }
  - { var: readout.v, as: trace, elements: all, every: 0.1 ms }
`;

function outputs(model: string) {
  const run = runModel(model, { accelerate: false });
  const s = run.ex.recorded.spikes;
  return { hv: Array.from(run.column("hv[2]")), ov: Array.from(run.column("ov[1]")), trace: Array.from(run.column("trace[0]")), spikes: [Array.from(s.ticks.subarray(0, s.count)), Array.from(s.neurons.subarray(0, s.count))] };
}

describe("engram -> NIR -> engram", () => {
  it("gives the same model and the same run, bit for bit", async () => {
    const dir = tmp();
    const nirIn = join(dir, "net.nir");
    await writeNir(nirIn, { version: "1.0.0", graph: network() });
    const first = await importNir({ file: nirIn, out: join(dir, "a") });
    // The model as a user would have it: the import plus stimuli and recordings.
    const model = join(dir, "a", "net.yaml");
    writeFileSync(model, readFileSync(model, "utf8").replace(/recordings:\n(  - .*\n)*/, "").replace("duration: 1 s", "duration: 60 ms") + STIMULI);
    const before = outputs(model);
    expect(before.spikes[0]!.length).toBeGreaterThan(10); // the network is active
    expect(Math.max(...before.trace)).toBeGreaterThan(0);

    const nirOut = join(dir, "exported", "net.nir");
    (await import("node:fs")).mkdirSync(join(dir, "exported"));
    await exportNir(model, nirOut);
    const second = await importNir({ file: nirOut, out: join(dir, "b") });
    expect(readFileSync(second.model, "utf8").replace(/^doc: .*$/m, "")).toBe(readFileSync(model, "utf8").replace(/^doc: .*$/m, ""));
    expect(outputs(second.model)).toEqual(before);
    expect(first.imported.components).toEqual(["nir-cubalif", "nir-input-cuba", "nir-input-leaky", "nir-li", "nir-lif"]);
  }, 120_000);

  it("a plastic projection exports its current weights; its rule rides in the metadata and comes back", async () => {
    const dir = tmp();
    const nirIn = join(dir, "net.nir");
    await writeNir(nirIn, { version: "1.0.0", graph: network() });
    await importNir({ file: nirIn, out: join(dir, "a") });
    // The user makes fc2 plastic: pair-based STDP onto the LIF output neurons, w starting at 12.
    writeFileSync(join(dir, "a", "stdp.yaml"), `engram: 1
kind: synapse
name: stdp-nir
params:
  A_plus: 0.5
  tau_plus: 10 ms
  spike_area: 0.0001 s
  delay: 0.5 ms
state:
  w: { unit: 1, init: 12 }
  x: { unit: 1, init: 0, ode: -x / tau_plus }
on_pre:
  - delay: delay
    do: [v_post += w * spike_area * r_post / tau_post]
  - do: [x += 1]
on_post:
  - do: [w += A_plus * x]
`);
    const model = join(dir, "a", "net.yaml");
    const text = readFileSync(model, "utf8").replace(/recordings:\n(  - .*\n)*/, "").replace("duration: 1 s", "duration: 60 ms");
    const fc2 = /  fc2:\n(    .*\n)*?    params:\n(      .*\n)*/.exec(text)!;
    writeFileSync(model, text.replace(fc2[0], "  fc2:\n    pre: hidden\n    post: out\n    synapse: stdp.yaml\n    connect: all_to_all\n") + STIMULI + "  - { var: fc2.w, as: w, elements: all, every: 1 ms }\n");
    const before = outputs(model);
    const w = runModel(model, { accelerate: false }).column("w[0]");
    expect(w.at(-1)).toBeGreaterThan(12); // the rule is active

    await exportNir(model, join(dir, "x.nir"));
    await h5wasm.ready;
    const f = new h5wasm.File(join(dir, "x.nir"), "r");
    const weight = Array.from((f.get("node/nodes/fc2/weight") as InstanceType<typeof h5wasm.Dataset>).value as Float64Array);
    f.close();
    expect(weight).toEqual(new Array(6).fill(12)); // the current (initial) weights
    const second = await importNir({ file: join(dir, "x.nir"), out: join(dir, "b") });
    expect(readFileSync(join(dir, "b", "stdp.yaml"), "utf8")).toBe(readFileSync(join(dir, "a", "stdp.yaml"), "utf8"));
    expect(outputs(second.model)).toEqual(before);
  }, 120_000);

  it("writes the fixtures' reader conventions: string version dataset, node group, N x 2 edges", async () => {
    const dir = tmp();
    await writeNir(join(dir, "net.nir"), { version: "1.0.0", graph: network() });
    const { model } = await importNir({ file: join(dir, "net.nir"), out: join(dir, "a") });
    await exportNir(model, join(dir, "x.nir"));
    await h5wasm.ready;
    const f = new h5wasm.File(join(dir, "x.nir"), "r");
    try {
      expect((f.get("version") as InstanceType<typeof h5wasm.Dataset>).value).toBe("1.0.0");
      const node = f.get("node") as InstanceType<typeof h5wasm.Group>;
      expect((node.get("type") as InstanceType<typeof h5wasm.Dataset>).value).toBe("NIRGraph");
      const edges = node.get("edges") as InstanceType<typeof h5wasm.Dataset>;
      expect(edges.shape![1]).toBe(2);
      expect((node.get("nodes/fc/weight") as InstanceType<typeof h5wasm.Dataset>).shape).toEqual([3, 2]);
      expect((node.get("nodes/hidden/type") as InstanceType<typeof h5wasm.Dataset>).value).toBe("CubaLIF");
      expect(typeof (node.get("metadata/engram") as InstanceType<typeof h5wasm.Dataset>).value).toBe("string");
    } finally {
      f.close();
    }
  }, 60_000);

  it("refuses engram's own neurons and plastic synapses by name", async () => {
    const stc = resolve(import.meta.dirname, "../../models/stc/pair.yaml");
    await expect(exportNir(stc, join(tmp(), "x.nir"))).rejects.toThrow(EngramError);
    await exportNir(stc, join(tmp(), "x.nir")).catch((e: EngramError) => {
      const text = e.diagnostics.map((d) => d.message).join("\n");
      expect(text).toContain('population "post" uses neuron model "lif-stc", which has no NIR equivalent');
      expect(text).toContain('projection "syn" uses synapse model "stc"');
    });
  });
});
