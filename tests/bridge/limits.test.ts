/**
 * The board's limits and edge rules as docs/serial-protocol.md states them: one chunk limit
 * (max_chunk_bytes) for uploads and reads, oversize reads refused, run durations past the image
 * refused, abort keeps finished results, bad_frame notices rate-limited, replies during a run
 * within the promised bound.
 */
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { decode } from "../../src/ir/codec.ts";
import { encodeFrame, Reason, State, type Bodies } from "../../firmware-bridge/messages.ts";
import { runInSlices } from "../../firmware-bridge/slices.ts";
import { Rng } from "../../src/util/rng.ts";
import { basicEarlyImage, rig } from "./helpers.ts";
import { committed, hello, RawClient, untilDone } from "./raw-client.ts";

const image = basicEarlyImage();
const ir = decode(image);

describe("one chunk limit: max_chunk_bytes", () => {
  it("hello_reply states it; the board takes chunks up to it and refuses one byte more; a full chunk frame fits max_frame_bytes", async () => {
    const c = new RawClient();
    const h = (await c.ask(1, 1, "hello", hello)).body as Bodies["hello_reply"];
    expect(h.max_chunk_bytes).toBe(h.max_frame_bytes - 32);
    const big4k = new Uint8Array(8192).fill(7);
    expect((await c.ask(1, 2, "begin_upload", { image_bytes: big4k.length, image_crc32: crc32(big4k) })).kind).toBe("upload_ready");
    const ok = await c.ask(1, 3, "chunk", { offset: 0, data: big4k.subarray(0, h.max_chunk_bytes) });
    expect(ok.kind === "chunk_ack" && ok.body.received_bytes).toBe(h.max_chunk_bytes);
    const big = await c.ask(1, 4, "chunk", { offset: 0, data: big4k.subarray(0, h.max_chunk_bytes + 1) });
    expect(big.kind === "nack" && big.body.reason).toBe(Reason.TOO_LARGE);
    expect(big.kind === "nack" && big.body.detail).toContain(`a chunk of ${h.max_chunk_bytes + 1} bytes; this board takes 1..${h.max_chunk_bytes}`);
    // The worst case of the frame's own fields: 32-bit session, seq and index at their largest.
    const worst = encodeFrame(0xffffffff, 0xffffffff, "chunk", { offset: 0xffffffff, data: new Uint8Array(h.max_chunk_bytes).fill(1) });
    expect(worst.length).toBeLessThanOrEqual(h.max_frame_bytes);
    const reply = encodeFrame(0xffffffff, 0xffffffff, "read_data", { offset: 0xffffffff, data: new Uint8Array(h.max_chunk_bytes).fill(1) });
    expect(reply.length).toBeLessThanOrEqual(h.max_frame_bytes);
  });

  it("a read longer than max_chunk_bytes is refused (TOO_LARGE), not shortened; a read past the end returns the rest", async () => {
    const c = new RawClient();
    let seq = await committed(c, 2, image);
    expect((await c.ask(2, seq++, "run", { duration_ticks: 0 })).kind).toBe("ack");
    const d = await untilDone(c, 2, seq);
    seq = d.seq;
    const max = c.board.maxChunkBytes;
    const f = await c.ask(2, seq++, "read", { offset: 0, length: max + 1 });
    expect(f.kind === "nack" && f.body.reason).toBe(Reason.TOO_LARGE);
    expect(f.kind === "nack" && f.body.detail).toContain(`a read of ${max + 1} bytes; this board reads 1..${max}`);
    const total = d.status.results_bytes;
    const tail = await c.ask(2, seq++, "read", { offset: total - 10, length: 100 });
    expect(tail.kind === "read_data" && tail.body.data.length).toBe(10);
    const past = await c.ask(2, seq++, "read", { offset: total, length: 1 });
    expect(past.kind === "nack" && past.body.reason).toBe(Reason.BAD_REQUEST);
  });
});

describe("run, abort", () => {
  it("a run longer than the image is refused, not clamped", async () => {
    const c = new RawClient();
    let seq = await committed(c, 3, image);
    const whole = ir.header.duration_ticks;
    const f = await c.ask(3, seq++, "run", { duration_ticks: whole + 1 });
    expect(f.kind === "nack" && f.body.reason).toBe(Reason.BAD_REQUEST);
    expect(f.kind === "nack" && f.body.detail).toBe(`a run of ${whole + 1} ticks; the active image lasts ${whole} ticks (0 runs all of it)`);
    expect((await c.ask(3, seq++, "run", { duration_ticks: whole })).kind).toBe("ack");
  });

  it("abort after a finished run keeps its results readable", async () => {
    const c = new RawClient();
    let seq = await committed(c, 4, image);
    expect((await c.ask(4, seq++, "run", { duration_ticks: 0 })).kind).toBe("ack");
    const d = await untilDone(c, 4, seq);
    seq = d.seq;
    expect((await c.ask(4, seq++, "abort", {})).kind).toBe("ack");
    const s = await c.ask(4, seq++, "get_status", {});
    expect(s.kind === "status" && s.body.state).toBe(State.DONE);
    expect(s.kind === "status" && s.body.results_crc32).toBe(d.status.results_crc32);
    expect((await c.ask(4, seq++, "read", { offset: 0, length: 100 })).kind).toBe("read_data");
  });

  it("abort during a run stops it: IDLE, no results", async () => {
    const c = new RawClient({ maxTicksPerSecond: 1000 });
    let seq = await committed(c, 5, image);
    expect((await c.ask(5, seq++, "run", { duration_ticks: 0 })).kind).toBe("ack");
    expect((await c.ask(5, seq++, "abort", {})).kind).toBe("ack");
    const s = await c.ask(5, seq++, "get_status", {});
    expect(s.kind === "status" && s.body.state).toBe(State.IDLE);
    const r = await c.ask(5, seq++, "read", { offset: 0, length: 10 });
    expect(r.kind === "nack" && r.body.reason).toBe(Reason.NO_RESULTS);
  });
});

describe("the active image's identity", () => {
  it("hello_reply and status report the SHA-256 of the committed image's bytes (empty before a commit)", async () => {
    const c = new RawClient();
    const before = (await c.ask(7, 1, "hello", hello)).body as Bodies["hello_reply"];
    expect(before.active_sha256.length).toBe(0);
    const c2 = new RawClient();
    let seq = await committed(c2, 8, image);
    const want = createHash("sha256").update(image).digest();
    const h = (await c2.ask(8, seq++, "hello", hello)).body as Bodies["hello_reply"];
    expect(Buffer.from(h.active_sha256)).toEqual(want);
    const s = (await c2.ask(8, seq++, "get_status", {})).body as Bodies["status"];
    expect(Buffer.from(s.active_sha256)).toEqual(want);
  });
});

describe("bad_frame notices", () => {
  it("64 KiB of noise gives at most one notice per 100 ms, and a damaged request after a valid frame is reported at once", async () => {
    const c = new RawClient();
    expect((await c.ask(6, 1, "hello", hello)).kind).toBe("hello_reply");
    const rng = new Rng(5, "noise");
    const noise = new Uint8Array(64 * 1024).map(() => rng.nextU32() & 0xff);
    const sentBefore = c.board.link.counters.framesSent;
    const t0 = performance.now();
    for (let i = 0; i < noise.length; i += 512) await c.link.transport.write(noise.subarray(i, i + 512));
    await c.link.transport.write(Uint8Array.of(0)); // ends the last half frame of noise, as a host does before its first frame
    await new Promise((r) => setTimeout(r, 20));
    const elapsed = performance.now() - t0;
    // Counted where they leave the board: every frame it sent during the noise is a notice.
    const notices = () => c.board.link.counters.framesSent - sentBefore;
    expect(c.board.badFrames).toBeGreaterThan(100); // the noise did make that many bad frames
    expect(notices()).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 100));
    // A valid request, then a damaged one: its notice is not held back by the rate limit.
    expect((await c.ask(6, 2, "get_status", {})).kind).toBe("status");
    const before = c.replies.filter((f) => f.kind === "bad_frame").length;
    await c.link.transport.write(Uint8Array.from([5, 1, 2, 3, 4, 0]));
    await new Promise((r) => setTimeout(r, 20));
    expect(c.replies.filter((f) => f.kind === "bad_frame").length).toBe(before + 1);
  });
});

describe("replies during a run", () => {
  it("slices adapt to the target wall time: a computation of 2 ms per tick runs in slices of about 5 ms, not 1000 ticks at once", async () => {
    const slices: number[] = [];
    let left = 300;
    let clock = 0; // simulated wall time (ms): the test measures the rule, not this machine's load
    await new Promise<void>((finished, failed) =>
      runInSlices({
        remaining: () => left,
        step: (n) => {
          clock += 2 * n; // 2 ms of work per tick
          slices.push(2 * n);
          left -= n;
        },
        cancelled: () => false,
        finished,
        failed,
      }, { targetMs: 5, now: () => clock }),
    );
    // Each slice is at most the target plus one tick's cost (2 ms).
    expect(Math.max(...slices)).toBeLessThanOrEqual(5 + 2);
    expect(slices.reduce((a, b) => a + b, 0)).toBe(600);
  });

  it("no retransmission on a clean line while status is polled through a 5 s run", async () => {
    const ticksPerSecond = ir.header.duration_ticks / 5;
    const { host } = rig({ boardOptions: { maxTicksPerSecond: ticksPerSecond }, session: { session: 31, timeoutMs: 250 } });
    const up = await host.upload(image);
    await host.commit(up.crc);
    const before = { ...host.counts };
    const t0 = performance.now();
    const done = await host.run(0, { pollMs: 20 });
    const seconds = (performance.now() - t0) / 1000;
    expect(done.state).toBe(State.DONE);
    expect(seconds).toBeGreaterThan(4.9);
    const polls = host.counts.requests - before.requests;
    expect(polls).toBeGreaterThan(100); // the line was exercised throughout the run
    expect(host.counts.retried - before.retried).toBe(0);
    expect(host.counts.timeouts - before.timeouts).toBe(0);
  }, 20_000);
});
