/**
 * The transport contract: bytes in, bytes out, nothing about frames. Serial ports, the in-process
 * pair used by unit tests, line-rate pacing and fault injection all implement it, so the framing
 * and session layers above run unchanged on each.
 */
export interface Transport {
  /** Resolves once the bytes have left (for a serial port: drained to the line). */
  write(bytes: Uint8Array): Promise<void>;
  /** One listener; bytes arrive in arbitrary pieces, never aligned to frames. */
  onData(listener: (bytes: Uint8Array) => void): void;
  /** Called once when the other side or the device goes away (not after our own close()). */
  onClose(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

/** Base for transports that hold one data and one close listener. */
export abstract class ListenerTransport implements Transport {
  protected dataListener: (bytes: Uint8Array) => void = () => {};
  protected closeListener: (reason: string) => void = () => {};
  abstract write(bytes: Uint8Array): Promise<void>;
  abstract close(): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): void {
    this.dataListener = listener;
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }
}

/** One end of an in-process pair: writes arrive at the other end on a later tick, as on a wire. */
class PairEnd extends ListenerTransport {
  peer!: PairEnd;
  closed = false;
  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new Error("transport is closed");
    const copy = new Uint8Array(bytes); // a copy even when given a Buffer (whose slice() is a view)
    const peer = this.peer;
    setImmediate(() => {
      if (!peer.closed) peer.dataListener(copy);
    });
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    setImmediate(() => {
      if (!peer.closed) peer.closeListener("the other end closed");
    });
  }
}

/** Two connected in-process transports (for unit tests and the benchmark fallback). */
export function transportPair(): [Transport, Transport] {
  const a = new PairEnd();
  const b = new PairEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
