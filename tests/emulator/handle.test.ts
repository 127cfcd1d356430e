/**
 * EmulatorHandle (targets/emulator/handle.ts): what `engram run --target bss2|cmos` writes. Recorded
 * values in display units, probe columns named by element, spikes numbered across neuron groups
 * only, the spike-group filter, runTo's bounds. Every expected value is derived by hand from the
 * program below.
 */
import { describe, expect, it } from "vitest";
import type { IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

const op = (name: string) => OP_BY_NAME.get(name)!.code;
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
const q = (width: number, frac: number) => ({ width, signed: true, frac, rounding: 2, overflow: 2 });

/**
 * The hand-built sample (groups pre: 1 neuron, post, syn) with post widened to 3 neurons, and a
 * neuron group "extra" of 2 after the synapse group. post: every 25 ticks from tick 5, V <- the
 * tick (sQ7.8: raw = tick x 256) and every neuron spikes; extra: spikes at ticks 7 and 57.
 */
/** A kernel in which every element of `group` spikes every `period` ticks from `offset`. */
function firing(name: string, group: number, period: number, offset: number) {
  return {
    name,
    group,
    periodic: { period_ticks: period, offset_ticks: offset, gated: false, gate_state: 0 },
    unit: 1,
    cycles: 0,
    registers: [{ format: q(8, 0) }],
    ops: [
      { ...unused, op: op("CONST"), dst: 0, imm: 1 },
      { ...unused, op: op("SPIKE"), src: [0] },
    ],
  };
}

function program(): IrProgram {
  const p = sampleProgram();
  p.groups[1]!.size = 3;
  p.groups.push({ name: "extra", kind: 1, size: 2 });
  p.stimuli.pop(); // the currents drive post.I_stim only (not under test here)
  p.stimuli.pop();
  p.states.pop();
  p.probes = [
    { state: 0, elements: [0], every_ticks: 25, column: "w" },
    { state: 1, elements: [2, 0], every_ticks: 50, column: "V" },
    { state: 1, elements: [1], every_ticks: 100, column: "V1" },
  ];
  p.kernels.push(
    {
      name: "post.tick",
      group: 1,
      periodic: { period_ticks: 25, offset_ticks: 5, gated: false, gate_state: 0 },
      unit: 1,
      cycles: 0,
      registers: [{ format: q(16, 8) }, { format: q(8, 0) }],
      ops: [
        { ...unused, op: op("NOW"), dst: 0 },
        { ...unused, op: op("STORE"), src: [0], state: 1, index: 1 },
        { ...unused, op: op("CONST"), dst: 1, imm: 1 },
        { ...unused, op: op("SPIKE"), src: [1] },
      ],
    },
    // a synapse group may emit SPIKE too (tick 3); its spikes are not neurons' and never reported
    firing("syn.fire", 2, 1000, 3),
    firing("extra.fire", 3, 50, 7),
  );
  return p;
}

describe("EmulatorHandle", () => {
  it("recorded tables: display units (raw x 2^-frac / unit_scale), columns named by element in probe order", () => {
    const h = new EmulatorHandle(program());
    h.run();
    const [w, v, v1] = h.recorded.tables;
    // a probe sharing its state with another keeps its own elements
    expect(v1!.names).toEqual(["V1"]);
    expect(Array.from(v1!.columns[0]!)).toEqual([0, 80_000]);
    expect(v!.names).toEqual(["V[2]", "V[0]"]);
    expect(Array.from(v!.ticks)).toEqual([0, 50, 100]);
    expect(v!.count).toBe(3);
    // V (mV, unit_scale 1e-3) is the tick of post.tick's last run: none yet, 30, 80 (in volts) -> mV
    expect(Array.from(v!.columns[0]!)).toEqual([0, 30_000, 80_000]);
    expect(Array.from(v!.columns[1]!)).toEqual([0, 30_000, 80_000]);
    // a one-element probe keeps its column name
    expect(w!.names).toEqual(["w"]);
    expect(Array.from(w!.ticks)).toEqual([0, 25, 50, 75, 100]);
    // w starts at raw 4096 in sQ3.12 = 1 mV-unit (1 x 2^-12 x 4096 / 1e-3 = 1000)
    expect(w!.columns[0]![0]).toBe(1000);
    // values(): SI, no display scale; unknown names are undefined
    expect(Array.from(h.values("post.V")!)).toEqual([80, 80, 80]);
    expect(h.values("post.nothing")).toBeUndefined();
    // the first state too (index 0): w = 1.0 + the trace's increments, in SI
    expect(h.values("syn.w")![0]).toBe(h.emulator.state[0]![0]! / 4096);
  });

  it("spikes are numbered across neuron groups only (pre 0, post 1-3, extra 4-5), and the group filter keeps the named ones", () => {
    const all = new EmulatorHandle(program());
    all.run();
    expect(all.neuronOffset).toEqual([0, 1, 4, 4]);
    const only = new EmulatorHandle(program(), ["post", "extra"]);
    only.run();
    const s = only.recorded.spikes;
    // per tick: post's kernel (3 neurons) at 5, 30, 55, 80; extra's at 7, 57
    expect(Array.from(s.ticks)).toEqual([5, 5, 5, 7, 7, 30, 30, 30, 55, 55, 55, 57, 57, 80, 80, 80]);
    expect(Array.from(s.neurons)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 1, 2, 3, 4, 5, 1, 2, 3]);
    expect(s.count).toBe(16);
    // unfiltered: the presynaptic neuron's stimulus spikes (10, 20, 30 and the Poisson ones) too, as neuron 0
    const t = all.recorded.spikes;
    const pre = Array.from(t.neurons).flatMap((n, i) => (n === 0 ? [t.ticks[i]!] : []));
    expect(pre.slice(0, 3)).toEqual([10, 20, 30]);
    expect(t.count).toBe(16 + pre.length);
    // the synapse group's spikes are never reported (none here, and the filter drops unknown groups)
    expect(new EmulatorHandle(program(), ["syn"]).recorded.spikes.count).toBe(0);
  });

  it("runTo stops at the tick asked, never before the current one or past the end; the stats add up", () => {
    const h = new EmulatorHandle(program());
    h.runTo(40);
    expect(h.emulator.tick).toBe(40);
    h.runTo(30); // behind: nothing runs
    expect(h.emulator.tick).toBe(40);
    expect(h.stats.denseSteps + h.emulator.stats.jumpedTicks).toBe(40);
    h.runTo(1e9);
    expect(h.emulator.tick).toBe(100);
    // every tick either stepped or jumped
    expect(h.stats.denseSteps + h.emulator.stats.jumpedTicks).toBe(100);
    expect(h.stats.denseSteps).toBe(h.emulator.stats.ticks);
    expect(h.stats.wallSeconds).toBeGreaterThan(0);
    const whole = new EmulatorHandle(program());
    // the float executor's shape: the emulator has no quiet steps (it jumps, emulator.stats.jumpedTicks)
    expect(whole.stats).toEqual({ denseSteps: 0, quietSteps: 0, quietTicks: 0, wallSeconds: 0 });
    whole.run();
    expect(whole.stats.quietSteps + whole.stats.quietTicks).toBe(0);
    expect(whole.stats.denseSteps + whole.emulator.stats.jumpedTicks).toBe(100);
    expect(whole.stats.wallSeconds).toBeGreaterThan(0);
  });
});
