/**
 * Spike-triggered kernels on each path of the emulator's step (targets/emulator/emulator.ts):
 * the JS loop without gate opens, the JS loop that opens gates per synapse, and the SIMD runner,
 * when several presynaptic neurons fire in one tick, each with synapses listed out of order.
 * Since the default mode is "simd", tests that construct an Emulator without a mode no longer
 * reach the JS loops for kernels the SIMD generator takes: here each mode is named. Written from
 * the emulator's mutation survivors (docs/reliability.md). Also: simdFallbacks() sums the
 * runners' counts, and recentSpikeBacklog() follows the volleys.
 *
 * The program: 3 presynaptic neurons, 1 postsynaptic, 6 synapses with pre_index [2, 0, 1, 0, 2, 1].
 * Stimulus spikes: all three at tick 5, neurons 2 and 0 at tick 9. Kernels:
 *  - syn.on_pre (delay 1): w += 1 and opens gate g;
 *  - syn.active (every tick, gated by g): w += 2, closes g;
 *  - syn.count (delay 2, opens nothing): c += 1 (c 24 bits wide: JS in every mode).
 * Hand-derived: each delivery adds 3 to w and 1 to c; pre 0 and 2 fire twice, pre 1 once:
 * w = [6, 6, 3, 6, 6, 3], c = [2, 2, 1, 2, 2, 1].
 */
import { describe, expect, it } from "vitest";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { expectSameAsInterpreterIn } from "../helpers/same-as-interpreter.ts";

const op = (name: string) => OP_BY_NAME.get(name)!.code;
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
const q = (width: number): IrFixedFormat => ({ width, signed: true, frac: 0, rounding: 2, overflow: 2 });

/** w (state s) += imm, then gate state g <- set (if given). */
const addOps = (s: number, imm: number, g?: number, set?: number) => [
  { ...unused, op: op("LOAD"), dst: 0, state: s, index: 1 },
  { ...unused, op: op("CONST"), dst: 1, imm },
  { ...unused, op: op("ADD"), dst: 0, src: [0, 1] },
  { ...unused, op: op("STORE"), src: [0], state: s, index: 1 },
  ...(g === undefined ? [] : [{ ...unused, op: op("CONST"), dst: 2, imm: set! }, { ...unused, op: op("STORE"), src: [2], state: g, index: 1 }]),
];
const regs = [{ format: q(16) }, { format: q(16) }, { format: q(8) }];
// 24 bits: wider than the SIMD generator takes, so syn.count stays on its JS kernel in mode "simd"
const wide = [{ format: q(24) }, { format: q(24) }, { format: q(8) }];

const program: IrProgram = {
  header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 1, tick_seconds: 1e-3, duration_ticks: 20, model_name: "spike-paths", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
  groups: [
    { name: "pre", kind: 1, size: 3 },
    { name: "post", kind: 1, size: 1 },
    { name: "syn", kind: 2, size: 6 },
  ],
  states: [
    { name: "syn.w", group: 2, format: q(16), init: [0], unit: "1", unit_scale: 1 },
    { name: "syn.g", group: 2, format: q(8), init: [0], unit: "1", unit_scale: 1 },
    { name: "syn.c", group: 2, format: q(24), init: [0], unit: "1", unit_scale: 1 },
  ],
  connectivity: [{ synapses: 2, pre: 0, post: 1, pre_index: [2, 0, 1, 0, 2, 1], post_index: [0, 0, 0, 0, 0, 0], array: [], row: [], column: [], label: [] }],
  kernels: [
    { name: "syn.on_pre", group: 2, on_spike: { source: 0, delay_ticks: 1, post: false }, unit: 2, cycles: 0, registers: regs, ops: addOps(0, 1, 1, 1) },
    { name: "syn.active", group: 2, periodic: { period_ticks: 1, offset_ticks: 0, gated: true, gate_state: 1 }, unit: 2, cycles: 0, registers: regs, ops: addOps(0, 2, 1, 0) },
    { name: "syn.count", group: 2, on_spike: { source: 0, delay_ticks: 2, post: false }, unit: 2, cycles: 0, registers: wide, ops: addOps(2, 1) },
  ],
  stimuli: [{ group: 0, spikes: { ticks: [5, 5, 5, 9, 9], neurons: [0, 1, 2, 2, 0] } }],
  probes: [{ state: 0, elements: [0, 1, 2, 3, 4, 5], every_ticks: 1, column: "w" }],
};

describe("spike-triggered kernels: several neurons in one tick, on every path", () => {
  it("the interpreter gives the hand-derived w and c", () => {
    verify(program);
    const ref = interpret(program);
    expect(ref.state[0]!.map(Number)).toEqual([6, 6, 3, 6, 6, 3]);
    expect(ref.state[2]!.map(Number)).toEqual([2, 2, 1, 2, 2, 1]);
    expect(ref.state[1]!.map(Number)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  for (const mode of ["generated", "closures", "simd"] as const) {
    it(`${mode}: every sample and the final state as the interpreter`, () => {
      const emu = expectSameAsInterpreterIn(program, 20, mode);
      expect(Array.from(emu.state[0]!)).toEqual([6, 6, 3, 6, 6, 3]);
      expect(Array.from(emu.state[2]!)).toEqual([2, 2, 1, 2, 2, 1]);
      // 5 deliveries of 2 synapses each, for each of the two spike kernels, plus syn.active's runs
      expect(emu.stats.eventSynapseUpdates).toBe(20);
    });
  }

  it("recentSpikeBacklog: the tick-5 volley is kept until its last delivery (tick 5 + the largest delay 2) is past", () => {
    // recentSpikes[pre] = [5] from tick 5 through tick 7 (deliveries at 6 and 7); dropped at 8
    for (const [ticks, backlog] of [[5, 0], [6, 1], [8, 1], [9, 0]] as const) {
      const emu = new Emulator(program, "generated");
      emu.run(ticks);
      expect(emu.recentSpikeBacklog(), `after ${ticks} ticks`).toBe(backlog);
    }
  });

  it("simdFallbacks() is the sum of the SIMD runners' fallbacks; JS kernels count 0", () => {
    const emu = new Emulator(program, "simd");
    const paths = emu.kernelPaths();
    expect(paths).toContain("simd");
    expect(paths).toContain("js");
    expect(emu.simdFallbacks()).toBe(0);
    const runners = (emu as unknown as { simd: ({ fallbacks: number } | null)[] }).simd;
    runners.forEach((r, i) => r && (r.fallbacks = 2 + i));
    const expected = runners.reduce((n, r, i) => n + (r ? 2 + i : 0), 0);
    expect(expected).toBeGreaterThan(0);
    expect(emu.simdFallbacks()).toBe(expected);
  });
});
