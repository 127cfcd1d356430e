/**
 * Frames over a byte transport: payload || CRC-32(payload) little-endian, COBS-encoded, then one
 * 0x00. A receiver resynchronises at every 0x00, so a corrupted or truncated frame costs only
 * itself. Receive buffers are preallocated; a frame is copied out once, when it is complete.
 */
import { cobsDecode, cobsEncode, cobsMaxEncoded } from "./cobs.ts";
import { crc32 } from "./crc32.ts";
import type { Transport } from "./transport.ts";

/** Default largest payload (protobuf bytes, before CRC and COBS) a side accepts. */
export const DEFAULT_MAX_PAYLOAD = 4096 + 64;

export interface LinkCounters {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  /** Frames dropped on receipt: bad CRC, bad COBS, too short or too long. */
  badFrames: number;
}

export type BadFrameReason = "crc" | "cobs" | "short" | "oversize";

export class FrameLink {
  readonly counters: LinkCounters = { framesSent: 0, bytesSent: 0, framesReceived: 0, badFrames: 0 };
  private readonly rx: Uint8Array;
  private readonly decoded: Uint8Array;
  private rxLen = 0;
  private overflow = false;
  private readonly plain: Uint8Array;
  private readonly tx: Uint8Array;
  private frameListener: (payload: Uint8Array) => void = () => {};
  private badListener: (reason: BadFrameReason, detail: string) => void = () => {};

  constructor(readonly transport: Transport, readonly maxPayload = DEFAULT_MAX_PAYLOAD) {
    this.rx = new Uint8Array(cobsMaxEncoded(maxPayload + 4));
    this.decoded = new Uint8Array(maxPayload + 4);
    this.plain = new Uint8Array(maxPayload + 4);
    this.tx = new Uint8Array(cobsMaxEncoded(maxPayload + 4) + 1);
    transport.onData((bytes) => this.receive(bytes));
  }

  onFrame(listener: (payload: Uint8Array) => void): void {
    this.frameListener = listener;
  }
  onBadFrame(listener: (reason: BadFrameReason, detail: string) => void): void {
    this.badListener = listener;
  }

  /** Encodes and writes one frame; payloads above maxPayload are a bug of the caller. */
  send(payload: Uint8Array): Promise<void> {
    if (payload.length > this.maxPayload) throw new RangeError(`frame payload of ${payload.length} bytes exceeds the ${this.maxPayload}-byte limit`);
    const n = payload.length;
    const plain = this.plain;
    plain.set(payload);
    const c = crc32(payload);
    plain[n] = c & 0xff;
    plain[n + 1] = (c >>> 8) & 0xff;
    plain[n + 2] = (c >>> 16) & 0xff;
    plain[n + 3] = c >>> 24;
    const end = cobsEncode(plain, n + 4, this.tx);
    this.tx[end] = 0;
    this.counters.framesSent++;
    this.counters.bytesSent += end + 1;
    // The transport may hold on to the bytes until the line is free: hand it its own copy.
    return this.transport.write(this.tx.slice(0, end + 1));
  }

  private receive(bytes: Uint8Array): void {
    const rx = this.rx;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b !== 0) {
        if (this.rxLen < rx.length) rx[this.rxLen++] = b;
        else this.overflow = true;
        continue;
      }
      if (this.overflow) this.bad("oversize", `a frame longer than ${rx.length} encoded bytes (the ${this.maxPayload}-byte payload limit)`);
      else if (this.rxLen > 0) this.complete();
      this.rxLen = 0;
      this.overflow = false;
    }
  }

  private complete(): void {
    const n = cobsDecode(this.rx, this.rxLen, this.decoded);
    if (n < 0) return this.bad("cobs", `invalid COBS code at byte ${-1 - n} of a ${this.rxLen}-byte frame`);
    if (n < 5) return this.bad("short", `a ${n}-byte frame (at least 1 payload byte and 4 CRC bytes)`);
    const d = this.decoded;
    const got = (d[n - 4]! | (d[n - 3]! << 8) | (d[n - 2]! << 16) | (d[n - 1]! << 24)) >>> 0;
    const want = crc32(d, 0, n - 4);
    if (got !== want) return this.bad("crc", `CRC-32 0x${got.toString(16).padStart(8, "0")} does not match the payload's 0x${want.toString(16).padStart(8, "0")}`);
    this.counters.framesReceived++;
    this.frameListener(d.slice(0, n - 4));
  }

  private bad(reason: BadFrameReason, detail: string): void {
    this.counters.badFrames++;
    this.badListener(reason, `${detail}; received ${quoteBytes(this.rx, Math.min(this.rxLen, this.rx.length))}`);
  }
}

/** The first bytes of a damaged frame as hex and as text, so a wrong device is recognisable. */
function quoteBytes(b: Uint8Array, n: number): string {
  const shown = b.subarray(0, Math.min(n, 16));
  const hex = Array.from(shown, (x) => x.toString(16).padStart(2, "0")).join(" ");
  const text = Array.from(shown, (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : ".")).join("");
  return `${hex}${n > 16 ? " ..." : ""} "${text}"${n > 16 ? ` (${n} bytes)` : ""}`;
}
