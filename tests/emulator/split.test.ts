/**
 * One emulator run on two threads (targets/emulator/split.ts): kernels whose elements are
 * independent run half on a worker; with counter-based draws (IR version 4) the outputs are
 * byte-identical to one thread, spikes in the same order, counters the same.
 */
import { afterAll, describe, expect, it } from "vitest";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { splittable } from "../../targets/emulator/split.ts";

const NEAREST = 2, STOCHASTIC = 3, SAT = 2, SELF = 1, POST = 3;
const q = (width: number, signed: boolean, frac: number, rounding = NEAREST): IrFixedFormat => ({ width, signed, frac, rounding, overflow: SAT });
type Op = IrProgram["kernels"][number]["ops"][number];
const op = (name: string, f: Partial<Op> = {}): Op => ({ dst: 0, src: [], imm: 0, state: 0, index: 0, table: [], ...f, op: OP_BY_NAME.get(name)!.code });

/** n neurons: x <- round_s(x / 2) + round_s(noise) where on, a spike where x > 0.5; the same kernel gated by `on`. */
function noisy(n: number, ticks: number): IrProgram {
  const r = STOCHASTIC, x = q(16, true, 8, r);
  const ops = [
    op("LOAD", { dst: 0, state: 1, index: SELF }),
    op("RAND_NORMAL", { dst: 1, src: [0] }),
    op("LOAD", { dst: 2, state: 0, index: SELF }),
    op("SHR", { dst: 3, src: [2], imm: 1 }),
    op("ADD", { dst: 4, src: [3, 1] }),
    op("STORE", { src: [4], state: 0, index: SELF }),
    op("CONST", { dst: 5, imm: 128 }),
    op("CMP_GT", { dst: 6, src: [4, 5] }),
    op("SPIKE", { src: [6] }),
  ];
  const registers = [{ format: q(16, false, 0) }, { format: q(16, true, 6, r) }, { format: q(16, true, 8) }, { format: q(16, true, 8, r) }, { format: q(16, true, 8, r) }, { format: q(16, true, 8) }, { format: q(1, false, 0) }];
  const p: IrProgram = {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 5, tick_seconds: 1e-3, duration_ticks: ticks, model_name: "split", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
    groups: [{ name: "n", kind: 1, size: n }],
    states: [
      { name: "n.x", group: 0, format: x, init: Array.from({ length: n }, (_, e) => (e * 37) % 200 - 100), unit: "1", unit_scale: 1 },
      { name: "n.on", group: 0, format: q(16, false, 0), init: Array.from({ length: n }, (_, e) => (e % 3 === 2 ? 0 : 1)), unit: "1", unit_scale: 1 },
      { name: "n.y", group: 0, format: x, init: [0], unit: "1", unit_scale: 1 },
    ],
    connectivity: [],
    kernels: [
      { name: "n.step", group: 0, unit: 1, cycles: 1, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, registers, ops },
      // gated by `on`: a list of about 2n/3 open elements; writes y
      { name: "n.gated", group: 0, unit: 1, cycles: 1, periodic: { period_ticks: 2, offset_ticks: 1, gated: true, gate_state: 1 }, registers, ops: ops.map((o) => (o.state === 0 && (o.op === 1 || o.op === 2) ? { ...o, state: 2 } : o)).filter((o) => o.op !== OP_BY_NAME.get("SPIKE")!.code) },
    ],
    stimuli: [],
    probes: [{ state: 0, elements: [0, 1, n >> 1, n - 1], every_ticks: 1, column: "x" }],
  };
  verify(p);
  return p;
}

const open: Emulator[] = [];
afterAll(async () => {
  for (const e of open) await e.close();
});
const emulator = (p: IrProgram, threads: number, mode: "generated" | "simd" = "generated", splitMin?: number) => {
  const e = new Emulator(p, mode, { threads, splitMin });
  open.push(e);
  return e;
};

describe("an emulator run on two threads", () => {
  it("splits dense and gated kernels and gives byte-identical states, probes, spikes and counters", () => {
    const p = noisy(3000, 30); // above SPLIT_MIN_ELEMENTS: both kernels split
    const one = emulator(p, 1), two = emulator(p, 2);
    one.run();
    two.run();
    expect(two.splitKernels()).toEqual([1, 1]);
    expect(Array.from(two.splitRuns)).toEqual([30, 15]);
    expect(Array.from(one.splitRuns)).toEqual([0, 0]);
    expect(two.spikes.ticks.length).toBeGreaterThan(1000);
    expect(two.spikes).toEqual(one.spikes); // the same spikes in the same order
    expect(two.state).toEqual(one.state);
    expect(two.probes).toEqual(one.probes);
    const s1 = one.snapshot(), s2 = two.snapshot();
    expect(s2.activity).toEqual(s1.activity);
    expect(s2.versions).toEqual(s1.versions);
    expect(two.stats.saturations).toBe(one.stats.saturations);
  });

  it("keeps a kernel that adds into other elements (STORE_ADD onto a neuron) on one thread", () => {
    const p = noisy(8, 2);
    const k = p.kernels[0]!;
    expect(splittable(k, p)).toBe(true);
    k.ops[5] = { ...k.ops[5]!, op: OP_BY_NAME.get("STORE_ADD")!.code, index: POST };
    expect(splittable(k, p)).toBe(false);
  });

  it("the cmos memory network (small): learning on two threads gives the same outputs", () => {
    const c = compile("models/stc/memory-network-small.yaml", { target: "cmos" });
    const { ir } = compileFixed(c, getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
    // the small network opens far fewer synapses than the default threshold: split runs of 64 and more
    const one = emulator(ir, 1, "simd"), two = emulator(ir, 2, "simd", 64);
    one.run();
    two.run();
    const split = ir.kernels.filter((_, i) => two.splitKernels()[i] === 1).map((k) => k.name);
    expect(split).toEqual(["exc.update", "exc.slow", "inh.update", "ee.on_pre[1]", "ee.on_post[2]", "ee.active"]);
    // runs of at least 64 elements were split: the dense excitatory kernels, the gated learning kernel and spike-triggered ones
    const runs = (name: string) => two.splitRuns[ir.kernels.findIndex((k) => k.name === name)]!;
    for (const name of ["exc.update", "ee.active", "ee.on_pre[1]"]) expect(runs(name)).toBeGreaterThan(0);
    expect(two.spikes).toEqual(one.spikes);
    expect(two.probes).toEqual(one.probes);
    expect(two.state).toEqual(one.state);
  }, 120_000);
});
