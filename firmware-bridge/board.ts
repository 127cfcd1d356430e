/**
 * The virtual board: the device side of the protocol, a reference for firmware authors, serving
 * on any transport (in tests and `engram board`, a PTY from socat) with the emulator as its chip.
 * Uploads go to a staging buffer; the running configuration changes only at a commit whose image
 * has all its bytes, the announced CRC-32 and a matching digest (src/ir/image.ts), and decodes and
 * verifies. An unfinished upload is kept (as a board would keep it in flash) so a reconnecting
 * host resumes from its last chunk.
 */
import type { IrProgram } from "../src/ir/codec.ts";
import { decodeImage } from "../src/ir/image.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";
import { crc32, hex32 } from "./crc32.ts";
import { DEFAULT_MAX_PAYLOAD, FrameLink } from "./framing.ts";
import { runInSlices } from "./slices.ts";
import { LineErrorEstimate } from "./fec-level.ts";
import { RangeSet } from "./ranges.ts";
import { createHash } from "node:crypto";
import { decodeFrame, encodeFrame, encodeResults, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, ProtocolError, Reason, State, STATE_NAMES, type Bodies, type BodyKind, type Frame, type Status } from "./messages.ts";
import type { Transport } from "./transport.ts";

/** Replies kept for duplicates: a request up to this many seqs behind the highest is recognised. */
export const SEQ_WINDOW = 128;
/** Wall time of one run slice: the board answers requests between slices, so replies during a run wait at most about this long. */
export const SLICE_MS = 5;
/** What the board promises (HelloReply.reply_within_ms): every request is answered within this long after it arrived, during a run too. */
export const REPLY_WITHIN_MS = 50;
/** On a line of pure noise, bad_frame notices are at least this far apart. */
export const BAD_FRAME_INTERVAL_MS = 100;
/** A Chunk or ReadData frame's own fields (session, seq, index/offset, tags and lengths) take fewer bytes than this. */
export const CHUNK_OVERHEAD = 32;

export interface BoardOptions {
  deviceId?: string;
  firmwareVersion?: string;
  maxImageBytes?: number;
  maxPayload?: number;
  /** Protocol versions this board speaks (tests use it to provoke a mismatch). */
  protocolVersion?: number;
  minProtocolVersion?: number;
  /** Ticks in the first slice of a run (default 1; slices then adapt to about SLICE_MS each). */
  sliceTicks?: number;
  /** Run no faster than this (a board at its hardware's speed); default: as fast as the emulator goes. */
  maxTicksPerSecond?: number;
  log?: (line: string) => void;
}

interface Partial {
  crc: number;
  size: number;
  data: Uint8Array;
  /** Which bytes arrived (chunks come in any order). */
  got: RangeSet;
}

interface RunState {
  state: number;
  end: number;
  handle?: EmulatorHandle;
  token: number;
  results?: Uint8Array;
  resultsCrc: number;
  error: string;
}

export class VirtualBoard {
  private frameLink!: FrameLink;
  readonly deviceId: string;
  readonly firmwareVersion: string;
  readonly maxImageBytes: number;
  /** The largest Chunk.data and Read.length: the frame limit less CHUNK_OVERHEAD (HelloReply.max_chunk_bytes). */
  readonly maxChunkBytes: number;
  private readonly version: number;
  private readonly minVersion: number;
  boot = 0;
  badFrames = 0;
  /** The byte error rate of what the board receives, reported in every reply (Frame.rx_errors_ppm). */
  readonly rxErrors = new LineErrorEstimate();
  /** A valid frame arrived since the last bad_frame notice (so the next damaged one is reported at once). */
  private noticeOwed = true;
  private lastNotice = -Infinity;
  /** The running configuration; replaced only by a commit that verifies. */
  active: { crc: number; bytes: Uint8Array; ir: IrProgram; sha256: Uint8Array } | null = null;
  partial: Partial | null = null;
  private run: RunState = { state: State.IDLE, end: 0, token: 0, resultsCrc: 0, error: "" };
  /** The current session; 0 = none (after a reset, before the first hello). */
  private session = 0;
  /** Highest seq executed in this session, and the replies to the last SEQ_WINDOW seqs (the duplicate window). */
  private maxSeq = 0;
  private readonly replies = new Map<number, Uint8Array>();
  /** Called after each slice of a run (tests use it to reset the board mid-run). */
  onRunSlice: (tick: number) => void = () => {};

  constructor(transport: Transport, private readonly options: BoardOptions = {}) {
    this.attach(transport);
    this.deviceId = options.deviceId ?? "engram-virtual-board";
    this.firmwareVersion = options.firmwareVersion ?? "virtual-1";
    this.maxImageBytes = options.maxImageBytes ?? 16 * 1024 * 1024;
    this.maxChunkBytes = this.link.maxPayload - CHUNK_OVERHEAD;
    this.version = options.protocolVersion ?? PROTOCOL_VERSION;
    this.minVersion = options.minProtocolVersion ?? MIN_PROTOCOL_VERSION;
  }

  /** The line the board serves now. */
  get link(): FrameLink {
    return this.frameLink;
  }

  /**
   * Serves a new line (the port re-opened after a cable pull): nothing else changes, as on a real
   * board that kept its power. The committed image, a staged upload, the session and a run in
   * progress carry on; replies to requests that arrived on the old line are lost with it.
   */
  attach(transport: Transport): void {
    const link = new FrameLink(transport, this.options.maxPayload ?? DEFAULT_MAX_PAYLOAD);
    this.frameLink = link;
    link.onFrame((p, info) => {
      this.noticeOwed = true;
      // Replies go out at the FEC level of the request they answer (the host chooses it from the
      // line's error rate); bad_frame notices at the level of the last valid frame.
      link.sendLevel = info.level;
      this.rxErrors.frame(info.wireBytes, info.bytesCorrected);
      this.receive(p);
    });
    link.onBadFrame((reason, detail, damage) => {
      this.badFrames++;
      this.rxErrors.damaged(damage);
      this.log(`bad frame (${reason}): ${detail}`);
      // Tell the host at once, so it resends without waiting for its timeout; but at most one
      // notice per valid frame received, or per BAD_FRAME_INTERVAL_MS on a line of pure noise.
      const now = performance.now();
      if (this.noticeOwed || now - this.lastNotice >= BAD_FRAME_INTERVAL_MS) {
        this.noticeOwed = false;
        this.lastNotice = now;
        this.send(0, "bad_frame", { count: this.badFrames }, false);
      }
    });
  }

  /** A power cycle: the run and its results are lost; the committed image and a staged upload survive. */
  reset(): void {
    this.boot++;
    this.run = { state: State.IDLE, end: 0, token: this.run.token + 1, resultsCrc: 0, error: "" };
    this.endSession(0);
    this.log(`reset (boot ${this.boot})`);
  }

  status(): Status {
    const r = this.run;
    return {
      state: r.state, tick: r.handle?.emulator.tick ?? 0, duration_ticks: r.end, boot: this.boot, active_crc32: this.active?.crc ?? 0,
      results_bytes: r.results?.length ?? 0, results_crc32: r.resultsCrc, error: r.error, active_sha256: this.active?.sha256 ?? new Uint8Array(0),
    };
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Replies in the current session; a reply to a request (seq > 0) is kept in the duplicate window. */
  private send<K extends BodyKind>(seq: number, kind: K, body: Bodies[K], remember = true): void {
    const payload = encodeFrame(this.session, seq, kind, body, this.ppm());
    if (remember && seq > 0) this.replies.set(seq, payload);
    this.transmit(payload);
  }

  /** A reply outside the current session (to a stale or refused sender): never remembered. */
  private sendTo<K extends BodyKind>(session: number, seq: number, kind: K, body: Bodies[K]): void {
    this.transmit(encodeFrame(session, seq, kind, body, this.ppm()));
  }

  private ppm(): number {
    return Math.min(1e6, Math.round(this.rxErrors.rate() * 1e6));
  }

  private transmit(payload: Uint8Array): void {
    this.link.send(payload).catch((e: Error) => this.log(`send failed: ${e.message}`));
  }

  private endSession(session: number): void {
    this.session = session;
    this.maxSeq = 0;
    this.replies.clear();
  }

  /**
   * The duplicate window of the current session: a stored reply is sent again, a seq too old to
   * tell is refused, anything else is new (and may be below the highest seq, e.g. a resend that
   * later requests overtook). Returns true when the frame is new and should be executed.
   */
  private admit(seq: number): boolean {
    const stored = this.replies.get(seq);
    if (stored) {
      this.transmit(stored);
      return false;
    }
    if (seq + SEQ_WINDOW <= this.maxSeq) {
      this.sendTo(this.session, seq, "nack", { reason: Reason.OLD_SEQ, detail: `seq ${seq} is older than the window of ${SEQ_WINDOW} (highest seq seen ${this.maxSeq}); a duplicate of it cannot be told from a new request` });
      return false;
    }
    if (seq > this.maxSeq) {
      this.maxSeq = seq;
      for (const k of this.replies.keys()) if (k + SEQ_WINDOW <= seq) this.replies.delete(k);
    }
    return true;
  }

  private nack(seq: number, reason: number, detail: string): void {
    this.log(`nack seq ${seq}: ${detail}`);
    this.send(seq, "nack", { reason, detail });
  }

  private receive(payload: Uint8Array): void {
    let f: Frame;
    try {
      f = decodeFrame(payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      return this.unreadable(e);
    }
    if (f.seq === 0) return this.sendTo(f.session, 0, "nack", { reason: Reason.BAD_REQUEST, detail: `a ${f.kind} with seq 0: seq 0 is not a request (requests are numbered from 1)` });
    if (this.session !== 0 && f.session === this.session) {
      if (!this.admit(f.seq)) return;
      return this.execute(f);
    }
    if (f.kind === "hello") return this.hello(f);
    // Reply in the sender's session so that it recognises the answer; the current session stays.
    const detail = this.session === 0 ? `no session: the board restarted (boot ${this.boot}); send hello first` : `session ${hex32(f.session)} is not the current one; send hello first`;
    this.sendTo(f.session, f.seq, "nack", { reason: Reason.STALE_SESSION, detail });
  }

  /** A frame that passed its CRC but is not a request this version can execute: answered with its own seq when readable. */
  private unreadable(e: ProtocolError): void {
    const reason = e.unsupported ? Reason.UNSUPPORTED_MESSAGE : Reason.BAD_REQUEST;
    this.log(`unreadable frame: ${e.message}`);
    if (e.seq !== undefined && e.seq > 0 && this.session !== 0 && e.session === this.session) {
      if (this.admit(e.seq)) this.send(e.seq, "nack", { reason, detail: e.message });
      return;
    }
    this.sendTo(e.session ?? this.session, e.seq ?? 0, "nack", { reason, detail: e.message });
  }

  private execute(f: Frame): void {
    switch (f.kind) {
      case "hello": return this.hello(f);
      case "begin_upload": return this.beginUpload(f.seq, f.body);
      case "chunk": return this.chunk(f.seq, f.body);
      case "commit": return this.commit(f.seq, f.body.image_crc32);
      case "run": return this.startRun(f.seq, f.body.duration_ticks);
      case "get_status": return this.send(f.seq, "status", this.status());
      case "read": return this.read(f.seq, f.body);
      case "abort":
        // Stops a run in progress (its partial results are dropped: state IDLE); finished results
        // (DONE) and a failure report (FAILED) stay readable. An unfinished upload is dropped.
        if (this.run.state === State.RUNNING) this.run = { state: State.IDLE, end: 0, token: this.run.token + 1, resultsCrc: 0, error: "" };
        this.partial = null;
        return this.send(f.seq, "ack", {});
      case "reset":
        this.send(f.seq, "ack", {});
        return this.reset();
      default:
        return this.nack(f.seq, Reason.BAD_REQUEST, `${f.kind} is a board-to-host message`);
    }
  }

  /**
   * Opens a session (or answers again in the current one). A hello the board refuses (session 0,
   * no common version) is answered in the sender's session and changes nothing.
   */
  private hello(f: Extract<Frame, { kind: "hello" }>): void {
    const h = f.body;
    if (f.session === 0) return this.sendTo(0, f.seq, "nack", { reason: Reason.BAD_REQUEST, detail: "hello with session 0: session 0 means no session; choose a session id from 1 to 4294967295" });
    if (h.protocol_version < this.minVersion || h.min_protocol_version > this.version) {
      const detail = `the board speaks protocol ${this.minVersion}..${this.version}, the host ${h.min_protocol_version}..${h.protocol_version} (firmware ${this.firmwareVersion})`;
      this.log(`refused hello: ${detail}`);
      return this.sendTo(f.session, f.seq, "nack", { reason: Reason.UNSUPPORTED_VERSION, detail });
    }
    if (f.session !== this.session) {
      this.endSession(f.session);
      this.admit(f.seq);
      this.log(`hello from ${h.host || "a host"}, session ${hex32(f.session)}`);
    }
    this.send(f.seq, "hello_reply", {
      protocol_version: Math.min(this.version, h.protocol_version), device_id: this.deviceId, firmware_version: this.firmwareVersion,
      capabilities: ["target:bss2", "target:cmos", "resume", "readback:results"], max_frame_bytes: this.link.maxPayload, max_image_bytes: this.maxImageBytes,
      boot: this.boot, active_crc32: this.active?.crc ?? 0, active_bytes: this.active?.bytes.length ?? 0,
      partial_crc32: this.partial?.crc ?? 0, partial_received_bytes: this.partial?.got.prefix() ?? 0, active_sha256: this.active?.sha256 ?? new Uint8Array(0), seq_window: SEQ_WINDOW,
      max_chunk_bytes: this.maxChunkBytes, reply_within_ms: REPLY_WITHIN_MS,
    });
  }

  private beginUpload(seq: number, b: Bodies["begin_upload"]): void {
    if (b.image_bytes === 0 || b.image_bytes > this.maxImageBytes) return this.nack(seq, Reason.TOO_LARGE, `an image of ${b.image_bytes} bytes; this board takes 1..${this.maxImageBytes}`);
    const p = this.partial;
    // The same image (CRC and size) continues from its contiguous prefix; any other is discarded.
    if (p && p.crc === b.image_crc32 && p.size === b.image_bytes) p.got.truncateToPrefix();
    else this.partial = { crc: b.image_crc32, size: b.image_bytes, data: new Uint8Array(b.image_bytes), got: new RangeSet() };
    const q = this.partial!;
    this.log(`upload of ${q.size} bytes (CRC ${hex32(q.crc)}) from byte ${q.got.prefix()}`);
    this.send(seq, "upload_ready", { received_bytes: q.got.prefix() });
  }

  private chunk(seq: number, c: Bodies["chunk"]): void {
    const p = this.partial;
    const n = c.data.length;
    if (!p) return this.nack(seq, Reason.NO_UPLOAD, `a chunk at offset ${c.offset} without begin_upload`);
    if (n === 0 || n > this.maxChunkBytes) return this.nack(seq, Reason.TOO_LARGE, `a chunk of ${n} bytes; this board takes 1..${this.maxChunkBytes} (max_chunk_bytes)`);
    if (c.offset + n > p.size) return this.nack(seq, Reason.BAD_REQUEST, `a chunk of ${n} bytes at offset ${c.offset} ends past the ${p.size}-byte image`);
    p.data.set(c.data, c.offset);
    p.got.add(c.offset, c.offset + n);
    this.send(seq, "chunk_ack", { received_bytes: p.got.prefix() });
  }

  private commit(seq: number, crc: number): void {
    if (this.active && this.active.crc === crc && (!this.partial || this.partial.crc !== crc)) return this.send(seq, "ack", {}); // already applied
    const p = this.partial;
    if (!p || p.crc !== crc) return this.nack(seq, Reason.NO_UPLOAD, `commit of image ${hex32(crc)}, but no upload of it is staged`);
    if (p.got.prefix() < p.size) return this.nack(seq, Reason.INCOMPLETE, `bytes 0..${p.got.prefix() - 1} of ${p.size} received; the first missing byte is ${p.got.prefix()}`);
    if (this.run.state === State.RUNNING) return this.nack(seq, Reason.BUSY, "a run is in progress; abort it first");
    const got = crc32(p.data);
    if (got !== p.crc) {
      this.partial = null;
      return this.nack(seq, Reason.IMAGE_CRC_MISMATCH, `the assembled ${p.size}-byte image has CRC-32 ${hex32(got)}, announced ${hex32(p.crc)}; upload it again`);
    }
    let ir: IrProgram;
    try {
      ir = decodeImage(p.data, "uploaded image"); // digest, decode, verify
    } catch (e) {
      this.partial = null;
      return this.nack(seq, Reason.INVALID_IMAGE, (e as Error).message);
    }
    this.active = { crc: p.crc, bytes: p.data, ir, sha256: new Uint8Array(createHash("sha256").update(p.data).digest()) };
    this.partial = null;
    this.run = { state: State.IDLE, end: 0, token: this.run.token + 1, resultsCrc: 0, error: "" };
    this.log(`committed ${ir.header.model_name} for ${ir.header.target} (${p.size} bytes, CRC ${hex32(p.crc)})`);
    this.send(seq, "ack", {});
  }

  private startRun(seq: number, ticks: number): void {
    const a = this.active;
    if (!a) return this.nack(seq, Reason.NO_IMAGE, "no committed image to run");
    if (this.run.state === State.RUNNING) return this.nack(seq, Reason.BUSY, `a run is in progress (tick ${this.status().tick} of ${this.run.end})`);
    const whole = a.ir.header.duration_ticks;
    if (ticks > whole) return this.nack(seq, Reason.BAD_REQUEST, `a run of ${ticks} ticks; the active image lasts ${whole} ticks (0 runs all of it)`);
    const end = ticks === 0 ? whole : ticks;
    const handle = new EmulatorHandle(a.ir);
    const token = this.run.token + 1;
    this.run = { state: State.RUNNING, end, handle, token, resultsCrc: 0, error: "" };
    this.send(seq, "ack", {});
    const e = handle.emulator;
    runInSlices({
      remaining: () => end - e.tick,
      step: (n) => e.run(n),
      cancelled: () => this.run.token !== token, // aborted, reset or replaced
      afterSlice: () => this.onRunSlice(e.tick),
      finished: () => this.finish(handle, end),
      failed: (err) => void (this.run = { ...this.run, state: State.FAILED, error: err.message }),
    }, { targetMs: SLICE_MS, firstTicks: this.options.sliceTicks, maxTicksPerSecond: this.options.maxTicksPerSecond });
  }

  private finish(handle: EmulatorHandle, end: number): void {
    const e = handle.emulator;
    const s = e.stats;
    const results = encodeResults({
      ticks_run: end,
      probes: e.probes.map((p) => ({ ticks: p.ticks, data: p.data })),
      spike_ticks: e.spikes.ticks, spike_groups: e.spikes.groups, spike_elements: e.spikes.elements,
      stats: { stepped_ticks: s.ticks, jumped_ticks: s.jumpedTicks, overruns: s.overruns, max_backlog_cycles: s.maxBacklogCycles, wall_seconds: s.wallSeconds, saturations: s.saturations },
    });
    this.run = { ...this.run, state: State.DONE, results, resultsCrc: crc32(results) };
    this.log(`run done: ${end} ticks, ${results.length} bytes of results`);
  }

  private read(seq: number, r: Bodies["read"]): void {
    const res = this.run.results;
    if (!res) return this.nack(seq, Reason.NO_RESULTS, `no results to read (state ${STATE_NAMES[this.run.state] ?? this.run.state})`);
    if (r.length === 0 || r.length > this.maxChunkBytes) return this.nack(seq, Reason.TOO_LARGE, `a read of ${r.length} bytes; this board reads 1..${this.maxChunkBytes} (max_chunk_bytes) at a time`);
    if (r.offset >= res.length) return this.nack(seq, Reason.BAD_REQUEST, `read at offset ${r.offset}; the results are ${res.length} bytes (offsets 0..${res.length - 1})`);
    // The last piece is shorter when offset + length passes the end (documented): never more than asked.
    const n = Math.min(r.length, res.length - r.offset);
    this.send(seq, "read_data", { offset: r.offset, data: res.subarray(r.offset, r.offset + n) });
  }
}
