/**
 * The sliding window and the chunk-size rule (docs/serial-protocol.md, "Sliding window" and
 * "Noisy lines"): the board stores chunks in any order; the size rule shrinks on losses to the
 * analytic optimum and grows back when they stop.
 */
import { describe, expect, it } from "vitest";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { ChunkSizer } from "../../firmware-bridge/chunk-size.ts";
import { RangeSet } from "../../firmware-bridge/ranges.ts";
import { resendEarlyPays } from "../../firmware-bridge/upload-window.ts";
import { basicEarlyImage, rig } from "./helpers.ts";
import { hello, RawClient } from "./raw-client.ts";

const image = basicEarlyImage();

describe("the board stores chunks in any order", () => {
  it("chunks sent last to first, one twice, commit the exact image; received_bytes is the contiguous prefix", async () => {
    const c = new RawClient();
    let seq = 1;
    expect((await c.ask(1, seq++, "hello", hello)).kind).toBe("hello_reply");
    const crc = crc32(image);
    expect((await c.ask(1, seq++, "begin_upload", { image_bytes: image.length, image_crc32: crc })).kind).toBe("upload_ready");
    const n = Math.ceil(image.length / 1000);
    const prefixes: number[] = [];
    for (let i = n - 1; i >= 0; i--) {
      const f = await c.ask(1, seq++, "chunk", { offset: i * 1000, data: image.subarray(i * 1000, (i + 1) * 1000) });
      if (f.kind === "chunk_ack") prefixes.push(f.body.received_bytes);
    }
    expect(prefixes).toEqual([...Array(n - 1).fill(0), image.length]);
    expect((await c.ask(1, seq++, "chunk", { offset: 2000, data: image.subarray(2000, 3000) })).kind).toBe("chunk_ack");
    expect((await c.ask(1, seq++, "commit", { image_crc32: crc })).kind).toBe("ack");
    expect(c.board.active!.bytes).toEqual(image);
  });

  it("a range set merges touching and overlapping ranges and reports the prefix", () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(30, 40);
    expect(r.prefix()).toBe(0);
    r.add(0, 10);
    expect(r.prefix()).toBe(20);
    r.add(15, 35);
    expect(r.prefix()).toBe(40);
    expect(r.covers(5, 39)).toBe(true);
    expect(r.covers(5, 41)).toBe(false);
  });
});

describe("the chunk-size rule", () => {
  it("a clean line gives the largest chunk; at 1 % byte errors the analytic optimum; it grows back when losses stop", () => {
    const s = new ChunkSizer(16, 4096, 15, 15);
    expect(s.size()).toBe(4096);
    // Exchanges of c + 30 bytes, each lost with probability 1 - 0.99^(c + 30): feed the expected
    // loss fraction as a deterministic sequence (1 loss in every k) at a fixed size of 40.
    const survive = 0.99 ** (40 + 30);
    const q = 1 - survive;
    for (let i = 0; i < 400; i++) s.record(40, Math.floor((i + 1) * q) > Math.floor(i * q)); // a loss every 1/q exchanges
    const lambda = -Math.log(0.99);
    const optimum = (-15 + Math.sqrt(15 * 15 + (4 * 15) / lambda)) / 2; // hand-derived: about 31.6
    expect(Math.abs(s.size() - optimum)).toBeLessThan(8);
    for (let i = 0; i < 60; i++) s.record(s.size(), false);
    expect(s.size()).toBe(4096);
  });

  it("an upload with a window of 8 through dropped and corrupted frames delivers the exact image", async () => {
    const { host, board } = rig({ faults: { seed: 12, corrupt: 0.005, drop: 0.03 }, session: { session: 41, timeoutMs: 30 } });
    const up = await host.upload(image, { window: 8 });
    await host.commit(up.crc);
    expect(board.active!.bytes).toEqual(image);
    expect(up.resent).toBeGreaterThan(0);
  });
});

describe("early resends at the tail of an upload", () => {
  it("pay only when the expected time saved exceeds the expected line time wasted", () => {
    // hand-derived: a 4 KB chunk at 115200 baud is about 360 ms on the line; a timeout 200 ms past
    // the early wait. Level-0 line at 1 % (half the exchanges lost): 0.5 * 200 = 100 < 0.5 * 360.
    expect(resendEarlyPays(0.5, 200, 360)).toBe(false);
    // 30-byte chunks (about 5 ms on the line) on that line: 0.5 * 200 = 100 > 0.5 * 5 = 2.5
    expect(resendEarlyPays(0.5, 200, 5)).toBe(true);
    // with FEC, a few per cent lost: 0.03 * 200 = 6 < 0.97 * 80 (a 900-byte chunk): wait for the reply
    expect(resendEarlyPays(0.03, 200, 80)).toBe(false);
    expect(resendEarlyPays(0, 1e9, 1)).toBe(false); // a clean line never resends early
  });
});
