/**
 * NIR's continuous signals on the chips: an LI feeding a LIF through nir-continuous (the model of
 * nir-continuous.test.ts without its Threshold, dt 0.1 ms, spikes at 1 and 2 ms). The LIF's v on
 * each chip must track float64 within a bound derived from the chip's formats and schedule, or the
 * compiler must refuse the model with a located diagnostic. Before the continuous input reached
 * the chips every step it was needed, the LIF's v stayed 0 on both chips (exit 0); before the
 * schedule bounded the sampled input, bss2 held the LI's v for 4 ticks of a 20-tick time constant
 * (LIF error 0.0093, exit 0).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { importNir } from "../../src/cli/import.ts";
import { writeNir } from "../../src/interchange/nir-write.ts";
import { arrayOf, type NirArray, type NirGraph, type NirNode } from "../../src/interchange/nir-graph.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { getTarget } from "../../targets/registry.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const n = (type: string, params: Record<string, NirArray | number[]> = {}): NirNode => ({ type, params: new Map(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? arrayOf(v) : v])), strings: new Map(), path: "" });
const DT = 1e-4;
const W = 2;

/** LI -> Linear(w 2) -> LIF, both with time constant tau; optionally LI -> Threshold(0.1). */
async function model(tau: number, threshold = false): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "engram-nir-chips-"));
  const nodes: Record<string, NirNode> = {
    input: n("Input", { shape: arrayOf([1], [1], "i64") }),
    fc: n("Affine", { weight: arrayOf([1], [1, 1]), bias: [0] }),
    li: n("LI", { tau: [tau], r: [1], v_leak: [0] }),
    to_lif: n("Linear", { weight: arrayOf([W], [1, 1]) }),
    lif: n("LIF", { tau: [tau], r: [1], v_leak: [0], v_threshold: [10], v_reset: [0] }),
    out_li: n("Output", { shape: arrayOf([1], [1], "i64") }),
  };
  const edges: [string, string][] = [["input", "fc"], ["fc", "li"], ["li", "to_lif"], ["to_lif", "lif"], ["li", "out_li"]];
  if (threshold) {
    nodes.to_th = n("Linear", { weight: arrayOf([1], [1, 1]) });
    nodes.th = n("Threshold", { threshold: [0.01] });
    nodes.out = n("Output", { shape: arrayOf([1], [1], "i64") });
    edges.push(["li", "to_th"], ["to_th", "th"], ["th", "out"]);
  }
  const g: NirGraph = { nodes: new Map(Object.entries(nodes)), edges, path: "node", metadata: new Map() };
  await writeNir(join(dir, "c.nir"), { version: "1.0.0", graph: g });
  const { model: file } = await importNir({ file: join(dir, "c.nir"), out: join(dir, "m"), dt: DT, duration: 0.02 });
  const net = parse(readFileSync(file, "utf8"));
  net.stimuli = [{ kind: "spikes", target: "input", times: ["1 ms", "2 ms"] }];
  net.recordings = [{ var: "li.v", as: "li", elements: "all", every: "0.1 ms" }, { var: "lif.v", as: "lif", elements: "all", every: "0.1 ms" }];
  writeFileSync(file, stringify(net));
  return file;
}

const traces = (h: { recorded: { tables: { columns: Float64Array[]; count: number }[] } }) => h.recorded.tables.map((t) => Array.from(t.columns[0]!.subarray(0, t.count)));

function runReference(file: string) {
  const program = compile(file, { target: "reference" });
  const h = getTarget("reference").execute!(program);
  h.run();
  return { program, h, tr: traces(h as never) };
}

function runChip(file: string, target: string) {
  const program = compile(file, { target });
  const fixed = compileFixed(program, getTarget(target).caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
  const h = new EmulatorHandle(fixed.ir, program.spikeRecording);
  h.run();
  return { fixed, h, tr: traces(h as never) };
}

/**
 * Bound on |lif_chip - lif_float64| for a LIF of decay a = exp(-dt / tau) per tick driven by w li:
 * - rounding: at most one LSB of lif.v per tick (the state and the product w li rounded), kept by
 *   the decay: LSB / (1 - a) (the sum of a^k);
 * - the LI's own error on the chip, measured, passed through the LIF's low pass (gain 1): w e_li;
 * - the sample-and-hold of a digital kernel of period K: the LIF reads w li sampled up to K ticks
 *   ago, an input error h_k = w max_{0<=j<=K} |li_k - li_{k-j}| of the float64 trace, low-passed:
 *   E_{k+1} = a E_k + (1 - a) h_k (zero when K = 1: the reference also reads the previous step's li).
 */
function bound(li: number[], liChip: number[], lsb: number, a: number, K: number): number {
  const eLi = Math.max(...li.map((v, k) => Math.abs(v - liChip[k]!)));
  let E = 0, Emax = 0;
  const hold = K > 1 ? K : 0;
  for (let k = 0; k < li.length; k++) {
    let h = 0;
    for (let j = 1; j <= hold && k - j >= 0; j++) h = Math.max(h, W * Math.abs(li[k]! - li[k - j]!));
    E = a * E + (1 - a) * h;
    Emax = Math.max(Emax, E);
  }
  return lsb / (1 - a) + W * eLi + Emax;
}

describe("NIR continuous signals on the chips", () => {
  it("tau 5 ms: the LIF fed by an LI tracks float64 on cmos (every tick) and on bss2 (sampled every K ticks)", async () => {
    const file = await model(0.005);
    const ref = runReference(file);
    const [li, lif] = ref.tr as [number[], number[]];
    const a = Math.exp(-DT / 0.005);
    expect(Math.max(...lif)).toBeGreaterThan(0.02); // float64 reaches 0.0296
    for (const target of ["cmos", "bss2"]) {
      const chip = runChip(file, target);
      const [liC, lifC] = chip.tr as [number[], number[]];
      expect(liC.length).toBe(li.length);
      const lsb = chip.fixed.quantised.find((q) => q.group === "lif" && q.name === "v")!.lsb;
      const K = chip.fixed.ir.kernels.find((k) => k.name === "to_lif.update")!.periodic!.period_ticks;
      const err = Math.max(...lif.map((v, k) => Math.abs(v - lifC[k]!)));
      const b = bound(li, liC, lsb, a, K);
      // measured: cmos K 1, error 9.6e-6; bss2 K 4 (its processor's cycle budget), error 1.6e-3
      expect(err, `${target}: max |lif error| ${err} against the derived bound ${b} (K ${K}, LSB ${lsb})`).toBeLessThanOrEqual(b);
      expect(b).toBeLessThan(0.2 * Math.max(...lif)); // the bound says something: a LIF stuck at 0 fails it
    }
  }, 120_000);

  it("tau 2 ms: cmos tracks float64; bss2 refuses (its period of 4 ticks would hold the LI's v for 0.2 of its time constant)", async () => {
    const file = await model(0.002);
    const ref = runReference(file);
    const [li, lif] = ref.tr as [number[], number[]];
    const cmos = runChip(file, "cmos");
    const lsb = cmos.fixed.quantised.find((q) => q.group === "lif" && q.name === "v")!.lsb;
    const err = Math.max(...lif.map((v, k) => Math.abs(v - cmos.tr[1]![k]!)));
    expect(err).toBeLessThanOrEqual(bound(li, cmos.tr[0]!, lsb, Math.exp(-DT / 0.002), 1));
    let thrown: unknown;
    try {
      runChip(file, "bss2");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(EngramError);
    const d = (thrown as EngramError).diagnostics.find((x) => x.code === "drc-period");
    expect(d?.message).toMatch(/to_lif's summed input lif\.I_c, sampled from the analog li\.v \(time constant 0\.00200 s\) allows at most 2 tick\(s\)/);
  }, 120_000);

  it("Threshold on an LI: cmos spikes in the float64 steps; bss2 refuses it (drc-period on th.g)", async () => {
    const file = await model(0.005, true);
    const ref = runReference(file);
    const th = ref.program.populations.findIndex((p) => p.name === "th");
    const offset = ref.program.populations.slice(0, th).reduce((s, p) => s + p.size, 0);
    const ticksOf = (sp: { ticks: ArrayLike<number>; neurons: ArrayLike<number>; count: number }, neuron: number) => Array.from(sp.ticks).slice(0, sp.count).filter((_, i) => sp.neurons[i] === neuron);
    const expected = ticksOf(ref.h.recorded.spikes, offset);
    expect(expected.length).toBeGreaterThan(10);
    const cmos = runChip(file, "cmos");
    expect(ticksOf(cmos.h.recorded.spikes, cmos.h.neuronOffset[cmos.fixed.ir.groups.findIndex((g) => g.name === "th")]!)).toEqual(expected);
    expect(() => runChip(file, "bss2")).toThrow(/th\.g \(fastest time constant 0\.00000156 s\) allows at most 1 tick/);
  }, 120_000);
});
