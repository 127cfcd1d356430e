/**
 * Emulates a line rate on links that have none (a PTY or an in-process pair move bytes as fast as
 * memory): each write leaves only when the line would be free, taking bytes * 10 bits / baud
 * seconds (8N1: start bit, 8 data bits, stop bit). The schedule is kept in exact time, so the
 * timer granularity never accumulates into drift.
 */
import type { Transport } from "./transport.ts";

export class PacedTransport implements Transport {
  private lineFreeAt = 0;
  private tail: Promise<void> = Promise.resolve();
  private readonly secondsPerByte: number;

  constructor(readonly inner: Transport, readonly baud: number) {
    this.secondsPerByte = 10 / baud;
  }

  write(bytes: Uint8Array): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.lineFreeAt);
    const due = (this.lineFreeAt = start + bytes.length * this.secondsPerByte * 1000);
    const copy = new Uint8Array(bytes); // a copy even when given a Buffer (whose slice() is a view)
    // The receiver sees the bytes once the last one is on the wire; write() resolves then too.
    // Chained, so that timer rounding can never reorder two writes.
    const sent = this.tail.then(() => new Promise<void>((r) => setTimeout(r, Math.max(0, due - performance.now())))).then(() => this.inner.write(copy));
    this.tail = sent.catch(() => {});
    return sent;
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
