/**
 * A fault-injecting proxy between two serial lines (host side and board side): bytes are cut into
 * frames at the COBS delimiter (0x00) and each frame goes on through a FaultyTransport, so drops
 * and duplicates act on whole frames and corruption on bytes, in both directions, from one seed.
 * It knows nothing of the protocol beyond the delimiter, so it also sits in front of real boards.
 */
import { FaultyTransport, type FaultCounts, type FaultOptions } from "./faults.ts";
import type { Transport } from "./transport.ts";

/** Splits a byte stream into delimiter-terminated frames (the delimiter kept). */
class FrameSplitter {
  private buf = new Uint8Array(4096);
  private len = 0;
  constructor(private readonly emit: (frame: Uint8Array) => void) {}
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      if (this.len === this.buf.length) {
        const bigger = new Uint8Array(this.buf.length * 2);
        bigger.set(this.buf);
        this.buf = bigger;
      }
      this.buf[this.len++] = bytes[i]!;
      if (bytes[i] === 0) {
        this.emit(this.buf.slice(0, this.len));
        this.len = 0;
      }
    }
  }
}

export interface Proxy {
  /** Faults applied towards the board and towards the host. */
  counts(): { toBoard: FaultCounts; toHost: FaultCounts };
  close(): Promise<void>;
}

/** Joins `host` and `board`; each direction gets its own fault stream (seed, seed + 1). */
export function startProxy(host: Transport, board: Transport, faults: FaultOptions): Proxy {
  const toBoard = new FaultyTransport(board, faults);
  const toHost = new FaultyTransport(host, { ...faults, seed: faults.seed + 1 });
  const upstream = new FrameSplitter((f) => void toBoard.write(f).catch(() => {}));
  const downstream = new FrameSplitter((f) => void toHost.write(f).catch(() => {}));
  host.onData((b) => upstream.push(b));
  board.onData((b) => downstream.push(b));
  return {
    counts: () => ({ toBoard: { ...toBoard.counts }, toHost: { ...toHost.counts } }),
    close: async () => {
      await Promise.all([host.close(), board.close()]);
    },
  };
}
