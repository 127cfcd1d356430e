/**
 * The host side of the protocol: numbered requests, one reply each, timeouts with exponential
 * backoff, immediate resends when either side saw a damaged frame, and the operations a deploy
 * needs (hello, resumable upload, commit, run, read back). Failures are EngramErrors that say what
 * was being done, to which port, and what came back.
 */
import { EngramError } from "../src/diagnostics/diagnostic.ts";
import { crc32, hex32 } from "./crc32.ts";
import type { FrameLink } from "./framing.ts";
import { decodeFrame, decodeResults, encodeFrame, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, ProtocolError, Reason, REASON_NAMES, State, STATE_NAMES, type Bodies, type BodyKind, type Frame, type HelloReply, type Results, type Status } from "./messages.ts";

export interface SessionOptions {
  /** Where the board is, for messages (a port path). */
  port?: string;
  /** Line rate, so timeouts allow for the reply's time on the wire (default 115200). */
  baud?: number;
  /** First reply timeout after the request has left (default 250 ms); doubles per timeout. */
  timeoutMs?: number;
  /** Largest timeout after backoff (default 4 s). */
  maxTimeoutMs?: number;
  /** Sends of one request before giving up (default 24). */
  attempts?: number;
  /** Session id; default: from the clock (it only has to differ from the previous host's). */
  session?: number;
  host?: string;
  /** Host protocol range (tests use it to provoke a mismatch). */
  protocolVersion?: number;
  minProtocolVersion?: number;
}

export interface SessionCounts {
  requests: number;
  framesSent: number;
  /** Requests sent again after a timeout or a damaged frame. */
  retried: number;
  timeouts: number;
  /** Frames the host rejected: bad CRC/COBS, undecodable, stale replies. */
  rejected: number;
  /** Damaged frames the board reported. */
  boardRejected: number;
  nacks: number;
}

export interface UploadReport {
  bytes: number;
  crc: number;
  chunkBytes: number;
  chunks: number;
  resumedFrom: number;
  chunksSent: number;
  seconds: number;
}

type Outcome = Frame | "timeout" | "resend";

let sessionCounter = 0;

export class HostSession {
  readonly counts: SessionCounts = { requests: 0, framesSent: 0, retried: 0, timeouts: 0, rejected: 0, boardRejected: 0, nacks: 0 };
  session: number;
  board?: HelloReply;
  private seq = 0;
  private waiting: { seq: number; done: (o: Outcome) => void } | null = null;
  private closedReason: string | null = null;
  private readonly o: Required<Omit<SessionOptions, "session">>;

  constructor(readonly link: FrameLink, options: SessionOptions = {}) {
    this.o = {
      port: options.port ?? "the board", baud: options.baud ?? 115200, timeoutMs: options.timeoutMs ?? 250, maxTimeoutMs: options.maxTimeoutMs ?? 4000,
      attempts: options.attempts ?? 24, host: options.host ?? "engram", protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION, minProtocolVersion: options.minProtocolVersion ?? MIN_PROTOCOL_VERSION,
    };
    this.session = options.session ?? newSessionId();
    link.onFrame((p) => this.receive(p));
    link.onBadFrame(() => {
      this.counts.rejected++;
      this.waiting?.done("resend"); // probably our reply: ask again now
    });
    link.transport.onClose((reason) => {
      this.closedReason = reason;
      this.waiting?.done("timeout");
    });
  }

  private receive(payload: Uint8Array): void {
    let f: Frame;
    try {
      f = decodeFrame(payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.counts.rejected++;
      return;
    }
    if (f.kind === "bad_frame") {
      this.counts.boardRejected++;
      this.waiting?.done("resend");
      return;
    }
    if (this.waiting && f.seq === this.waiting.seq && f.session === this.session) return this.waiting.done(f);
    this.counts.rejected++; // a late or duplicated reply to an earlier request
  }

  private fail(code: string, message: string, hint?: string): never {
    throw new EngramError([{ code, message, ...(hint ? { hint } : {}) }]);
  }

  /** Sends one request until its reply arrives; a nack is returned, not thrown (see expect()). */
  async request<K extends BodyKind>(kind: K, body: Bodies[K], what: string, replyBytes = 64): Promise<Frame> {
    const seq = (this.seq = (this.seq + 1) >>> 0 || 1);
    const payload = encodeFrame(this.session, seq, kind, body);
    this.counts.requests++;
    const wire = (replyBytes * 10 * 1000) / this.o.baud;
    let timeout = this.o.timeoutMs;
    let last = "";
    for (let attempt = 0; attempt < this.o.attempts; attempt++) {
      if (this.closedReason) this.fail("board-disconnected", `lost ${this.o.port} while ${what}: ${this.closedReason}`);
      if (attempt > 0) this.counts.retried++;
      const reply = new Promise<Outcome>((done) => (this.waiting = { seq, done }));
      this.counts.framesSent++;
      try {
        await this.link.send(payload);
      } catch (e) {
        this.waiting = null;
        this.fail("board-disconnected", `cannot write to ${this.o.port} while ${what}: ${(e as Error).message}`);
      }
      const timer = setTimeout(() => this.waiting?.done("timeout"), timeout + wire);
      const outcome = await reply;
      clearTimeout(timer);
      this.waiting = null;
      if (typeof outcome !== "string") {
        if (outcome.kind === "nack") this.counts.nacks++;
        return outcome;
      }
      if (outcome === "timeout") {
        this.counts.timeouts++;
        last = `no reply within ${Math.round(timeout + wire)} ms`;
        timeout = Math.min(timeout * 2, this.o.maxTimeoutMs);
      } else last = "damaged frames";
    }
    if (this.closedReason) this.fail("board-disconnected", `lost ${this.o.port} while ${what}: ${this.closedReason}`);
    this.fail("board-not-responding", `no valid reply from ${this.o.port} while ${what} after ${this.o.attempts} attempts (last: ${last})`, "check the port, the baud rate and that the board runs engram firmware");
  }

  /** The reply's body if it has the expected kind; a nack or anything else becomes a clear error. */
  expect<K extends BodyKind>(f: Frame, kind: K, what: string): Bodies[K] {
    if (f.kind === kind) return f.body as Bodies[K];
    if (f.kind === "nack") {
      const name = REASON_NAMES[f.body.reason] ?? `reason ${f.body.reason}`;
      const code = f.body.reason === Reason.UNSUPPORTED_VERSION ? "protocol-version-mismatch" : f.body.reason === Reason.INVALID_IMAGE ? "board-rejected-image" : "board-refused";
      this.fail(code, `${this.o.port} refused ${what}: ${name}: ${f.body.detail}`);
    }
    this.fail("protocol-error", `${this.o.port} answered ${what} with ${f.kind}, expected ${kind}`);
  }

  /** Opens the session and agrees on a protocol version. */
  async hello(): Promise<HelloReply> {
    const o = this.o;
    const f = await this.request("hello", { protocol_version: o.protocolVersion, min_protocol_version: o.minProtocolVersion, host: o.host }, "saying hello");
    if (f.kind === "nack" && f.body.reason === Reason.UNSUPPORTED_VERSION) {
      this.fail("protocol-version-mismatch", `protocol version mismatch on ${o.port}: engram speaks ${o.minProtocolVersion}..${o.protocolVersion}; ${f.body.detail}`, "update engram or the board's firmware so that their protocol versions overlap");
    }
    const h = this.expect(f, "hello_reply", "saying hello");
    if (h.protocol_version < o.minProtocolVersion || h.protocol_version > o.protocolVersion) {
      this.fail("protocol-version-mismatch", `protocol version mismatch on ${o.port}: engram speaks ${o.minProtocolVersion}..${o.protocolVersion}, the board (firmware ${h.firmware_version}) chose ${h.protocol_version}`, "update engram or the board's firmware so that their protocol versions overlap");
    }
    this.board = h;
    return h;
  }

  /** Uploads an image in chunks, resuming where the board stopped if it holds part of this image. */
  async upload(image: Uint8Array, opts: { chunkBytes?: number; onProgress?: (fraction: number) => void } = {}): Promise<UploadReport> {
    const board = this.board ?? (await this.hello());
    const started = performance.now();
    if (image.length > board.max_image_bytes) this.fail("image-too-large", `the image is ${image.length} bytes; ${this.o.port} takes at most ${board.max_image_bytes}`);
    const chunkBytes = Math.min(opts.chunkBytes ?? 4096, board.max_frame_bytes - 32);
    const crc = crc32(image);
    const chunks = Math.ceil(image.length / chunkBytes);
    let sent = 0;
    let resumedFrom = -1;
    for (let restarts = 0; ; restarts++) {
      const ready = this.expect(await this.request("begin_upload", { image_bytes: image.length, image_crc32: crc, chunk_bytes: chunkBytes }, "starting the upload"), "upload_ready", "starting the upload");
      if (resumedFrom < 0) resumedFrom = ready.resume_chunk;
      let i = ready.resume_chunk;
      let outOfOrder = false;
      while (i < chunks) {
        const what = `uploading chunk ${i + 1} of ${chunks}`;
        const f = await this.request("chunk", { index: i, data: image.subarray(i * chunkBytes, Math.min(image.length, (i + 1) * chunkBytes)) }, what);
        sent++;
        if (f.kind === "nack" && f.body.reason === Reason.OUT_OF_ORDER && restarts < 3) {
          outOfOrder = true; // the board lost track (e.g. it restarted): ask it where to resume
          break;
        }
        i = this.expect(f, "chunk_ack", what).next_chunk;
        opts.onProgress?.(Math.min(i, chunks) / chunks);
      }
      if (!outOfOrder) break;
    }
    return { bytes: image.length, crc, chunkBytes, chunks, resumedFrom, chunksSent: sent, seconds: (performance.now() - started) / 1000 };
  }

  /** Applies the uploaded image; the board verifies it first and keeps its old one if it fails. */
  async commit(crc: number): Promise<void> {
    this.expect(await this.request("commit", { image_crc32: crc }, `committing image ${hex32(crc)}`), "ack", `committing image ${hex32(crc)}`);
  }

  async status(): Promise<Status> {
    return this.expect(await this.request("get_status", {}, "asking for status"), "status", "asking for status");
  }

  /** Starts a run and waits for it, polling status; a board reset during the run is an error. */
  async run(durationTicks: number, opts: { onProgress?: (fraction: number) => void; pollMs?: number } = {}): Promise<Status> {
    const boot = this.board?.boot;
    const f = await this.request("run", { duration_ticks: durationTicks }, "starting the run");
    if (f.kind === "nack" && f.body.reason === Reason.STALE_SESSION) this.boardReset(boot);
    this.expect(f, "ack", "starting the run");
    for (;;) {
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
      const g = await this.request("get_status", {}, "waiting for the run");
      if (g.kind === "nack" && g.body.reason === Reason.STALE_SESSION) this.boardReset(boot);
      const s = this.expect(g, "status", "waiting for the run");
      if (s.boot !== boot || s.state === State.IDLE) this.boardReset(boot, s.boot);
      if (s.duration_ticks > 0) opts.onProgress?.(s.tick / s.duration_ticks);
      if (s.state === State.DONE) return s;
      if (s.state === State.FAILED) this.fail("board-run-failed", `the run on ${this.o.port} failed at tick ${s.tick}: ${s.error}`);
      if (s.state !== State.RUNNING) this.fail("protocol-error", `unexpected board state ${STATE_NAMES[s.state] ?? s.state} during a run`);
    }
  }

  private boardReset(boot?: number, now?: number): never {
    throw new EngramError([{ code: "board-reset", message: `${this.o.port} restarted during the run (boot ${boot ?? "?"} -> ${now ?? "?"}); its results are lost`, hint: "run again: the committed image survives a reset" }]);
  }

  /** Reads the results of the finished run in chunks and checks them against the CRC in `done`. */
  async readResults(done: Status, chunkBytes = 4096): Promise<Results> {
    const total = done.results_bytes;
    const bytes = new Uint8Array(total);
    const n = Math.min(chunkBytes, (this.board?.max_frame_bytes ?? 4096) - 32);
    for (let at = 0; at < total; ) {
      const what = `reading results (${at} of ${total} bytes)`;
      const d = this.expect(await this.request("read", { offset: at, length: n }, what, n + 32), "read_data", what);
      if (d.offset !== at || d.data.length === 0 || at + d.data.length > total) this.fail("protocol-error", `${this.o.port} returned ${d.data.length} bytes at offset ${d.offset} while ${what}`);
      bytes.set(d.data, at);
      at += d.data.length;
    }
    const got = crc32(bytes);
    if (got !== done.results_crc32) this.fail("results-crc-mismatch", `the results read from ${this.o.port} have CRC-32 ${hex32(got)}, the board announced ${hex32(done.results_crc32)}`);
    try {
      return decodeResults(bytes);
    } catch (e) {
      this.fail("protocol-error", (e as Error).message);
    }
  }

  async abort(): Promise<void> {
    this.expect(await this.request("abort", {}, "aborting"), "ack", "aborting");
  }

  async reset(): Promise<void> {
    this.expect(await this.request("reset", {}, "resetting the board"), "ack", "resetting the board");
    this.board = undefined;
  }
}

function newSessionId(): number {
  // Unique per connection, not secret: wall clock (ms), process id and a counter.
  return ((Date.now() ^ (process.pid << 20) ^ (++sessionCounter << 8)) >>> 0) || 1;
}
