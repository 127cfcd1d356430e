/**
 * Emulates a line rate on links that have none (a PTY or an in-process pair move bytes as fast as
 * memory): each write occupies the line for bytes * 10 bits / baud seconds (8N1: start bit, 8
 * data bits, stop bit) after the previous one, and reaches the other side when its last byte
 * would have. The schedule is kept in exact time, and one timer delivers every queued write that
 * is due by the time it fires, so timer granularity (about 1 ms) neither accumulates into drift
 * nor caps the rate of short frames at one per timer tick.
 */
import type { Transport } from "./transport.ts";

interface Queued {
  bytes: Uint8Array;
  due: number;
  done: () => void;
  failed: (e: Error) => void;
}

export class PacedTransport implements Transport {
  private lineFreeAt = 0;
  private readonly queue: Queued[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly msPerByte: number;

  constructor(readonly inner: Transport, readonly baud: number) {
    this.msPerByte = (10 / baud) * 1000;
  }

  /** Resolves when the bytes have left (their last byte is on the far side). */
  write(bytes: Uint8Array): Promise<void> {
    const start = Math.max(performance.now(), this.lineFreeAt);
    const due = (this.lineFreeAt = start + bytes.length * this.msPerByte);
    const copy = new Uint8Array(bytes); // a copy even when given a Buffer (whose slice() is a view)
    return new Promise((done, failed) => {
      this.queue.push({ bytes: copy, due, done, failed });
      this.arm();
    });
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.deliver(), Math.max(0, this.queue[0]!.due - performance.now()));
  }

  private deliver(): void {
    this.timer = null;
    const now = performance.now();
    // In order, every write whose last byte is due by now.
    while (this.queue.length > 0 && this.queue[0]!.due <= now) {
      const q = this.queue.shift()!;
      this.inner.write(q.bytes).then(q.done, q.failed);
    }
    this.arm();
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.inner.onData(listener);
  }
  onClose(listener: (reason: string) => void): void {
    this.inner.onClose(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
