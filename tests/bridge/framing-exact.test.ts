/**
 * Framing (firmware-bridge/framing.ts) byte for byte, hand-derived: payload || CRC-32 little-endian,
 * COBS, 0x00. CRC-32 values from the IEEE polynomial (zlib.crc32): "a" -> 0xe8b7be43,
 * "" -> 0x00000000. The boundaries (shortest frame, largest frame, payload limit) and the exact
 * damage reports. Mutants of framing.ts these kill: docs/reliability.md.
 */
import { describe, expect, it } from "vitest";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { transportPair, type Transport } from "../../firmware-bridge/transport.ts";
import { wireLink } from "./wire-link.ts";

function receiver(maxPayload?: number) {
  let feed: (b: Uint8Array) => void = () => {};
  const [a] = transportPair();
  const source: Transport = { ...a, write: async () => {}, onData: (f: (b: Uint8Array) => void) => void (feed = f), onClose() {}, close: async () => {} };
  const rx = new FrameLink(source, maxPayload);
  const frames: number[][] = [];
  const bad: string[] = [];
  rx.onFrame((p) => frames.push([...p]));
  rx.onBadFrame((reason, detail) => bad.push(`${reason}: ${detail}`));
  return { rx, frames, bad, feed: (...b: number[]) => feed(Uint8Array.from(b)) };
}

// "a" || e8b7be43 little-endian = 61 43 be b7 e8 (no zero): COBS code 6, then the delimiter.
const A_WIRE = [0x06, 0x61, 0x43, 0xbe, 0xb7, 0xe8, 0x00];

describe("framing, byte for byte", () => {
  it("sends payload, CRC-32 little-endian, COBS, 0x00 and counts it", async () => {
    const { wire, tx } = wireLink();
    await tx.send(Uint8Array.of(0x61));
    expect(wire).toEqual(A_WIRE);
    expect(tx.counters).toEqual({ framesSent: 1, bytesSent: 7, framesReceived: 0, badFrames: 0, framesRepaired: 0, bytesCorrected: 0 });
    // an empty payload: CRC 0 -> four zero bytes -> COBS 01 01 01 01 01
    await tx.send(new Uint8Array(0));
    expect(wire.slice(7)).toEqual([0x01, 0x01, 0x01, 0x01, 0x01, 0x00]);
    expect(tx.counters.bytesSent).toBe(13);
  });

  it("receives that frame, ignores empty ones between delimiters", () => {
    const r = receiver();
    r.feed(0x00, 0x00, ...A_WIRE, 0x00);
    expect(r.frames).toEqual([[0x61]]);
    expect(r.bad).toEqual([]);
    expect(r.rx.counters).toEqual({ framesSent: 0, bytesSent: 0, framesReceived: 1, badFrames: 0, framesRepaired: 0, bytesCorrected: 0 });
  });

  it("a frame of 4 decoded bytes is short; 5 (one payload byte) is the shortest accepted", () => {
    const r = receiver();
    r.feed(0x01, 0x01, 0x01, 0x01, 0x01, 0x00);
    expect(r.bad).toEqual(['short: a 4-byte frame (at least 1 payload byte and 4 CRC bytes); received 01 01 01 01 01 "....."']);
    expect(r.rx.counters.badFrames).toBe(1);
    r.feed(...A_WIRE);
    expect(r.frames).toEqual([[0x61]]);
  });

  it("a CRC mismatch names both CRCs and quotes the bytes", () => {
    const r = receiver();
    r.feed(0x06, 0x62, 0x43, 0xbe, 0xb7, 0xe8, 0x00); // "b" with the CRC of "a"
    // crc32("b") = 0x71beeff9
    expect(r.bad).toEqual(['crc: CRC-32 0xe8b7be43 does not match the payload\'s 0x71beeff9; received 06 62 43 be b7 e8 ".bC..."']);
    expect(r.frames).toEqual([]);
  });

  it("a CRC is printed with its leading zeros", () => {
    const r = receiver();
    r.feed(0x06, 0x22, 0x43, 0xbe, 0xb7, 0xe8, 0x00); // payload 0x22 (crc32 0x0762ae69) with the CRC of "a"
    expect(r.bad).toEqual(['crc: CRC-32 0xe8b7be43 does not match the payload\'s 0x0762ae69; received 06 22 43 be b7 e8 ".\"C..."']);
  });

  it("a frame that decodes to nothing is short, not invalid COBS", () => {
    const r = receiver();
    r.feed(0x01, 0x00); // code 1 with no data: 0 decoded bytes
    expect(r.bad).toEqual(['short: a 0-byte frame (at least 1 payload byte and 4 CRC bytes); received 01 "."']);
  });

  it("quotes printable ASCII from space to tilde as text; exactly 16 bytes are quoted whole", () => {
    const r = receiver();
    r.feed(0x11, 0x20, 0x7f, 0x7e, ...Array(12).fill(0x41), 0x00); // code 17 in a 16-byte frame
    expect(r.bad).toEqual(['cobs: invalid COBS code at byte 0 of a 16-byte frame; received 11 20 7f 7e 41 41 41 41 41 41 41 41 41 41 41 41 ". .~AAAAAAAAAAAA"']);
  });

  it("invalid COBS names the byte", () => {
    const r = receiver();
    r.feed(0x02, 0x41, 0x05, 0x42, 0x00); // the code at byte 2 runs past the end
    expect(r.bad).toEqual(['cobs: invalid COBS code at byte 2 of a 4-byte frame; received 02 41 05 42 ".A.B"']);
  });

  it("quotes at most 16 bytes of a long damaged frame, with its length", () => {
    const r = receiver();
    const junk = Array.from({ length: 20 }, (_, i) => 0x41 + i); // "ABCDEFGHIJKLMNOPQRST", no valid COBS
    r.feed(0x15, ...junk.slice(1), 0x00); // code 21 in a 20-byte frame
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]).toBe(`cobs: invalid COBS code at byte 0 of a 20-byte frame; received 15 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 ... ".BCDEFGHIJKLMNOP" (20 bytes)`);
  });

  it("a frame that fills the receive buffer exactly is decoded; one byte more is oversize", () => {
    // maxPayload 4: payload + CRC = 8 bytes, COBS at most 8 + 1 + 1 = 10 encoded bytes; at FEC
    // level 32 (37 packed check bytes per block) the receive buffer holds 10 + 37 = 47 wire bytes.
    const r = receiver(4);
    r.feed(...Array(10).fill(0x0b), 0x00); // 10 bytes: fits, but code 11 runs past the end
    expect(r.bad).toEqual(['cobs: invalid COBS code at byte 0 of a 10-byte frame; received 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b ".........."']);
    r.feed(...Array(11).fill(0x0b), 0x00); // tried at level 0 (the last good level) first: too long for 4 payload bytes
    expect(r.bad[1]).toBe('oversize: a frame of 11 COBS bytes at FEC level 0, longer than the 4-byte payload limit allows; received 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b "..........."');
    r.feed(...Array(48).fill(0x0b), 0x00); // past the buffer of every level
    expect(r.bad[2]).toMatch(/^oversize: a frame longer than 47 encoded bytes \(the 4-byte payload limit\)/);
    // the link recovers: the next frame is whole
    r.feed(...A_WIRE);
    expect(r.frames).toEqual([[0x61]]);
    expect(r.rx.counters.badFrames).toBe(3);
  });

  it("refuses to send a payload over the limit, and sends one at it", async () => {
    const { wire, tx } = wireLink(4);
    expect(() => tx.send(new Uint8Array(5))).toThrow("frame payload of 5 bytes exceeds the 4-byte limit");
    await tx.send(Uint8Array.of(1, 2, 3, 4));
    expect(wire.at(-1)).toBe(0);
    const r = receiver(4);
    r.feed(...wire);
    expect(r.frames).toEqual([[1, 2, 3, 4]]);
  });
});
