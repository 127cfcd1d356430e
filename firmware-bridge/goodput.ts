/**
 * Upload goodput: image bytes delivered (begin-upload to commit acknowledged) per second, as a
 * fraction of the line rate baud / 10 bytes/s (8N1). A PTY has no line rate, so both sides pace
 * their writes to the baud rate (PacedTransport); with socat absent, an in-process pair stands in.
 * One untimed upload comes first: the figures are a session's steady state.
 */
import { VirtualBoard } from "./board.ts";
import { FaultyTransport } from "./faults.ts";
import { FrameLink } from "./framing.ts";
import { PacedTransport } from "./paced.ts";
import { openPtyPair, socatAvailable } from "./pty.ts";
import { SerialTransport } from "./serial.ts";
import { HostSession, type SessionCounts } from "./session.ts";
import { transportPair, type Transport } from "./transport.ts";

export interface GoodputResult {
  link: string;
  baud: number;
  corrupt: number;
  bytes: number;
  seconds: number;
  /** Goodput / line rate. */
  fraction: number;
  finalChunkBytes: number;
  counts: SessionCounts;
  /** FEC level of the host's last frame, and frames repaired / bytes corrected by each side during the timed uploads. */
  finalLevel: number;
  hostRepaired: { frames: number; bytes: number };
  boardRepaired: { frames: number; bytes: number };
}

export async function measureGoodput(image: Uint8Array, o: { baud: number; corrupt: number; seed: number; uploads: number; chunkBytes?: number }): Promise<GoodputResult> {
  let host: Transport;
  let board: Transport;
  let link: string;
  let close = async () => {};
  if (socatAvailable()) {
    const pty = await openPtyPair();
    const [h, b] = await Promise.all([SerialTransport.open(pty.host, o.baud), SerialTransport.open(pty.board, o.baud)]);
    [host, board, link] = [h, b, "socat PTY pair"];
    close = async () => {
      await Promise.all([h.close(), b.close()]);
      pty.close();
    };
  } else {
    [host, board] = transportPair();
    link = "in-process pair (socat not installed)";
  }
  const wrap = (t: Transport, seed: number) => {
    const paced = new PacedTransport(t, o.baud);
    return o.corrupt > 0 ? new FaultyTransport(paced, { seed, corrupt: o.corrupt }) : paced;
  };
  const vboard = new VirtualBoard(wrap(board, o.seed + 1));
  const session = new HostSession(new FrameLink(wrap(host, o.seed)), { baud: o.baud, session: o.seed + 1 });
  try {
    await session.hello();
    // One upload first, not timed: the steady state of a session (code warmed up, the chunk-size
    // rule settled on this line) is what the figures describe.
    await session.commit((await session.upload(image, { chunkBytes: o.chunkBytes })).crc);
    const before = { ...session.counts };
    const hostLink = { ...session.link.counters };
    const boardLink = { ...vboard.link.counters };
    let seconds = 0;
    let finalChunkBytes = 0;
    for (let i = 0; i < o.uploads; i++) {
      const t0 = performance.now();
      const up = await session.upload(image, { chunkBytes: o.chunkBytes });
      await session.commit(up.crc);
      seconds += (performance.now() - t0) / 1000;
      finalChunkBytes = up.chunkBytes;
    }
    const bytes = image.length * o.uploads;
    const counts = Object.fromEntries(Object.entries(session.counts).map(([k, v]) => [k, v - before[k as keyof SessionCounts]])) as unknown as SessionCounts;
    const hostRepaired = { frames: session.link.counters.framesRepaired - hostLink.framesRepaired, bytes: session.link.counters.bytesCorrected - hostLink.bytesCorrected };
    const boardRepaired = { frames: vboard.link.counters.framesRepaired - boardLink.framesRepaired, bytes: vboard.link.counters.bytesCorrected - boardLink.bytesCorrected };
    return { link, baud: o.baud, corrupt: o.corrupt, bytes, seconds, fraction: bytes / seconds / (o.baud / 10), finalChunkBytes, counts, finalLevel: session.fecLevel(), hostRepaired, boardRepaired };
  } finally {
    await close();
  }
}
