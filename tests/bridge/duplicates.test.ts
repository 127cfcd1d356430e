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
import { encodeFrame, Reason, State, type Bodies } from "../../firmware-bridge/messages.ts";
import { basicEarlyImage } from "./helpers.ts";
import { committed, hello, RawClient, untilDone } from "./raw-client.ts";

const image = basicEarlyImage();

describe("exact duplicates: a window of (session, seq) and stored replies", () => {
  it("an earlier run frame replayed during read-back is answered from the window, not run again", async () => {
    const c = new RawClient();
    let seq = await committed(c, 7, image);
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
    let seq = await committed(c, 8, image);
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
