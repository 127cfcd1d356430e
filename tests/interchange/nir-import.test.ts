/**
 * NIR import of every fixture in tests/fixtures/interchange/nir (copied from shared/fixtures) (files written by Norse, Rockpool and NIR's
 * own writer), of graphs written here with h5wasm (nested graphs, cycles, convolutions, float32 and
 * int64 scalars), and the refusals: a located error naming the node and the field, nothing written.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { importNir } from "../../src/cli/import.ts";
import { exportNir } from "../../src/cli/export.ts";
import { readNir } from "../../src/interchange/nir-read.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { writeNir } from "../../src/interchange/nir-write.ts";
import { MAX_CONTINUOUS_DELAY_TICKS } from "../../src/interchange/nir-to-model.ts";
import { arrayOf, type NirArray, type NirGraph, type NirNode } from "../../src/interchange/nir-graph.ts";

const FIXTURES = resolve(import.meta.dirname, "../fixtures/interchange/nir");
const tmp = () => mkdtempSync(join(tmpdir(), "engram-nir-import-"));

type Net = { populations: Record<string, any>; projections?: Record<string, any>; recordings?: any[] };

/** The imported network as written (parsed back from YAML), or as built when the file is large. */
async function imp(file: string, opts: { dt?: number; large?: boolean } = {}): Promise<Net> {
  const { model, imported } = await importNir({ file, out: join(tmp(), "m"), ...opts });
  return (opts.large ? imported.network : parse(readFileSync(model, "utf8"))) as Net;
}

async function refusal(file: string): Promise<{ message: string; path: string; parent: string }> {
  const parent = tmp();
  try {
    await importNir({ file, out: join(parent, "m") });
  } catch (e) {
    expect(e).toBeInstanceOf(EngramError);
    const d = (e as EngramError).diagnostics[0]!;
    return { message: d.message, path: String(d.where?.path[0]), parent };
  }
  throw new Error(`${file} was imported, expected a refusal`);
}

const n = (type: string, params: Record<string, NirArray | number[]> = {}, graph?: NirGraph): NirNode => ({
  type,
  params: new Map(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? arrayOf(v) : v])),
  strings: new Map(),
  graph,
  path: "",
});
const graph = (nodes: Record<string, NirNode>, edges: [string, string][]): NirGraph => ({ nodes: new Map(Object.entries(nodes)), edges, path: "node", metadata: new Map() });
async function written(g: NirGraph): Promise<string> {
  const file = join(tmp(), "g.nir");
  await writeNir(file, { version: "0.5.0", graph: g });
  return file;
}

describe("NIR fixtures", () => {
  it("lif_norse.nir: Input -> Affine -> LIF without v_reset (read as 0)", async () => {
    const m = await imp(join(FIXTURES, "lif_norse.nir"));
    expect(m.populations.input).toEqual({ source: true, size: 1 });
    expect(m.populations.n1.params).toEqual({ tau: "0.0025 s", r: 1, v_leak: 0, v_threshold: 0.1, v_reset: 0 });
    expect(m.projections!.n0).toMatchObject({ pre: "input", post: "n1", synapse: "nir-input-leaky.yaml", connect: "all_to_all" });
  });

  it("lif_rockpool.nir: edges out of order, Output [1,1,1] against LIF [1] (same element count)", async () => {
    const m = await imp(join(FIXTURES, "lif_rockpool.nir"));
    expect(m.populations.n1_LIFNeuronTorch.params.r).toBe(24.019737);
    expect(m.projections!.n0_LinearTorch.params.w).toBe(0.04);
  });

  it("braille: an edge naming the missing node lif is refused at that edge, and nothing is written", async () => {
    const r = await refusal(join(FIXTURES, "braille_noDelay_bias_zero_subgraph.nir"));
    expect(r.message).toContain('names node "lif", which does not exist');
    expect(r.path).toBe("node/nodes/lif1/edges[0]");
    expect(readdirSync(r.parent)).toEqual([]);
  });

  it("Conv2d (float64, int64 sizes, gzip): one shared-weight projection per kernel element", async () => {
    const m = await imp(join(FIXTURES, "generated/nirtests_test_conv1d_2.nir"), { large: true });
    const projs = Object.values(m.projections!);
    expect(projs).toHaveLength(2 * 3 * 3);
    for (const p of projs) expect(p.connect.pairs).toHaveLength(98 * 98);
    expect(m.projections!.conv2d_0_0_0_0.params.w).toBe(-1.6138978475579515);
    expect(m.projections!.conv2d_0_0_0_0.connect.pairs[0]).toEqual([0, 0]);
    expect(m.projections!.conv2d_0_1_2_2.connect.pairs[0]).toEqual([10000 + 2 * 100 + 2, 0]);
    expect(m.populations.output).toMatchObject({ neuron: "nir-output.yaml", size: 98 * 98, params: { i_bias: -1.6301983469660446 } });
  }, 120_000);

  it("AvgPool2d: one projection of weight 1/4 over 2 x 5 x 5 windows of 4", async () => {
    const m = await imp(join(FIXTURES, "generated/nirtests_test_avg_pool_2d.nir"));
    const p = m.projections!.avgpool2d;
    expect(p.params.w).toBe(0.25);
    expect(p.connect.pairs).toHaveLength(2 * 5 * 5 * 4);
  });

  it("CubaLIF, IF, LI, Linear, Scale, Delay, Flatten as stored (int64 parameters, unusual values kept)", async () => {
    const cuba = await imp(join(FIXTURES, "generated/nirtests_test_current_based_leaky_integrator_and_fire.nir"));
    expect(cuba.populations.cubalif.params).toMatchObject({ tau_syn: "1 s", tau_mem: "2 s", v_threshold: 0, v_reset: 3, w_in: 2 });
    expect(cuba.populations.cubalif.params.i_bias.values).toEqual([-0.4380743016111864, -1.2527953600499262, 0.7774903558319101]);
    expect(cuba.projections!.affine.params.w.values).toHaveLength(6);
    const iF = await imp(join(FIXTURES, "generated/nirtests_test_integrate_and_fire.nir"));
    expect(iF.populations.b).toMatchObject({ neuron: "nir-if.yaml", size: 2, params: { r: 1, v_threshold: 0, v_reset: 1 } });
    const li = await imp(join(FIXTURES, "generated/nirtests_test_leaky_integrator.nir"));
    expect(li.recordings).toEqual([{ var: "li.v", as: "output", elements: "all", every: "0.0001 s" }]);
    const lin = await imp(join(FIXTURES, "generated/nirtests_test_linear.nir"));
    expect(lin.projections!.linear.params.w.values[0]).toBe(0.33367432737426683);
    const scale = await imp(join(FIXTURES, "generated/nirtests_test_scale.nir"));
    expect(scale.projections!.scale).toMatchObject({ connect: "one_to_one", params: { w: { values: [1, 2, 3] } } });
    const delay = await imp(join(FIXTURES, "generated/nirtests_test_delay.nir"));
    expect(Object.values(delay.projections!).map((p) => p.params.delay)).toEqual(["1 s", "2 s", "3 s"]);
    const flat = await imp(join(FIXTURES, "generated/nirtests_test_flatten.nir"));
    expect(Object.keys(flat.populations)).toEqual(["input"]); // the Output is the input's own spikes
  });

  it("nested fixture: an Integrator whose v loops back through a Delay of 1 s becomes a chain of one-step relays", async () => {
    // The Delay (1 s on each of a's 2 elements) is 4 steps of dt = 0.25 s: relays b_b_delay_1..4 of 2 units each.
    const m = await imp(join(FIXTURES, "generated/nirtests_test_nested.nir"), { dt: 0.25 });
    expect(m.populations.a).toEqual({ neuron: "nir-integrator-continuous.yaml", size: 2, params: { r: 1 } });
    const relays = Object.keys(m.populations).filter((p) => m.populations[p].neuron === "nir-delay-relay.yaml");
    expect(relays).toEqual(["b_b_delay_1", "b_b_delay_2", "b_b_delay_3", "b_b_delay_4"]);
    for (const r of relays) expect(m.populations[r]).toEqual({ neuron: "nir-delay-relay.yaml", size: 2, params: { tau_step: "0.00390625 s" } });
    expect(m.projections!.b_b_to_delay_1).toEqual({ pre: "a", post: "b_b_delay_1", synapse: "nir-continuous.yaml", connect: "one_to_one" });
    expect(m.projections!.b_b_to_delay_4).toEqual({ pre: "b_b_delay_3", post: "b_b_delay_4", synapse: "nir-continuous.yaml", connect: "one_to_one" });
    expect(m.projections!.b_b).toEqual({ pre: "b_b_delay_4", post: "a", synapse: "nir-continuous.yaml", connect: "one_to_one" });
    expect(m.populations.input_c).toEqual({ source: true, size: 1 });
  });

  it("nested fixture: export -> import gives the same model file (the relays fold into a Delay, the one_to_one tap into a Scale)", async () => {
    const dir = tmp();
    const first = await importNir({ file: join(FIXTURES, "generated/nirtests_test_nested.nir"), out: join(dir, "a"), dt: 0.25 });
    await exportNir(first.model, join(dir, "back.nir"));
    const back = await readNir(join(dir, "back.nir"));
    expect([...back.graph.nodes].map(([k, v]) => `${k}:${v.type}`).sort()).toEqual(["a:I", "b_b:Scale", "b_b_delay:Delay", "input_c:Input"]);
    expect(Array.from(back.graph.nodes.get("b_b_delay")!.params.get("delay")!.data)).toEqual([1, 1]);
    const again = await importNir({ file: join(dir, "back.nir"), out: join(dir, "b") });
    const body = (f: string) => readFileSync(f, "utf8").split("\n").filter((l) => !/^(# |name: |doc: )/.test(l));
    expect(body(again.model)).toEqual(body(first.model));
  });

  it("nested fixture at the default dt (1 s = 10000 steps) is refused at the Delay's field, quoting the value", async () => {
    const nested = await refusal(join(FIXTURES, "generated/nirtests_test_nested.nir"));
    expect(nested.message).toContain('delays the continuous v of "a" (I) by 1 s = 10000 steps of dt = 0.0001 s');
    expect(nested.message).toContain(`at most ${MAX_CONTINUOUS_DELAY_TICKS}`);
    expect(nested.path).toBe("node/nodes/b/nodes/b/delay");
    expect(existsSync(join(nested.parent, "m"))).toBe(false);
  });
});

describe("files that are not NIR", () => {
  it("a file that is not HDF5 is a located error and exit 1 from the command line, not a stack trace", async () => {
    const dir = tmp();
    const file = join(dir, "junk.nir");
    (await import("node:fs")).writeFileSync(file, "not an HDF5 file\n");
    const r = await refusal(file);
    expect(r.message).toMatch(/^not a readable HDF5 file/);
    const { main } = await import("../../src/cli/main.ts");
    expect(await main(["import", file, "-o", join(dir, "out")])).toBe(1);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});

describe("NIR graphs written here", () => {
  const lif = (size: number) => n("LIF", { tau: arrayOf(new Array(size).fill(0.01), [size], "f32"), r: [...new Array(size).fill(1)], v_leak: arrayOf([0], [], "f64"), v_threshold: arrayOf([1], [], "i64") });

  it("a nested graph and a recurrent Affine (cycle through a neuron) become flat projections", async () => {
    const inner = graph({ input: n("Input", { shape: arrayOf([3], [1], "i64") }), fc: n("Affine", { weight: arrayOf([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]), bias: [0, 0, 0] }), lif: lif(3), rec: n("Linear", { weight: arrayOf([0, 1, 0, 0, 0, 1, 1, 0, 0], [3, 3]) }), output: n("Output", { shape: arrayOf([3], [1], "i64") }) }, [
      ["rec", "lif"], ["fc", "lif"], ["lif", "output"], ["input", "fc"], ["lif", "rec"],
    ]);
    const file = await written(graph({ in: n("Input", { shape: arrayOf([3], [1], "i64") }), sub: n("NIRGraph", {}, inner), out: n("Output", { shape: arrayOf([3], [1], "i64") }) }, [["sub", "out"], ["in", "sub"]]));
    const m = await imp(file);
    expect(Object.keys(m.populations)).toEqual(["in", "sub_lif"]);
    expect(m.populations.sub_lif.params).toMatchObject({ tau: "0.01 s", v_threshold: 1 });
    expect(m.projections!.sub_fc).toMatchObject({ pre: "in", post: "sub_lif", connect: "all_to_all", params: { w: { values: [1, 2, 3, 4, 5, 6, 7, 8, 9] } } });
    expect(m.projections!.sub_rec).toMatchObject({ pre: "sub_lif", post: "sub_lif", connect: "all_to_all" });
  });

  it("Conv2d with padding and stride: the projections compute the convolution", async () => {
    // 1 input channel 4 x 4 -> 2 output channels, kernel 3 x 3, padding 1, stride 2 -> 2 x 2 x 2.
    const weight = Array.from({ length: 18 }, (_, i) => (i % 7) - 3);
    const file = await written(graph({ input: n("Input", { shape: arrayOf([1, 4, 4], [3], "i64") }), conv: n("Conv2d", { weight: arrayOf(weight, [2, 1, 3, 3]), bias: [0.5, -0.5], stride: arrayOf([2, 2], [2], "i64"), padding: arrayOf([1, 1], [2], "i64"), dilation: arrayOf([1, 1], [2], "i64"), groups: arrayOf([1], [], "i64"), input_shape: arrayOf([4, 4], [2], "i64") }), lif: lif(8) }, [["input", "conv"], ["conv", "lif"]]));
    const m = await imp(file);
    const x = Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
    const fromModel = new Array(8).fill(0);
    for (const p of Object.values(m.projections!)) for (const [pre, post] of p.connect.pairs) fromModel[post] += (p.params.w ?? 1) * x[pre]!;
    // Direct convolution, by hand.
    const direct = new Array(8).fill(0);
    for (let co = 0; co < 2; co++)
      for (let oy = 0; oy < 2; oy++)
        for (let ox = 0; ox < 2; ox++)
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
              if (iy >= 0 && iy < 4 && ix >= 0 && ix < 4) direct[co * 4 + oy * 2 + ox] += weight[co * 9 + ky * 3 + kx]! * x[iy * 4 + ix]!;
            }
    for (let k = 0; k < 8; k++) expect(fromModel[k]).toBeCloseTo(direct[k], 12);
    expect(m.populations.lif.params.i_bias.values).toEqual([0.5, 0.5, 0.5, 0.5, -0.5, -0.5, -0.5, -0.5]);
  });

  it("refusals name the node and the field: shape mismatch, unknown type, missing parameter, off-grid delay", async () => {
    const input = n("Input", { shape: arrayOf([2], [1], "i64") });
    const bad = await refusal(await written(graph({ input, fc: n("Affine", { weight: arrayOf([1, 2, 3], [1, 3]), bias: [0] }), lif: lif(1) }, [["input", "fc"], ["fc", "lif"]])));
    expect(bad.message).toContain('node "fc" (Affine): weight has 3 columns but the node receives 2 values');
    expect(bad.path).toBe("node/nodes/fc/weight");
    const unknown = await refusal(await written(graph({ input, x: n("LIFF", { tau: [1] }) }, [["input", "x"]])));
    expect(unknown.message).toContain('unknown NIR node type "LIFF"');
    const missing = await refusal(await written(graph({ input, fc: n("Linear", { weight: arrayOf([1, 1], [1, 2]) }), lif: n("LIF", { tau: [0.01], r: [1], v_leak: [0] }) }, [["input", "fc"], ["fc", "lif"]])));
    expect(missing.message).toContain('missing parameter "v_threshold"');
    expect(missing.path).toBe("node/nodes/lif/v_threshold");
    const offGrid = await refusal(await written(graph({ input, d: n("Delay", { delay: [0.00015, 0] }), fc: n("Linear", { weight: arrayOf([1, 1], [1, 2]) }), lif: lif(1) }, [["input", "d"], ["d", "fc"], ["fc", "lif"]])));
    expect(offGrid.message).toContain("not a multiple of the step");
    const sizes = await refusal(await written(graph({ input, fc: n("Linear", { weight: arrayOf([1, 1, 1, 1], [2, 2]) }), lif: lif(3) }, [["input", "fc"], ["fc", "lif"]])));
    expect(sizes.message).toContain("has 3 neurons but receives 2 values");
    expect(sizes.path).toBe("node/nodes/lif/tau");
    expect(existsSync(join(sizes.parent, "m"))).toBe(false);
  });
});
