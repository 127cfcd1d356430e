/**
 * Forward error correction (firmware-bridge/fec.ts, fec-level.ts) against hand-derived values and
 * an independent packer, written from the mutation tier's survivors (docs/reliability.md,
 * "framing and FEC"). Sources: the QR-code generator polynomial for 4 check bytes,
 * g(x) = x^4 + 15x^3 + 54x^2 + 120x + 64 (ISO/IEC 18004, Annex A: exponents 0, 75, 249, 78, 6);
 * @zxing/library's own Reed-Solomon encoder for the other levels; the level thresholds of
 * docs/serial-protocol.md recomputed in 50-digit arithmetic (mpmath) from the formula there:
 * 19.3378, 1295.3587, 4687.3631 and 14151.0487 ppm.
 */
import { describe, expect, it } from "vitest";
import GenericGFModule from "@zxing/library/cjs/core/common/reedsolomon/GenericGF.js";
import ReedSolomonEncoderModule from "@zxing/library/cjs/core/common/reedsolomon/ReedSolomonEncoder.js";
import { FEC_LEVELS, fecDecode, fecEncode, fecLevelFor, fecWireLength, packedBytes, rsCheck, type FecRepair } from "../../firmware-bridge/fec.ts";
import { HALF_LIFE_BYTES, LineErrorEstimate } from "../../firmware-bridge/fec-level.ts";
import { Rng } from "../../src/util/rng.ts";

const GenericGF = GenericGFModule.default ?? GenericGFModule;
const ReedSolomonEncoder = ReedSolomonEncoderModule.default ?? ReedSolomonEncoderModule;
const zxingEncoder = new ReedSolomonEncoder(GenericGF.QR_CODE_FIELD_256);

/** docs/serial-protocol.md, "Packing", written as a bit string (independent of fec.ts's shift register). */
function packByString(check: ArrayLike<number>): number[] {
  let bits = "";
  for (const c of Array.from(check)) bits += c.toString(2).padStart(8, "0");
  while (bits.length % 7) bits += "0";
  const out: number[] = [];
  for (let k = 0; k < bits.length; k += 7) out.push(0x80 | parseInt(bits.slice(k, k + 7), 2));
  return out;
}

/** The wire bytes of COBS bytes `e` at level r, from @zxing/library's encoder and the string packer. */
function wireByZxing(e: number[], r: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < e.length; i += 255 - r) {
    const data = e.slice(i, i + 255 - r);
    const word = new Int32Array(data.length + r);
    word.set(data);
    zxingEncoder.encode(word, r);
    out.push(...data, ...packByString(word.subarray(data.length)));
  }
  return out;
}

const fresh = (): FecRepair => ({ blocks: 0, bytesCorrected: 0, failedBlocks: 0 });

function encode(e: number[], r: number): Uint8Array {
  const wire = new Uint8Array(fecWireLength(e.length, r));
  expect(fecEncode(Uint8Array.from(e), e.length, r, wire)).toBe(wire.length);
  return wire;
}

describe("FEC wire bytes, exact", () => {
  it("one COBS byte 0x01 at level 4: its check bytes are g(x)'s coefficients, packed by hand", () => {
    const check = new Uint8Array(4);
    rsCheck(Uint8Array.of(1), 0, 1, 4, check);
    expect([...check]).toEqual([15, 54, 120, 64]);
    // 00001111 00110110 01111000 01000000 -> 0000111 1001101 1001111 0000100 0000(000)
    expect([...encode([1], 4)]).toEqual([0x01, 0x87, 0xcd, 0xcf, 0x84, 0x80]);
  });

  it("rsCheck reads only data[from, to) and writes only check[0, r)", () => {
    const data = Uint8Array.of(9, 9, 1, 9);
    const check = Uint8Array.of(0, 0, 0, 0, 0xaa, 0xbb);
    rsCheck(data, 2, 3, 4, check);
    expect([...check]).toEqual([15, 54, 120, 64, 0xaa, 0xbb]);
  });

  it("every level, one to three blocks, with zeros in the check bytes: the wire of @zxing/library's encoder", () => {
    const rng = new Rng(11, "fec-exact-wire");
    for (const r of FEC_LEVELS) {
      for (const m of [1, 2, 7, 255 - r - 1, 255 - r, 255 - r + 1, 2 * (255 - r) + 3]) {
        const e = Array.from({ length: m }, () => 1 + (rng.nextU32() % 255));
        expect([...encode(e, r)], `r ${r}, m ${m}`).toEqual(r === 0 ? e : wireByZxing(e, r));
      }
    }
  });

  it("packs check bytes that contain 0x00 and 0xff", () => {
    // search data whose level-8 check bytes include a 0x00 and a 0xff: the packer must keep them
    const rng = new Rng(12, "fec-exact-zero");
    let found = 0;
    for (let t = 0; t < 4000 && found < 3; t++) {
      const e = Array.from({ length: 1 + (rng.nextU32() % 40) }, () => 1 + (rng.nextU32() % 255));
      const check = new Uint8Array(8);
      rsCheck(Uint8Array.from(e), 0, e.length, 8, check);
      if (!check.includes(0) || !check.includes(0xff)) continue;
      found++;
      expect([...encode(e, 8)]).toEqual(wireByZxing(e, 8));
      const out = new Uint8Array(e.length);
      expect(fecDecode(encode(e, 8), e.length + packedBytes(8), 8, out, fresh())).toBe(e.length);
      expect([...out]).toEqual(e);
    }
    expect(found).toBe(3);
  });

  it("the wire length: m + ceil(m / (255 - r)) * ceil(8r / 7)", () => {
    expect(fecWireLength(0, 4)).toBe(0);
    expect(fecWireLength(1, 4)).toBe(6);
    expect(fecWireLength(251, 4)).toBe(256);
    expect(fecWireLength(252, 4)).toBe(262);
    expect(fecWireLength(223, 32)).toBe(260);
    expect(fecWireLength(224, 32)).toBe(298);
    expect(fecWireLength(700, 0)).toBe(700);
    expect(fecWireLength(1000, 16)).toBe(1000 + 5 * 19);
  });
});

describe("FEC decoding at the boundaries", () => {
  it("refuses lengths that are not a frame of the level: 0, a block of check bytes only", () => {
    for (const r of [4, 8, 16, 32]) {
      const p = packedBytes(r);
      const full = 255 - r + p;
      const out = new Uint8Array(600);
      // w = 0: no block at all
      expect(fecDecode(new Uint8Array(0), 0, r, out, fresh()), `r ${r}`).toBe(-1);
      // p bytes of 0x80: a block of zero check bytes and no data byte
      expect(fecDecode(new Uint8Array(p).fill(0x80), p, r, out, fresh()), `r ${r}`).toBe(-1);
      // one full block then p bytes: the same in the last block
      const two = new Uint8Array(full + p).fill(0x80);
      two.set(encode(Array(255 - r).fill(1), r));
      expect(fecDecode(two, two.length, r, out, fresh()), `r ${r}`).toBe(-1);
      // one data byte more: a frame of level r
      const e = [...Array(255 - r).fill(1), 3];
      const wire = encode(e, r);
      expect(wire.length).toBe(full + p + 1);
      const repair = fresh();
      expect(fecDecode(wire, wire.length, r, out, repair)).toBe(256 - r);
      expect([...out.subarray(0, 256 - r)]).toEqual(e);
      expect(repair).toEqual({ blocks: 2, bytesCorrected: 0, failedBlocks: 0 });
    }
  });

  it("level 0 copies the bytes and resets the counts", () => {
    const out = new Uint8Array(4);
    const repair = { blocks: 7, bytesCorrected: 7, failedBlocks: 7 };
    expect(fecDecode(Uint8Array.of(5, 6, 7, 8), 3, 0, out, repair)).toBe(3);
    expect([...out]).toEqual([5, 6, 7, 0]);
    expect(repair).toEqual({ blocks: 0, bytesCorrected: 0, failedBlocks: 0 });
  });

  it("counts corrected bytes per block and failed blocks; countAll false stops at the first failure", () => {
    const r = 8;
    const full = 255 - r + packedBytes(r);
    const e = Array.from({ length: 3 * (255 - r) }, (_, i) => 1 + (i % 200));
    const wire = encode(e, r);
    const out = new Uint8Array(e.length);
    // block 0: 5 damaged bytes (more than r / 2 = 4); block 1: 3 damaged; block 2: 4 damaged
    const damaged = wire.slice();
    for (const i of [0, 10, 20, 30, 40]) damaged[i] ^= 0x01 << (i % 7);
    for (const i of [1, 2, 3]) damaged[full + i] ^= 0x20;
    for (const i of [5, 6, 7, 8]) damaged[2 * full + i] ^= 0x40;
    // a repair record that is not fresh: the counts start from 0
    let repair: FecRepair = { blocks: 9, bytesCorrected: 9, failedBlocks: 9 };
    expect(fecDecode(damaged, damaged.length, r, out, repair)).toBe(-1);
    expect(repair).toEqual({ blocks: 2, bytesCorrected: 7, failedBlocks: 1 });
    expect([...out.subarray(255 - r)]).toEqual(e.slice(255 - r)); // blocks 1 and 2 repaired all the same
    repair = { blocks: 9, bytesCorrected: 9, failedBlocks: 9 };
    out.fill(0);
    expect(fecDecode(damaged, damaged.length, r, out, repair, false)).toBe(-1);
    expect(repair).toEqual({ blocks: 0, bytesCorrected: 0, failedBlocks: 1 });
    expect(out.every((b) => b === 0)).toBe(true); // nothing written past the failed block
    // only blocks 1 and 2 damaged: the frame decodes, 7 bytes corrected
    const two = wire.slice();
    two.set(damaged.subarray(full), full);
    repair = fresh();
    expect(fecDecode(two, two.length, r, out, repair, false)).toBe(e.length);
    expect([...out]).toEqual(e);
    expect(repair).toEqual({ blocks: 3, bytesCorrected: 7, failedBlocks: 0 });
  });

  it("a damaged byte's high bit in a packed check byte is ignored", () => {
    const wire = encode([1], 4);
    for (let i = 1; i < wire.length; i++) {
      const w = wire.slice();
      w[i] &= 0x7f; // what the receiver must ignore (never sent: a packed byte has it set)
      const out = new Uint8Array(1);
      const repair = fresh();
      expect(fecDecode(w, w.length, 4, out, repair)).toBe(1);
      expect(out[0]).toBe(1);
      expect(repair.bytesCorrected).toBe(0);
    }
  });
});

describe("choosing the level, exact", () => {
  it("the thresholds of docs/serial-protocol.md, to 0.01 ppm", () => {
    const at = (ppm: number) => fecLevelFor(ppm * 1e-6);
    expect([19.33, 19.34, 1295.35, 1295.37, 4687.36, 4687.37, 14151.04, 14151.06].map(at)).toEqual([0, 4, 4, 8, 8, 16, 16, 32]);
    expect([0, -1, Number.NaN, 1e-300].map(fecLevelFor)).toEqual([0, 0, 0, 0]);
  });

  it("level 32 at every rate from 14152 ppm up to 1, as the table says", () => {
    // Every efficiency is tiny there (p = 0.3: level 32 about 1e-83, level 0 about 1e-133, in
    // 50-digit arithmetic) but level 32's is still the largest; p = 1: 1e-411 against 1e-443.
    expect([0.02, 0.1, 0.2, 0.3, 0.5, 0.9, 1].map(fecLevelFor)).toEqual([32, 32, 32, 32, 32, 32, 32]);
  });
});

describe("the line error estimate (fec-level.ts), exact", () => {
  it("starts at rate 0 and level 0, and pools nothing with nothing", () => {
    const e = new LineErrorEstimate();
    expect(e.rate()).toBe(0);
    expect(e.pooled(0.5)).toBe(0);
    expect(e.level()).toBe(0);
  });

  it("halves old errors and bytes every HALF_LIFE_BYTES bytes received", () => {
    expect(HALF_LIFE_BYTES).toBe(4096);
    const e = new LineErrorEstimate();
    e.frame(4096, 40); // errors 40, bytes 4096
    expect(e.rate()).toBe(40 / 4096);
    e.frame(4096, 0); // errors 40 / 2 = 20, bytes 2048 + 4096
    expect(e.rate()).toBe(20 / 6144);
    e.frame(8192, 8); // errors 20 / 4 + 8 = 13, bytes 6144 / 4 + 8192 = 9728
    expect(e.rate()).toBe(13 / 9728);
    expect(e.level()).toBe(8); // 1336 ppm
  });

  it("a damaged frame adds its least damage and at least one byte", () => {
    const e = new LineErrorEstimate();
    e.damaged({ wireBytes: 0, errors: 1 }); // counts as 1 byte: rate 1
    expect(e.rate()).toBe(1);
    const f = new LineErrorEstimate();
    f.damaged({ wireBytes: 4096, errors: 5 });
    expect(f.rate()).toBe(5 / 4096);
  });

  it("pools its own rate with the other side's, each weighted by its bytes (sent bytes decay too)", () => {
    const e = new LineErrorEstimate();
    e.sent(4096); // sent 4096
    expect(e.rate()).toBe(0);
    expect(e.pooled(0.01)).toBe(0.01); // only the other side's rate
    e.sent(4096); // 4096 / 2 + 4096 = 6144
    e.frame(2048, 10); // errors 10, bytes 2048
    expect(e.rate()).toBe(10 / 2048);
    expect(e.pooled(0.001)).toBe((10 + 0.001 * 6144) / (2048 + 6144));
    e.sent(8192); // 6144 / 4 + 8192 = 9728
    expect(e.pooled(0)).toBe(10 / (2048 + 9728));
  });
});
