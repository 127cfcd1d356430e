/** The byte layers: CRC-32, COBS and framing, including damaged input. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { cobsDecode, cobsEncode, cobsMaxEncoded } from "../../firmware-bridge/cobs.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { transportPair } from "../../firmware-bridge/transport.ts";
import { decodeFrame, encodeFrame, ProtocolError } from "../../firmware-bridge/messages.ts";

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("CRC-32 (IEEE)", () => {
  it("matches the standard check value and continues across pieces", () => {
    const text = new TextEncoder().encode("123456789");
    expect(crc32(text)).toBe(0xcbf43926);
    expect(crc32(text, 4, 9, crc32(text, 0, 4))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("COBS", () => {
  const enc = (src: Uint8Array) => {
    const dst = new Uint8Array(cobsMaxEncoded(src.length));
    return dst.slice(0, cobsEncode(src, src.length, dst));
  };
  it("encodes the published examples", () => {
    expect([...enc(bytes(0x00))]).toEqual([0x01, 0x01]);
    expect([...enc(bytes(0x00, 0x00))]).toEqual([0x01, 0x01, 0x01]);
    expect([...enc(bytes(0x11, 0x22, 0x00, 0x33))]).toEqual([0x03, 0x11, 0x22, 0x02, 0x33]);
    expect([...enc(bytes(0x11, 0x00, 0x00, 0x00))]).toEqual([0x02, 0x11, 0x01, 0x01, 0x01]);
    const run = Uint8Array.from({ length: 254 }, (_, i) => i + 1);
    expect([...enc(run)]).toEqual([0xff, ...run, 0x01]);
  });
  it("round-trips any bytes, never emits 0x00 and stays within the bound", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1200 }), (src) => {
      const e = enc(src);
      expect(e.includes(0)).toBe(false);
      expect(e.length).toBeLessThanOrEqual(cobsMaxEncoded(src.length));
      const out = new Uint8Array(src.length + 1);
      const n = cobsDecode(e, e.length, out);
      expect([...out.subarray(0, n)]).toEqual([...src]);
    }));
  });
  it("reports the offending byte of invalid input", () => {
    expect(cobsDecode(bytes(0x05, 0x11), 2, new Uint8Array(8))).toBe(-1); // code 5 runs past the end at byte 0
    expect(cobsDecode(bytes(0x03, 0x11, 0x00), 3, new Uint8Array(8))).toBe(-3); // 0x00 inside at byte 2
  });
});

describe("framing", () => {
  async function collect(feed: (send: (b: Uint8Array) => Promise<void>) => Promise<void>) {
    const [a, b] = transportPair();
    const rx = new FrameLink(b);
    const frames: number[][] = [];
    const bad: string[] = [];
    rx.onFrame((p) => frames.push([...p]));
    rx.onBadFrame((reason, detail) => bad.push(`${reason}: ${detail}`));
    await feed((x) => a.write(x));
    await new Promise((r) => setImmediate(r));
    return { frames, bad, tx: new FrameLink(a) };
  }

  it("delivers frames split across arbitrary pieces and resynchronises after damage", async () => {
    const [a] = transportPair();
    const wire: number[] = [];
    const tx = new FrameLink({ ...a, write: async (x: Uint8Array) => void wire.push(...x), onData() {}, onClose() {}, close: async () => {} });
    await tx.send(bytes(1, 2, 0, 3));
    await tx.send(bytes(9));
    const firstEnd = wire.indexOf(0);
    const damaged = [...wire];
    damaged[1] ^= 0x40; // inside the first frame
    const { frames, bad } = await collect(async (send) => {
      for (let i = 0; i < damaged.length; i += 3) await send(Uint8Array.from(damaged.slice(i, i + 3)));
    });
    expect(firstEnd).toBeGreaterThan(0);
    expect(frames).toEqual([[9]]);
    expect(bad.length).toBe(1);
    expect(bad[0]).toMatch(/^crc: CRC-32 0x[0-9a-f]{8} does not match .*; received [0-9a-f]{2} /);
  });

  it("rejects short and oversize frames by name", async () => {
    const { frames, bad } = await collect(async (send) => {
      await send(bytes(0x02, 0x07, 0x00)); // one byte: no room for a CRC
      await send(new Uint8Array(6000).fill(7));
      await send(bytes(0x00));
    });
    expect(frames).toEqual([]);
    expect(bad[0]).toContain("short");
    expect(bad[1]).toContain("oversize");
  });
});

describe("messages", () => {
  it("round-trips a frame and names garbage", () => {
    const f = decodeFrame(encodeFrame(7, 3, "chunk", { offset: 2, data: bytes(1, 2, 3) }));
    expect(f.kind).toBe("chunk");
    expect(f.session).toBe(7);
    expect(f.seq).toBe(3);
    if (f.kind === "chunk") expect([...f.body.data]).toEqual([1, 2, 3]);
    expect(() => decodeFrame(bytes(0xff, 0xff, 0xff))).toThrow(ProtocolError);
    expect(() => decodeFrame(bytes(0x08, 0x01))).toThrow(/without a message body/);
  });
});
