/**
 * What Emulator.run accounts besides the state (targets/emulator/emulator.ts, run and
 * applyCurrents), on programs small enough to derive every figure by hand: the digital work and
 * the backlog drained over jumped stretches, the progress calls every 50 000 ticks, the wall time,
 * and a current input that is already zero not being reset (and its readers skipped) again.
 * Written from the emulator's mutation survivors (docs/reliability.md).
 */
import { describe, expect, it } from "vitest";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { accumulate } from "../helpers/tiny-ir.ts";

const op = (name: string) => OP_BY_NAME.get(name)!.code;
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
const q = (width: number): IrFixedFormat => ({ width, signed: true, frac: 0, rounding: 2, overflow: 2 });
const header = (ticks: number, clock = 0) => ({ ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 1, tick_seconds: 0.0002, duration_ticks: ticks, model_name: "accounting", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: clock, rounding_bits: 0 });
const keep = (state: number) => [
  { ...unused, op: op("LOAD"), dst: 0, state, index: 1 },
  { ...unused, op: op("STORE"), src: [0], state, index: 1 },
];
const stampNow = (state: number) => [
  { ...unused, op: op("NOW"), dst: 0 },
  { ...unused, op: op("STORE"), src: [0], state, index: 1 },
];

describe("run: digital work and backlog over jumped stretches", () => {
  // 1 MHz, 0.2 ms ticks: 200 cycles a tick. post.keep: every 5 ticks, 100 cycles, a no-op (so
  // skipped after tick 0, and its work charged in jumps at utilisation 100 / (5 x 200) = 0.1).
  // syn.on_pre: 2 ticks after a spike of pre 0 (stimulus at ticks 10 and 12), 2000 cycles.
  const p: IrProgram = {
    header: header(20, 1e6),
    groups: [{ name: "pre", kind: 1, size: 1 }, { name: "post", kind: 1, size: 1 }, { name: "syn", kind: 2, size: 1 }],
    states: [
      { name: "syn.w", group: 2, format: q(16), init: [0], unit: "1", unit_scale: 1 },
      { name: "post.V", group: 1, format: q(16), init: [0], unit: "1", unit_scale: 1 },
    ],
    connectivity: [{ synapses: 2, pre: 0, post: 1, pre_index: [0], post_index: [0], array: [], row: [], column: [], label: [] }],
    kernels: [
      { name: "post.keep", group: 1, periodic: { period_ticks: 5, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 100, registers: [{ format: q(16) }], ops: keep(1) },
      {
        name: "syn.on_pre", group: 2, on_spike: { source: 0, delay_ticks: 2, post: false }, unit: 1, cycles: 2000,
        registers: [{ format: q(16) }, { format: q(16) }],
        ops: [
          { ...unused, op: op("LOAD"), dst: 0, state: 0, index: 1 },
          { ...unused, op: op("CONST"), dst: 1, imm: 1 },
          { ...unused, op: op("ADD"), dst: 0, src: [0, 1] },
          { ...unused, op: op("STORE"), src: [0], state: 0, index: 1 },
        ],
      },
    ],
    stimuli: [{ group: 0, spikes: { ticks: [10, 12], neurons: [0, 0] } }],
    probes: [],
  };

  it("stepped 0, 10, 12, 14; jumped 16 ticks; cycles, largest backlog and overruns as derived", () => {
    verify(p);
    expect(interpret(p).state[0]!.map(Number)).toEqual([2]);
    for (const mode of ["generated", "closures", "simd"] as const) {
      const e = new Emulator(p, mode);
      e.run();
      expect(Array.from(e.state[0]!)).toEqual([2]);
      // tick 0 runs post.keep (a no-op); 1-9 jumped (next: the stimulus at 10); 11 and 13 jumped
      // (next: the spike deliveries at 12 and 14); 15-19 jumped
      expect(e.stats.ticks).toBe(4);
      expect(e.stats.jumpedTicks).toBe(16);
      // post.keep at ticks 0 and 10 (run, then skipped but charged): 200; jumped: 16 x 0.1 x 200
      // = 320; syn.on_pre at 12 and 14: 4000
      expect(e.stats.digitalCycles).toBeCloseTo(4520, 9);
      // backlog: 2000 at tick 12, 1800 after it, 1600 after the jumped tick 13, 3600 at tick 14
      expect(e.stats.maxBacklogCycles).toBe(3600);
      // a spike kernel's deadline is 1 tick (200 cycles): both runs are late
      expect(e.stats.overruns).toBe(2);
    }
  });
});

describe("run: progress and wall time", () => {
  // one kernel that stores the tick every tick (reads NOW: never skipped), 100 001 ticks
  const p: IrProgram = {
    header: header(100_001),
    groups: [{ name: "n", kind: 1, size: 1 }],
    states: [{ name: "n.t", group: 0, format: q(24), init: [0], unit: "1", unit_scale: 1 }],
    connectivity: [],
    kernels: [{ name: "n.stamp", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 2, cycles: 0, registers: [{ format: q(24) }], ops: stampNow(0) }],
    stimuli: [],
    probes: [],
  };

  it("progress is called after the first tick, at tick 50 001 and at the end, with the fraction done", () => {
    verify(p);
    const calls: number[] = [];
    const e = new Emulator(p, "generated");
    e.run(undefined, (f) => calls.push(f));
    expect(e.stats.ticks).toBe(100_001);
    expect(calls).toEqual([1 / 100_001, 50_001 / 100_001, 1]);
  });

  it("wallSeconds is the run's time in seconds: within the time measured around it", () => {
    const e = new Emulator(p, "generated");
    const t0 = performance.now();
    e.run(30_000);
    const outer = (performance.now() - t0) / 1000;
    expect(e.stats.wallSeconds).toBeGreaterThan(0);
    expect(e.stats.wallSeconds).toBeLessThanOrEqual(outer);
  });
});

describe("applyCurrents: an input already zero is not reset again", () => {
  // n.acc: x += I, a no-op while I = 0 (then skipped); n.stamp stores the tick every tick, so
  // every tick is stepped. A constant current +3 into I at ticks 2-3.
  const p: IrProgram = {
    header: header(10),
    groups: [{ name: "n", kind: 1, size: 1 }],
    states: [
      { name: "n.I", group: 0, format: q(8), init: [0], unit: "1", unit_scale: 1 },
      { name: "n.x", group: 0, format: q(16), init: [0], unit: "1", unit_scale: 1 },
      { name: "n.t", group: 0, format: q(16), init: [0], unit: "1", unit_scale: 1 },
    ],
    connectivity: [],
    kernels: [
      accumulate("n.acc", 0, 8, 1, 16, 2),
      { name: "n.stamp", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 2, cycles: 0, registers: [{ format: q(16) }], ops: stampNow(2) },
    ],
    stimuli: [{ group: 0, current: { neurons: [0], input_state: 0, start_tick: 2, stop_tick: 4, mean_raw: 3, decay_q32: 0, kick_raw: 0, ou_state: 0 } }],
    probes: [],
  };

  it("n.acc runs at ticks 0, 2, 3, 4 and is skipped at 1 and 5-9; x = 6 as the interpreter", () => {
    verify(p);
    expect(interpret(p).state[1]!.map(Number)).toEqual([6]);
    for (const mode of ["generated", "closures"] as const) {
      const e = new Emulator(p, mode);
      e.run();
      expect(Array.from(e.state[1]!)).toEqual([6]);
      expect(e.stats.ticks).toBe(10);
      expect(e.stats.kernelSkips).toBe(6);
      expect(e.stats.kernelRuns).toBe(4 + 10);
    }
  });
});

describe("nextEvent: a kernel's first run at its offset", () => {
  // n.stamp stores the tick (reads NOW: never skipped) every 3 ticks from tick 5; 12 ticks.
  const p: IrProgram = {
    header: header(12),
    groups: [{ name: "n", kind: 1, size: 1 }],
    states: [{ name: "n.t", group: 0, format: q(16), init: [0], unit: "1", unit_scale: 1 }],
    connectivity: [],
    kernels: [{ name: "n.stamp", group: 0, periodic: { period_ticks: 3, offset_ticks: 5, gated: false, gate_state: 0 }, unit: 2, cycles: 0, registers: [{ format: q(16) }], ops: stampNow(0) }],
    stimuli: [],
    probes: [{ state: 0, elements: [0], every_ticks: 1, column: "t" }],
  };

  it("only ticks 5, 8 and 11 are stepped; 0-4 and the gaps are jumped (samples as the interpreter)", () => {
    verify(p);
    const ref = interpret(p);
    const e = new Emulator(p, "generated");
    e.run();
    expect(e.probes[0]!.data).toEqual(ref.probes[0]!.values.map((v) => Number(v[0])));
    expect(Array.from(e.state[0]!)).toEqual([11]);
    expect(e.stats.ticks).toBe(3);
    expect(e.stats.jumpedTicks).toBe(9);
  });
});
