/** A small hand-built valid IR program: two neurons, one plastic synapse, every section used. */
import type { IrProgram } from "../../src/ir/codec.ts";

const q = (width: number, signed: boolean, frac: number, rounding = 2, overflow = 2) => ({ width, signed, frac, rounding, overflow });

export function sampleProgram(): IrProgram {
  return {
    header: { ir_version: 1, engram_version: "test", target: "cmos", seed: 7, tick_seconds: 0.0002, duration_ticks: 100, model_name: "sample", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 1e6 },
    groups: [
      { name: "pre", kind: 1, size: 1 },
      { name: "post", kind: 1, size: 1 },
      { name: "syn", kind: 2, size: 1 },
    ],
    states: [
      { name: "syn.w", group: 2, format: q(16, true, 12), init: [4096], unit: "mV", unit_scale: 1e-3 }, // w = 1.0
      { name: "post.V", group: 1, format: q(16, true, 8), init: [0], unit: "mV", unit_scale: 1e-3 },
      { name: "syn.c", group: 2, format: q(8, false, 6, 3), init: [0], unit: "1", unit_scale: 1 }, // a trace, stochastic rounding
    ],
    connectivity: [{ synapses: 2, pre: 0, post: 1, pre_index: [0], post_index: [0], array: [0], row: [3], column: [0], label: [5] }],
    kernels: [
      {
        name: "syn.update",
        group: 2,
        periodic: { period_ticks: 1, offset_ticks: 0 },
        unit: 1,
        cycles: 120,
        registers: [{ format: q(8, false, 6, 3) }, { format: q(16, true, 15, 1) }, { format: q(8, false, 6, 3) }, { format: q(16, true, 8) }, { format: q(16, true, 12) }, { format: q(16, true, 12) }],
        ops: [
          { op: 1, dst: 0, src: [], imm: 0, state: 2, index: 1 }, // r0 = c
          { op: 4, dst: 1, src: [], imm: 31130, state: 0, index: 0 }, // r1 = 0.95
          { op: 7, dst: 2, src: [0, 1], imm: 0, state: 0, index: 0 }, // r2 = c * 0.95 (decay)
          { op: 2, dst: 0, src: [2], imm: 0, state: 2, index: 1 }, // c = r2
          { op: 1, dst: 3, src: [], imm: 0, state: 1, index: 3 }, // r3 = V of the postsynaptic neuron
          { op: 1, dst: 4, src: [], imm: 0, state: 0, index: 1 }, // r4 = w
          { op: 5, dst: 5, src: [4, 2], imm: 0, state: 0, index: 0 }, // r5 = w + c
          { op: 2, dst: 0, src: [5], imm: 0, state: 0, index: 1 }, // w = r5
        ],
      },
      {
        name: "syn.on_pre",
        group: 2,
        on_spike: { source: 0, delay_ticks: 3, post: false },
        unit: 2,
        cycles: 0,
        registers: [{ format: q(8, false, 6, 3) }, { format: q(8, false, 6) }, { format: q(8, false, 6, 3) }],
        ops: [
          { op: 1, dst: 0, src: [], imm: 0, state: 2, index: 1 }, // r0 = c
          { op: 4, dst: 1, src: [], imm: 32, state: 0, index: 0 }, // r1 = 0.5
          { op: 5, dst: 2, src: [0, 1], imm: 0, state: 0, index: 0 }, // r2 = c + 0.5
          { op: 2, dst: 0, src: [2], imm: 0, state: 2, index: 1 }, // c = r2
        ],
      },
    ],
    stimuli: [
      { group: 0, spikes: { ticks: [10, 20, 30], neurons: [0, 0, 0] } },
      { group: 0, poisson: { neurons: [0], prob_per_tick_q32: 42949673, start_tick: 40, stop_tick: 90, burst_on_ticks: 10, burst_period_ticks: 20 } },
    ],
    probes: [
      { state: 0, elements: [0], every_ticks: 10, column: "w" },
      { state: 2, elements: [0], every_ticks: 1, column: "c" },
    ],
  };
}
