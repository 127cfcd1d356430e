/**
 * Frames at FEC levels above 0 (firmware-bridge/framing.ts, protocol 3) byte for byte and count
 * for count, written from the mutation tier's survivors (docs/reliability.md, "framing and FEC").
 * The payload "a": payload || CRC-32 (0xe8b7be43, zlib) little-endian, COBS by hand:
 * 06 61 43 be b7 e8; its check bytes come from @zxing/library's encoder, packed 7 bits to a byte
 * by a bit-string packer written here (docs/serial-protocol.md, "Forward error correction").
 */
import { describe, expect, it } from "vitest";
import GenericGFModule from "@zxing/library/cjs/core/common/reedsolomon/GenericGF.js";
import ReedSolomonEncoderModule from "@zxing/library/cjs/core/common/reedsolomon/ReedSolomonEncoder.js";
import { FrameLink, type Damage, type FrameInfo } from "../../firmware-bridge/framing.ts";
import { transportPair, type Transport } from "../../firmware-bridge/transport.ts";
import { wireLink } from "./wire-link.ts";

const GenericGF = GenericGFModule.default ?? GenericGFModule;
const ReedSolomonEncoder = ReedSolomonEncoderModule.default ?? ReedSolomonEncoderModule;
const zxingEncoder = new ReedSolomonEncoder(GenericGF.QR_CODE_FIELD_256);

const A_COBS = [0x06, 0x61, 0x43, 0xbe, 0xb7, 0xe8];

/** One block (at most 255 - r COBS bytes) and its packed check bytes, from @zxing/library. */
function block(e: number[], r: number): number[] {
  const word = new Int32Array(e.length + r);
  word.set(e);
  zxingEncoder.encode(word, r);
  let bits = "";
  for (const c of word.subarray(e.length)) bits += c.toString(2).padStart(8, "0");
  while (bits.length % 7) bits += "0";
  const packed: number[] = [];
  for (let k = 0; k < bits.length; k += 7) packed.push(0x80 | parseInt(bits.slice(k, k + 7), 2));
  return [...e, ...packed];
}

function receiver(maxPayload?: number) {
  let feed: (b: Uint8Array) => void = () => {};
  const [a] = transportPair();
  const source: Transport = { ...a, write: async () => {}, onData: (f: (b: Uint8Array) => void) => void (feed = f), onClose() {}, close: async () => {} };
  const rx = new FrameLink(source, maxPayload);
  const frames: { payload: number[]; info: FrameInfo }[] = [];
  const bad: { text: string; damage: Damage }[] = [];
  rx.onFrame((p, info) => frames.push({ payload: [...p], info }));
  rx.onBadFrame((reason, detail, damage) => bad.push({ text: `${reason}: ${detail}`, damage }));
  return { rx, frames, bad, feed: (b: number[]) => feed(Uint8Array.from(b)) };
}

describe("frames above level 0, byte for byte", () => {
  it('"a" at level 4: a leading 0x00, the COBS bytes, their 5 packed check bytes, 0x00', async () => {
    const { wire, tx } = wireLink();
    await tx.send(Uint8Array.of(0x61), 4);
    expect(wire).toEqual([0x00, ...block(A_COBS, 4), 0x00]);
    expect(wire).toHaveLength(13);
    expect(tx.counters.bytesSent).toBe(13);
    expect(tx.counters.framesSent).toBe(1);
  });

  it("send() without a level uses sendLevel; a level-0 frame has no leading 0x00, and one after it has", async () => {
    const { wire, tx } = wireLink();
    await tx.send(Uint8Array.of(0x61), 0);
    expect(wire).toEqual([...A_COBS, 0x00]);
    tx.sendLevel = 16;
    await tx.send(Uint8Array.of(0x61));
    expect(wire.slice(7)).toEqual([0x00, ...block(A_COBS, 16), 0x00]);
    await tx.send(Uint8Array.of(0x61), 0);
    expect(wire.slice(7 + 1 + 6 + 19 + 1)).toEqual([...A_COBS, 0x00]);
    expect(tx.counters).toMatchObject({ framesSent: 3, bytesSent: 7 + 27 + 7 });
  });

  it("receives it: level, wire bytes (without the delimiters) and no bytes corrected", () => {
    const r = receiver();
    r.feed([0x00, ...block(A_COBS, 8), 0x00]);
    expect(r.frames).toEqual([{ payload: [0x61], info: { level: 8, wireBytes: 16, bytesCorrected: 0 } }]);
    expect(r.bad).toEqual([]);
    expect(r.rx.counters).toEqual({ framesSent: 0, bytesSent: 0, framesReceived: 1, badFrames: 0, framesRepaired: 0, bytesCorrected: 0 });
  });

  it("counts repaired frames and corrected bytes", () => {
    const r = receiver();
    const w = block(A_COBS, 8);
    w[0] = 0x07; // the COBS code byte
    w[3] = 0x01;
    r.feed([...w, 0x00]);
    r.feed([...block(A_COBS, 8), 0x00]);
    expect(r.frames.map((f) => f.info)).toEqual([{ level: 8, wireBytes: 16, bytesCorrected: 2 }, { level: 8, wireBytes: 16, bytesCorrected: 0 }]);
    expect(r.rx.counters).toMatchObject({ framesReceived: 2, framesRepaired: 1, bytesCorrected: 2, badFrames: 0 });
  });
});

describe("the largest payload at the highest level", () => {
  it("is sent whole and received", async () => {
    // maxPayload 4: payload 01 02 03 04 and its CRC, 9 COBS bytes; level 32: 1 + 9 + 37 + 1 wire bytes
    const { wire, tx } = wireLink(4);
    await tx.send(Uint8Array.of(1, 2, 3, 4), 32);
    expect(wire).toHaveLength(48);
    expect(wire.slice(1, -1)).toEqual(block(wire.slice(1, 10), 32));
    const r = receiver(4);
    r.feed(wire);
    expect(r.frames).toEqual([{ payload: [1, 2, 3, 4], info: { level: 32, wireBytes: 46, bytesCorrected: 0 } }]);
  });
});

describe("a COBS frame that decodes to more than the payload limit", () => {
  it("is oversize: 10 bytes 0x01 (the most a 4-byte payload may take) decode to 9 zeros", () => {
    const r = receiver(4);
    r.feed([...Array(10).fill(0x01), 0x00]);
    expect(r.frames).toEqual([]);
    expect(r.bad.map((b) => b.text)).toEqual(['oversize: a 9-byte frame, longer than the 4-byte payload limit; received 01 01 01 01 01 01 01 01 01 01 ".........."']);
  });
});

describe("a damaged delimiter: the stray byte", () => {
  it("at the end of the frame before it, or at the start of the one after it, counts as one corrected byte", () => {
    const r = receiver();
    r.feed([0x00, ...block(A_COBS, 4), 0x5a, 0x00]); // stray at the end
    r.feed([0x5a, ...block(A_COBS, 4), 0x00]); // stray at the start
    expect(r.frames).toEqual([
      { payload: [0x61], info: { level: 4, wireBytes: 11, bytesCorrected: 1 } },
      { payload: [0x61], info: { level: 4, wireBytes: 11, bytesCorrected: 1 } },
    ]);
    expect(r.bad).toEqual([]);
    expect(r.rx.counters).toMatchObject({ framesReceived: 2, framesRepaired: 2, bytesCorrected: 2, badFrames: 0 });
  });

  it("a stray byte and a corrected byte add up", () => {
    const r = receiver();
    const w = block(A_COBS, 8);
    w[2] ^= 0x10;
    r.feed([0x00, ...w, 0x33, 0x00]);
    expect(r.frames.map((f) => f.info)).toEqual([{ level: 8, wireBytes: 16, bytesCorrected: 2 }]);
  });

  it("is not tried at level 0: a level-0 frame with one byte too many is dropped", () => {
    const r = receiver();
    r.feed([...A_COBS, 0x5a, 0x00]);
    r.feed([0x5a, ...A_COBS, 0x00]);
    expect(r.frames).toEqual([]);
    expect(r.bad.map((b) => b.text.split(":")[0])).toEqual(["cobs", "cobs"]); // code 0x5a runs past the end
    expect(r.rx.counters.badFrames).toBe(2);
  });
});

describe("a damaged frame's report", () => {
  it("is read at the level of the last good frame, with the least damage that explains it", async () => {
    const { wire, tx } = wireLink();
    const payload = Uint8Array.from({ length: 400 }, (_, i) => 1 + (i % 250));
    await tx.send(payload, 8);
    const frame = wire.slice(1, -1);
    const w = frame.length; // two blocks at level 8: 247 + 10 wire bytes, then the rest
    expect(w).toBeGreaterThan(257 + 10);
    expect(w).toBeLessThan(2 * 257);
    const r = receiver();
    r.feed([0x00, ...frame, 0x00]); // good: the receiver is now at level 8
    expect(r.frames.map((f) => f.info)).toEqual([{ level: 8, wireBytes: w, bytesCorrected: 0 }]);
    // block 0: 5 damaged bytes (more than 8 / 2); block 1: 2 damaged bytes
    const damaged = frame.slice();
    for (const i of [4, 40, 80, 120, 160]) damaged[i] = damaged[i] === 0x11 ? 0x12 : 0x11;
    for (const i of [260, 300]) damaged[i] = damaged[i] === 0x11 ? 0x12 : 0x11;
    r.feed([...damaged, 0x00]);
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]!.text).toMatch(new RegExp(`^fec: a ${w}-byte frame has more damage than FEC level 8 corrects; received `));
    // 2 bytes corrected in block 1, and 8 / 2 + 1 = 5 for block 0
    expect(r.bad[0]!.damage).toEqual({ wireBytes: w, errors: 7 });
    expect(r.rx.counters).toMatchObject({ framesReceived: 1, badFrames: 1, framesRepaired: 0, bytesCorrected: 0 });
  });

  it("names the level of the last good frame first; a frame no level explains counts one damaged byte", () => {
    const r = receiver();
    r.feed([0x41, 0x42, 0x43, 0x00]); // at level 0 first: code 0x41 runs past the end
    expect(r.bad[0]).toEqual({ text: 'cobs: invalid COBS code at byte 0 of a 3-byte frame; received 41 42 43 "ABC"', damage: { wireBytes: 3, errors: 1 } });
    r.feed([0x00, ...block(A_COBS, 16), 0x00]);
    r.feed([0x41, 0x42, 0x43, 0x00]); // now at level 16 first: 3 bytes are no frame of it
    expect(r.bad[1]).toEqual({ text: 'fec: a 3-byte frame has more damage than FEC level 16 corrects; received 41 42 43 "ABC"', damage: { wireBytes: 3, errors: 1 } });
    // a level-0 frame is still decoded, and moves the receiver back to level 0
    r.feed([...A_COBS, 0x00]);
    r.feed([0x41, 0x42, 0x43, 0x00]);
    expect(r.bad[2]!.text).toMatch(/^cobs: /);
    expect(r.frames.map((f) => f.info.level)).toEqual([16, 0]);
  });

  it("a frame that decodes at the last good level but fails its CRC counts one damaged byte", () => {
    const r = receiver();
    r.feed([0x00, ...block(A_COBS, 4), 0x00]);
    // "b" with the CRC of "a", with valid level-4 check bytes: FEC corrects nothing, the CRC fails
    r.feed([0x00, ...block([0x06, 0x62, 0x43, 0xbe, 0xb7, 0xe8], 4), 0x00]);
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]!.text).toMatch(/^crc: CRC-32 0xe8b7be43 does not match the payload's 0x71beeff9; received 06 62 43 be b7 e8 /);
    expect(r.bad[0]!.damage).toEqual({ wireBytes: 11, errors: 1 });
  });
});
