/**
 * .engram files: the IR program as protobuf bytes (schema: ir.proto, read with protobufjs).
 * decode() only parses; every decoded program must pass verify() (verify.ts) before use.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";

const PROTO_PATH = new URL("./ir.proto", import.meta.url);
export const IR_VERSION = 1;
/** A file larger than this is refused before parsing. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

let root: protobuf.Root | undefined;
export function irRoot(): protobuf.Root {
  if (!root) root = protobuf.parse(readFileSync(PROTO_PATH, "utf8"), { keepCase: true }).root;
  return root;
}

export function programType(): protobuf.Type {
  return irRoot().lookupType("engram.ir.v1.Program");
}

export interface IrFixedFormat {
  width: number;
  signed: boolean;
  frac: number;
  rounding: number;
  overflow: number;
}

/** The decoded program as plain objects (enums as numbers, 64-bit fields as numbers). */
export interface IrProgram {
  header: { ir_version: number; engram_version: string; target: string; seed: number; tick_seconds: number; duration_ticks: number; model_name: string; model_sha256: string; acceleration: number; clock_hz: number };
  groups: { name: string; kind: number; size: number }[];
  states: { name: string; group: number; format: IrFixedFormat; init: number[]; unit: string; unit_scale: number }[];
  connectivity: { synapses: number; pre: number; post: number; pre_index: number[]; post_index: number[]; array: number[]; row: number[]; column: number[]; label: number[] }[];
  kernels: {
    name: string;
    group: number;
    periodic?: { period_ticks: number; offset_ticks: number };
    on_spike?: { source: number; delay_ticks: number; post: boolean };
    registers: { format: IrFixedFormat }[];
    /** 1 = digital (cycle-budgeted), 2 = analog core. */
    unit: number;
    /** Cycles one run costs (digital kernels). */
    cycles: number;
    ops: { op: number; dst: number; src: number[]; imm: number; state: number; index: number }[];
  }[];
  stimuli: { group: number; spikes?: { ticks: number[]; neurons: number[] }; poisson?: { neurons: number[]; prob_per_tick_q32: number; start_tick: number; stop_tick: number; burst_on_ticks: number; burst_period_ticks: number }; regular?: { neurons: number[]; start_tick: number; stop_tick: number; interval_ticks: number } }[];
  probes: { state: number; elements: number[]; every_ticks: number; column: string }[];
}

export function encode(p: IrProgram): Uint8Array {
  const t = programType();
  return t.encode(t.fromObject(p)).finish();
}

export class DecodeError extends Error {}

/** Parses bytes; throws DecodeError with the byte offset on malformed input. */
export function decode(bytes: Uint8Array): IrProgram {
  if (bytes.length > MAX_FILE_BYTES) throw new DecodeError(`file is ${bytes.length} bytes, more than the ${MAX_FILE_BYTES}-byte limit`);
  const t = programType();
  let msg: protobuf.Message;
  try {
    msg = t.decode(bytes);
  } catch (e) {
    throw new DecodeError(`not a valid engram IR file: ${(e as Error).message}`);
  }
  const obj = t.toObject(msg, { longs: Number, enums: Number, defaults: true, arrays: true, oneofs: false }) as IrProgram;
  return obj;
}
