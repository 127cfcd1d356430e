/**
 * Forward error correction inside frames (firmware-bridge/fec.ts, protocol 3): the hand-written
 * encoder agrees with @zxing/library's, every level round-trips, up to r / 2 damaged bytes per
 * block are repaired (COBS code bytes and packed check bytes included), every single-bit flip of
 * a frame's wire bytes is either repaired or the frame dropped (never delivered wrong), and a
 * receiver tells the levels apart without being told.
 */
import { describe, expect, it } from "vitest";
import GenericGFModule from "@zxing/library/cjs/core/common/reedsolomon/GenericGF.js";
import ReedSolomonDecoderModule from "@zxing/library/cjs/core/common/reedsolomon/ReedSolomonDecoder.js";
import ReedSolomonEncoderModule from "@zxing/library/cjs/core/common/reedsolomon/ReedSolomonEncoder.js";
import { FEC_LEVELS, fecDecode, fecEncode, fecLevelFor, fecWireLength, packedBytes, rsCheck } from "../../firmware-bridge/fec.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { transportPair, type Transport } from "../../firmware-bridge/transport.ts";
import { LineErrorEstimate } from "../../firmware-bridge/fec-level.ts";
import { Rng } from "../../src/util/rng.ts";

const zxing = {
  GenericGF: GenericGFModule.default ?? GenericGFModule,
  ReedSolomonDecoder: ReedSolomonDecoderModule.default ?? ReedSolomonDecoderModule,
  ReedSolomonEncoder: ReedSolomonEncoderModule.default ?? ReedSolomonEncoderModule,
};

function nonZeroBytes(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => 1 + (rng.nextU32() % 255));
}

/** A sending link whose wire bytes are captured, and a receiving link fed by hand. */
function pair() {
  const [a] = transportPair();
  let wire: number[] = [];
  const sink: Transport = { ...a, write: async (x: Uint8Array) => void wire.push(...x), onData() {}, onClose() {}, close: async () => {} };
  const tx = new FrameLink(sink);
  let feed: (b: Uint8Array) => void = () => {};
  const source: Transport = { ...a, write: async () => {}, onData: (f: (b: Uint8Array) => void) => void (feed = f), onClose() {}, close: async () => {} };
  const rx = new FrameLink(source);
  const got: { payload: number[]; level: number; fixed: number }[] = [];
  let bad = 0;
  rx.onFrame((p, info) => got.push({ payload: [...p], level: info.level, fixed: info.bytesCorrected }));
  rx.onBadFrame(() => bad++);
  return {
    tx, rx, got, bad: () => bad,
    take: () => {
      const w = wire;
      wire = [];
      return w;
    },
    feed: (b: number[]) => feed(Uint8Array.from(b)),
  };
}

describe("Reed-Solomon check bytes", () => {
  it("the shift-register encoder gives @zxing/library's check bytes at every level", () => {
    const rng = new Rng(5, "fec-encoder");
    const enc = new zxing.ReedSolomonEncoder(zxing.GenericGF.QR_CODE_FIELD_256);
    for (const r of FEC_LEVELS.filter((x) => x > 0)) {
      for (const n of [1, 2, 17, 255 - r]) {
        const data = Uint8Array.from({ length: n }, () => rng.nextU32() % 256);
        const word = new Int32Array(n + r);
        word.set(data);
        enc.encode(word, r);
        const check = new Uint8Array(r);
        rsCheck(data, 0, n, r, check);
        expect([...check], `r ${r}, n ${n}`).toEqual([...word.subarray(n)]);
      }
    }
  });

  it("every level round-trips, with no 0x00 on the wire and the stated length", () => {
    const rng = new Rng(6, "fec-roundtrip");
    for (const r of FEC_LEVELS) {
      for (const m of [1, 5, 254 - r, 255 - r, 256 - r, 700, 4200]) {
        const src = nonZeroBytes(rng, m);
        const wire = new Uint8Array(fecWireLength(m, r));
        expect(fecEncode(src, m, r, wire)).toBe(wire.length);
        expect(wire.includes(0)).toBe(false);
        const out = new Uint8Array(wire.length);
        const repair = { blocks: 0, bytesCorrected: 0, failedBlocks: 0 };
        expect(fecDecode(wire, wire.length, r, out, repair)).toBe(m);
        expect(out.subarray(0, m)).toEqual(src);
        expect(repair.bytesCorrected).toBe(0);
      }
    }
    // packed check bytes: 7 bits each
    expect(FEC_LEVELS.map(packedBytes)).toEqual([0, 5, 10, 19, 37]);
  });

  it("repairs up to r / 2 damaged wire bytes in every block, wherever they are", () => {
    const rng = new Rng(7, "fec-repair");
    for (const r of FEC_LEVELS.filter((x) => x > 0)) {
      const m = 3 * (255 - r) + 40; // three full blocks and a short one
      const src = nonZeroBytes(rng, m);
      const wire = new Uint8Array(fecWireLength(m, r));
      fecEncode(src, m, r, wire);
      const block = 255 - r + packedBytes(r);
      for (let trial = 0; trial < 20; trial++) {
        const damaged = wire.slice();
        let hits = 0;
        for (let at = 0; at < wire.length; at += block) {
          const len = Math.min(block, wire.length - at);
          // r / 2 distinct data bytes, or r / 4 packed bytes (each may spoil two check symbols)
          const inCheck = trial % 2 === 1;
          const k = inCheck ? r / 4 : r / 2;
          const chosen = new Set<number>();
          while (chosen.size < k) chosen.add(inCheck ? len - packedBytes(r) + (rng.nextU32() % packedBytes(r)) : rng.nextU32() % (len - packedBytes(r)));
          for (const i of chosen) {
            damaged[at + i] = inCheck ? 0x80 | ((damaged[at + i]! + 1 + (rng.nextU32() % 127)) & 0x7f) : 1 + ((damaged[at + i]! + rng.nextU32() % 254) % 255);
            hits++;
          }
        }
        const out = new Uint8Array(wire.length);
        const repair = { blocks: 0, bytesCorrected: 0, failedBlocks: 0 };
        expect(fecDecode(damaged, damaged.length, r, out, repair), `r ${r} trial ${trial}`).toBe(m);
        expect(out.subarray(0, m)).toEqual(src);
        expect(repair.blocks).toBe(4);
        if (trial % 2 === 0) expect(repair.bytesCorrected).toBe(hits);
      }
    }
  });
});

describe("frames at FEC levels", () => {
  it("a receiver decodes frames of mixed levels without being told which", async () => {
    const p = pair();
    const rng = new Rng(8, "fec-mixed");
    const sent: number[][] = [];
    for (let i = 0; i < 20; i++) {
      const payload = Uint8Array.from({ length: 1 + (rng.nextU32() % 900) }, () => rng.nextU32() % 256); // zeros included: COBS at work
      const level = FEC_LEVELS[i % FEC_LEVELS.length]!;
      await p.tx.send(payload, level);
      sent.push([...payload]);
      p.feed(p.take());
    }
    expect(p.got.map((g) => g.payload)).toEqual(sent);
    expect(p.got.map((g) => g.level)).toEqual(sent.map((_, i) => FEC_LEVELS[i % FEC_LEVELS.length]));
    expect(p.bad()).toBe(0);
  });

  it("every single-bit flip of a level-8 frame's wire bytes is repaired, or the frame is dropped: never delivered wrong", async () => {
    const p = pair();
    const payload = Uint8Array.from({ length: 600 }, (_, i) => (i * 37) % 256); // zeros every 256: COBS code bytes inside
    await p.tx.send(payload, 8);
    const wire = p.take();
    expect(wire[0]).toBe(0); // a frame above level 0 starts with a 0x00 too
    expect(wire.at(-1)).toBe(0);
    let repaired = 0;
    let dropped = 0;
    let fixedSum = 0;
    for (let i = 0; i < wire.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const w = [0, ...wire.slice(), 0]; // delimiters of the frames around it
        w[i + 1] ^= 1 << bit;
        const before = p.got.length;
        const badBefore = p.bad();
        p.feed(w);
        if (p.got.length > before) {
          expect(p.got.at(-1)!.payload).toEqual([...payload]);
          // 1 corrected symbol (the stray byte of a damaged delimiter counts as one); 0 when the
          // flip hit a packed byte's high bit or its padding
          expect(p.got.at(-1)!.fixed).toBeLessThanOrEqual(1);
          fixedSum += p.got.at(-1)!.fixed;
          repaired++;
        } else {
          // only a flip that makes a 0x00 inside the frame splits it (a byte 0x01, 0x02, 0x04, ... losing its one bit)
          expect(w[i + 1]).toBe(0);
          expect(i > 0 && i < wire.length - 1).toBe(true);
          expect(p.bad()).toBeGreaterThan(badBefore);
          dropped++;
        }
      }
    }
    expect(repaired + dropped).toBe(wire.length * 8);
    expect(dropped).toBe(wire.slice(1, -1).filter((b) => (b & (b - 1)) === 0).length);
    expect(p.rx.counters.bytesCorrected).toBe(fixedSum);
    expect(fixedSum).toBeGreaterThan(repaired * 0.8);
  });

  it("a damaged delimiter between two frames costs neither of them (above level 0)", async () => {
    const p = pair();
    const a = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
    const b = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) % 256);
    await p.tx.send(a, 16);
    await p.tx.send(b, 16);
    const wire = p.take();
    const firstEnd = wire.indexOf(0, 1); // the delimiter after frame a
    for (const at of [firstEnd, firstEnd + 1]) {
      const w = wire.slice();
      w[at] = 0x5a;
      p.feed(w);
    }
    expect(p.got.map((g) => g.payload)).toEqual([[...a], [...b], [...a], [...b]]);
    expect(p.bad()).toBe(0);
  });
});

describe("choosing the level", () => {
  it("level 0 on a clean line; the levels of the table in docs/serial-protocol.md", () => {
    // hand-checked with the formula in fec.ts (Poisson tails computed separately in Python)
    expect([0, 1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2].map(fecLevelFor)).toEqual([0, 0, 0, 4, 4, 8, 16, 32]);
  });

  it("the estimate follows the corrected bytes and returns to 0 when nothing is damaged", () => {
    const e = new LineErrorEstimate();
    expect(e.level()).toBe(0);
    for (let i = 0; i < 40; i++) e.frame(1000, 10); // 1 % of the bytes corrected
    expect(e.rate()).toBeCloseTo(0.01, 6);
    expect(e.level()).toBe(16);
    for (let i = 0; i < 200; i++) e.frame(1000, 0);
    expect(e.level()).toBe(0);
  });
});
