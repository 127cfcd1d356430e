/**
 * The IR reference interpreter's tick (src/ir/reference.ts, interpret()) on small programs built
 * here, each value derived by hand from the tick order in the file's header: periodic kernels
 * (period, offset, gate, neuron kernels before spike-triggered ones before synapse kernels), the
 * op semantics that only show inside a kernel (LOAD/STORE/STORE_ADD targets and formats, NOW,
 * LOOKUP, RAND_NORMAL, SPIKE), spike bookkeeping (stimulus spikes, delays, the ascending order of
 * spike-triggered runs), probes and current stimuli; plus convert's stochastic and error branches
 * and exactOp op by op. Written from the Stryker survivors of the `reference` mutation module
 * (docs/reliability.md). Random draws are checked against their definitions, drawn here
 * independently: kernels' draws by Philox with the counter layout of docs/ir.md (IR version 4),
 * stimuli from their streams Rng(seed, "ir:stimulus:<i>").
 */
import { describe, expect, it } from "vitest";
import { convert, exactOp, interpret, type Exact } from "../../src/ir/reference.ts";
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { Rng } from "../../src/util/rng.ts";
import { roundingDraw } from "../../src/ir/rounding.ts";
import { normalFromBlock, philox, wordsToUniform } from "../../src/util/philox.ts";
import { normalSample, ouStep } from "../../src/ir/current.ts";

const FLOOR = 1, NEAREST = 2, STOCHASTIC = 3, WRAP = 1, SAT = 2;
const SELF = 1, PRE = 2, POST = 3;
const q = (width: number, signed: boolean, frac: number, rounding = FLOOR, overflow = SAT): IrFixedFormat => ({ width, signed, frac, rounding, overflow });
const U16 = q(16, false, 0);
const S32 = q(32, true, 0);
type Op = IrProgram["kernels"][number]["ops"][number];
const op = (name: string, f: Partial<Op> = {}): Op => ({ dst: 0, src: [], imm: 0, state: 0, index: 0, table: [], ...f, op: OP_BY_NAME.get(name)!.code });
type Kernel = IrProgram["kernels"][number];
const kernel = (k: Partial<Kernel> & Pick<Kernel, "group" | "registers" | "ops">): Kernel => ({ name: "k", unit: 1, cycles: 1, ...k });
const every = (period: number, offset = 0, gate?: number) => ({ period_ticks: period, offset_ticks: offset, gated: gate !== undefined, gate_state: gate ?? 0 });
const state = (name: string, group: number, format: IrFixedFormat, init: number[]) => ({ name, group, format, init, unit: "1", unit_scale: 1 });

function program(p: Partial<IrProgram> & Pick<IrProgram, "groups" | "states">, duration = 10, seed = 5): IrProgram {
  const full: IrProgram = {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed, tick_seconds: 1e-3, duration_ticks: duration, model_name: "t", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 1e6, rounding_bits: 0 },
    connectivity: [],
    kernels: [],
    stimuli: [],
    probes: [],
    ...p,
  };
  verify(full); // a valid program: the interpreter's precondition
  return full;
}
const final = (p: IrProgram, s: number, ticks?: number) => interpret(p, ticks).state[s]!.map(Number);
/** state[s] += 1 for every element the kernel runs on */
const countInto = (s: number): Pick<Kernel, "registers" | "ops"> => ({ registers: [{ format: U16 }], ops: [op("CONST", { dst: 0, imm: 1 }), op("STORE_ADD", { src: [0], state: s, index: SELF })] });

describe("periodic kernels: period, offset, gate", () => {
  it("a kernel with period 3 and offset 2 runs at ticks 2, 5, 8 of 10, only where its gate is non-zero", () => {
    const p = program({
      groups: [{ name: "n", kind: 1, size: 4 }],
      states: [state("cnt", 0, U16, [0]), state("gate", 0, q(8, true, 0), [1, 0, -1, 2]), state("all", 0, U16, [0])],
      kernels: [kernel({ group: 0, periodic: every(3, 2, 1), ...countInto(0) }), kernel({ group: 0, periodic: every(4), ...countInto(2) })],
    });
    expect(final(p, 0)).toEqual([3, 0, 3, 3]);
    // ungated, period 4, offset 0: ticks 0, 4, 8
    expect(final(p, 2)).toEqual([3, 3, 3, 3]);
    // the default number of ticks is the program's duration; fewer may be asked for
    expect(final(p, 0, 6)).toEqual([2, 0, 2, 2]); // ticks 2 and 5
    expect(final(p, 0, 2)).toEqual([0, 0, 0, 0]); // tick 2 not reached
  });

  it("an offset of a whole number of periods (4 = 2 x 2) starts the kernel at the offset, not at tick 0", () => {
    // runs at ticks 4 and 6 of 8; the ticks before the offset are skipped although (t - 4) % 2 is 0 there
    const p = program({ groups: [{ name: "n", kind: 1, size: 1 }], states: [state("cnt", 0, U16, [0])], kernels: [kernel({ group: 0, periodic: every(2, 4), ...countInto(0) })] }, 8);
    expect(final(p, 0)).toEqual([2]);
    expect(final(p, 0, 5)).toEqual([1]);
  });

  it("a gate is read per element when the kernel runs: an element switched off by an earlier kernel is skipped", () => {
    // kernel 0 clears element 1's gate at tick 0 (it runs first); the gated kernel then runs on 0 and 2 only
    const p = program({
      groups: [{ name: "n", kind: 1, size: 3 }],
      states: [state("gate", 0, U16, [1]), state("cnt", 0, U16, [0]), state("clear", 0, U16, [0, 1, 0])],
      kernels: [
        kernel({ group: 0, periodic: every(1, 0, 2), registers: [{ format: U16 }], ops: [op("CONST", { dst: 0, imm: 0 }), op("STORE", { src: [0], state: 0, index: SELF })] }),
        kernel({ group: 0, periodic: every(1, 0, 0), ...countInto(1) }),
      ],
    });
    expect(final(p, 1, 3)).toEqual([3, 0, 3]);
  });
});

describe("state initialisation and probes", () => {
  it("one init value fills the group; a list gives each element its own", () => {
    const p = program({ groups: [{ name: "n", kind: 1, size: 3 }], states: [state("a", 0, U16, [7]), state("b", 0, U16, [1, 2, 3])] });
    const r = interpret(p, 0);
    expect(r.state.map((a) => a.map(Number))).toEqual([[7, 7, 7], [1, 2, 3]]);
    expect(r.spikes).toEqual([]);
  });

  it("probes sample at tick 0 and after each tick whose end is a multiple of every_ticks, the listed elements in their order", () => {
    // acc += inc every tick, inc = [1, 2, 3]: after t ticks acc = t * inc
    const p = program({
      groups: [{ name: "n", kind: 1, size: 3 }],
      states: [state("acc", 0, U16, [0]), state("inc", 0, U16, [1, 2, 3])],
      kernels: [kernel({ group: 0, periodic: every(1), registers: [{ format: U16 }], ops: [op("LOAD", { dst: 0, state: 1, index: SELF }), op("STORE_ADD", { src: [0], state: 0, index: SELF })] })],
      probes: [
        { state: 0, elements: [2, 0], every_ticks: 2, column: "acc" },
        { state: 1, elements: [1], every_ticks: 3, column: "inc" },
      ],
    }, 5);
    const r = interpret(p);
    expect(r.probes[0]).toEqual({ column: "acc", ticks: [0, 2, 4], values: [[0n, 0n], [6n, 2n], [12n, 4n]] });
    expect(r.probes[1]).toEqual({ column: "inc", ticks: [0, 3], values: [[2n], [2n]] });
    expect(r.state[0]!.map(Number)).toEqual([5, 10, 15]);
  });
});

describe("ops inside kernels", () => {
  it("LOAD and STORE reach this element, its presynaptic or its postsynaptic neuron", () => {
    // neurons v = [10, 20, 30]; synapses (pre -> post): 0: 0->2, 1: 2->1
    const p = program({
      groups: [{ name: "n", kind: 1, size: 3 }, { name: "s", kind: 2, size: 2 }],
      states: [state("v", 0, U16, [10, 20, 30]), state("pre_v", 1, U16, [0]), state("post_v", 1, U16, [0]), state("hit", 0, U16, [0])],
      connectivity: [{ synapses: 1, pre: 0, post: 0, pre_index: [0, 2], post_index: [2, 1], array: [], row: [], column: [], label: [] }],
      kernels: [
        kernel({
          group: 1,
          periodic: every(1),
          registers: [{ format: U16 }, { format: U16 }, { format: U16 }],
          ops: [
            op("LOAD", { dst: 0, state: 0, index: PRE }),
            op("STORE", { src: [0], state: 1, index: SELF }),
            op("LOAD", { dst: 1, state: 0, index: POST }),
            op("STORE", { src: [1], state: 2, index: SELF }),
            op("CONST", { dst: 2, imm: 1 }),
            op("STORE_ADD", { src: [2], state: 3, index: POST }),
          ],
        }),
      ],
    });
    const r = interpret(p, 1);
    expect(r.state[1]!.map(Number)).toEqual([10, 30]);
    expect(r.state[2]!.map(Number)).toEqual([30, 20]);
    expect(r.state[3]!.map(Number)).toEqual([0, 1, 1]);
  });

  it("LOAD converts to the register's format and STORE_ADD adds at the finer format before rounding to the state's", () => {
    // s: raw 5 at frac 2 = 1.25; d: raw 23 at frac 4 = 1.4375
    // LOAD d into a frac-1 floor register: 1.4375 -> 1.0 (raw 2); STORE_ADD it to s: 1.25 + 1.0 = 2.25 -> raw 9
    // STORE_ADD d (frac 4) into s (frac 2, nearest): 1.25 + 1.4375 = 2.6875 -> 10.75 LSB -> 11 (2.75)
    // the same into t (frac 2, floor): 10
    const p = program({
      groups: [{ name: "n", kind: 1, size: 1 }],
      states: [state("s", 0, q(8, true, 2, NEAREST), [5]), state("d", 0, q(8, true, 4), [23]), state("t", 0, q(8, true, 2, FLOOR), [5]), state("u", 0, q(8, true, 2, NEAREST), [5])],
      kernels: [
        kernel({
          group: 0,
          periodic: every(1),
          registers: [{ format: q(8, true, 1, FLOOR) }, { format: q(8, true, 4) }],
          ops: [op("LOAD", { dst: 0, state: 1, index: SELF }), op("STORE_ADD", { src: [0], state: 0, index: SELF }), op("LOAD", { dst: 1, state: 1, index: SELF }), op("STORE_ADD", { src: [1], state: 3, index: SELF }), op("STORE_ADD", { src: [1], state: 2, index: SELF })],
        }),
      ],
    });
    const r = interpret(p, 1);
    expect(r.state.map((a) => Number(a[0]))).toEqual([9, 23, 10, 11]);
  });

  it("NOW is the tick plus imm in the destination's format; LOOKUP clamps floor(x) to the table", () => {
    // at tick t: now = t + 3 stored at frac 0, and floor((t + 3) / 2) through a frac -1 floor register
    const table = [100, 200, 300, 400];
    const p = program({
      groups: [{ name: "n", kind: 1, size: 1 }],
      states: [state("now", 0, U16, [0]), state("half", 0, q(16, false, -1), [0]), state("x", 0, q(8, true, 1), [-3]), state("lk", 0, U16, [0]), state("lk2", 0, U16, [0])],
      kernels: [
        kernel({
          group: 0,
          periodic: every(1),
          registers: [{ format: U16 }, { format: q(16, false, -1) }, { format: q(8, true, 1) }, { format: U16 }, { format: q(16, false, -1) }, { format: U16 }],
          ops: [
            op("NOW", { dst: 0, imm: 3 }),
            op("STORE", { src: [0], state: 0, index: SELF }),
            op("NOW", { dst: 1, imm: 3 }),
            op("STORE", { src: [1], state: 1, index: SELF }),
            op("LOAD", { dst: 2, state: 2, index: SELF }),
            op("LOOKUP", { dst: 3, src: [2], table }),
            op("STORE", { src: [3], state: 3, index: SELF }),
            // a register with negative frac: raw 1 at frac -1 is 2 -> table[2]
            op("LOAD", { dst: 4, state: 1, index: SELF }),
            op("LOOKUP", { dst: 5, src: [4], table }),
            op("STORE", { src: [5], state: 4, index: SELF }),
          ],
        }),
      ],
    });
    // tick 4: now = 7, half = floor(7 / 2) = 3 LSBs of 2 (raw 3); x = -1.5 -> floor -2 -> clamped to entry 0;
    // lk2 reads half (raw 3 at frac -1 = 6 -> clamped to entry 3)
    const at = (ticks: number) => interpret(p, ticks).state.map((a) => Number(a[0]));
    expect(at(5)).toEqual([7, 3, -3, 100, 400]);
    // tick 0: now 3, half raw 1 (floor(3 / 2)): lk2 = table[2]
    expect(at(1)).toEqual([3, 1, -3, 100, 300]);
    const lookupOf = (raw: number, frac: number) => {
      const p2 = program({
        groups: [{ name: "n", kind: 1, size: 1 }],
        states: [state("x", 0, q(16, true, frac), [raw]), state("y", 0, U16, [0])],
        kernels: [kernel({ group: 0, periodic: every(1), registers: [{ format: q(16, true, frac) }, { format: U16 }], ops: [op("LOAD", { dst: 0, state: 0, index: SELF }), op("LOOKUP", { dst: 1, src: [0], table }), op("STORE", { src: [1], state: 1, index: SELF })] })],
      });
      return final(p2, 1, 1)[0];
    };
    // floor(x) -> entry: 1.5 -> 1, 3.75 -> 3, 4 -> clamped 3, 0 -> 0, -0.25 -> clamped 0; frac 0: 2 -> 2
    expect([lookupOf(3, 1), lookupOf(15, 2), lookupOf(16, 2), lookupOf(0, 2), lookupOf(-1, 2), lookupOf(2, 0), lookupOf(4, 0)]).toEqual([200, 400, 400, 100, 100, 300, 400]);
  });

  it("RAND_NORMAL draws the Box-Muller normal of Philox block (element, tick, 0, kernel 2^16 + op) under key (seed, 2), only for elements whose source is non-zero", () => {
    const f = q(32, true, 20, NEAREST);
    const p = program({
      groups: [{ name: "n", kind: 1, size: 3 }],
      states: [state("on", 0, U16, [0, 1, 1]), state("z", 0, f, [77])],
      kernels: [kernel({ group: 0, periodic: every(1), registers: [{ format: U16 }, { format: f }], ops: [op("LOAD", { dst: 0, state: 0, index: SELF }), op("RAND_NORMAL", { dst: 1, src: [0] }), op("STORE", { src: [1], state: 1, index: SELF })] })],
    }, 10, 42);
    // the documented counter layout (docs/ir.md "Random draws"), written out here: kernel 0, op 1, tick 0
    const normal = (e: number, tick: number) => normalFromBlock(philox(e, tick, 0, 0 * 65536 + 1, 42, 2));
    // to 40 fractional bits (round half away from zero is Math.round for these non-ties), then nearest to frac 20
    const toF = (n: number) => {
      const r40 = Math.round(n * 2 ** 40);
      return convert({ raw: BigInt(r40), frac: 40 }, f, () => 0);
    };
    const z1 = toF(normal(1, 0)), z2 = toF(normal(2, 0));
    expect(interpret(p, 1).state[1]).toEqual([0n, z1, z2]);
    // the second tick draws at tick 1, element by element (the element 0 draws nothing, moving nothing)
    expect(interpret(p, 2).state[1]).toEqual([0n, toF(normal(1, 1)), toF(normal(2, 1))]);
    // the draws are standard normal at 2^-20: not all zero, and distinct
    expect(z1).not.toBe(z2);
    expect(z1 !== 0n || z2 !== 0n).toBe(true);
  });

  it("stochastic rounding draws the uniform of Philox block (element, tick, 0, kernel 2^16 + op) under key (seed, 1) through roundingDraw with the header's bits", () => {
    // x = 0.25 (raw 1 at frac 2) into frac 0: rounds up exactly when the draw < 0.25
    const f = q(8, false, 0, STOCHASTIC);
    const size = 64;
    const mk = (bits: number) => {
      const p = program({
        groups: [{ name: "n", kind: 1, size }],
        states: [state("y", 0, f, [0])],
        kernels: [kernel({ group: 0, periodic: every(1), registers: [{ format: q(8, false, 2) }], ops: [op("CONST", { dst: 0, imm: 1 }), op("STORE", { src: [0], state: 0, index: SELF })] })],
      }, 1, 9);
      p.header.rounding_bits = bits;
      return p;
    };
    // kernel 0, op 1 (the STORE), tick 0: the documented layout written out
    const uniform = (e: number) => {
      const w = philox(e, 0, 0, 1, 9, 1);
      return wordsToUniform(w[0]!, w[1]!);
    };
    const expected = Array.from({ length: size }, (_, e) => (uniform(e) < 0.25 ? 1n : 0n));
    const full = interpret(mk(0)).state[0]!;
    expect(full).toEqual(expected);
    // binomial(64, 1/4): 16 +- 3.5 expected; seed 9 gives a count in that range
    const ones = full.filter((v) => v === 1n).length;
    expect(ones).toBeGreaterThan(5);
    expect(ones).toBeLessThan(27);
    // a 1-bit draw is just under 0.5 or just under 1 (rounding.ts): never below 0.25, never rounds up
    expect(interpret(mk(1)).state[0]!.every((v) => v === 0n)).toBe(true);
    // 2 bits: just under 0.25, 0.5, 0.75 or 1: up only when the draw's top two bits are 00
    expect(interpret(mk(2)).state[0]).toEqual(Array.from({ length: size }, (_, e) => (roundingDraw(uniform(e), 2) < 0.25 ? 1n : 0n)));
  });
});

describe("spikes: stimuli, kernels, delays and the order of spike-triggered runs", () => {
  // neurons g0 (size 3); synapses g1 (size 4): pre_index [2, 0, 1, 0], post_index [0, 0, 0, 1]
  // on_pre kernel: acc[post] = acc[post] * 8 + (syn + 1): the digits of acc (base 8) are the order of the runs
  const synGroups = [{ name: "n", kind: 1, size: 3 }, { name: "s", kind: 2, size: 4 }];
  const conn = [{ synapses: 1, pre: 0, post: 0, pre_index: [2, 0, 1, 0], post_index: [0, 0, 0, 1], array: [], row: [], column: [], label: [] }];
  const orderKernel = (on_spike: Kernel["on_spike"], accState: number, idState: number, whenState: number): Kernel =>
    kernel({
      group: 1,
      on_spike,
      registers: [{ format: S32 }, { format: S32 }, { format: S32 }, { format: S32 }, { format: S32 }, { format: S32 }],
      ops: [
        op("LOAD", { dst: 0, state: accState, index: POST }),
        op("CONST", { dst: 1, imm: 8 }),
        op("MUL", { dst: 2, src: [0, 1] }),
        op("LOAD", { dst: 3, state: idState, index: SELF }),
        op("ADD", { dst: 4, src: [2, 3] }),
        op("STORE", { src: [4], state: accState, index: POST }),
        op("NOW", { dst: 5, imm: 0 }),
        op("STORE", { src: [5], state: whenState, index: SELF }),
      ],
    });
  const states = () => [state("acc", 0, S32, [0]), state("id", 1, S32, [1, 2, 3, 4]), state("when", 1, S32, [-1])];

  it("stimulus spikes at one tick trigger the kernel `delay` ticks later, per neuron in ascending order, synapses in ascending order", () => {
    const p = program({
      groups: synGroups,
      states: states(),
      connectivity: conn,
      kernels: [orderKernel({ source: 0, delay_ticks: 2, post: false }, 0, 1, 2)],
      // at tick 1 neurons 2 then 0 spike (listed in that order)
      stimuli: [{ group: 0, spikes: { ticks: [1, 1], neurons: [2, 0] } }],
    }, 6);
    const r = interpret(p);
    expect(r.spikes).toEqual([{ tick: 1, group: 0, element: 2 }, { tick: 1, group: 0, element: 0 }]);
    // neuron 0 first (synapses 1 and 3, ids 2 and 4), then neuron 2 (synapse 0, id 1): into posts 0, 1, 0
    // post 0: (0 * 8 + 2) * 8 + 1 = 17; post 1: 4
    expect(r.state[0]!.map(Number)).toEqual([17, 4, 0]);
    // all at tick 1 + 2 = 3; synapse 2 (from neuron 1) never ran
    expect(r.state[2]!.map(Number)).toEqual([3, 3, -1, 3]);
    // stopping before tick 3: nothing ran yet
    expect(interpret(p, 3).state[2]!.map(Number)).toEqual([-1, -1, -1, -1]);
  });

  it("a postsynaptic kernel follows post_index; delay 0 runs in the spike's own tick; kernels with other sources do not run", () => {
    const p = program({
      groups: [...synGroups, { name: "m", kind: 1, size: 1 }],
      states: states(),
      connectivity: conn,
      kernels: [orderKernel({ source: 0, delay_ticks: 0, post: true }, 0, 1, 2), orderKernel({ source: 2, delay_ticks: 0, post: false }, 0, 1, 2)],
      stimuli: [{ group: 0, spikes: { ticks: [4], neurons: [0] } }],
    }, 6);
    const r = interpret(p);
    // neuron 0 is the post of synapses 0, 1, 2 (ids 1, 2, 3), all onto post 0: (1 * 8 + 2) * 8 + 3 = 83
    expect(r.state[0]!.map(Number)).toEqual([83, 0, 0]);
    expect(r.state[2]!.map(Number)).toEqual([4, 4, 4, -1]);
  });

  it("a neuron kernel's SPIKE is seen by a delay-0 synapse kernel in the same tick; synapse kernels run after both", () => {
    // neuron kernel: SPIKE where fire != 0 (fire = [0, 1, 0]) at ticks 0, 3 (period 3)
    // synapse periodic kernel, every tick: seen = acc[post] (acc written by the spike-triggered kernel in the same tick)
    const p = program({
      groups: synGroups,
      states: [...states(), state("fire", 0, U16, [0, 1, 0]), state("seen", 1, S32, [0])],
      connectivity: conn,
      kernels: [
        kernel({ group: 1, periodic: every(1), registers: [{ format: S32 }], ops: [op("LOAD", { dst: 0, state: 0, index: POST }), op("STORE", { src: [0], state: 4, index: SELF })] }),
        orderKernel({ source: 0, delay_ticks: 0, post: false }, 0, 1, 2),
        kernel({ group: 0, periodic: every(3), registers: [{ format: U16 }], ops: [op("LOAD", { dst: 0, state: 3, index: SELF }), op("SPIKE", { src: [0] })] }),
      ],
    }, 4);
    const r = interpret(p);
    expect(r.spikes).toEqual([{ tick: 0, group: 0, element: 1 }, { tick: 3, group: 0, element: 1 }]);
    // neuron 1 is the pre of synapse 2 (id 3, post 0): acc[0] = 3 after tick 0, 3 * 8 + 3 = 27 after tick 3
    expect(r.state[0]!.map(Number)).toEqual([27, 0, 0]);
    // the synapse kernel, listed first, still runs last: synapse 2 sees its post's acc of this tick
    expect(r.state[4]!.map(Number)).toEqual([27, 27, 27, 0]);
    expect(interpret(p, 1).state[4]!.map(Number)).toEqual([3, 3, 3, 0]);
  });

  it("several stimuli on one group: each new spike is listed once, in the order added", () => {
    const p = program({
      groups: [{ name: "n", kind: 1, size: 4 }],
      states: [state("v", 0, U16, [0])],
      stimuli: [
        { group: 0, spikes: { ticks: [2, 2, 5], neurons: [3, 1, 0] } },
        // regular: every 3 ticks in [2, 8): ticks 2 and 5 (8 is the end, excluded), neurons 1 and 2 (1 already spiked at tick 2)
        { group: 0, regular: { neurons: [1, 2], start_tick: 2, stop_tick: 8, interval_ticks: 3 } },
      ],
    }, 12);
    const r = interpret(p);
    const at = (t: number) => r.spikes.filter((s) => s.tick === t).map((s) => s.element);
    expect(at(2)).toEqual([3, 1, 2]);
    expect(at(5)).toEqual([0, 1, 2]);
    expect(at(8)).toEqual([]);
    expect(r.spikes.map((s) => s.tick)).toEqual([2, 2, 2, 5, 5, 5]);
    expect(r.spikes.every((s) => s.group === 0)).toBe(true);
  });

  it("poisson: a spike when the stimulus stream's next 32-bit draw is below prob_per_tick_q32, only in its bursts", () => {
    // window [2, 12), bursts of 2 ticks every 5: ticks 2, 3, 7, 8 draw, one draw per neuron
    const mk = (prob: number) =>
      program({
        groups: [{ name: "n", kind: 1, size: 2 }],
        states: [state("v", 0, U16, [0])],
        stimuli: [
          { group: 0, spikes: { ticks: [0], neurons: [1] } }, // stimulus 0: its stream is not the poisson's
          { group: 0, poisson: { neurons: [1, 0], prob_per_tick_q32: prob, start_tick: 2, stop_tick: 12, burst_on_ticks: 2, burst_period_ticks: 5 } },
        ],
      }, 14, 3);
    const expected = (prob: number) => {
      const rng = new Rng(3, "ir:stimulus:1");
      const out: [number, number][] = [[0, 1]];
      for (const t of [2, 3, 7, 8]) for (const n of [1, 0]) if (rng.nextU32() < prob) out.push([t, n]);
      return out;
    };
    const got = (prob: number) => interpret(mk(prob)).spikes.map((s) => [s.tick, s.element]);
    expect(got(2 ** 32 - 1)).toEqual(expected(2 ** 32 - 1));
    expect(got(2 ** 32 - 1).length).toBe(9);
    expect(got(0)).toEqual([[0, 1]]);
    expect(got(2 ** 31)).toEqual(expected(2 ** 31));
    // exactly at a draw: the draw that equals the probability does not spike (strictly below)
    const first = new Rng(3, "ir:stimulus:1").nextU32();
    expect(got(first)[1]).not.toEqual([2, 1]);
    expect(got(first + 1)[1]).toEqual([2, 1]);
  });
});

describe("current stimuli", () => {
  it("a constant current adds its mean to its input in [start, stop), and the input is cleared every tick", () => {
    // input frac 4; currents: 1.5 (raw 24) in [2, 5) on neuron 1, 0.25 (raw 4) in [3, 7) on neurons 0 and 1
    const p = program({
      groups: [{ name: "n", kind: 1, size: 2 }],
      states: [state("I", 0, q(16, true, 4), [100]), state("other", 0, q(16, true, 4), [9])],
      stimuli: [
        { group: 0, current: { neurons: [1], input_state: 0, start_tick: 2, stop_tick: 5, mean_raw: 24, decay_q32: 0, kick_raw: 0, ou_state: 0 } },
        { group: 0, current: { neurons: [0, 1], input_state: 0, start_tick: 3, stop_tick: 7, mean_raw: 4, decay_q32: 0, kick_raw: 0, ou_state: 0 } },
      ],
      probes: [{ state: 0, elements: [0, 1], every_ticks: 1, column: "I" }],
    }, 8);
    const r = interpret(p);
    // sample k holds the input during tick k - 1 (sample 0: the initial value)
    expect(r.probes[0]!.values.map((v) => v.map(Number))).toEqual([[100, 100], [0, 0], [0, 0], [0, 24], [4, 28], [4, 28], [4, 4], [4, 4], [0, 0]]);
    // a state no current targets is left alone
    expect(r.state[1]!.map(Number)).toEqual([9, 9]);
  });

  it("an OU current starts at its mean at start_tick and steps with Rng(seed, 'ir:stimulus:<i>')", () => {
    const xf = q(32, true, 20);
    const c = { neurons: [0], input_state: 0, start_tick: 3, stop_tick: 6, mean_raw: 1 << 20, decay_q32: 2 ** 31, kick_raw: 1 << 18, ou_state: 1 };
    const p = program({
      groups: [{ name: "n", kind: 1, size: 1 }],
      states: [state("I", 0, q(32, true, 20), [0]), state("x", 0, xf, [5 << 20])],
      stimuli: [{ group: 0, spikes: { ticks: [], neurons: [] } }, { group: 0, current: c }],
      probes: [{ state: 1, elements: [0], every_ticks: 1, column: "x" }, { state: 0, elements: [0], every_ticks: 1, column: "I" }],
    }, 8, 11);
    const rng = new Rng(11, "ir:stimulus:1");
    const xs: bigint[] = [];
    let x = BigInt(c.mean_raw); // reset at start_tick, not the initial 5.0
    for (let t = 3; t < 6; t++) xs.push((x = ouStep(x, c, normalSample(rng), xf)));
    const r = interpret(p);
    const xProbe = r.probes[0]!.values.map((v) => v[0]);
    // before: the initial 5.0; during ticks 3-5: the OU steps; after: frozen at the last
    expect(xProbe).toEqual([5n << 20n, 5n << 20n, 5n << 20n, 5n << 20n, xs[0], xs[1], xs[2], xs[2], xs[2]]);
    // the input carries x during the window (same frac), 0 outside
    expect(r.probes[1]!.values.map((v) => v[0])).toEqual([0n, 0n, 0n, 0n, xs[0], xs[1], xs[2], 0n, 0n]);
    // the steps move: decay 0.5 towards mean 1.0 plus kicks
    expect(new Set(xs).size).toBe(3);
  });
});

describe("convert and exactOp: branches the random properties rarely reach", () => {
  it("stochastic rounding rounds up exactly when the draw is below the dropped fraction, and draws only then", () => {
    const f = q(8, true, 0, STOCHASTIC);
    const quarter: Exact = { raw: 5n, frac: 2 }; // 1.25: floor 1, dropped fraction 1/4
    expect(convert(quarter, f, () => 0.2499)).toBe(2n);
    expect(convert(quarter, f, () => 0.25)).toBe(1n);
    expect(convert(quarter, f, () => 0.9)).toBe(1n);
    const negative: Exact = { raw: -5n, frac: 2 }; // -1.25: floor -2, dropped fraction 3/4
    expect(convert(negative, f, () => 0.7499)).toBe(-1n);
    expect(convert(negative, f, () => 0.75)).toBe(-2n);
    // exact values and left shifts draw nothing
    const never = () => {
      throw new Error("drew");
    };
    expect(convert({ raw: 8n, frac: 2 }, f, never)).toBe(2n);
    expect(convert({ raw: 3n, frac: 0 }, q(8, true, 2, STOCHASTIC), never)).toBe(12n);
    // saturation after rounding up
    expect(convert({ raw: 255n, frac: 1 }, q(7, false, 0, STOCHASTIC), () => 0)).toBe(127n);
  });

  it("an unknown rounding mode is an error once bits are dropped", () => {
    expect(() => convert({ raw: 3n, frac: 1 }, q(8, true, 0, 7), () => 0)).toThrow("bad rounding 7");
    expect(convert({ raw: 4n, frac: 1 }, q(8, true, 0, 7), () => 0)).toBe(2n);
  });

  it("overflow: wrap keeps the low bits (two's complement when signed), saturate clamps", () => {
    expect(convert({ raw: 300n, frac: 0 }, q(8, false, 0, FLOOR, WRAP), () => 0)).toBe(44n);
    expect(convert({ raw: -1n, frac: 0 }, q(8, false, 0, FLOOR, WRAP), () => 0)).toBe(255n);
    expect(convert({ raw: -129n, frac: 0 }, q(8, true, 0, FLOOR, WRAP), () => 0)).toBe(127n);
    expect(convert({ raw: 128n, frac: 0 }, q(8, true, 0, FLOOR, WRAP), () => 0)).toBe(-128n);
    expect(convert({ raw: -129n, frac: 0 }, q(8, true, 0, FLOOR, SAT), () => 0)).toBe(-128n);
    expect(convert({ raw: -1n, frac: 0 }, q(8, false, 0, FLOOR, SAT), () => 0)).toBe(0n);
    expect(convert({ raw: 256n, frac: 0 }, q(8, false, 0, FLOOR, SAT), () => 0)).toBe(255n);
    expect(convert({ raw: 255n, frac: 0 }, q(8, false, 0, FLOOR, SAT), () => 0)).toBe(255n);
    expect(convert({ raw: -128n, frac: 0 }, q(8, true, 0, FLOOR, WRAP), () => 0)).toBe(-128n);
    // the ends of the range are in range: kept, under either rule
    expect(convert({ raw: -128n, frac: 0 }, q(8, true, 0, FLOOR, SAT), () => 0)).toBe(-128n);
    expect(convert({ raw: 127n, frac: 0 }, q(8, true, 0, FLOOR, SAT), () => 0)).toBe(127n);
    expect(convert({ raw: 0n, frac: 0 }, q(8, false, 0, FLOOR, SAT), () => 0)).toBe(0n);
  });

  it("exactOp, op by op, on operands of different fractional bits (a = 1.5 at frac 1, b = -0.75 at frac 2)", () => {
    const a: Exact = { raw: 3n, frac: 1 }, b: Exact = { raw: -3n, frac: 2 };
    const val = (e: Exact) => Number(e.raw) * 2 ** -e.frac;
    expect(val(exactOp("ADD", [a, b], 0))).toBe(0.75);
    expect(exactOp("ADD", [a, b], 0).frac).toBe(2);
    expect(val(exactOp("SUB", [a, b], 0))).toBe(2.25);
    expect(val(exactOp("SUB", [b, a], 0))).toBe(-2.25);
    expect(val(exactOp("MUL", [a, b], 0))).toBe(-1.125);
    expect(exactOp("MUL", [a, b], 0).frac).toBe(3);
    expect(val(exactOp("NEG", [b], 0))).toBe(0.75);
    expect(val(exactOp("ABS", [b], 0))).toBe(0.75);
    expect(val(exactOp("ABS", [a], 0))).toBe(1.5);
    expect(val(exactOp("MIN", [a, b], 0))).toBe(-0.75);
    expect(val(exactOp("MIN", [b, a], 0))).toBe(-0.75);
    expect(val(exactOp("MAX", [a, b], 0))).toBe(1.5);
    expect(val(exactOp("MAX", [b, a], 0))).toBe(1.5);
    expect(val(exactOp("SHR", [a], 2))).toBe(0.375);
    expect(val(exactOp("SHL", [a], 2))).toBe(6);
    expect(exactOp("CMP_GE", [a, b], 0)).toEqual({ raw: 1n, frac: 0 });
    expect(exactOp("CMP_GE", [b, a], 0)).toEqual({ raw: 0n, frac: 0 });
    expect(exactOp("CMP_GT", [a, b], 0)).toEqual({ raw: 1n, frac: 0 });
    expect(exactOp("CMP_GT", [b, a], 0)).toEqual({ raw: 0n, frac: 0 });
    expect(exactOp("CMP_GE", [a, { raw: 6n, frac: 2 }], 0).raw).toBe(1n);
    expect(exactOp("CMP_GT", [a, { raw: 6n, frac: 2 }], 0).raw).toBe(0n);
    expect(exactOp("SELECT", [{ raw: -2n, frac: 0 }, a, b], 0)).toBe(a);
    expect(exactOp("SELECT", [{ raw: 0n, frac: 3 }, a, b], 0)).toBe(b);
    expect(exactOp("COPY", [b], 0)).toBe(b);
    expect(() => exactOp("LOAD", [a], 0)).toThrow("no exact semantics for LOAD");
  });
});
