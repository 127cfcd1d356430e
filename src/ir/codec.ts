/**
 * The IR program as protobuf bytes (schema: ir.proto, read with protobufjs). decode() only
 * parses; every decoded program must pass verify() (verify.ts) before use. Files (.engram) add a
 * digest trailer: write and read them with image.ts (encodeImage, decodeImage), never these.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";

const PROTO_PATH = new URL("./ir.proto", import.meta.url);
/**
 * 2: images end in a SHA-256 digest trailer (image.ts). 3: Stream stimuli (time series into an
 * input). 4: kernels' random draws are counter-based (src/ir/draws.ts).
 */
export const IR_VERSION = 4;
/**
 * Versions this engram runs: a version-2 image has no Stream stimuli and means the same under
 * version 3; a version-2 or -3 image whose kernels draw nothing means the same under version 4
 * (one that draws is refused by the verifier).
 */
export const IR_VERSIONS_READ: readonly number[] = [2, 3, 4];
/** A file larger than this is refused before parsing. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/**
 * Budget of the decoded form, checked on the wire bytes before anything is materialised: each
 * message costs 16 units, each repeated 64-bit value 4 and each other repeated value 1. Decoding
 * expands bytes a lot (an empty kernel is 2 bytes on the wire and ~300 bytes of objects; a packed
 * sint64 of 1 byte becomes a Long), so without this a few tens of megabytes, well below
 * MAX_FILE_BYTES, would exhaust the heap before verify() could count anything.
 */
export const MAX_DECODED_UNITS = 1 << 25;

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
  header: { ir_version: number; engram_version: string; target: string; seed: number; tick_seconds: number; duration_ticks: number; model_name: string; model_sha256: string; acceleration: number; clock_hz: number; rounding_bits: number };
  groups: { name: string; kind: number; size: number }[];
  states: { name: string; group: number; format: IrFixedFormat; init: number[]; unit: string; unit_scale: number }[];
  connectivity: { synapses: number; pre: number; post: number; pre_index: number[]; post_index: number[]; array: number[]; row: number[]; column: number[]; label: number[] }[];
  kernels: {
    name: string;
    group: number;
    periodic?: { period_ticks: number; offset_ticks: number; gated: boolean; gate_state: number };
    on_spike?: { source: number; delay_ticks: number; post: boolean };
    registers: { format: IrFixedFormat }[];
    /** 1 = digital (cycle-budgeted), 2 = analog core. */
    unit: number;
    /** Cycles one run costs (digital kernels). */
    cycles: number;
    ops: { op: number; dst: number; src: number[]; imm: number; state: number; index: number; table: number[] }[];
  }[];
  stimuli: { group: number; spikes?: { ticks: number[]; neurons: number[] }; poisson?: { neurons: number[]; prob_per_tick_q32: number; start_tick: number; stop_tick: number; burst_on_ticks: number; burst_period_ticks: number }; regular?: { neurons: number[]; start_tick: number; stop_tick: number; interval_ticks: number }; current?: IrCurrent; stream?: IrStream }[];
  probes: { state: number; elements: number[]; every_ticks: number; column: string }[];
}

/** A current stimulus (ir.proto, message Current: the semantics are stated there). */
export interface IrCurrent {
  neurons: number[];
  input_state: number;
  start_tick: number;
  stop_tick: number;
  mean_raw: number;
  decay_q32: number;
  kick_raw: number;
  ou_state: number;
}

/** A stream stimulus (ir.proto, message Stream: the semantics are stated there). */
export interface IrStream {
  neurons: number[];
  input_state: number;
  start_tick: number;
  stop_tick: number;
  channels: number;
  sample_frac: number;
  samples: number[];
  weight_frac: number;
  weights: number[];
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
    checkDecodedSize(bytes, t);
    msg = t.decode(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`not a valid engram IR file: ${(e as Error).message}`);
  }
  const obj = t.toObject(msg, { longs: Number, enums: Number, defaults: true, arrays: true, oneofs: false }) as IrProgram & { image_sha256?: unknown };
  delete obj.image_sha256; // the file's trailer, checked by image.ts before decoding; not part of the program
  return obj;
}

interface ScanField {
  message?: protobuf.Type;
  repeated: boolean;
  /** Cost of one repeated scalar value. */
  cost: number;
  /** Wire type of one unpacked value. */
  wire: number;
}
const WIDE = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64", "double"]);
const FIXED64 = new Set(["fixed64", "sfixed64", "double"]);
const FIXED32 = new Set(["fixed32", "sfixed32", "float"]);
const scanFields = new Map<protobuf.Type, Map<number, ScanField>>();
function fieldsOf(type: protobuf.Type): Map<number, ScanField> {
  let m = scanFields.get(type);
  if (!m) {
    m = new Map();
    for (const f of type.fieldsArray) {
      f.resolve();
      const message = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
      const wire = message || f.type === "string" || f.type === "bytes" ? 2 : FIXED64.has(f.type) ? 1 : FIXED32.has(f.type) ? 5 : 0;
      m.set(f.id, { message, repeated: f.repeated, cost: WIDE.has(f.type) ? 4 : 1, wire });
    }
    scanFields.set(type, m);
  }
  return m;
}

/**
 * Refuses bytes whose decoded form would exceed MAX_DECODED_UNITS, read from the wire format
 * without materialising anything (follows protobufjs: fields with an unexpected wire type are
 * skipped). Malformed bytes throw, as decoding them would.
 */
function checkDecodedSize(bytes: Uint8Array, type: protobuf.Type): void {
  const r = protobuf.Reader.create(bytes);
  let units = 0;
  const charge = (n: number) => {
    units += n;
    if (units > MAX_DECODED_UNITS) throw new DecodeError(`the file would decode to more than ${MAX_DECODED_UNITS} units of messages and repeated values (the decoder's memory limit, MAX_DECODED_UNITS)`);
  };
  const walk = (t: protobuf.Type, end: number): void => {
    const fields = fieldsOf(t);
    while (r.pos < end) {
      const tag = r.tag();
      const wire = tag & 7;
      const f = fields.get(tag >>> 3);
      if (f?.message && wire === 2) {
        const sub = r.uint32() + r.pos;
        if (sub > end) throw new RangeError("index out of range");
        charge(16);
        walk(f.message, sub);
        if (r.pos !== sub) throw new RangeError("index out of range");
      } else if (f && f.repeated && !f.message && wire === 2 && f.wire !== 2) {
        const len = r.uint32();
        if (r.pos + len > end) throw new RangeError("index out of range");
        let n = 0;
        if (f.wire === 0) {
          for (let i = r.pos; i < r.pos + len; i++) if (r.buf[i]! < 0x80) n++;
        } else n = Math.floor(len / (f.wire === 1 ? 8 : 4));
        charge(n * f.cost);
        r.skip(len);
      } else {
        if (f && f.repeated && !f.message && wire === f.wire) charge(f.cost);
        r.skipType(wire);
      }
    }
  };
  walk(type, bytes.length);
}
