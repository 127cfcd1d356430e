/**
 * The host's sliding window of upload chunks (selective repeat; docs/serial-protocol.md,
 * "Sliding window"). Up to `window` chunk requests are in flight, each with its own seq and
 * acknowledged by its own chunk_ack. The board answers requests in the order they arrive and the
 * line keeps order, so a chunk is known lost as soon as:
 *  - a reply to a later seq arrives while it has none (its request or its reply was lost);
 *  - the board reports a damaged frame (bad_frame), or a reply arrives damaged here: the oldest
 *    chunk still without a reply is the one;
 *  - its timeout passes (the last chunks of an upload, when nothing follows them).
 * A lost chunk is sent again with a fresh seq (storing the same bytes again changes nothing, so
 * no duplicate window is needed); a late reply to an old seq still counts as its acknowledgement.
 */
import type { ChunkSizer } from "./chunk-size.ts";
import { encodeFrame, type BodyKind, type Bodies, type Frame } from "./messages.ts";
import { RangeSet } from "./ranges.ts";
import type { SessionCounts } from "./session.ts";

/** Chunks in flight at most (the board's seq_window / 2 caps it further). */
export const DEFAULT_WINDOW = 32;
/** The smallest chunk the size rule picks. */
export const MIN_CHUNK_BYTES = 16;

export interface WindowListener {
  /** A reply in this session; true when it was one of the window's. */
  reply(f: Frame): boolean;
  damaged(): void;
}

export interface WindowHost {
  session: number;
  port: string;
  baud: number;
  attempts: number;
  nextSeq(): number;
  send(payload: Uint8Array, what: string): Promise<void>;
  listen(l: WindowListener): () => void;
  /** Reply timeout after `backoff` timeouts in a row without any reply. */
  timeoutMs(backoff: number): number;
  sampleRtt(ms: number): void;
  /** Smoothed round trip so far (0: none measured). */
  srttMs(): number;
  counts: SessionCounts;
  closed(): string | null;
  fail(code: string, message: string, hint?: string): never;
  expect<K extends BodyKind>(f: Frame, kind: K, what: string): Bodies[K];
  lastDamage(): string;
}

interface Piece {
  offset: number;
  length: number;
}
interface InFlight extends Piece {
  sentAt: number;
  deadline: number;
}

export async function sendWindowed(
  host: WindowHost,
  image: Uint8Array,
  from: number,
  o: { window: number; sizer: ChunkSizer; onProgress?: (fraction: number) => void },
): Promise<{ outcome: "done" | "restarted"; chunksSent: number; resent: number }> {
  const size = image.length;
  const acked = new RangeSet();
  acked.add(0, from);
  let next = from; // first byte never sent yet
  const again: Piece[] = [];
  const inFlight = new Map<number, InFlight>(); // by seq, in sending order
  const sentSeqs = new Map<number, Piece>(); // every chunk seq of this upload: late replies still acknowledge
  let chunksSent = 0;
  let resent = 0;
  let backoff = 0;
  let silentTimeouts = 0;
  let failure: { f: Frame; piece: Piece } | null = null;
  let sendError: Error | null = null;
  let restarted = false;
  let wake: () => void = () => {};
  let lostInARow = 0;
  /** A chunk known lost; `damaged`: to damage (counts for the size rule), not to a timeout (a dropped frame or a slow host says nothing about the error rate). */
  const lost = (seq: number, damaged = true) => {
    const p = inFlight.get(seq);
    if (!p) return;
    inFlight.delete(seq);
    lostInARow++;
    if (damaged) o.sizer.record(p.length, true);
    again.push({ offset: p.offset, length: p.length });
  };
  const stop = host.listen({
    reply(f) {
      const piece = sentSeqs.get(f.seq);
      if (!piece) return false;
      const p = inFlight.get(f.seq);
      if (f.kind === "chunk_ack") {
        acked.add(piece.offset, piece.offset + piece.length);
        acked.add(0, f.body.received_bytes);
        o.onProgress?.(acked.prefix() / size);
      } else if (f.kind === "nack" && f.body.reason === 12 /* STALE_SESSION */) restarted = true;
      else failure = { f, piece };
      if (p) {
        inFlight.delete(f.seq);
        host.sampleRtt(performance.now() - p.sentAt);
        o.sizer.record(p.length, false);
        // Everything sent before this seq and still unanswered was lost (the line keeps order).
        for (const seq of [...inFlight.keys()]) if (seq < f.seq) lost(seq);
      }
      backoff = 0;
      silentTimeouts = 0;
      lostInARow = 0;
      wake();
      return true;
    },
    damaged() {
      const oldest = inFlight.keys().next();
      if (!oldest.done) lost(oldest.value);
      wake();
    },
  });
  try {
    for (;;) {
      if (sendError) throw sendError;
      const failed = failure as { f: Frame; piece: Piece } | null;
      if (failed) host.expect(failed.f, "chunk_ack", `uploading bytes ${failed.piece.offset}..${failed.piece.offset + failed.piece.length - 1} of ${size}`);
      if (restarted) return { outcome: "restarted", chunksSent, resent };
      if (acked.prefix() >= size) return { outcome: "done", chunksSent, resent };
      if (lostInARow >= 4 * host.attempts) {
        host.fail("board-not-responding", `no valid reply from ${host.port} while uploading bytes ${acked.prefix()}.. of ${size}: ${lostInARow} chunks in a row were lost (last damaged frame: ${host.lastDamage() || "none seen"})`, "check the port, the baud rate and the cable; the line is too noisy even for the shortest chunks");
      }
      // Fill the window: lost pieces first, then new bytes.
      while (inFlight.size < o.window) {
        let piece = again.shift();
        if (piece && covered(acked, piece)) continue;
        if (piece && piece.length > o.sizer.size()) {
          // Cut a lost piece to the size the rule now picks; the rest waits its turn.
          again.unshift({ offset: piece.offset + o.sizer.size(), length: piece.length - o.sizer.size() });
          piece = { offset: piece.offset, length: o.sizer.size() };
        }
        if (!piece) {
          if (next >= size) break;
          piece = { offset: next, length: Math.min(o.sizer.size(), size - next) };
          next += piece.length;
        } else resent++;
        const seq = host.nextSeq();
        const what = `uploading bytes ${piece.offset}..${piece.offset + piece.length - 1} of ${size}`;
        sentSeqs.set(seq, piece);
        chunksSent++;
        // Not awaited: the transport queues the frames back to back; the reply clock starts when
        // a frame has left (its deadline is open until then).
        const entry: InFlight = { ...piece, sentAt: Infinity, deadline: Infinity };
        inFlight.set(seq, entry);
        host.send(encodeFrame(host.session, seq, "chunk", { offset: piece.offset, data: image.subarray(piece.offset, piece.offset + piece.length) }), what).then(
          () => {
            const now = performance.now();
            const wire = ((o.sizer.replyBytes) * 10 * 1000) / host.baud;
            entry.sentAt = now;
            entry.deadline = now + host.timeoutMs(backoff) + wire;
            wake();
          },
          (e: Error) => {
            sendError = e;
            wake();
          },
        );
      }
      if (inFlight.size === 0) {
        if (again.length === 0 && next >= size && acked.prefix() < size) again.push({ offset: acked.prefix(), length: Math.min(o.sizer.size(), size - acked.prefix()) });
        continue;
      }
      // Wait for a reply, a damage report, a frame leaving, or the earliest deadline. At the tail
      // (nothing new to send, so no later reply will reveal a loss) of an upload on a line with
      // measured errors, a chunk unanswered after 3 round trips is sent again early: chunks are
      // idempotent, so a needless copy costs only itself. A clean line never resends early.
      const tail = next >= size && again.length === 0 && o.sizer.lambda() > 0;
      const tailMs = Math.max(5, 3 * host.srttMs()) + (o.sizer.replyBytes * 10 * 1000) / host.baud;
      // Only where it pays: the time it saves when the chunk was lost (L of the time: the measured
      // loss fraction) must exceed the line time it wastes when it was not. On a line whose errors
      // forward error correction repairs, L is a few per cent and the tail waits for its replies.
      const loss = o.sizer.lossFraction();
      const early = (p: InFlight) => resendEarlyPays(loss, p.deadline - p.sentAt - tailMs, ((p.length + o.sizer.overhead) * 10 * 1000) / host.baud);
      const due = (p: InFlight) => (tail && early(p) ? Math.min(p.deadline, p.sentAt + tailMs) : p.deadline);
      let first = Infinity;
      for (const p of inFlight.values()) first = Math.min(first, due(p));
      const event = await new Promise<"event" | "timeout">((resolve) => {
        const timer = first === Infinity ? undefined : setTimeout(() => resolve("timeout"), Math.max(0, first - performance.now()));
        wake = () => {
          clearTimeout(timer);
          resolve("event");
        };
      });
      wake = () => {};
      if (host.closed()) host.fail("board-disconnected", `lost ${host.port} while uploading: ${host.closed()}`);
      if (event === "timeout") {
        const now = performance.now();
        if (tail) for (const [seq, p] of [...inFlight]) if (p.deadline > now && due(p) <= now) lost(seq, false); // early tail resend, not a timeout
        const expired = [...inFlight].filter(([, p]) => p.deadline <= now);
        if (expired.length === 0) continue;
        host.counts.timeouts++;
        for (const [seq] of expired) lost(seq, false);
        backoff++;
        if (++silentTimeouts >= host.attempts) {
          const last = host.lastDamage();
          host.fail("board-not-responding", `no valid reply from ${host.port} while uploading bytes ${acked.prefix()}.. of ${size} after ${host.attempts} timeouts in a row${last ? ` (last damaged frame: ${last})` : ""}`, "check the port, the baud rate and that the board runs engram firmware");
        }
      }
    }
  } finally {
    stop();
    host.counts.retried += resent;
    host.counts.requests += chunksSent;
  }
}

/**
 * Whether sending a tail chunk again before its timeout pays: with probability `loss` it was lost
 * and the resend saves `savedMs` (its timeout less the early wait); otherwise the resend wastes
 * `lineMs`, its time on the line.
 */
export function resendEarlyPays(loss: number, savedMs: number, lineMs: number): boolean {
  return loss * savedMs > (1 - loss) * lineMs;
}

function covered(acked: RangeSet, p: Piece): boolean {
  return acked.covers(p.offset, p.offset + p.length);
}
