/**
 * The host side of the protocol: numbered requests, one reply each, timeouts with exponential
 * backoff, immediate resends when either side saw a damaged frame, and the operations a deploy
 * needs (hello, resumable upload, commit, run, read back). Failures are EngramErrors that say what
 * was being done, to which port, and what came back.
 */
import { createHash } from "node:crypto";
import { EngramError } from "../src/diagnostics/diagnostic.ts";
import { crc32, hex32 } from "./crc32.ts";
import type { FrameLink } from "./framing.ts";
import { ChunkSizer, wireOverhead } from "./chunk-size.ts";
import { fecLevelFor, type FecLevel } from "./fec.ts";
import { LineErrorEstimate } from "./fec-level.ts";
import { DEFAULT_WINDOW, MIN_CHUNK_BYTES, sendWindowed, type WindowHost, type WindowListener } from "./upload-window.ts";
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
  /** Sends of one request before giving up (default 32). */
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
  /** The chunk size the rule had settled on at the end. */
  chunkBytes: number;
  /** Bytes the board already held (a resumed upload); 0 for a fresh one. */
  resumedFrom: number;
  /** Chunk frames sent, resends included; `resent` of them were resends. */
  chunksSent: number;
  resent: number;
  seconds: number;
}

type Outcome = Frame | "timeout" | "resend";

let sessionCounter = 0;

/** The host's first wait for a commit's reply, before the per-KiB allowance (see commit()). */
export const COMMIT_BASE_MS = 1000;

export class HostSession {
  readonly counts: SessionCounts = { requests: 0, framesSent: 0, retried: 0, timeouts: 0, rejected: 0, boardRejected: 0, nacks: 0 };
  session: number;
  board?: HelloReply;
  private seq = 0;
  private waiting: { seq: number; done: (o: Outcome) => void } | null = null;
  private closedReason: string | null = null;
  private lastDamage = "";
  /** Smoothed round trip and its variation (ms), from replies to first attempts only (Karn). */
  private srtt = 0;
  private rttvar = 0;
  /** The line's error-rate estimate and chunk size, kept across uploads and reads of this session. */
  private sizer?: ChunkSizer;
  private windowListener: WindowListener | null = null;
  /** The byte error rate of what this host receives, and the board's of what it receives (Frame.rx_errors_ppm). */
  readonly rxErrors = new LineErrorEstimate();
  private boardRxRate = 0;
  private lastUploadBytes = 0;
  private readonly o: Required<Omit<SessionOptions, "session">>;

  constructor(readonly link: FrameLink, options: SessionOptions = {}) {
    this.o = {
      port: options.port ?? "the board", baud: options.baud ?? 115200, timeoutMs: options.timeoutMs ?? 250, maxTimeoutMs: options.maxTimeoutMs ?? 4000,
      attempts: options.attempts ?? 32, host: options.host ?? "engram", protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION, minProtocolVersion: options.minProtocolVersion ?? MIN_PROTOCOL_VERSION,
    };
    this.session = options.session ?? newSessionId();
    link.onFrame((p, info) => {
      this.rxErrors.frame(info.wireBytes, info.bytesCorrected);
      this.receive(p);
    });
    link.onBadFrame((reason, detail, damage) => {
      this.rxErrors.damaged(damage);
      this.counts.rejected++;
      this.lastDamage = `${reason}: ${detail}`;
      this.windowListener?.damaged();
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
    this.boardRxRate = f.rx_errors_ppm / 1e6;
    if (f.kind === "bad_frame") {
      this.counts.boardRejected++;
      this.windowListener?.damaged();
      this.waiting?.done("resend");
      return;
    }
    if (f.session === this.session && this.windowListener?.reply(f)) return;
    if (this.waiting && f.seq === this.waiting.seq && f.session === this.session) return this.waiting.done(f);
    this.counts.rejected++; // a late or duplicated reply to an earlier request
  }

  /**
   * The FEC level of the next request (docs/serial-protocol.md, "Choosing the level"): from the
   * error rate of both directions, each weighted by its bytes (the board reports its own in every
   * reply); 0 until a protocol-3 board has said hello.
   */
  fecLevel(): FecLevel {
    if (!this.board || this.board.protocol_version < 3) return 0;
    return fecLevelFor(this.rxErrors.pooled(this.boardRxRate));
  }

  /** Sends a request frame at the current FEC level, counting its bytes for the pooled error rate. */
  private sendFrame(payload: Uint8Array, level: FecLevel = this.fecLevel()): Promise<void> {
    const before = this.link.counters.bytesSent;
    const sent = this.link.send(payload, level);
    this.rxErrors.sent(this.link.counters.bytesSent - before);
    return sent;
  }

  private fail(code: string, message: string, hint?: string): never {
    throw new EngramError([{ code, message, ...(hint ? { hint } : {}) }]);
  }

  /** Sends one request until its reply arrives; a nack is returned, not thrown (see expect()). */
  async request<K extends BodyKind>(kind: K, body: Bodies[K], what: string, replyBytes = 64, attempts = this.o.attempts, firstTimeoutMs = 0): Promise<Frame> {
    const seq = (this.seq = (this.seq + 1) >>> 0 || 1);
    const payload = encodeFrame(this.session, seq, kind, body);
    this.counts.requests++;
    const wire = (replyBytes * 10 * 1000) / this.o.baud;
    // Once round trips have been measured, a lost frame is noticed after a few of them rather than
    // after the configured (conservative) timeout: RTO = SRTT + 4 RTTVAR, as TCP does.
    let timeout = this.srtt > 0 ? Math.min(this.o.timeoutMs, Math.max(this.minTimeoutMs(), this.srtt + 4 * this.rttvar)) : this.o.timeoutMs;
    timeout = Math.max(timeout, firstTimeoutMs);
    let last = "";
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.closedReason) this.fail("board-disconnected", `lost ${this.o.port} while ${what}: ${this.closedReason}`);
      if (attempt > 0) this.counts.retried++;
      const reply = new Promise<Outcome>((done) => (this.waiting = { seq, done }));
      this.counts.framesSent++;
      try {
        // The first hello of a connection goes at level 0 (a protocol-2 board knows no levels);
        // its resends alternate with level 16, which a protocol-3 board answers at level 16, so
        // that a noisy line does not starve the hello and its long reply.
        const level = kind === "hello" && !this.board ? (attempt % 2 === 1 ? 16 : 0) : this.fecLevel();
        await this.sendFrame(payload, level);
      } catch (e) {
        this.waiting = null;
        this.fail("board-disconnected", `cannot write to ${this.o.port} while ${what}: ${(e as Error).message}`);
      }
      const sentAt = performance.now();
      const timer = setTimeout(() => this.waiting?.done("timeout"), timeout + wire);
      const outcome = await reply;
      clearTimeout(timer);
      this.waiting = null;
      if (typeof outcome !== "string") {
        if (attempt === 0) this.sampleRtt(performance.now() - sentAt - wire);
        if (outcome.kind === "nack") this.counts.nacks++;
        return outcome;
      }
      if (outcome === "timeout") {
        this.counts.timeouts++;
        last = `no reply within ${Math.round(timeout + wire)} ms`;
        timeout = Math.min(timeout * 2, this.o.maxTimeoutMs);
      } else last = this.lastDamage ? `damaged frames; the last one ${this.lastDamage}` : "damaged frames reported by the board";
    }
    if (this.closedReason) this.fail("board-disconnected", `lost ${this.o.port} while ${what}: ${this.closedReason}`);
    this.fail("board-not-responding", `no valid reply from ${this.o.port} while ${what} after ${attempts} attempts (last: ${last})`, "check the port, the baud rate and that the board runs engram firmware");
  }

  /**
   * The adaptive timeout's floor: twice the board's promised reply time (the margin is for this
   * host's own scheduling), or 10 ms for a board that promises none (protocol 1).
   */
  private minTimeoutMs(): number {
    return Math.max(10, 2 * (this.board?.reply_within_ms ?? 0));
  }

  /** The largest chunk or read the board takes (HelloReply.max_chunk_bytes, checked by hello()). */
  maxChunkBytes(): number {
    return this.board?.max_chunk_bytes ?? 4096;
  }

  private sampleRtt(ms: number): void {
    const r = Math.max(0, ms);
    if (this.srtt === 0) [this.srtt, this.rttvar] = [r, r / 2];
    else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  /**
   * For idempotent requests whose frames may be too long for a noisy line: a few attempts while
   * `shrinkable` (3), then null (the caller halves its frames) instead of an error.
   */
  private async tryRequest<K extends BodyKind>(kind: K, body: Bodies[K], what: string, replyBytes: number, shrinkable: boolean): Promise<Frame | null> {
    if (!shrinkable) return this.request(kind, body, what, replyBytes);
    try {
      return await this.request(kind, body, what, replyBytes, 3);
    } catch (e) {
      // Shorter frames may get through where these did not; the caller bounds the rounds, so a
      // silent line still ends in the full-length error.
      if (e instanceof EngramError && e.diagnostics[0]?.code === "board-not-responding") return null;
      throw e;
    }
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
    if (h.max_chunk_bytes === 0 || h.max_chunk_bytes > h.max_frame_bytes) this.fail("protocol-error", `${o.port} states max_chunk_bytes ${h.max_chunk_bytes} with max_frame_bytes ${h.max_frame_bytes}; protocol ${h.protocol_version} needs 1..max_frame_bytes`);
    this.board = h;
    return h;
  }

  /**
   * Uploads an image, resuming where the board stopped if it holds the start of this image.
   * Chunks go out in a sliding window (firmware-bridge/upload-window.ts): up to `window` of them
   * in flight, each acknowledged by its own reply, a lost one sent again with a fresh seq; their
   * size follows the line's measured error rate (chunk-size.ts). On a board restart (STALE_SESSION)
   * the host says hello again and resumes, up to 3 times.
   */
  async upload(image: Uint8Array, opts: { chunkBytes?: number; window?: number; onProgress?: (fraction: number) => void } = {}): Promise<UploadReport> {
    const board = this.board ?? (await this.hello());
    const started = performance.now();
    if (image.length > board.max_image_bytes) this.fail("image-too-large", `the image is ${image.length} bytes; ${this.o.port} takes at most ${board.max_image_bytes}`);
    const crc = crc32(image);
    this.lastUploadBytes = image.length;
    const max = Math.min(opts.chunkBytes ?? this.maxChunkBytes(), this.maxChunkBytes());
    const sizer = this.sizerFor(max, image.length);
    const window = Math.max(1, Math.min(opts.window ?? DEFAULT_WINDOW, Math.floor((board.seq_window || 2) / 2)));
    let resumedFrom = -1;
    let chunksSent = 0;
    for (let restarts = 0; ; restarts++) {
      const ready = this.expect(await this.request("begin_upload", { image_bytes: image.length, image_crc32: crc }, "starting the upload"), "upload_ready", "starting the upload");
      if (resumedFrom < 0) resumedFrom = ready.received_bytes;
      const w = await sendWindowed(this.windowHost(), image, ready.received_bytes, { window, sizer, onProgress: opts.onProgress });
      chunksSent += w.chunksSent;
      if (w.outcome === "done") return { bytes: image.length, crc, chunkBytes: sizer.size(), resumedFrom, chunksSent, resent: w.resent, seconds: (performance.now() - started) / 1000 };
      if (restarts >= 3) this.fail("board-reset", `${this.o.port} restarted ${restarts + 1} times during the upload`);
      await this.hello(); // the board restarted: a new session, then resume from what it kept
    }
  }

  /** The session's chunk-size rule (its error-rate estimate carries over between uploads and reads of this line). */
  private sizerFor(max: number, bytes: number): ChunkSizer {
    const { overhead, replyBytes } = wireOverhead(this.session, bytes);
    const s = this.sizer;
    if (s && s.max === max && s.overhead === overhead) return s;
    return (this.sizer = new ChunkSizer(Math.min(MIN_CHUNK_BYTES, max), max, overhead, replyBytes));
  }

  /** What the windowed upload needs of this session: numbering, sending, replies, damage, timeouts. */
  private windowHost(): WindowHost {
    return {
      session: this.session,
      port: this.o.port,
      baud: this.o.baud,
      attempts: this.o.attempts,
      nextSeq: () => (this.seq = (this.seq + 1) >>> 0 || 1),
      send: async (payload, what) => {
        if (this.closedReason) this.fail("board-disconnected", `lost ${this.o.port} while ${what}: ${this.closedReason}`);
        this.counts.framesSent++;
        try {
          await this.sendFrame(payload);
        } catch (e) {
          this.fail("board-disconnected", `cannot write to ${this.o.port} while ${what}: ${(e as Error).message}`);
        }
      },
      listen: (l) => {
        this.windowListener = l;
        return () => (this.windowListener = null);
      },
      timeoutMs: (backoff) => Math.min(this.o.maxTimeoutMs, (this.srtt > 0 ? Math.max(this.minTimeoutMs(), this.srtt + 4 * this.rttvar) : this.o.timeoutMs) * 2 ** backoff),
      sampleRtt: (ms) => this.sampleRtt(ms),
      srttMs: () => this.srtt,
      counts: this.counts,
      closed: () => this.closedReason,
      fail: (code, message, hint) => this.fail(code, message, hint),
      expect: (f, kind, what) => this.expect(f, kind, what),
      lastDamage: () => this.lastDamage,
    };
  }

  /** Applies the uploaded image; the board verifies it first and keeps its old one if it fails. */
  /**
   * Given the image itself, the host then asks for status and checks that the board's active image
   * has the image's SHA-256 (HelloReply/Status.active_sha256): the board runs exactly these bytes.
   */
  async commit(crc: number, image?: Uint8Array): Promise<void> {
    // The board decodes and verifies the image before it answers (reply_within_ms does not cover
    // that): wait COMMIT_BASE_MS + 1 ms per KiB before resending (a resend would only be answered
    // from the duplicate window, but it is needless traffic).
    const wait = COMMIT_BASE_MS + Math.ceil((image?.length ?? this.lastUploadBytes) / 1024);
    this.expect(await this.request("commit", { image_crc32: crc }, `committing image ${hex32(crc)}`, 64, this.o.attempts, wait), "ack", `committing image ${hex32(crc)}`);
    if (!image) return;
    const want = createHash("sha256").update(image).digest("hex");
    const got = Buffer.from((await this.status()).active_sha256).toString("hex");
    if (got !== want) this.fail("board-wrong-image", `${this.o.port} acknowledged the commit of image ${hex32(crc)} but reports active SHA-256 ${got || "(none)"}; the image's is ${want}`, "deploy again; if it persists, the board's firmware stores images incorrectly");
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

  /**
   * Runs the committed image `crc` and reads its results. If the board restarts during the run,
   * the image survives (it is committed), so the host opens a new session and runs again, up to
   * `retries` times.
   */
  async runAndRead(crc: number, durationTicks: number, opts: { onProgress?: (fraction: number) => void; retries?: number; pollMs?: number } = {}): Promise<{ results: Results; status: Status; restarts: number }> {
    for (let restarts = 0; ; restarts++) {
      try {
        const status = await this.run(durationTicks, opts);
        return { results: await this.readResults(status), status, restarts };
      } catch (e) {
        if (!(e instanceof EngramError && e.diagnostics[0]?.code === "board-reset") || restarts >= (opts.retries ?? 2)) throw e;
        this.session = newSessionId();
        const h = await this.hello();
        if (h.active_crc32 !== crc) this.fail("board-lost-image", `${this.o.port} restarted and now holds image ${hex32(h.active_crc32)}, not the uploaded ${hex32(crc)}`, "deploy again");
      }
    }
  }

  private boardReset(boot?: number, now?: number): never {
    throw new EngramError([{ code: "board-reset", message: `${this.o.port} restarted during the run (boot ${boot ?? "?"} -> ${now ?? "?"}); its results are lost`, hint: "run again: the committed image survives a reset" }]);
  }

  /**
   * Reads the results of the finished run and checks them against the CRC in `done`. Reads are
   * one at a time; their length follows the same rule as upload chunks (chunk-size.ts), from the
   * same estimate of the line's error rate.
   */
  async readResults(done: Status, chunkBytes?: number): Promise<Results> {
    const total = done.results_bytes;
    const bytes = new Uint8Array(total);
    const most = Math.min(chunkBytes ?? this.maxChunkBytes(), this.maxChunkBytes());
    const sizer = this.sizerFor(most, total);
    let failedRounds = 0; // rounds of 3 attempts that all failed, in a row
    for (let at = 0; at < total; ) {
      const n = Math.min(sizer.size(), total - at);
      const what = `reading results (${at} of ${total} bytes)`;
      const before = this.counts.retried;
      // A few attempts at this length, then the rule picks a new one from the losses seen.
      const f = await this.tryRequest("read", { offset: at, length: n }, what, n + sizer.overhead, n > sizer.min && failedRounds < 8);
      // Each resend was one lost exchange; a reply that came was one that got through.
      for (let i = this.counts.retried - before + (f ? 0 : 1); i > 0; i--) sizer.record(n, true);
      if (!f) {
        failedRounds++;
        continue;
      }
      failedRounds = 0;
      sizer.record(n, false);
      const d = this.expect(f, "read_data", what);
      if (d.offset !== at || d.data.length === 0 || d.data.length > n) this.fail("protocol-error", `${this.o.port} returned ${d.data.length} bytes at offset ${d.offset} while ${what}`);
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
