/**
 * A host that sends exactly the frames it is given and collects every reply: for tests of the
 * board's rules, where HostSession's own numbering and retries would get in the way.
 */
import { expect } from "vitest";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { decodeFrame, encodeFrame, State, type Bodies, type BodyKind, type Frame } from "../../firmware-bridge/messages.ts";
import { VirtualBoard, type BoardOptions } from "../../firmware-bridge/board.ts";
import { transportPair } from "../../firmware-bridge/transport.ts";

export const hello = { protocol_version: 3, min_protocol_version: 3, host: "raw" };

export class RawClient {
  readonly replies: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; done: (f: Frame) => void }[] = [];
  readonly link: FrameLink;
  readonly board: VirtualBoard;
  constructor(boardOptions: BoardOptions = { sliceTicks: 50 }) {
    const [h, b] = transportPair();
    this.board = new VirtualBoard(b, boardOptions);
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
  ask<K extends BodyKind>(session: number, seq: number, kind: K, body: Bodies[K]): Promise<Frame> {
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

/** hello, upload `image` in 4000-byte chunks and commit it; returns the next free seq. */
export async function committed(c: RawClient, session: number, image: Uint8Array): Promise<number> {
  let seq = 1;
  expect((await c.ask(session, seq++, "hello", hello)).kind).toBe("hello_reply");
  const crc = crc32(image);
  expect((await c.ask(session, seq++, "begin_upload", { image_bytes: image.length, image_crc32: crc })).kind).toBe("upload_ready");
  for (let i = 0; i * 4000 < image.length; i++) expect((await c.ask(session, seq++, "chunk", { offset: i * 4000, data: image.subarray(i * 4000, (i + 1) * 4000) })).kind).toBe("chunk_ack");
  expect((await c.ask(session, seq++, "commit", { image_crc32: crc })).kind).toBe("ack");
  return seq;
}

/** Polls status until the run is no longer RUNNING; returns the next free seq and the last status. */
export async function untilDone(c: RawClient, session: number, seq: number): Promise<{ seq: number; status: Bodies["status"] }> {
  for (;;) {
    const f = await c.ask(session, seq++, "get_status", {});
    if (f.kind !== "status") throw new Error(`status answered with ${f.kind}`);
    if (f.body.state !== State.RUNNING) return { seq, status: f.body };
    await new Promise((r) => setTimeout(r, 5));
  }
}
