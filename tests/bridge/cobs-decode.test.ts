/**
 * COBS decoding, hand-derived: the published examples decode back, a 0xff block is not followed by
 * an implied zero, and invalid input is reported at the offending byte (not only at byte 0).
 * Mutants of firmware-bridge/cobs.ts these kill are listed in docs/reliability.md.
 */
import { describe, expect, it } from "vitest";
import { cobsDecode } from "../../firmware-bridge/cobs.ts";

const decode = (...b: number[]) => {
  const out = new Uint8Array(b.length + 1);
  const n = cobsDecode(Uint8Array.from(b), b.length, out);
  return n < 0 ? n : [...out.subarray(0, n)];
};

describe("COBS decoding", () => {
  it("decodes the published examples (Cheshire & Baker)", () => {
    expect(decode(0x01, 0x01)).toEqual([0x00]);
    expect(decode(0x01, 0x01, 0x01)).toEqual([0x00, 0x00]);
    expect(decode(0x03, 0x11, 0x22, 0x02, 0x33)).toEqual([0x11, 0x22, 0x00, 0x33]);
    expect(decode(0x02, 0x11, 0x01, 0x01, 0x01)).toEqual([0x11, 0x00, 0x00, 0x00]);
  });

  it("a full 0xff block is not followed by an implied zero", () => {
    const run = Array.from({ length: 254 }, (_, i) => i + 1);
    expect(decode(0xff, ...run, 0x01)).toEqual(run);
    // 254 non-zero bytes, then 0x00, then one more: the zero is explicit (code 0x01 after the block)
    expect(decode(0xff, ...run, 0x01, 0x02, 0x07)).toEqual([...run, 0x00, 0x07]);
  });

  it("a code byte 0x00 is invalid, at whatever position", () => {
    expect(decode(0x00, 0x01)).toBe(-1); // byte 0
    expect(decode(0x02, 0x11, 0x00, 0x01)).toBe(-3); // byte 2 is a code byte, and 0
  });

  it("a code running past the end is reported at its own byte", () => {
    expect(decode(0x05, 0x11)).toBe(-1); // byte 0
    expect(decode(0x02, 0x11, 0x05, 0x22)).toBe(-3); // byte 2: 2 + 5 > 4
  });
});
