/**
 * Builders for the small hand-written IR programs of the emulator's tests (one group, integer
 * formats, a kernel or two), so that each test file states only what it is about: its stimuli,
 * its kernel's ops and its expected counts.
 */
import { IR_VERSION, type IrFixedFormat, type IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";

type Kernel = IrProgram["kernels"][number];
type Op = Kernel["ops"][number];

/** The code of op `name`. */
export const op = (name: string) => OP_BY_NAME.get(name)!.code;
/** An op's fields at their unused values (spread, then set what the op reads). */
export const unused = { dst: 0, src: [] as number[], imm: 0, state: 0, index: 0, table: [] as number[] };
/** A signed integer format of `width` bits, round to nearest, saturating. */
export const int = (width: number): IrFixedFormat => ({ width, signed: true, frac: 0, rounding: 2, overflow: 2 });

/** A cmos header at 1 ms ticks. */
export function header(name: string, durationTicks: number, seed = 1): IrProgram["header"] {
  return { ir_version: IR_VERSION, engram_version: "test", target: "cmos", seed, tick_seconds: 1e-3, duration_ticks: durationTicks, model_name: name, model_sha256: "0".repeat(64), acceleration: 1, clock_hz: 0, rounding_bits: 0 };
}

/** An integer state of group 0 starting at 0. */
export const state = (name: string, width: number) => ({ name, group: 0, format: int(width), init: [0], unit: "1", unit_scale: 1 });

/** A kernel of group 0 run every tick. */
export function everyTick(name: string, registers: IrFixedFormat[], ops: Op[], unit = 1): Kernel {
  return { name, group: 0, periodic: { period_ticks: 1, offset_ticks: 0, gated: false, gate_state: 0 }, unit, cycles: 0, registers: registers.map((format) => ({ format })), ops };
}

/** x += I every tick (states `input` and `acc`, of inWidth and accWidth bits): a no-op while I = 0. */
export function accumulate(name: string, input: number, inWidth: number, acc: number, accWidth: number, unit = 1): Kernel {
  return everyTick(name, [int(inWidth), int(accWidth), int(accWidth)], [
    { ...unused, op: op("LOAD"), dst: 0, state: input, index: 1 },
    { ...unused, op: op("LOAD"), dst: 1, state: acc, index: 1 },
    { ...unused, op: op("ADD"), dst: 2, src: [0, 1] },
    { ...unused, op: op("STORE"), src: [2], state: acc, index: 1 },
  ], unit);
}

/** Stores state `s` (width bits) back unchanged every tick: a no-op, skipped after its first run. */
export function keep(name: string, s: number, width: number): Kernel {
  return everyTick(name, [int(width)], [
    { ...unused, op: op("LOAD"), dst: 0, state: s, index: 1 },
    { ...unused, op: op("STORE"), src: [0], state: s, index: 1 },
  ]);
}
