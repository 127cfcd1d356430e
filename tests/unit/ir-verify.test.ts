/**
 * The verifier: one test per rule, each on the valid sample with one field broken, asserting the
 * located path and the quoted offending value.
 */
import { describe, expect, it } from "vitest";
import { verify } from "../../src/ir/verify.ts";
import { EngramError, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { IrProgram } from "../../src/ir/codec.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

function problems(edit: (p: IrProgram) => void): Diagnostic[] {
  const p = sampleProgram();
  edit(p);
  try {
    verify(p, "sample.engram");
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics;
    throw e;
  }
  return [];
}

const cases: [string, (p: IrProgram) => void, (string | number)[], string][] = [
  ["IR version", (p) => (p.header.ir_version = 9), ["header", "ir_version"], "9"],
  ["tick length", (p) => (p.header.tick_seconds = -1), ["header", "tick_seconds"], "-1"],
  ["duration", (p) => (p.header.duration_ticks = 2 ** 60), ["header", "duration_ticks"], String(2 ** 60)],
  ["acceleration", (p) => (p.header.acceleration = 0), ["header", "acceleration"], "0"],
  ["group kind", (p) => (p.groups[0]!.kind = 7), ["groups", 0, "kind"], "7"],
  ["format width", (p) => (p.states[0]!.format.width = 40), ["states", 0, "format", "width"], "40"],
  ["rounding enum", (p) => (p.states[0]!.format.rounding = 9), ["states", 0, "format", "rounding"], "9"],
  ["overflow enum", (p) => (p.states[0]!.format.overflow = 0), ["states", 0, "format", "overflow"], "0"],
  ["init out of range", (p) => (p.states[2]!.init = [300]), ["states", 2, "init", 0], "300"],
  ["init length", (p) => (p.states[0]!.init = [1, 2, 3]), ["states", 0, "init"], "3"],
  ["state group index", (p) => (p.states[0]!.group = 9), ["states", 0, "group"], "9"],
  ["connectivity index", (p) => (p.connectivity[0]!.post_index = [5]), ["connectivity", 0, "post_index", 0], "5"],
  ["connectivity kind", (p) => (p.connectivity[0]!.pre = 2), ["connectivity", 0, "pre"], "2"],
  ["kernel without trigger", (p) => delete p.kernels[0]!.periodic, ["kernels", 0], ""],
  ["timer period 0", (p) => (p.kernels[0]!.periodic!.period_ticks = 0), ["kernels", 0, "periodic", "period_ticks"], "0"],
  ["spike kernel on neurons", (p) => (p.kernels[1]!.group = 1), ["kernels", 1, "group"], ""],
  ["kernel unit", (p) => (p.kernels[0]!.unit = 5), ["kernels", 0, "unit"], "5"],
  ["unknown opcode", (p) => (p.kernels[0]!.ops[2]!.op = 99), ["kernels", 0, "ops", 2, "op"], "99"],
  ["register out of range", (p) => (p.kernels[0]!.ops[2]!.src[1] = 17), ["kernels", 0, "ops", 2, "src", 1], "17"],
  ["number of sources", (p) => (p.kernels[0]!.ops[2]!.src = [0]), ["kernels", 0, "ops", 2, "src"], "1"],
  ["state index", (p) => (p.kernels[0]!.ops[0]!.state = 12), ["kernels", 0, "ops", 0, "state"], "12"],
  ["state of another group", (p) => (p.kernels[0]!.ops[0]!.state = 1), ["kernels", 0, "ops", 0, "state"], "1"],
  ["index mode", (p) => (p.kernels[0]!.ops[0]!.index = 8), ["kernels", 0, "ops", 0, "index"], "8"],
  ["shift out of range", (p) => p.kernels[0]!.ops.push({ op: 12, dst: 2, src: [0], imm: 99, state: 0, index: 0 }), ["kernels", 0, "ops", 8, "imm"], "99"],
  ["constant out of range", (p) => (p.kernels[0]!.ops[1]!.imm = 70000), ["kernels", 0, "ops", 1, "imm"], "70000"],
  ["stimulus neuron", (p) => (p.stimuli[0]!.spikes!.neurons = [0, 4, 0]), ["stimuli", 0, "spikes", "neurons", 1], "4"],
  ["unsorted spike ticks", (p) => (p.stimuli[0]!.spikes!.ticks = [10, 5, 30]), ["stimuli", 0, "spikes", "ticks", 1], "5"],
  ["burst window", (p) => (p.stimuli[1]!.poisson!.burst_on_ticks = 50), ["stimuli", 1, "poisson"], "[50,20]"],
  ["probe element", (p) => (p.probes[0]!.elements = [3]), ["probes", 0, "elements", 0], "3"],
  ["probe interval", (p) => (p.probes[1]!.every_ticks = 0), ["probes", 1, "every_ticks"], "0"],
];

describe("IR verifier", () => {
  it("accepts the sample", () => {
    expect(problems(() => {})).toEqual([]);
  });

  for (const [name, edit, path, value] of cases) {
    it(`rejects: ${name}`, () => {
      const ds = problems(edit);
      const d = ds.find((x) => JSON.stringify(x.where?.path) === JSON.stringify(path));
      expect(d, JSON.stringify(ds.map((x) => [x.where?.path, x.message]))).toBeDefined();
      expect(d!.where!.file).toBe("sample.engram");
      if (value !== "") expect(d!.received).toBe(value);
    });
  }

  it("refuses a tiny file declaring billions of elements before allocating anything", () => {
    const ds = problems((p) => (p.groups[2]!.size = 2 ** 31));
    expect(ds[0]!.message).toMatch(/more than the limit/);
    expect(ds[0]!.received).toBe(String(2 ** 31 + 2));
  });
});
