/**
 * Forward error correction in a session (protocol 3): a clean line stays at level 0 (no check
 * bytes: the frames are byte for byte those of protocol 2); on a line with 1 % corrupted bytes the
 * host raises the level from the board's rx_errors_ppm, both sides repair frames, and the upload
 * needs few resends; the board answers each request at its level, a stored duplicate too.
 */
import { describe, expect, it } from "vitest";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { decodeFrame, encodeFrame, type Frame } from "../../firmware-bridge/messages.ts";
import { FrameLink, type FrameInfo } from "../../firmware-bridge/framing.ts";
import { VirtualBoard } from "../../firmware-bridge/board.ts";
import { transportPair } from "../../firmware-bridge/transport.ts";
import { basicEarlyImage, rig } from "./helpers.ts";
import { hello } from "./raw-client.ts";

const image = basicEarlyImage();

describe("forward error correction in a session", () => {
  it("a clean line stays at level 0: no check bytes, no resends", async () => {
    const { host, board } = rig({ session: { session: 31 } });
    await host.hello();
    const up = await host.upload(image);
    await host.commit(up.crc, image);
    expect(host.fecLevel()).toBe(0);
    expect(up.resent).toBe(0);
    expect(board.link.counters.framesRepaired).toBe(0);
    expect(host.link.counters.framesRepaired).toBe(0);
    expect(board.rxErrors.rate()).toBe(0);
  });

  it("with 1 % corrupted bytes both ways, the level rises from the board's report and both sides repair frames", async () => {
    const { host, board } = rig({ faults: { seed: 41, corrupt: 0.01 }, session: { session: 32 } });
    await host.hello();
    for (let i = 0; i < 3; i++) await host.commit((await host.upload(image)).crc, image);
    const up = await host.upload(image);
    await host.commit(up.crc, image);
    expect(board.rxErrors.rate()).toBeGreaterThan(0.005); // the board measures about 1 %
    expect(board.rxErrors.rate()).toBeLessThan(0.02);
    expect(host.fecLevel()).toBeGreaterThanOrEqual(8);
    expect(board.link.counters.framesRepaired).toBeGreaterThan(0);
    expect(host.link.counters.framesRepaired).toBeGreaterThan(0);
    // far fewer resends than chunks: without FEC nearly every 4 KB chunk would be lost
    expect(up.resent).toBeLessThan(up.chunksSent);
    expect(board.active?.crc).toBe(crc32(image));
  }, 60_000);

  it("the board answers at the level of each request; a stored duplicate is replayed at the duplicate's level", async () => {
    const [h, b] = transportPair();
    new VirtualBoard(b);
    const link = new FrameLink(h);
    const got: { f: Frame; info: FrameInfo }[] = [];
    link.onFrame((p, info) => got.push({ f: decodeFrame(p), info }));
    const next = () => new Promise<{ f: Frame; info: FrameInfo }>((r) => {
      const n = got.length;
      const poll = () => (got.length > n ? r(got[n]!) : setTimeout(poll, 1));
      poll();
    });
    const ask = async (payload: Uint8Array, level: 0 | 4 | 8 | 16 | 32) => {
      const reply = next();
      await link.send(payload, level);
      return reply;
    };
    const first = await ask(encodeFrame(33, 1, "hello", hello), 16);
    expect(first.f.kind).toBe("hello_reply");
    expect(first.info.level).toBe(16);
    const status = encodeFrame(33, 2, "get_status", {});
    const a = await ask(status, 8);
    const again = await ask(status, 0); // a duplicate: the stored reply, at level 0 now
    expect(a.info.level).toBe(8);
    expect(again.info.level).toBe(0);
    expect(again.f).toEqual(a.f);
  });
});

describe("hello on a noisy line", () => {
  it("resends of the first hello alternate with level 16, so 2 % corrupted bytes do not starve it", async () => {
    // At 2 % a level-0 hello (24 B) and its reply (about 180 B) both arrive intact with probability
    // about 0.98^204 = 1.6 %; at level 16 each is one block with about 5.5 damaged bytes on
    // average, repaired unless more than 8 (about 9 %). Eight sends: nearly surely through.
    const { host, board } = rig({ faults: { seed: 51, corrupt: 0.02 }, session: { session: 34, attempts: 8 } });
    const h = await host.hello();
    expect(h.protocol_version).toBe(3);
    expect(board.link.counters.framesRepaired + host.link.counters.framesRepaired).toBeGreaterThan(0);
  });
});
