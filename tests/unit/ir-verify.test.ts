/**
 * The verifier: one test per rule, each on the valid sample with one thing broken, asserting the
 * located path and that the diagnostic quotes the offending value. Also: the op table against
 * ir.proto's Opcode enum, and docs/ir.md against the table.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { verify, LIMITS } from "../../src/ir/verify.ts";
import { EngramError, renderDiagnostic, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { decode, encode, irRoot, type IrProgram } from "../../src/ir/codec.ts";
import { OPS, OP_BY_CODE, OP_BY_NAME, opTableMarkdown } from "../../src/ir/ops.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

function diagnosticsOf(p: IrProgram): Diagnostic[] {
  try {
    verify(p, "sample.engram");
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics;
    throw e;
  }
  return [];
}

function problems(edit: (p: IrProgram) => void): Diagnostic[] {
  const p = sampleProgram();
  edit(p);
  return diagnosticsOf(p);
}

const fmt = (width: number, signed: boolean, frac: number) => ({ width, signed, frac, rounding: 2, overflow: 2 });
const op = (o: Partial<IrProgram["kernels"][number]["ops"][number]>) => ({ op: 0, dst: 0, src: [], imm: 0, state: 0, index: 0, table: [], ...o });
const BIG = 2 ** 60; // a uint64 that is no longer an exact JS number

/** [rule, edit of the sample, diagnostic path, quoted offending value ("" where there is none)] */
type Case = [string, (p: IrProgram) => void, (string | number)[], string];

const cases: Case[] = [
  // header
  ["missing header", (p) => delete (p as Partial<IrProgram>).header, ["header"], ""],
  ["wrong IR version", (p) => (p.header.ir_version = 9), ["header", "ir_version"], "9"],
  ["bad tick length", (p) => (p.header.tick_seconds = -1), ["header", "tick_seconds"], "-1"],
  ["tick length not finite", (p) => (p.header.tick_seconds = Infinity), ["header", "tick_seconds"], "Infinity"],
  ["duration beyond 2^53", (p) => (p.header.duration_ticks = BIG), ["header", "duration_ticks"], String(BIG)],
  // issue 11: these passed inspect and never finished
  ["tick of 1e-300 s", (p) => (p.header.tick_seconds = 1e-300), ["header", "tick_seconds"], "1e-300"],
  ["duration beyond the duration-ticks limit", (p) => (p.header.duration_ticks = 2 ** 50), ["header", "duration_ticks"], String(2 ** 50)],
  ["acceleration below 1", (p) => (p.header.acceleration = 0.5), ["header", "acceleration"], "0.5"],
  ["negative clock", (p) => (p.header.clock_hz = -5), ["header", "clock_hz"], "-5"],
  ["seed beyond 2^53", (p) => (p.header.seed = BIG), ["header", "seed"], String(BIG)],
  // groups
  ["too many groups", (p) => p.groups.push(...Array.from({ length: LIMITS.maxGroups - 2 }, () => ({ name: "x", kind: 1, size: 0 }))), ["groups"], String(LIMITS.maxGroups + 1)],
  ["group kind", (p) => (p.groups[0]!.kind = 7), ["groups", 0, "kind"], "7"],
  ["group size not an integer", (p) => (p.groups[0]!.size = 1.5), ["groups", 0, "size"], "1.5"],
  ["too many elements", (p) => (p.groups[2]!.size = LIMITS.maxElements), ["groups"], String(LIMITS.maxElements + 2)],
  // states and formats
  ["state group out of range", (p) => (p.states[0]!.group = 9), ["states", 0, "group"], "9"],
  ["missing format", (p) => delete (p.states[0] as Partial<IrProgram["states"][number]>).format, ["states", 0, "format"], ""],
  ["bad width (0)", (p) => (p.states[0]!.format.width = 0), ["states", 0, "format", "width"], "0"],
  ["bad width (40)", (p) => (p.states[0]!.format.width = 40), ["states", 0, "format", "width"], "40"],
  ["fractional bits out of range", (p) => (p.states[0]!.format.frac = 100), ["states", 0, "format", "frac"], "100"],
  ["bad rounding enum", (p) => (p.states[0]!.format.rounding = 9), ["states", 0, "format", "rounding"], "9"],
  ["bad overflow enum", (p) => (p.states[0]!.format.overflow = 0), ["states", 0, "format", "overflow"], "0"],
  ["init length", (p) => (p.states[0]!.init = [1, 2, 3]), ["states", 0, "init"], "3"],
  ["init above an unsigned 8-bit range", (p) => (p.states[2]!.init = [300]), ["states", 2, "init", 0], "300"],
  ["init below a signed 16-bit range", (p) => (p.states[0]!.init = [-40000]), ["states", 0, "init", 0], "-40000"],
  // connectivity
  ["connectivity synapses not a synapse group", (p) => (p.connectivity[0]!.synapses = 0), ["connectivity", 0, "synapses"], "0"],
  ["connectivity pre not a neuron group", (p) => (p.connectivity[0]!.pre = 2), ["connectivity", 0, "pre"], "2"],
  ["connectivity post out of range", (p) => (p.connectivity[0]!.post = 9), ["connectivity", 0, "post"], "9"],
  ["connectivity index count", (p) => (p.connectivity[0]!.pre_index = []), ["connectivity", 0, "pre_index"], "0"],
  ["connectivity index out of range", (p) => (p.connectivity[0]!.post_index = [5]), ["connectivity", 0, "post_index", 0], "5"],
  ["placement count (regression: an empty row list with the other three complete passed)", (p) => (p.connectivity[0]!.row = []), ["connectivity", 0, "row"], "[1,0,1,1]"],
  [
    "two synapses on one crossbar site",
    (p) => {
      p.groups[2]!.size = 2;
      Object.assign(p.connectivity[0]!, { pre_index: [0, 0], post_index: [0, 0], array: [1, 1], row: [3, 3], column: [7, 7], label: [5, 5] });
    },
    ["connectivity", 0, "row", 1],
    "[1,3,7]",
  ],
  // kernels
  ["too many kernels", (p) => p.kernels.push(...Array.from({ length: LIMITS.maxKernels - 1 }, () => sampleProgram().kernels[0]!)), ["kernels"], String(LIMITS.maxKernels + 1)],
  ["kernel group out of range", (p) => (p.kernels[0]!.group = 9), ["kernels", 0, "group"], "9"],
  ["kernel unit", (p) => (p.kernels[0]!.unit = 5), ["kernels", 0, "unit"], "5"],
  ["kernel cycles beyond 2^53", (p) => (p.kernels[0]!.cycles = BIG), ["kernels", 0, "cycles"], String(BIG)],
  ["kernel without trigger", (p) => delete p.kernels[0]!.periodic, ["kernels", 0], ""],
  ["kernel with two triggers", (p) => (p.kernels[0]!.on_spike = { source: 0, delay_ticks: 0, post: false }), ["kernels", 0], ""],
  ["timer period 0", (p) => (p.kernels[0]!.periodic!.period_ticks = 0), ["kernels", 0, "periodic", "period_ticks"], "0"],
  // gated kernels: syn.update gated by the trace c (s2) is valid; these are not
  ["gate state out of range", (p) => Object.assign(p.kernels[0]!.periodic!, { gated: true, gate_state: 42 }), ["kernels", 0, "periodic", "gate_state"], "42"],
  ["gate state of another group", (p) => Object.assign(p.kernels[0]!.periodic!, { gated: true, gate_state: 1 }), ["kernels", 0, "periodic", "gate_state"], "1"],
  ["gate state written at the pre neuron", (p) => {
    p.states.push({ name: "pre.g", group: 0, format: fmt(1, false, 0), init: [0], unit: "1", unit_scale: 1 });
    p.groups[0]!.kind = 1;
    p.kernels.push({ ...p.kernels[0]!, name: "pre.gated", group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: true, gate_state: 5 }, ops: [] });
    p.kernels[0]!.ops.push(op({ op: 2, src: [2], state: 5, index: 2 }));
  }, ["kernels", 0, "ops", 8, "state"], "5"],
  ["gate state that a current resets every tick", (p) => {
    p.kernels.push({ ...p.kernels[0]!, name: "post.gated", group: 1, periodic: { period_ticks: 1, offset_ticks: 0, gated: true, gate_state: 3 }, ops: [] });
  }, ["states", 3], "3"],
  ["empty lookup table", (p) => p.kernels[0]!.ops.splice(1, 1, op({ op: 21, dst: 1, src: [0], table: [] })), ["kernels", 0, "ops", 1, "table"], "0"],
  ["lookup entry outside the destination format", (p) => p.kernels[0]!.ops.splice(1, 1, op({ op: 21, dst: 1, src: [0], table: [1, 40000] })), ["kernels", 0, "ops", 1, "table", 1], "40000"],
  ["timer offset beyond 2^53", (p) => (p.kernels[0]!.periodic!.offset_ticks = BIG), ["kernels", 0, "periodic", "offset_ticks"], String(BIG)],
  ["spike source not a neuron group", (p) => (p.kernels[1]!.on_spike!.source = 2), ["kernels", 1, "on_spike", "source"], "2"],
  ["spike delay too long", (p) => (p.kernels[1]!.on_spike!.delay_ticks = LIMITS.maxDelayTicks + 1), ["kernels", 1, "on_spike", "delay_ticks"], String(LIMITS.maxDelayTicks + 1)],
  ["spike-triggered kernel over neurons", (p) => (p.kernels[1]!.group = 1), ["kernels", 1, "group"], "1"],
  ["too many registers", (p) => p.kernels[0]!.registers.push(...Array.from({ length: LIMITS.maxRegisters - 5 }, () => ({ format: fmt(8, false, 0) }))), ["kernels", 0, "registers"], String(LIMITS.maxRegisters + 1)],
  ["register format", (p) => (p.kernels[0]!.registers[1]!.format.width = 33), ["kernels", 0, "registers", 1, "format", "width"], "33"],
  ["too many ops", (p) => p.kernels[0]!.ops.push(...Array.from({ length: LIMITS.maxOpsPerKernel - 7 }, () => op({ op: 4, dst: 1 }))), ["kernels", 0, "ops"], String(LIMITS.maxOpsPerKernel + 1)],
  ["unknown opcode", (p) => (p.kernels[0]!.ops[2]!.op = 99), ["kernels", 0, "ops", 2, "op"], "99"],
  ["OP_UNSPECIFIED", (p) => (p.kernels[0]!.ops[2]!.op = 0), ["kernels", 0, "ops", 2, "op"], "0"],
  ["dst register out of range", (p) => (p.kernels[0]!.ops[1]!.dst = 6), ["kernels", 0, "ops", 1, "dst"], "6"],
  ["src register out of range", (p) => (p.kernels[0]!.ops[6]!.src[1] = 17), ["kernels", 0, "ops", 6, "src", 1], "17"],
  ["wrong number of sources", (p) => (p.kernels[0]!.ops[2]!.src = [0]), ["kernels", 0, "ops", 2, "src"], "1"],
  ["sources on an op that takes none", (p) => (p.kernels[1]!.ops[1]!.src = [0]), ["kernels", 1, "ops", 1, "src"], "1"],
  ["state index out of range", (p) => (p.kernels[0]!.ops[0]!.state = 12), ["kernels", 0, "ops", 0, "state"], "12"],
  ["state that is itself invalid", (p) => (p.states[2]!.format.rounding = 0), ["kernels", 0, "ops", 0, "state"], "2"],
  ["state of another group", (p) => (p.kernels[0]!.ops[0]!.state = 1), ["kernels", 0, "ops", 0, "state"], "1"],
  ["index mode", (p) => (p.kernels[0]!.ops[0]!.index = 8), ["kernels", 0, "ops", 0, "index"], "8"],
  [
    "PRE access from a neuron kernel",
    (p) => p.kernels.push({ name: "post.leak", group: 1, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit: 1, cycles: 1, registers: [{ format: fmt(16, true, 8) }], ops: [op({ op: 1, dst: 0, state: 1, index: 2 })] }),
    ["kernels", 2, "ops", 0, "index"],
    "2",
  ],
  ["shift out of range", (p) => p.kernels[0]!.ops.push(op({ op: 12, dst: 2, src: [0], imm: 99 })), ["kernels", 0, "ops", 8, "imm"], "99"],
  ["negative shift", (p) => p.kernels[0]!.ops.push(op({ op: 13, dst: 2, src: [0], imm: -1 })), ["kernels", 0, "ops", 8, "imm"], "-1"],
  ["CONST above the destination format", (p) => (p.kernels[0]!.ops[1]!.imm = 70000), ["kernels", 0, "ops", 1, "imm"], "70000"],
  ["CONST below an unsigned destination", (p) => (p.kernels[1]!.ops[1]!.imm = -1), ["kernels", 1, "ops", 1, "imm"], "-1"],
  ["immediate beyond 2^53", (p) => (p.kernels[0]!.ops[2]!.imm = -BIG), ["kernels", 0, "ops", 2, "imm"], String(-BIG)],
  // stimuli
  ["stimulus on a synapse group", (p) => (p.stimuli[0]!.group = 2), ["stimuli", 0, "group"], "2"],
  ["spike list lengths", (p) => (p.stimuli[0]!.spikes!.neurons = [0, 0]), ["stimuli", 0, "spikes"], "[3,2]"],
  ["stimulus neuron out of range", (p) => (p.stimuli[0]!.spikes!.neurons = [0, 4, 0]), ["stimuli", 0, "spikes", "neurons", 1], "4"],
  ["unsorted spike ticks", (p) => (p.stimuli[0]!.spikes!.ticks = [10, 5, 30]), ["stimuli", 0, "spikes", "ticks", 1], "5"],
  ["spike tick beyond 2^53", (p) => (p.stimuli[0]!.spikes!.ticks = [10, 20, BIG]), ["stimuli", 0, "spikes", "ticks", 2], String(BIG)],
  ["poisson neuron out of range", (p) => (p.stimuli[1]!.poisson!.neurons = [3]), ["stimuli", 1, "poisson", "neurons", 0], "3"],
  ["poisson stop before start", (p) => (p.stimuli[1]!.poisson!.stop_tick = 30), ["stimuli", 1, "poisson", "stop_tick"], "30"],
  ["poisson burst window", (p) => (p.stimuli[1]!.poisson!.burst_on_ticks = 50), ["stimuli", 1, "poisson"], "[50,20]"],
  ["poisson tick beyond 2^53", (p) => (p.stimuli[1]!.poisson!.burst_period_ticks = BIG), ["stimuli", 1, "poisson", "burst_period_ticks"], String(BIG)],
  ["regular neuron out of range", (p) => (p.stimuli[1] = { group: 0, regular: { neurons: [0, 2], start_tick: 0, stop_tick: 10, interval_ticks: 2 } }), ["stimuli", 1, "regular", "neurons", 1], "2"],
  ["regular stop before start", (p) => (p.stimuli[1] = { group: 0, regular: { neurons: [0], start_tick: 20, stop_tick: 10, interval_ticks: 2 } }), ["stimuli", 1, "regular", "stop_tick"], "10"],
  ["regular interval 0", (p) => (p.stimuli[1] = { group: 0, regular: { neurons: [0], start_tick: 0, stop_tick: 10, interval_ticks: 0 } }), ["stimuli", 1, "regular", "interval_ticks"], "0"],
  ["regular tick beyond 2^53", (p) => (p.stimuli[1] = { group: 0, regular: { neurons: [0], start_tick: 0, stop_tick: BIG, interval_ticks: 1 } }), ["stimuli", 1, "regular", "stop_tick"], String(BIG)],
  ["stimulus with two kinds", (p) => (p.stimuli[1]!.spikes = { ticks: [1], neurons: [9] }), ["stimuli", 1], '["spikes","poisson"]'],
  ["stimulus without a kind", (p) => (p.stimuli[0] = { group: 0 }), ["stimuli", 0], ""],
  // current stimuli: stimuli[2] is an OU current (input s3, state s4), stimuli[3] a constant one into s3
  ["current input out of range", (p) => (p.stimuli[2]!.current!.input_state = 99), ["stimuli", 2, "current", "input_state"], "99"],
  ["current input in another group", (p) => (p.stimuli[3]!.current!.input_state = 0), ["stimuli", 3, "current", "input_state"], "0"],
  ["current input that is itself invalid", (p) => (p.states[3]!.format.width = 0), ["stimuli", 2, "current", "input_state"], "3"],
  ["current input that is an OU state", (p) => (p.stimuli[3]!.current!.input_state = 4), ["stimuli", 3, "current", "input_state"], "4"],
  ["OU state out of range", (p) => (p.stimuli[2]!.current!.ou_state = 12), ["stimuli", 2, "current", "ou_state"], "12"],
  ["OU state that is a current's input", (p) => (p.stimuli[2]!.current!.ou_state = 3), ["stimuli", 2, "current", "ou_state"], "3"],
  ["OU state shared by two stimuli", (p) => Object.assign(p.stimuli[3]!.current!, { kick_raw: 5, ou_state: 4, mean_raw: 0 }), ["stimuli", 3, "current", "ou_state"], "4"],
  ["OU state in another group", (p) => (p.stimuli[2]!.current!.ou_state = 2), ["stimuli", 2, "current", "ou_state"], "2"],
  ["current neuron out of range", (p) => (p.stimuli[3]!.current!.neurons = [0, 5]), ["stimuli", 3, "current", "neurons", 1], "5"],
  ["OU current lists a neuron twice", (p) => (p.stimuli[2]!.current!.neurons = [0, 0]), ["stimuli", 2, "current", "neurons", 1], "0"],
  ["current stop before start", (p) => (p.stimuli[2]!.current!.stop_tick = 10), ["stimuli", 2, "current", "stop_tick"], "10"],
  ["current tick beyond 2^53", (p) => (p.stimuli[3]!.current!.start_tick = BIG), ["stimuli", 3, "current", "start_tick"], String(BIG)],
  ["constant current outside the input's format", (p) => (p.stimuli[3]!.current!.mean_raw = 40000), ["stimuli", 3, "current", "mean_raw"], "40000"],
  ["OU mean outside the OU state's format", (p) => (p.stimuli[2]!.current!.mean_raw = 2 ** 31), ["stimuli", 2, "current", "mean_raw"], String(2 ** 31)],
  ["decay above 0.32 fixed point", (p) => (p.stimuli[2]!.current!.decay_q32 = 2 ** 32), ["stimuli", 2, "current", "decay_q32"], String(2 ** 32)],
  ["kick wider than the OU state", (p) => (p.stimuli[2]!.current!.kick_raw = -(2 ** 32)), ["stimuli", 2, "current", "kick_raw"], String(-(2 ** 32))],
  ["kick beyond 2^53", (p) => (p.stimuli[2]!.current!.kick_raw = BIG), ["stimuli", 2, "current", "kick_raw"], String(BIG)],
  ["current and spikes in one stimulus", (p) => (p.stimuli[2]!.spikes = { ticks: [1], neurons: [0] }), ["stimuli", 2], '["spikes","current"]'],
  // probes
  ["probe of a missing state", (p) => (p.probes[0]!.state = 7), ["probes", 0, "state"], "7"],
  ["probe element out of range", (p) => (p.probes[0]!.elements = [3]), ["probes", 0, "elements", 0], "3"],
  ["probe interval 0", (p) => (p.probes[1]!.every_ticks = 0), ["probes", 1, "every_ticks"], "0"],
];

describe("IR verifier", () => {
  it("accepts the sample", () => {
    expect(problems(() => {})).toEqual([]);
  });

  it("accepts a gated kernel, NOW and LOOKUP", () => {
    expect(problems((p) => {
      Object.assign(p.kernels[0]!.periodic!, { gated: true, gate_state: 2 });
      p.kernels[0]!.ops.splice(1, 1, op({ op: 21, dst: 1, src: [0], table: [32767, 31130, 0] }));
      p.kernels[0]!.ops.push(op({ op: 20, dst: 3, imm: 1 }));
    })).toEqual([]);
  });

  for (const [name, edit, path, value] of cases) {
    it(`rejects: ${name}`, () => {
      const ds = problems(edit);
      const d = ds.find((x) => JSON.stringify(x.where?.path) === JSON.stringify(path));
      expect(d, JSON.stringify(ds.map((x) => [x.where?.path, x.message, x.received]))).toBeDefined();
      expect(d!.code).toBe("invalid-ir");
      expect(d!.where!.file).toBe("sample.engram");
      if (value === "") return;
      expect(d!.received).toBe(value);
      // The rendered text a user sees names the place and quotes the value.
      const text = renderDiagnostic(d!);
      expect(text).toContain("sample.engram at ");
      expect(text).toContain(`received: ${value}`);
    });
  }

  it("reports at most LIMITS.maxDiagnostics problems", () => {
    const ds = problems((p) => p.probes.push(...Array.from({ length: 100 }, () => ({ state: 99, elements: [], every_ticks: 1, column: "x" }))));
    expect(ds).toHaveLength(LIMITS.maxDiagnostics);
  });

  it("refuses a tiny file declaring a group of 2^31 elements before allocating anything", () => {
    const p = sampleProgram();
    p.groups[2]!.size = 2 ** 31;
    const bytes = encode(p);
    expect(bytes.length).toBeLessThan(1000);
    const heap = process.memoryUsage().heapUsed;
    const t = performance.now();
    const ds = diagnosticsOf(decode(bytes));
    expect(performance.now() - t).toBeLessThan(500);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 2 ** 20);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.where!.path).toEqual(["groups"]);
    expect(ds[0]!.message).toMatch(/more than the limit/);
    expect(ds[0]!.received).toBe(String(2 ** 31 + 2));
  });

  it("crossbar sites are compared exactly (regression: (0,1,0) and (0,0,65536) collided as one numeric key)", () => {
    const ds = problems((p) => {
      p.groups[2]!.size = 2;
      Object.assign(p.connectivity[0]!, { pre_index: [0, 0], post_index: [0, 0], array: [0, 0], row: [1, 0], column: [0, 65536], label: [0, 0] });
    });
    expect(ds).toEqual([]);
    const big = problems((p) => {
      p.groups[2]!.size = 2;
      Object.assign(p.connectivity[0]!, { pre_index: [0, 0], post_index: [0, 0], array: [2 ** 32 - 1, 2 ** 32 - 1], row: [2 ** 32 - 1, 2 ** 32 - 1], column: [2 ** 32 - 2, 2 ** 32 - 1], label: [0, 0] });
    });
    expect(big).toEqual([]);
  });
});

describe("op table", () => {
  it("agrees with ir.proto's Opcode enum, names and numbers, both ways", () => {
    const e = irRoot().lookupEnum("engram.ir.v1.Opcode");
    expect(e.values.OP_UNSPECIFIED).toBe(0);
    for (const o of OPS) expect(e.values[o.name], o.name).toBe(o.code);
    for (const [name, code] of Object.entries(e.values)) {
      if (name === "OP_UNSPECIFIED") continue;
      expect(OP_BY_CODE.get(code)?.name, `proto ${name} = ${code}`).toBe(name);
    }
    expect(Object.keys(e.values)).toHaveLength(OPS.length + 1);
    expect(new Set(OPS.map((o) => o.code)).size).toBe(OPS.length);
    expect(OP_BY_NAME.size).toBe(OPS.length);
  });

  it("each op's source count matches its operand list", () => {
    for (const o of OPS) expect(o.operands.filter((x) => x === "src").length, o.name).toBe(o.sources);
  });

  it("docs/ir.md is the op table's generated text (npm run docs:ir)", () => {
    expect(readFileSync("docs/ir.md", "utf8")).toBe(opTableMarkdown());
  });
});
