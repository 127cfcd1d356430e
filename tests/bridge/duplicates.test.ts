/**
 * Exact duplicates and session rules (docs/serial-protocol.md, "Sessions and sequence numbers"):
 * the board keeps a window of recent (session, seq) pairs with their replies, replays the stored
 * reply for a duplicate, refuses a seq older than the window, leaves the current session alone
 * when it refuses a hello, gives session 0 and seq 0 one meaning each, and nacks an unreadable
 * body with its own seq. Frames are written by hand here (a raw client), not by HostSession,
 * so that each case sends exactly the bytes it describes.
 */
import { describe, expect, it } from "vitest";
import protobuf from "protobufjs";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { decodeFrame, encodeFrame, Reason, State, type Bodies, type BodyKind, type Frame } from "../../firmware-bridge/messages.ts";
import { VirtualBoard } from "../../firmware-bridge/board.ts";
import { transportPair } from "../../firmware-bridge/transport.ts";
import { basicEarlyImage } from "./helpers.ts";

/** A host that sends exactly the frames it is given and collects every reply. */
class RawClient {
  readonly replies: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; done: (f: Frame) => void }[] = [];
  readonly link: FrameLink;
  readonly board: VirtualBoard;
  constructor() {
    const [h, b] = transportPair();
    this.board = new VirtualBoard(b, { sliceTicks: 50 });
    this.link = new FrameLink(h);
    this.link.onFrame((p) => {
      const f = decodeFrame(p);
      this.replies.push(f);
      const i = this.waiters.findIndex((w) => w.match(f));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.done(f);
    });
  }
  sendRaw(payload: Uint8Array): void {
    void this.link.send(payload);
  }
  /** Sends one request and waits (at most 2 s) for the reply with its session and seq. */
  async ask<K extends BodyKind>(session: number, seq: number, kind: K, body: Bodies[K]): Promise<Frame> {
    return this.askRaw(encodeFrame(session, seq, kind, body), (f) => f.session === session && f.seq === seq && f.kind !== "bad_frame");
  }
  askRaw(payload: Uint8Array, match: (f: Frame) => boolean): Promise<Frame> {
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error("no reply within 2 s")), 2000);
      this.waiters.push({ match, done: (f) => (clearTimeout(timer), done(f)) });
      this.sendRaw(payload);
    });
  }
  /** Bytes of the reply as the board encoded it (to compare stored replays byte for byte). */
  static bytes(f: Frame): Uint8Array {
    return encodeFrame(f.session, f.seq, f.kind, f.body as never);
  }
}

const hello = { protocol_version: 1, min_protocol_version: 1, host: "raw" };
const image = basicEarlyImage();

async function committed(c: RawClient, session: number): Promise<number> {
  let seq = 1;
  expect((await c.ask(session, seq++, "hello", hello)).kind).toBe("hello_reply");
  const crc = crc32(image);
  expect((await c.ask(session, seq++, "begin_upload", { image_bytes: image.length, image_crc32: crc, chunk_bytes: 4000 })).kind).toBe("upload_ready");
  for (let i = 0; i * 4000 < image.length; i++) expect((await c.ask(session, seq++, "chunk", { index: i, data: image.subarray(i * 4000, (i + 1) * 4000) })).kind).toBe("chunk_ack");
  expect((await c.ask(session, seq++, "commit", { image_crc32: crc })).kind).toBe("ack");
  return seq;
}

async function untilDone(c: RawClient, session: number, seq: number): Promise<{ seq: number; status: Bodies["status"] }> {
  for (;;) {
    const f = await c.ask(session, seq++, "get_status", {});
    if (f.kind !== "status") throw new Error(`status answered with ${f.kind}`);
    if (f.body.state !== State.RUNNING) return { seq, status: f.body };
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("exact duplicates: a window of (session, seq) and stored replies", () => {
  it("an earlier run frame replayed during read-back is answered from the window, not run again", async () => {
    const c = new RawClient();
    let seq = await committed(c, 7);
    const runSeq = seq++;
    const runFrame = encodeFrame(7, runSeq, "run", { duration_ticks: 0 });
    expect((await c.askRaw(runFrame, (f) => f.seq === runSeq)).kind).toBe("ack");
    const done = await untilDone(c, 7, seq);
    seq = done.seq;
    expect(done.status.state).toBe(State.DONE);
    const first = await c.ask(7, seq++, "read", { offset: 0, length: 1000 });
    expect(first.kind).toBe("read_data");
    // The old run frame arrives again (a duplicate delayed on the line).
    const replay = await c.askRaw(runFrame, (f) => f.seq === runSeq);
    expect(replay.kind).toBe("ack");
    const after = await c.ask(7, seq++, "get_status", {});
    expect(after.kind === "status" && after.body.state).toBe(State.DONE);
    expect(after.kind === "status" && after.body.results_crc32).toBe(done.status.results_crc32);
  });

  it("a duplicate within the window gets the stored reply byte for byte, not a new execution", async () => {
    const c = new RawClient();
    let seq = await committed(c, 8);
    const statusSeq = seq++;
    const before = await c.ask(8, statusSeq, "get_status", {});
    expect(before.kind === "status" && before.body.state).toBe(State.IDLE);
    expect((await c.ask(8, seq++, "run", { duration_ticks: 0 })).kind).toBe("ack");
    seq = (await untilDone(c, 8, seq)).seq;
    const again = await c.ask(8, statusSeq, "get_status", {});
    expect(RawClient.bytes(again)).toEqual(RawClient.bytes(before)); // still the IDLE status it answered then
  });

  it("a seq older than the window is refused with OLD_SEQ and not executed", async () => {
    const c = new RawClient();
    expect((await c.ask(9, 1, "hello", hello)).kind).toBe("hello_reply");
    const window = (c.replies[0]!.body as Bodies["hello_reply"]).seq_window;
    expect(window).toBeGreaterThanOrEqual(16);
    for (let s = 2; s <= window + 3; s++) expect((await c.ask(9, s, "get_status", {})).kind).toBe("status");
    const old = await c.ask(9, 2, "abort", {}); // seq 2 is now more than `window` behind
    expect(old.kind).toBe("nack");
    expect(old.kind === "nack" && old.body.reason).toBe(Reason.OLD_SEQ);
    expect(old.kind === "nack" && old.body.detail).toMatch(/seq 2 is older than the window/);
  });

  it("a seq below the highest seen but inside the window and never executed is executed (a resend overtaken by later requests)", async () => {
    const c = new RawClient();
    expect((await c.ask(10, 1, "hello", hello)).kind).toBe("hello_reply");
    expect((await c.ask(10, 3, "get_status", {})).kind).toBe("status");
    expect((await c.ask(10, 2, "get_status", {})).kind).toBe("status");
  });
});

describe("session rules", () => {
  it("a hello the board refuses (no common version) leaves the current session alone", async () => {
    const c = new RawClient();
    expect((await c.ask(21, 1, "hello", hello)).kind).toBe("hello_reply");
    const refused = await c.ask(22, 1, "hello", { protocol_version: 99, min_protocol_version: 99, host: "newer" });
    expect(refused.kind === "nack" && refused.body.reason).toBe(Reason.UNSUPPORTED_VERSION);
    expect(refused.session).toBe(22); // answered in the sender's session, so it recognises the reply
    const f = await c.ask(21, 2, "get_status", {});
    expect(f.kind).toBe("status");
  });

  it("session 0 means 'no session': a hello with it is refused, and the board's session is unchanged", async () => {
    const c = new RawClient();
    expect((await c.ask(23, 1, "hello", hello)).kind).toBe("hello_reply");
    const f = await c.ask(0, 1, "hello", hello);
    expect(f.kind === "nack" && f.body.reason).toBe(Reason.BAD_REQUEST);
    expect(f.kind === "nack" && f.body.detail).toMatch(/session 0/);
    expect((await c.ask(23, 2, "get_status", {})).kind).toBe("status");
  });

  it("seq 0 means 'not a request': a request with seq 0 is refused, not executed", async () => {
    const c = new RawClient();
    expect((await c.ask(24, 1, "hello", hello)).kind).toBe("hello_reply");
    const f = await c.ask(24, 0, "abort", {});
    expect(f.kind === "nack" && f.body.reason).toBe(Reason.BAD_REQUEST);
    expect(f.kind === "nack" && f.body.detail).toMatch(/seq 0/);
  });

  it("an empty or unknown body is nacked with its own seq (UNSUPPORTED_MESSAGE), at once", async () => {
    const c = new RawClient();
    expect((await c.ask(25, 1, "hello", hello)).kind).toBe("hello_reply");
    // Frame{session 25, seq 2} with no body.
    const empty = protobuf.Writer.create().uint32((1 << 3) | 0).uint32(25).uint32((2 << 3) | 0).uint32(2).finish();
    const f = await c.askRaw(empty, (r) => r.kind === "nack");
    expect(f.seq).toBe(2);
    expect(f.kind === "nack" && f.body.reason).toBe(Reason.UNSUPPORTED_MESSAGE);
    // Frame{session 25, seq 3, field 99: an empty message}: a body from a newer protocol.
    const unknown = protobuf.Writer.create().uint32((1 << 3) | 0).uint32(25).uint32((2 << 3) | 0).uint32(3).uint32((99 << 3) | 2).uint32(0).finish();
    const g = await c.askRaw(unknown, (r) => r.kind === "nack" && r.seq === 3);
    expect(g.kind === "nack" && g.body.reason).toBe(Reason.UNSUPPORTED_MESSAGE);
    expect(g.kind === "nack" && g.body.detail).toMatch(/field 99/);
  });

  it("an unparseable body is nacked with its own seq when the seq is readable", async () => {
    const c = new RawClient();
    expect((await c.ask(26, 1, "hello", hello)).kind).toBe("hello_reply");
    // session 26, seq 4, then a length-delimited field 17 (run) that claims 50 bytes but has 2.
    const bad = protobuf.Writer.create().uint32((1 << 3) | 0).uint32(26).uint32((2 << 3) | 0).uint32(4).uint32((17 << 3) | 2).uint32(50).finish();
    const payload = new Uint8Array([...bad, 0x08, 0x01]);
    const f = await c.askRaw(payload, (r) => r.kind === "nack");
    expect(f.seq).toBe(4);
    expect(f.session).toBe(26);
    expect(f.kind === "nack" && f.body.reason).toBe(Reason.BAD_REQUEST);
  });
});
