/**
 * The emulator's statistics on a program small enough to derive every figure by hand: which ticks
 * are stepped and which jumped, kernel runs and skips, synapse updates, and the cycle budget
 * (backlog, overruns) of periodic and spike-triggered kernels.
 *
 * The program: 2 presynaptic neurons, 1 postsynaptic, 3 synapses (pre 0 -> syn 0, pre 1 -> syn 1
 * and 2). Stimulus spikes: pre 1 at tick 10, pre 0 at tick 30. Kernels:
 *  - post.idle: every 5 ticks from 0, V <- V (a no-op after its first run), digital, `idle` cycles;
 *  - syn.on_pre: on a presynaptic spike after 2 ticks, w += 1, digital, `event` cycles.
 * At 1 MHz and 0.2 ms ticks a tick has 200 cycles. 50 ticks.
 */
import { describe, expect, it } from "vitest";
import { IR_VERSION, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { interpret } from "../../src/ir/reference.ts";

const op = (name: string) => OP_BY_NAME.get(name)!.code;
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
const q = (width: number, frac: number) => ({ width, signed: true, frac, rounding: 2, overflow: 2 });

function program(o: { idle?: number; event?: number; eventUnit?: number; clock?: number; idlePeriod?: number; gated?: boolean; synPeriodic?: boolean; chained?: boolean; opener?: boolean } = {}): IrProgram {
  const p: IrProgram = {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 1, tick_seconds: 0.0002, duration_ticks: 50, model_name: "stats", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: o.clock ?? 1e6, rounding_bits: 0 },
    groups: [
      { name: "pre", kind: 1, size: 2 },
      { name: "post", kind: 1, size: 1 },
      { name: "syn", kind: 2, size: 3 },
    ],
    states: [
      { name: "syn.w", group: 2, format: q(16, 12), init: [0], unit: "1", unit_scale: 1 },
      { name: "post.V", group: 1, format: q(16, 8), init: [0], unit: "1", unit_scale: 1 },
    ],
    connectivity: [{ synapses: 2, pre: 0, post: 1, pre_index: [0, 1, 1], post_index: [0, 0, 0], array: [], row: [], column: [], label: [] }],
    kernels: [
      {
        name: "post.idle",
        group: 1,
        periodic: { period_ticks: o.idlePeriod ?? 5, offset_ticks: 0, gated: false, gate_state: 0 },
        unit: 1,
        cycles: o.idle ?? 50,
        registers: [{ format: q(16, 8) }],
        ops: [
          { ...unused, op: op("LOAD"), dst: 0, state: 1, index: 1 },
          { ...unused, op: op("STORE"), src: [0], state: 1, index: 1 },
        ],
      },
      {
        name: "syn.on_pre",
        group: 2,
        on_spike: { source: 0, delay_ticks: 2, post: false },
        unit: o.eventUnit ?? 1,
        cycles: o.event ?? 30,
        registers: [{ format: q(16, 12) }, { format: q(16, 12) }],
        ops: [
          { ...unused, op: op("LOAD"), dst: 0, state: 0, index: 1 },
          { ...unused, op: op("CONST"), dst: 1, imm: 4096 },
          { ...unused, op: op("ADD"), dst: 0, src: [0, 1] },
          { ...unused, op: op("STORE"), src: [0], state: 0, index: 1 },
        ],
      },
    ],
    stimuli: [{ group: 0, spikes: { ticks: [10, 30], neurons: [1, 0] } }],
    probes: [],
  };
  if (o.gated) {
    // syn.g opens (1) at each synapse syn.on_pre updates; syn.active runs over the open synapses
    // (every tick, gated by syn.g), adds 1 to w and closes the gate: one run per delivery
    p.states.push({ name: "syn.g", group: 2, format: q(8, 0), init: [0], unit: "1", unit_scale: 1 });
    const onPre = p.kernels[1]!;
    onPre.registers.push({ format: q(8, 0) });
    onPre.ops.push({ ...unused, op: op("CONST"), dst: 2, imm: 1 }, { ...unused, op: op("STORE"), src: [2], state: 2, index: 1 });
    p.kernels.push({
      name: "syn.active",
      group: 2,
      periodic: { period_ticks: 1, offset_ticks: 0, gated: true, gate_state: 2 },
      unit: 1,
      cycles: 100,
      registers: [{ format: q(16, 12) }, { format: q(16, 12) }, { format: q(8, 0) }],
      ops: [
        { ...unused, op: op("LOAD"), dst: 0, state: 0, index: 1 },
        { ...unused, op: op("CONST"), dst: 1, imm: 4096 },
        { ...unused, op: op("ADD"), dst: 0, src: [0, 1] },
        { ...unused, op: op("STORE"), src: [0], state: 0, index: 1 },
        { ...unused, op: op("CONST"), dst: 2, imm: 0 },
        { ...unused, op: op("STORE"), src: [2], state: 2, index: 1 },
      ],
    });
  }
  if (o.opener) {
    // syn.opener, ungated, at tick 20 only: opens syn.g for every synapse; syn.active runs over all at 21
    p.kernels.push({ name: "syn.opener", group: 2, periodic: { period_ticks: 100, offset_ticks: 20, gated: false, gate_state: 0 }, unit: 2, cycles: 0, registers: [{ format: q(8, 0) }], ops: [{ ...unused, op: op("CONST"), dst: 0, imm: 1 }, { ...unused, op: op("STORE"), src: [0], state: 2, index: 1 }] });
  }
  if (o.chained) {
    // syn.active also opens a second gate, syn.g2, for the synapses it ran over; syn.second runs
    // over those (later in the same tick), adds 1 to w and closes syn.g2
    p.states.push({ name: "syn.g2", group: 2, format: q(8, 0), init: [0], unit: "1", unit_scale: 1 });
    const g2 = p.states.length - 1;
    const active = p.kernels[2]!;
    active.ops.push({ ...unused, op: op("CONST"), dst: 2, imm: 1 }, { ...unused, op: op("STORE"), src: [2], state: g2, index: 1 });
    p.kernels.push({ ...active, name: "syn.second", periodic: { period_ticks: 1, offset_ticks: 0, gated: true, gate_state: g2 }, ops: [...active.ops.slice(0, 4), { ...unused, op: op("CONST"), dst: 2, imm: 0 }, { ...unused, op: op("STORE"), src: [2], state: g2, index: 1 }] });
  }
  if (o.synPeriodic) {
    // syn.stamp: every 10 ticks from 0, syn.t <- the tick (changes every run: never skipped)
    p.states.push({ name: "syn.t", group: 2, format: q(16, 0), init: [0], unit: "1", unit_scale: 1 });
    p.kernels.push({
      name: "syn.stamp",
      group: 2,
      periodic: { period_ticks: 10, offset_ticks: 0, gated: false, gate_state: 0 },
      unit: 2,
      cycles: 0,
      registers: [{ format: q(16, 0) }],
      ops: [
        { ...unused, op: op("NOW"), dst: 0 },
        { ...unused, op: op("STORE"), src: [0], state: p.states.length - 1, index: 1 },
      ],
    });
  }
  verify(p);
  return p;
}

function run(p: IrProgram): Emulator {
  const e = new Emulator(p);
  e.run();
  return e;
}

describe("emulator statistics, hand-derived", () => {
  it("steps only the ticks where something happens, jumps the rest, skips idle repeats", () => {
    const e = run(program());
    // each synapse got +1.0 (raw 4096 in sQ3.12): syn 1 and 2 at tick 12, syn 0 at tick 32
    expect(Array.from(e.state[0]!)).toEqual([4096, 4096, 4096]);
    // stepped: 0 (post.idle's first run), 10 and 30 (stimulus), 12 and 32 (deliveries)
    expect(e.stats.ticks).toBe(5);
    expect(e.stats.jumpedTicks).toBe(45);
    // post.idle ran once; of its due runs at 5, 10, ..., 45 the stepped ones (10, 30) were skipped
    expect(e.stats.kernelRuns).toBe(1);
    expect(e.stats.kernelSkips).toBe(2);
    // 2 synapses of pre 1, then 1 of pre 0
    expect(e.stats.synapseUpdates).toBe(3);
    expect(e.stats.overruns).toBe(0);
    // the largest backlog: post.idle's 50 cycles (at 0, 10, 30; drained in the tick)
    expect(e.stats.maxBacklogCycles).toBe(50);
  });

  it("a spike-triggered kernel's deadline is the fastest digital period (5 ticks = 1000 cycles): 1000 fit, 1001 do not", () => {
    const fits = run(program({ event: 1000 }));
    expect(fits.stats.overruns).toBe(0);
    expect(fits.stats.maxBacklogCycles).toBe(1000);
    const late = run(program({ event: 1001 }));
    // late at tick 12 and at tick 32 (the backlog drains in the 17 quiet ticks between)
    expect(late.stats.overruns).toBe(2);
    expect(late.stats.maxBacklogCycles).toBe(1001);
  });

  it("analog kernels cost no digital cycles", () => {
    const e = run(program({ event: 100_000, eventUnit: 2 }));
    expect(e.stats.overruns).toBe(0);
    expect(e.stats.maxBacklogCycles).toBe(50);
  });

  it("periodic work within the budget (utilisation 1) lets quiet ticks be jumped; above it, every tick is stepped", () => {
    // 1000 cycles every 5 ticks of 200 cycles: utilisation exactly 1
    const full = run(program({ idle: 1000 }));
    expect(full.stats.ticks).toBe(5);
    expect(full.stats.overruns).toBe(0);
    // 1001 cycles: utilisation > 1, no tick is jumped, every due run is charged (and late)
    const over = run(program({ idle: 1001 }));
    expect(over.stats.ticks).toBe(50);
    expect(over.stats.jumpedTicks).toBe(0);
    expect(over.stats.kernelRuns).toBe(1);
    expect(over.stats.kernelSkips).toBe(9);
    expect(over.stats.overruns).toBe(10);
    // identical results either way
    expect(Array.from(over.state[0]!)).toEqual(Array.from(full.state[0]!));
  });

  it("a gated kernel runs over its open elements only and is charged their share of its cycles", () => {
    const e = run(program({ gated: true }));
    // each synapse: +1 from syn.on_pre, +1 from syn.active in the same tick
    expect(Array.from(e.state[0]!)).toEqual([8192, 8192, 8192]);
    expect(Array.from(e.state[2]!)).toEqual([0, 0, 0]);
    expect(e.stats.ticks).toBe(5);
    // post.idle once; syn.active at 12 (syn 1, 2) and 32 (syn 0)
    expect(e.stats.kernelRuns).toBe(3);
    expect(e.stats.synapseUpdates).toBe(3 + 3);
    // tick 12: syn.on_pre's 30 cycles, then syn.active over 2 of 3 synapses: ceil(100 x 2/3) = 67
    expect(e.stats.maxBacklogCycles).toBe(30 + 67);
  });

  it("a periodic synapse kernel counts one update per synapse per run", () => {
    const e = run(program({ synPeriodic: true }));
    // syn.stamp's first run (tick 0) writes 0 over 0, a no-op; it must still run at 10, ..., 40
    // (it reads the tick), as in the interpreter
    expect(Array.from(e.state[2]!)).toEqual([40, 40, 40]);
    expect(e.state.map((a) => Array.from(a))).toEqual(interpret(program({ synPeriodic: true })).state.map((a) => a.map(Number)));
    // stepped: 0, 10, 20, 30, 40 (syn.stamp due and never idle), 12, 32 (deliveries)
    expect(e.stats.ticks).toBe(7);
    expect(e.stats.kernelRuns).toBe(1 + 5);
    expect(e.stats.synapseUpdates).toBe(3 + 5 * 3);
  });

  it("progress is reported after the first stepped tick and then every 50,000 ticks", () => {
    const calls: number[] = [];
    new Emulator(program({ idle: 1001 })).run(undefined, (f) => calls.push(f));
    expect(calls).toEqual([1 / 50]);
  });

  it("a gated kernel that opens another gate: the second kernel runs over those elements in the same tick", () => {
    const p = program({ gated: true, chained: true });
    const e = run(p);
    expect(Array.from(e.state[0]!)).toEqual([3 * 4096, 3 * 4096, 3 * 4096]);
    expect(e.state.map((a) => Array.from(a))).toEqual(interpret(p).state.map((a) => a.map(Number)));
    expect(e.stats.kernelRuns).toBe(1 + 2 + 2);
  });

  it("gate states written by an ungated kernel open the gated kernel's elements", () => {
    const p = program({ gated: true, opener: true });
    const e = run(p);
    expect(Array.from(e.state[0]!)).toEqual([3 * 4096, 3 * 4096, 3 * 4096]);
    expect(e.state.map((a) => Array.from(a))).toEqual(interpret(p).state.map((a) => a.map(Number)));
  });

  it("a digital kernel of 0 cycles is never late, however long the backlog", () => {
    // post.idle: 5000 cycles every 5 ticks (1000 available): each of its 10 runs is late; syn.on_pre costs nothing
    const e = run(program({ idle: 5000, event: 0 }));
    expect(e.stats.overruns).toBe(10);
  });

  it("no clock: no cycle budget, never an overrun", () => {
    const e = run(program({ clock: 0, idle: 1e9, event: 1e9 }));
    expect(e.stats.overruns).toBe(0);
    expect(e.stats.ticks).toBe(5);
  });
});
