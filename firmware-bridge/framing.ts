/**
 * Frames over a byte transport: payload || CRC-32(payload) little-endian, COBS-encoded, Reed-Solomon
 * check bytes appended at the frame's FEC level (fec.ts; level 0: none), then one 0x00. A receiver
 * resynchronises at every 0x00, so a corrupted or truncated frame costs only itself. It does not
 * know a frame's level beforehand: it tries the level of the last good frame first, then the
 * others, and the CRC-32 decides. Receive buffers are preallocated; a frame is copied out once.
 */
import { cobsDecode, cobsEncode, cobsMaxEncoded } from "./cobs.ts";
import { crc32 } from "./crc32.ts";
import { FEC_LEVELS, fecDecode, fecEncode, fecWireLength, type FecLevel, type FecRepair } from "./fec.ts";
import type { Transport } from "./transport.ts";

/** Default largest payload (protobuf bytes, before CRC and COBS) a side accepts. */
export const DEFAULT_MAX_PAYLOAD = 4096 + 64;

export interface LinkCounters {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  /** Frames dropped on receipt: bad CRC, bad COBS, too short or too long, uncorrectable. */
  badFrames: number;
  /** Valid frames received with at least one byte corrected by FEC, and the bytes corrected. */
  framesRepaired: number;
  bytesCorrected: number;
}

/** How a received frame came: its FEC level, wire bytes (without the delimiter) and bytes corrected. */
export interface FrameInfo {
  level: FecLevel;
  wireBytes: number;
  bytesCorrected: number;
}

/**
 * What a damaged frame says about the line, read at the level of the last good frame: its wire
 * bytes and the least number of damaged bytes that explains it (bytes corrected in blocks that
 * decoded, r / 2 + 1 for each block that did not; 1 at level 0).
 */
export interface Damage {
  wireBytes: number;
  errors: number;
}

export type BadFrameReason = "crc" | "cobs" | "short" | "oversize" | "fec";

export class FrameLink {
  readonly counters: LinkCounters = { framesSent: 0, bytesSent: 0, framesReceived: 0, badFrames: 0, framesRepaired: 0, bytesCorrected: 0 };
  /** The FEC level of frames sent when send() is not told one. */
  sendLevel: FecLevel = 0;
  /** The level of the last valid frame received: tried first. */
  private rxLevel: FecLevel = 0;
  private readonly repair: FecRepair = { blocks: 0, bytesCorrected: 0, failedBlocks: 0 };
  private readonly cobsBytes: Uint8Array;
  private readonly encoded: Uint8Array;
  private readonly rx: Uint8Array;
  private readonly decoded: Uint8Array;
  private rxLen = 0;
  private overflow = false;
  private readonly plain: Uint8Array;
  private readonly tx: Uint8Array;
  private frameListener: (payload: Uint8Array, info: FrameInfo) => void = () => {};
  private badListener: (reason: BadFrameReason, detail: string, damage: Damage) => void = () => {};

  constructor(readonly transport: Transport, readonly maxPayload = DEFAULT_MAX_PAYLOAD) {
    const cobsMax = cobsMaxEncoded(maxPayload + 4);
    const wireMax = Math.max(...FEC_LEVELS.map((r) => fecWireLength(cobsMax, r)));
    this.rx = new Uint8Array(wireMax);
    this.cobsBytes = new Uint8Array(wireMax);
    this.encoded = new Uint8Array(cobsMax);
    this.decoded = new Uint8Array(maxPayload + 4);
    this.plain = new Uint8Array(maxPayload + 4);
    this.tx = new Uint8Array(wireMax + 2);
    transport.onData((bytes) => this.receive(bytes));
  }

  onFrame(listener: (payload: Uint8Array, info: FrameInfo) => void): void {
    this.frameListener = listener;
  }
  onBadFrame(listener: (reason: BadFrameReason, detail: string, damage: Damage) => void): void {
    this.badListener = listener;
  }

  /** Encodes and writes one frame at FEC level `level`; payloads above maxPayload are a bug of the caller. */
  send(payload: Uint8Array, level: FecLevel = this.sendLevel): Promise<void> {
    if (payload.length > this.maxPayload) throw new RangeError(`frame payload of ${payload.length} bytes exceeds the ${this.maxPayload}-byte limit`);
    const n = payload.length;
    const plain = this.plain;
    plain.set(payload);
    const c = crc32(payload);
    plain[n] = c & 0xff;
    plain[n + 1] = (c >>> 8) & 0xff;
    plain[n + 2] = (c >>> 16) & 0xff;
    plain[n + 3] = c >>> 24;
    const m = cobsEncode(plain, n + 4, this.encoded);
    // At a level above 0 the frame also starts with a 0x00, so that a damaged delimiter costs
    // one stray byte, which the receiver drops, instead of two frames (see complete()).
    const lead = level > 0 ? 1 : 0;
    this.tx[0] = 0;
    const end = fecEncode(this.encoded, m, level, lead ? this.tx.subarray(1) : this.tx) + lead;
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

  /** A complete frame: tried at the level of the last good frame, then at the others; the CRC-32 decides. */
  private complete(): void {
    let first: { reason: BadFrameReason; detail: string } | null = null;
    let errors = 1;
    const levels = [this.rxLevel, ...FEC_LEVELS.filter((r) => r !== this.rxLevel)];
    for (const level of levels) {
      const failure = this.tryLevel(level, 0, this.rxLen, 0, !first);
      if (!failure) return;
      if (!first) {
        first = failure;
        if (level > 0) errors = Math.max(1, this.repair.bytesCorrected + this.repair.failedBlocks * (level / 2 + 1));
      }
    }
    // A damaged delimiter: frames sent at a level above 0 are preceded by a 0x00 too, so a damaged
    // delimiter leaves one stray byte at the end of the frame before it (or at the start of the
    // one after it, when the leading 0x00 was hit). Try without it.
    if (this.rxLen > 1) {
      for (const level of levels.filter((r) => r > 0)) if (!this.tryLevel(level, 0, this.rxLen - 1, 1, false) || !this.tryLevel(level, 1, this.rxLen - 1, 1, false)) return;
    }
    this.bad(first!.reason, first!.detail, errors);
  }

  /**
   * Decodes rx[from, from + w) at `level`; `stray`: damaged bytes already left out (a delimiter);
   * `countAll`: decode every block even after one fails (for the error-rate counts of the first try).
   */
  private tryLevel(level: FecLevel, from: number, w: number, stray = 0, countAll = true): { reason: BadFrameReason; detail: string } | null {
    const m = fecDecode(from === 0 ? this.rx : this.rx.subarray(from), w, level, this.cobsBytes, this.repair, countAll);
    if (m < 0) return { reason: "fec", detail: `a ${w}-byte frame has more damage than FEC level ${level} corrects` };
    if (m > this.encoded.length) return { reason: "oversize", detail: `a frame of ${m} COBS bytes at FEC level ${level}, longer than the ${this.maxPayload}-byte payload limit allows` };
    const n = cobsDecode(this.cobsBytes, m, this.decoded);
    if (n < 0) return { reason: "cobs", detail: `invalid COBS code at byte ${-1 - n} of a ${m}-byte frame` };
    if (n > this.decoded.length) return { reason: "oversize", detail: `a ${n}-byte frame, longer than the ${this.maxPayload}-byte payload limit` };
    if (n < 5) return { reason: "short", detail: `a ${n}-byte frame (at least 1 payload byte and 4 CRC bytes)` };
    const d = this.decoded;
    const got = (d[n - 4]! | (d[n - 3]! << 8) | (d[n - 2]! << 16) | (d[n - 1]! << 24)) >>> 0;
    const want = crc32(d, 0, n - 4);
    if (got !== want) return { reason: "crc", detail: `CRC-32 0x${got.toString(16).padStart(8, "0")} does not match the payload's 0x${want.toString(16).padStart(8, "0")}` };
    this.counters.framesReceived++;
    const fixed = this.repair.bytesCorrected + stray;
    if (fixed > 0) {
      this.counters.framesRepaired++;
      this.counters.bytesCorrected += fixed;
    }
    this.rxLevel = level;
    this.frameListener(d.slice(0, n - 4), { level, wireBytes: w, bytesCorrected: fixed });
    return null;
  }

  private bad(reason: BadFrameReason, detail: string, errors = 1): void {
    this.counters.badFrames++;
    this.badListener(reason, `${detail}; received ${quoteBytes(this.rx, Math.min(this.rxLen, this.rx.length))}`, { wireBytes: this.rxLen, errors });
  }
}

/** The first bytes of a damaged frame as hex and as text, so a wrong device is recognisable. */
function quoteBytes(b: Uint8Array, n: number): string {
  const shown = b.subarray(0, Math.min(n, 16));
  const hex = Array.from(shown, (x) => x.toString(16).padStart(2, "0")).join(" ");
  const text = Array.from(shown, (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : ".")).join("");
  return `${hex}${n > 16 ? " ..." : ""} "${text}"${n > 16 ? ` (${n} bytes)` : ""}`;
}
