/**
 * IR programs for tests: a small hand-built valid program (two neurons, one plastic synapse, every
 * section used) and a fast-check arbitrary of valid programs (random sizes, formats and ops that
 * satisfy the op table), both in exactly the shape decode() returns (every field present).
 */
import fc from "fast-check";
import { IR_VERSION, type IrCurrent, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OPS } from "../../src/ir/ops.ts";
import { LIMITS, rawRange } from "../../src/ir/verify.ts";

/** A fixed-point format; rounding 1 floor, 2 nearest, 3 stochastic; overflow 1 wrap, 2 saturate. */
const q = (width: number, signed: boolean, frac: number, rounding = 2, overflow = 2): IrFixedFormat => ({ width, signed, frac, rounding, overflow });

// Opcodes and index modes as in ir.proto.
const LOAD = 1, STORE = 2, CONST = 4, ADD = 5, MUL = 7;
const SELF = 1, POST = 3;
/** Fields an op does not use, at their protobuf defaults (what decode returns for them). */
const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };

export function sampleProgram(): IrProgram {
  return {
    header: { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed: 7, tick_seconds: 0.0002, duration_ticks: 100, model_name: "sample", model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 1e6, rounding_bits: 0 },
    groups: [
      { name: "pre", kind: 1, size: 1 }, // g0: neurons
      { name: "post", kind: 1, size: 1 }, // g1: neurons
      { name: "syn", kind: 2, size: 1 }, // g2: synapses pre -> post
    ],
    states: [
      // s0: weight, signed Q3.12 in 16 bits; raw 4096 = 1.0
      { name: "syn.w", group: 2, format: q(16, true, 12), init: [4096], unit: "mV", unit_scale: 1e-3 },
      // s1: membrane, signed Q7.8 in 16 bits
      { name: "post.V", group: 1, format: q(16, true, 8), init: [0], unit: "mV", unit_scale: 1e-3 },
      // s2: eligibility trace, unsigned Q2.6 in 8 bits, stochastic rounding
      { name: "syn.c", group: 2, format: q(8, false, 6, 3), init: [0], unit: "1", unit_scale: 1 },
      // s3: stimulus input current, signed Q7.8 in 16 bits (reset every tick, the currents add into it)
      { name: "post.I_stim", group: 1, format: q(16, true, 8), init: [0], unit: "1", unit_scale: 1 },
      // s4: state of the OU current stimuli[2], signed Q11.20 in 32 bits
      { name: "post.__ou2", group: 1, format: q(32, true, 20), init: [1572864], unit: "1", unit_scale: 1 },
    ],
    connectivity: [{ synapses: 2, pre: 0, post: 1, pre_index: [0], post_index: [0], array: [0], row: [3], column: [0], label: [5] }],
    kernels: [
      {
        name: "syn.update",
        group: 2,
        periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 },
        unit: 1,
        cycles: 120,
        // r0 uQ2.6 (trace), r1 sQ0.15 floor (decay factor), r2 uQ2.6 (decayed trace), r3 sQ7.8 (V), r4/r5 sQ3.12 (weight)
        registers: [{ format: q(8, false, 6, 3) }, { format: q(16, true, 15, 1) }, { format: q(8, false, 6, 3) }, { format: q(16, true, 8) }, { format: q(16, true, 12) }, { format: q(16, true, 12) }],
        ops: [
          { ...unused, op: LOAD, dst: 0, state: 2, index: SELF }, // r0 = c of this synapse
          { ...unused, op: CONST, dst: 1, imm: 31130 }, // r1 = 31130 / 2^15 = 0.95
          { ...unused, op: MUL, dst: 2, src: [0, 1] }, // r2 = c * 0.95 (decay), rounded stochastically to uQ2.6
          { ...unused, op: STORE, src: [2], state: 2, index: SELF }, // c = r2
          { ...unused, op: LOAD, dst: 3, state: 1, index: POST }, // r3 = V of the postsynaptic neuron
          { ...unused, op: LOAD, dst: 4, state: 0, index: SELF }, // r4 = w
          { ...unused, op: ADD, dst: 5, src: [4, 2] }, // r5 = w + decayed c, in sQ3.12
          { ...unused, op: STORE, src: [5], state: 0, index: SELF }, // w = r5
        ],
      },
      {
        name: "syn.on_pre",
        group: 2,
        on_spike: { source: 0, delay_ticks: 3, post: false },
        unit: 2,
        cycles: 0,
        // r0 uQ2.6 stochastic (trace), r1 uQ2.6 nearest (increment), r2 uQ2.6 stochastic (sum)
        registers: [{ format: q(8, false, 6, 3) }, { format: q(8, false, 6) }, { format: q(8, false, 6, 3) }],
        ops: [
          { ...unused, op: LOAD, dst: 0, state: 2, index: SELF }, // r0 = c
          { ...unused, op: CONST, dst: 1, imm: 32 }, // r1 = 32 / 2^6 = 0.5
          { ...unused, op: ADD, dst: 2, src: [0, 1] }, // r2 = c + 0.5 (saturates at 255/64)
          { ...unused, op: STORE, src: [2], state: 2, index: SELF }, // c = r2
        ],
      },
    ],
    stimuli: [
      { group: 0, spikes: { ticks: [10, 20, 30], neurons: [0, 0, 0] } },
      // p = 42949673 / 2^32 = 1% per tick, in bursts of 10 ticks every 20, ticks [40, 90)
      { group: 0, poisson: { neurons: [0], prob_per_tick_q32: 42949673, start_tick: 40, stop_tick: 90, burst_on_ticks: 10, burst_period_ticks: 20 } },
      // OU current into post.I_stim, ticks [20, 70): mean 1.5 (raw 1.5 * 2^20), decay 0.9 (round(0.9 * 2^32)), kick 0.5 sqrt(1 - 0.81)
      { group: 1, current: { neurons: [0], input_state: 3, start_tick: 20, stop_tick: 70, mean_raw: 1572864, decay_q32: 3865470566, kick_raw: 228532, ou_state: 4 } },
      // constant current 1.0 (raw 256 in post.I_stim's Q7.8) on top, ticks [50, 80)
      { group: 1, current: { neurons: [0], input_state: 3, start_tick: 50, stop_tick: 80, mean_raw: 256, decay_q32: 0, kick_raw: 0, ou_state: 0 } },
    ],
    probes: [
      { state: 0, elements: [0], every_ticks: 10, column: "w" },
      { state: 2, elements: [0], every_ticks: 1, column: "c" },
      { state: 3, elements: [0], every_ticks: 1, column: "I_stim" },
    ],
  };
}

// ---- valid random programs -------------------------------------------------------------------

const text = fc.string({ unit: "grapheme", maxLength: 10 });
const tick = fc.integer({ min: 0, max: 1_000_000 });

export const arbFormat: fc.Arbitrary<IrFixedFormat> = fc.record({
  width: fc.integer({ min: 1, max: 32 }),
  signed: fc.boolean(),
  frac: fc.integer({ min: -64, max: 96 }),
  rounding: fc.integer({ min: 1, max: 3 }),
  overflow: fc.integer({ min: 1, max: 2 }),
});

/** A raw value representable in `f`. */
const rawIn = (f: IrFixedFormat) => {
  const [lo, hi] = rawRange(f);
  return fc.integer({ min: lo, max: hi });
};

/** `length` indices below `n` (n = 0: only length 0 is possible, the caller ensures it). */
const indices = (n: number, length: number) => fc.array(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { minLength: length, maxLength: length });
/** Up to `max` indices below `n`. */
const someIndices = (n: number, max = 4) => (n === 0 ? fc.constant([] as number[]) : fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: max }));

interface Shape {
  groups: IrProgram["groups"];
  /** Number of neuron groups; they come first. */
  neurons: number;
  /** Per synapse group (index >= neurons): its pre and post neuron groups and whether it is placed. */
  wiring: Map<number, { pre: number; post: number; placed: boolean }>;
}

const arbShape: fc.Arbitrary<Shape> = fc
  .record({
    neurons: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 3 }),
    synapses: fc.array(fc.record({ size: fc.integer({ min: 0, max: 50 }), pre: fc.nat(), post: fc.nat(), placed: fc.boolean() }), { maxLength: 2 }),
    names: fc.array(text, { minLength: 5, maxLength: 5 }),
  })
  .map(({ neurons, synapses, names }) => {
    const groups: IrProgram["groups"] = neurons.map((size, i) => ({ name: names[i]!, kind: 1, size }));
    const wiring = new Map<number, { pre: number; post: number; placed: boolean }>();
    for (const s of synapses) {
      const pre = s.pre % neurons.length, post = s.post % neurons.length;
      // A synapse needs a neuron on both sides.
      const size = neurons[pre] === 0 || neurons[post] === 0 ? 0 : s.size;
      wiring.set(groups.length, { pre, post, placed: s.placed });
      groups.push({ name: names[groups.length]!, kind: 2, size });
    }
    return { groups, neurons: neurons.length, wiring };
  });

const arbHeader: fc.Arbitrary<IrProgram["header"]> = fc.record({
  ir_version: fc.constant(IR_VERSION),
  engram_version: text,
  target: fc.constantFrom("reference", "bss2", "cmos"),
  seed: fc.maxSafeNat(),
  tick_seconds: fc.double({ min: 1e-9, max: 1e3, noNaN: true }),
  duration_ticks: fc.maxSafeNat().map((n) => n % (LIMITS.maxDurationTicks + 1)),
  model_name: text,
  model_sha256: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 }),
  acceleration: fc.double({ min: 1, max: 1e6, noNaN: true }),
  clock_hz: fc.double({ min: 0, max: 1e9, noNaN: true }),
  rounding_bits: fc.integer({ min: 0, max: 53 }),
});

function arbState(shape: Shape): fc.Arbitrary<IrProgram["states"][number]> {
  return fc.tuple(fc.integer({ min: 0, max: shape.groups.length - 1 }), arbFormat).chain(([group, format]) => {
    const n = shape.groups[group]!.size;
    return fc.record({
      name: text,
      group: fc.constant(group),
      format: fc.constant(format),
      init: fc.oneof(fc.array(rawIn(format), { minLength: 1, maxLength: 1 }), fc.array(rawIn(format), { minLength: n, maxLength: n })),
      unit: fc.constantFrom("mV", "nA", "1", "ms"),
      unit_scale: fc.double({ min: 1e-12, max: 1e12, noNaN: true }),
    });
  });
}

function arbConnectivity(shape: Shape): fc.Arbitrary<IrProgram["connectivity"]> {
  return fc.tuple(
    ...[...shape.wiring].map(([synapses, { pre, post, placed }]) => {
      const n = shape.groups[synapses]!.size;
      const sites = placed ? fc.uniqueArray(fc.tuple(fc.nat(3), fc.nat(255), fc.nat(255)), { minLength: n, maxLength: n, selector: (s) => s.join(",") }) : fc.constant([] as [number, number, number][]);
      return fc.record({ pre_index: indices(shape.groups[pre]!.size, n), post_index: indices(shape.groups[post]!.size, n), sites, labels: fc.array(fc.nat(63), { minLength: n, maxLength: n }) }).map(({ pre_index, post_index, sites, labels }) => ({
        synapses,
        pre,
        post,
        pre_index,
        post_index,
        array: sites.map((s) => s[0]),
        row: sites.map((s) => s[1]),
        column: sites.map((s) => s[2]),
        label: placed ? labels : [],
      }));
    }),
  );
}

type Kernel = IrProgram["kernels"][number];
type Instr = Kernel["ops"][number];

/** An op valid in a kernel over `group` with these registers: operands as the op table says. */
function arbOp(shape: Shape, states: IrProgram["states"], group: number, registers: Kernel["registers"]): fc.Arbitrary<Instr> {
  const wiring = shape.wiring.get(group);
  // (index mode, state) pairs this kernel may access: its own group's states, and through the
  // connectivity its pre- and postsynaptic neurons' states.
  const access: [number, number][] = [];
  states.forEach((s, i) => {
    if (s.group === group) access.push([1, i]);
    if (wiring && s.group === wiring.pre) access.push([2, i]);
    if (wiring && s.group === wiring.post) access.push([3, i]);
  });
  const ops = OPS.filter((o) => access.length > 0 || !o.operands.includes("state"));
  const reg = fc.integer({ min: 0, max: registers.length - 1 });
  return fc.constantFrom(...ops).chain((op) =>
    fc.record({ dst: op.operands.includes("dst") ? reg : fc.constant(0), src: fc.array(reg, { minLength: op.sources, maxLength: op.sources }), access: access.length > 0 && op.operands.includes("state") ? fc.constantFrom(...access) : fc.constant([0, 0] as [number, number]) }).chain(({ dst, src, access: [index, state] }) =>
      fc.tuple(
        op.name === "SHR" || op.name === "SHL" ? fc.integer({ min: 0, max: 63 }) : op.name === "CONST" ? rawIn(registers[dst]!.format) : op.name === "NOW" ? fc.integer({ min: -1000, max: 1000 }) : fc.constant(0),
        op.name === "LOOKUP" ? fc.array(rawIn(registers[dst]!.format), { minLength: 1, maxLength: 8 }) : fc.constant([] as number[]),
      ).map(([imm, table]): Instr => ({ op: op.code, dst, src, imm, state, index, table })),
    ),
  );
}

function arbKernel(shape: Shape, states: IrProgram["states"]): fc.Arbitrary<Kernel> {
  return fc.integer({ min: 0, max: shape.groups.length - 1 }).chain((group) => {
    const synapses = shape.groups[group]!.kind === 2;
    const periodic = fc.record({ period_ticks: fc.integer({ min: 1, max: 1_000_000 }), offset_ticks: tick }).map((periodic) => ({ periodic: { ...periodic, gated: false, gate_state: 0 } }));
    const onSpike = fc.record({ source: fc.integer({ min: 0, max: shape.neurons - 1 }), delay_ticks: fc.integer({ min: 0, max: LIMITS.maxDelayTicks }), post: fc.boolean() }).map((on_spike) => ({ on_spike }));
    const trigger: fc.Arbitrary<{ periodic: NonNullable<Kernel["periodic"]> } | { on_spike: NonNullable<Kernel["on_spike"]> }> = synapses ? fc.oneof(periodic, onSpike) : periodic;
    return fc.tuple(trigger, fc.array(arbFormat.map((format) => ({ format })), { minLength: 1, maxLength: 6 }), text, fc.constantFrom(1, 2), fc.maxSafeNat()).chain(([trig, registers, name, unit, cycles]) =>
      fc.array(arbOp(shape, states, group, registers), { maxLength: 12 }).map((ops): Kernel => ({ name, group, ...trig, registers, ops, unit, cycles })),
    );
  });
}

function arbStimulus(shape: Shape, states: IrProgram["states"]): fc.Arbitrary<IrProgram["stimuli"][number]> {
  return fc.integer({ min: 0, max: shape.neurons - 1 }).chain((group) => {
    const n = shape.groups[group]!.size;
    const window = fc.tuple(tick, tick).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
    const spikes = (n === 0 ? fc.constant([] as number[]) : fc.array(tick, { maxLength: 6 })).chain((ticks) => indices(n, ticks.length).map((neurons) => ({ spikes: { ticks: [...ticks].sort((a, b) => a - b), neurons } })));
    const poisson = fc.record({ neurons: someIndices(n), prob_per_tick_q32: fc.integer({ min: 0, max: 2 ** 32 - 1 }), window, burst: fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 })) }).map(({ neurons, prob_per_tick_q32, window: [start_tick, stop_tick], burst: [period, on] }) => ({
      poisson: { neurons, prob_per_tick_q32, start_tick: start_tick!, stop_tick: stop_tick!, burst_on_ticks: Math.min(on, period), burst_period_ticks: period },
    }));
    const regular = fc.record({ neurons: someIndices(n), window, interval_ticks: fc.integer({ min: 1, max: 1000 }) }).map(({ neurons, window: [start_tick, stop_tick], interval_ticks }) => ({ regular: { neurons, start_tick: start_tick!, stop_tick: stop_tick!, interval_ticks } }));
    const current = arbCurrent(states, group, n, window);
    const kinds: fc.Arbitrary<Omit<IrProgram["stimuli"][number], "group">>[] = [spikes, poisson, regular, ...(current ? [current] : [])];
    return fc.oneof(...kinds).map((kind) => ({ group, ...kind }));
  });
}

/** A constant or OU current into a state of `group` (none if the group has no state; OU needs two). */
function arbCurrent(states: IrProgram["states"], group: number, n: number, window: fc.Arbitrary<number[]>): fc.Arbitrary<{ current: IrCurrent }> | undefined {
  const own = states.flatMap((s, i) => (s.group === group ? [i] : []));
  if (own.length === 0) return undefined;
  return fc.record({ input: fc.constantFrom(...own), ou: fc.option(fc.constantFrom(...own), { nil: undefined }), window, decay: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }).chain(({ input, ou, window: [start_tick, stop_tick], decay }) => {
    const isOu = ou !== undefined && ou !== input;
    const meanFmt = states[isOu ? ou : input]!.format;
    const kickMax = 2 ** states[isOu ? ou : input]!.format.width - 1;
    const neurons = isOu ? (n === 0 ? fc.constant([] as number[]) : fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 })) : someIndices(n);
    const kick = isOu ? fc.integer({ min: -kickMax, max: kickMax }).filter((k) => k !== 0) : fc.constant(0);
    return fc.record({ neurons, mean_raw: rawIn(meanFmt), kick_raw: kick }).map(({ neurons, mean_raw, kick_raw }) => ({
      current: { neurons, input_state: input, start_tick: start_tick!, stop_tick: stop_tick!, mean_raw, decay_q32: isOu ? decay : 0, kick_raw, ou_state: isOu ? ou : 0 },
    }));
  });
}

/**
 * Drops current stimuli that would break the verifier's sharing rules: an OU state belongs to one
 * stimulus and is no current's input (inputs are reset every tick).
 */
function validCurrents(stimuli: IrProgram["stimuli"]): IrProgram["stimuli"] {
  const inputs = new Set<number>(), ous = new Set<number>();
  return stimuli.filter((s) => {
    const c = s.current;
    if (!c) return true;
    const ou = c.kick_raw !== 0 ? c.ou_state : undefined;
    if (ous.has(c.input_state) || (ou !== undefined && (inputs.has(ou) || ous.has(ou) || ou === c.input_state))) return false;
    inputs.add(c.input_state);
    if (ou !== undefined) ous.add(ou);
    return true;
  });
}

function arbProbe(states: IrProgram["states"], shape: Shape): fc.Arbitrary<IrProgram["probes"][number]> {
  return fc.integer({ min: 0, max: states.length - 1 }).chain((state) =>
    fc.record({ state: fc.constant(state), elements: someIndices(shape.groups[states[state]!.group]!.size), every_ticks: fc.integer({ min: 1, max: 1000 }), column: text }),
  );
}

/** Valid programs: group sizes 0..50, random formats, ops that satisfy the op table. verify() accepts every one. */
export function arbProgram(): fc.Arbitrary<IrProgram> {
  return arbShape.chain((shape) =>
    fc.tuple(arbHeader, fc.array(arbState(shape), { minLength: 1, maxLength: 5 }), arbConnectivity(shape)).chain(([header, states, connectivity]) =>
      fc.tuple(fc.array(arbStimulus(shape, states), { maxLength: 3 }), fc.array(arbKernel(shape, states), { maxLength: 3 }), fc.array(arbProbe(states, shape), { maxLength: 3 })).map(([stimuli, kernels, probes]): IrProgram => ({ header, groups: shape.groups, states, connectivity, kernels, stimuli: validCurrents(stimuli), probes })),
    ),
  );
}
