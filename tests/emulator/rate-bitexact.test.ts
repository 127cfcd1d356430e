/**
 * Rate reservoirs on the cmos chip (issue 14): the emulator against the reference interpreter, bit
 * for bit, on compiled models that use every new element (activation tables read by LOOKUP with
 * interpolation, relu as MAX, summed inputs refreshed every tick, Stream stimuli), on random
 * Stream stimuli (formats, weights, saturation), and on a kernel that only stores a constant.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { interpret } from "../../src/ir/reference.ts";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { expectSameAsInterpreter as same } from "../helpers/same-as-interpreter.ts";


const opCount = (p: IrProgram, name: string) => p.kernels.reduce((n, k) => n + k.ops.filter((o) => o.op === OP_BY_NAME.get(name)!.code).length, 0);

describe("rate reservoirs on cmos: emulator = reference interpreter, bit for bit", () => {
  const cases = [
    ["esn-small.yaml", "tanh ESN, Mackey-Glass stream"],
    ["li-mixed.yaml", "leaky integrators, gamma tau, logistic + relu projections, 3-channel stream"],
  ] as const;
  for (const [file, what] of cases) {
    for (const rounding of ["nearest", "stochastic"] as const) {
      it(`${what}, ${rounding} rounding`, { timeout: 60_000 }, () => {
        const program = compile(`tests/fixtures/reservoir/${file}`, { target: "cmos" });
        const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding, engramVersion: "test", analyse: analyseByRun });
        // The compiled program uses what is under test: tables, a stream, every-tick reductions.
        expect(opCount(ir, "LOOKUP")).toBeGreaterThanOrEqual(2);
        expect(ir.stimuli.filter((s) => s.stream).length).toBe(1);
        const reductions = ir.kernels.filter((k) => k.ops.some((o) => o.op === OP_BY_NAME.get("STORE_ADD")!.code));
        expect(reductions.length).toBeGreaterThan(0);
        for (const k of reductions) expect(k.periodic?.period_ticks).toBe(1);
        same(ir);
      });
    }
  }
});

const q = (width: number, signed: boolean, frac: number, rounding = 2, overflow = 2): IrFixedFormat => ({ width, signed, frac, rounding, overflow });
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
const op = (name: string) => OP_BY_NAME.get(name)!.code;

/** Two neurons with an input s0 (reset every tick) that a stream drives and a kernel integrates into s1. */
function streamProgram(samples: number[], weights: number[], channels: number, sampleFrac: number, weightFrac: number, input: IrFixedFormat, ticks: number): IrProgram {
  return {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 1, tick_seconds: 1e-3, duration_ticks: ticks, model_name: "stream", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
    groups: [{ name: "n", kind: 1, size: 2 }],
    states: [
      { name: "n.I", group: 0, format: input, init: [0], unit: "1", unit_scale: 1 },
      { name: "n.x", group: 0, format: q(24, true, input.frac), init: [0], unit: "1", unit_scale: 1 },
    ],
    connectivity: [],
    kernels: [
      {
        name: "n.update", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0,
        registers: [{ format: input }, { format: q(24, true, input.frac) }, { format: q(24, true, input.frac) }],
        ops: [
          { ...unused, op: op("LOAD"), dst: 0, state: 0, index: 1 },
          { ...unused, op: op("LOAD"), dst: 1, state: 1, index: 1 },
          { ...unused, op: op("ADD"), dst: 2, src: [0, 1] },
          { ...unused, op: op("STORE"), src: [2], state: 1, index: 1 },
        ],
      },
    ],
    stimuli: [{ group: 0, stream: { neurons: [1, 0], input_state: 0, start_tick: 1, stop_tick: 1 + samples.length / channels, channels, sample_frac: sampleFrac, samples, weight_frac: weightFrac, weights } }],
    probes: [{ state: 0, elements: [0, 1], every_ticks: 1, column: "I" }],
  };
}

describe("Stream stimuli: emulator = reference interpreter", () => {
  it("hand case: input = round(sum_k w_k u_k(t)) in the input's format, every tick of the window", () => {
    // Neuron 1 (listed first) has weights 0.5, -0.25 (Q.2); neuron 0 has 1, 1. Samples Q.1:
    // tick 1: (1.5, 0.5) -> n1 0.5*1.5 - 0.25*0.5 = 0.625, n0 2.0; tick 2: (-1, 2) -> n1 -1.0, n0 1.0.
    // Input Q.2: 0.625 = 2.5 LSB rounds away from zero to 3 (0.75).
    const p = streamProgram([3, 1, -2, 4], [2, -1, 4, 4], 2, 1, 2, q(16, true, 2), 4);
    verify(p);
    const ref = interpret(p);
    expect(ref.probes[0]!.values.map((v) => v.map(Number))).toEqual([[0, 0], [0, 0], [8, 3], [4, -4], [0, 0]]);
    same(p);
  });
  it("random streams: formats, fracs, channels, saturation", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: -3, max: 18 }),
        fc.integer({ min: -3, max: 18 }),
        fc.integer({ min: 4, max: 20 }),
        fc.integer({ min: -4, max: 16 }),
        fc.nat(),
        (K, T, sf, wf, width, frac, seed) => {
          let s = seed;
          const draw = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) % (2 ** 19 - 1)) - 2 ** 18;
          const samples = Array.from({ length: K * T }, draw);
          const weights = Array.from({ length: 2 * K }, draw);
          const p = streamProgram(samples, weights, K, sf, wf, q(width, true, frac), T + 2);
          verify(p);
          same(p);
        },
      ),
      { numRuns: 200, seed: 14 },
    );
  });
});

describe("idle kernels", () => {
  it("a kernel that only stores a constant runs again once another kernel changed that state", () => {
    // s0 (one neuron) is zeroed by the neuron kernel and incremented by the synapse kernel each
    // tick, so it reads 1 after every tick; skipping the zeroing as a repeated no-op made it grow.
    const p: IrProgram = {
      header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 1, tick_seconds: 1e-3, duration_ticks: 5, model_name: "consume", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 },
      groups: [{ name: "n", kind: 1, size: 1 }, { name: "s", kind: 2, size: 1 }],
      states: [{ name: "n.S", group: 0, format: q(16, true, 0), init: [0], unit: "1", unit_scale: 1 }],
      connectivity: [{ synapses: 1, pre: 0, post: 0, pre_index: [0], post_index: [0], array: [], row: [], column: [], label: [] }],
      kernels: [
        { name: "n.consume", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0, registers: [{ format: q(16, true, 0) }], ops: [{ ...unused, op: op("CONST"), dst: 0, imm: 0 }, { ...unused, op: op("STORE"), src: [0], state: 0, index: 1 }] },
        { name: "s.add", group: 1, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 0, registers: [{ format: q(16, true, 0) }], ops: [{ ...unused, op: op("CONST"), dst: 0, imm: 1 }, { ...unused, op: op("STORE_ADD"), src: [0], state: 0, index: 3 }] },
      ],
      stimuli: [],
      probes: [{ state: 0, elements: [0], every_ticks: 1, column: "S" }],
    };
    verify(p);
    expect(interpret(p).probes[0]!.values.map((v) => Number(v[0]))).toEqual([0, 1, 1, 1, 1, 1]);
    same(p);
  });
});
