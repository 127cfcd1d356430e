/**
 * The protocol's messages (protocol.proto, read with protobufjs) as plain objects, and the checks
 * that turn a payload that passed its CRC but is not a valid Frame into a located error.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";

/** The protocol version this build speaks; MIN_PROTOCOL_VERSION..PROTOCOL_VERSION are accepted. */
export const PROTOCOL_VERSION = 3;
export const MIN_PROTOCOL_VERSION = 3;

export const State = { IDLE: 1, RUNNING: 2, DONE: 3, FAILED: 4 } as const;
export const Reason = {
  UNSUPPORTED_VERSION: 1, BAD_REQUEST: 2, TOO_LARGE: 3, NO_UPLOAD: 4, OUT_OF_ORDER: 5, INCOMPLETE: 6,
  IMAGE_CRC_MISMATCH: 7, INVALID_IMAGE: 8, BUSY: 9, NO_IMAGE: 10, NO_RESULTS: 11, STALE_SESSION: 12,
  OLD_SEQ: 13, UNSUPPORTED_MESSAGE: 14,
} as const;
export const REASON_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Reason).map(([k, v]) => [v, k]));
export const STATE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(State).map(([k, v]) => [v, k]));

export interface HelloReply {
  protocol_version: number; device_id: string; firmware_version: string; capabilities: string[];
  max_frame_bytes: number; max_image_bytes: number; boot: number;
  active_crc32: number; active_bytes: number; partial_crc32: number; partial_received_bytes: number;
  seq_window: number; max_chunk_bytes: number; reply_within_ms: number; active_sha256: Uint8Array;
}
export interface Status {
  state: number; tick: number; duration_ticks: number; boot: number; active_crc32: number;
  results_bytes: number; results_crc32: number; error: string; active_sha256: Uint8Array;
}
export interface Bodies {
  hello: { protocol_version: number; min_protocol_version: number; host: string };
  hello_reply: HelloReply;
  begin_upload: { image_bytes: number; image_crc32: number };
  upload_ready: { received_bytes: number };
  chunk: { offset: number; data: Uint8Array };
  chunk_ack: { received_bytes: number };
  commit: { image_crc32: number };
  run: { duration_ticks: number };
  get_status: Record<string, never>;
  status: Status;
  read: { offset: number; length: number };
  read_data: { offset: number; data: Uint8Array };
  abort: Record<string, never>;
  reset: Record<string, never>;
  ack: Record<string, never>;
  nack: { reason: number; detail: string };
  bad_frame: { count: number };
}
export type BodyKind = keyof Bodies;
/** A decoded frame: session, seq and exactly one body, named by `kind`. */
export type Frame = { [K in BodyKind]: { session: number; seq: number; kind: K; body: Bodies[K]; rx_errors_ppm: number } }[BodyKind];

export interface Results {
  ticks_run: number;
  probes: { ticks: number[]; data: number[] }[];
  spike_ticks: number[];
  spike_groups: number[];
  spike_elements: number[];
  stats: { stepped_ticks: number; jumped_ticks: number; overruns: number; max_backlog_cycles: number; wall_seconds: number; saturations: number };
}

let root: protobuf.Root | undefined;
function lookup(name: string): protobuf.Type {
  if (!root) root = protobuf.parse(readFileSync(new URL("./protocol.proto", import.meta.url), "utf8"), { keepCase: true }).root;
  return root.lookupType(`engram.bridge.v3.${name}`);
}

const OBJECT_OPTIONS = { longs: Number, enums: Number, bytes: Uint8Array, defaults: true, arrays: true, oneofs: true } as const;

/** `rxErrorsPpm`: in the board's frames, its estimate of the byte error rate of what it receives (Frame.rx_errors_ppm). */
export function encodeFrame<K extends BodyKind>(session: number, seq: number, kind: K, body: Bodies[K], rxErrorsPpm = 0): Uint8Array {
  const t = lookup("Frame");
  return t.encode(t.fromObject({ session, seq, [kind]: body, rx_errors_ppm: rxErrorsPpm })).finish();
}

/**
 * A payload that passed its CRC but is not a Frame this version understands. `session` and `seq`
 * are set when they could be read (fields 1 and 2 come first and decoded before the damage), so
 * the board can answer the request instead of leaving its host to time out; `unsupported` marks a
 * well-formed frame whose body is missing or unknown (as opposed to bytes that do not parse).
 */
export class ProtocolError extends Error {
  constructor(message: string, readonly session?: number, readonly seq?: number, readonly unsupported = false) {
    super(message);
  }
}

export function decodeFrame(payload: Uint8Array): Frame {
  const t = lookup("Frame");
  let obj: Record<string, unknown>;
  try {
    obj = t.toObject(t.decode(payload), OBJECT_OPTIONS) as Record<string, unknown>;
  } catch (e) {
    const h = readHeader(payload);
    throw new ProtocolError(`a ${payload.length}-byte frame payload is not a protocol message: ${(e as Error).message} (first bytes ${hexBytes(payload, 16)})`, h.session, h.seq);
  }
  const kind = obj.body as BodyKind | undefined;
  if (kind === undefined) {
    const h = readHeader(payload);
    const what = h.otherFields.length ? `a body in field ${h.otherFields.join(", ")}, which protocol ${PROTOCOL_VERSION} does not define,` : "";
    throw new ProtocolError(`a frame without a message body${what ? ` (${what.slice(0, -1)})` : ""} (session ${obj.session as number}, seq ${obj.seq as number}; bytes ${hexBytes(payload, 16)}): a newer protocol version?`, obj.session as number, obj.seq as number, true);
  }
  return { session: obj.session as number, seq: obj.seq as number, kind, body: obj[kind], rx_errors_ppm: obj.rx_errors_ppm as number } as Frame;
}

/** Reads the top-level fields of a Frame one by one, as far as they parse: session, seq and the numbers of the others. */
function readHeader(payload: Uint8Array): { session?: number; seq?: number; otherFields: number[] } {
  const out: { session?: number; seq?: number; otherFields: number[] } = { otherFields: [] };
  const r = protobuf.Reader.create(payload);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      if (field === 1 && (tag & 7) === 0) out.session = r.uint32();
      else if (field === 2 && (tag & 7) === 0) out.seq = r.uint32();
      else if (field === 3 && (tag & 7) === 0) r.uint32(); // rx_errors_ppm
      else {
        out.otherFields.push(field);
        r.skipType(tag & 7);
      }
    }
  } catch {
    // damaged from here on: what was read so far stands
  }
  return out;
}

export function encodeResults(r: Results): Uint8Array {
  const t = lookup("Results");
  return t.encode(t.fromObject(r)).finish();
}

export function decodeResults(bytes: Uint8Array): Results {
  const t = lookup("Results");
  try {
    return t.toObject(t.decode(bytes), OBJECT_OPTIONS) as unknown as Results;
  } catch (e) {
    throw new ProtocolError(`the board's results (${bytes.length} bytes) do not decode: ${(e as Error).message}`);
  }
}

/** "0a 02 08 01 ..." for messages that quote offending bytes. */
export function hexBytes(bytes: Uint8Array, max = 32): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return bytes.length > max ? `${shown} ... (${bytes.length} bytes)` : shown;
}
