/**
 * Fault injection between host and board: a transport wrapper that corrupts, drops, duplicates
 * and delays what passes through it, and can cut the line after a number of bytes. Each write()
 * from the framing layer is one frame, so drops and duplicates act on whole frames. Faults act on
 * what this side sends; wrap both ends to damage both directions. Every draw comes from a seeded Rng: a failing case replays.
 */
import { Rng } from "../src/util/rng.ts";
import type { Transport } from "./transport.ts";

export interface FaultOptions {
  seed: number;
  /** Probability that an outgoing byte is replaced by a random other value. */
  corrupt?: number;
  /** Probability that an outgoing frame is lost. */
  drop?: number;
  /** Probability that an outgoing frame is sent twice. */
  duplicate?: number;
  /** Extra delay of each outgoing frame, uniform in [0, maxDelayMs]. */
  maxDelayMs?: number;
  /** After this many outgoing bytes the line goes dead (nothing more passes either way). */
  disconnectAfterBytes?: number;
}

export interface FaultCounts {
  frames: number;
  dropped: number;
  duplicated: number;
  corruptedBytes: number;
  delayed: number;
}

export class FaultyTransport implements Transport {
  readonly counts: FaultCounts = { frames: 0, dropped: 0, duplicated: 0, corruptedBytes: 0, delayed: 0 };
  private readonly rng: Rng;
  private sentBytes = 0;
  private dead = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly inner: Transport, readonly options: FaultOptions) {
    this.rng = new Rng(options.seed, "bridge-faults");
  }

  /** Cuts the line now (a cable pulled): nothing more passes in either direction. */
  disconnect(): void {
    this.dead = true;
  }

  get disconnected(): boolean {
    return this.dead;
  }

  write(bytes: Uint8Array): Promise<void> {
    const o = this.options;
    this.counts.frames++;
    if (this.dead) return Promise.resolve();
    if (o.disconnectAfterBytes !== undefined && this.sentBytes + bytes.length > o.disconnectAfterBytes) {
      // The line dies mid-frame: the board sees a truncated frame, then silence.
      const part = bytes.subarray(0, o.disconnectAfterBytes - this.sentBytes);
      this.dead = true;
      return this.inner.write(part);
    }
    this.sentBytes += bytes.length;
    if (o.drop && this.rng.uniform() < o.drop) {
      this.counts.dropped++;
      return Promise.resolve();
    }
    const copies = o.duplicate && this.rng.uniform() < o.duplicate ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    const delay = o.maxDelayMs ? this.rng.uniform() * o.maxDelayMs : 0;
    if (delay > 0) this.counts.delayed++;
    const frames = Array.from({ length: copies }, () => this.corrupt(new Uint8Array(bytes)));
    if (delay === 0 && !o.maxDelayMs) {
      // No delays configured: straight through (the inner transport keeps order), so frames can
      // queue back to back in a paced line instead of waiting for each other here.
      return Promise.all(frames.map((f) => this.inner.write(f))).then(() => {});
    }
    // Delays keep frame order (a serial line never reorders), so they are chained.
    const sent = this.tail
      .then(() => (delay > 0 ? new Promise<void>((r) => setTimeout(r, delay)) : undefined))
      .then(async () => {
        for (const f of frames) if (!this.dead) await this.inner.write(f);
      });
    this.tail = sent.catch(() => {});
    return sent;
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.inner.onData((bytes) => {
      if (!this.dead) listener(bytes);
    });
  }
  onClose(listener: (reason: string) => void): void {
    this.inner.onClose(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private corrupt(bytes: Uint8Array): Uint8Array {
    const p = this.options.corrupt;
    if (!p) return bytes;
    // Geometric gaps between corrupted bytes: one draw per error, not one per byte.
    for (let i = this.rng.geometric(p) - 1; i < bytes.length; i += this.rng.geometric(p)) {
      bytes[i] = (bytes[i]! + 1 + (this.rng.nextU32() % 255)) & 0xff;
      this.counts.corruptedBytes++;
    }
    return bytes;
  }
}
