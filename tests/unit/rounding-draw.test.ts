/**
 * Stochastic rounding with b-bit random numbers (src/ir/rounding.ts): a processor that adds a
 * b-bit random k to the dropped bits and truncates rounds up for the k with k + 2^b rem >= 2^b,
 * i.e. with probability floor(2^b rem) / 2^b (hand-derived). Checked by enumerating every k.
 */
import { describe, expect, it } from "vitest";
import { roundingDraw } from "../../src/ir/rounding.ts";

/** How many of the 2^bits equally likely draws round up a dropped fraction rem (IR rule: u < rem). */
function upCount(rem: number, bits: number): number {
  let n = 0;
  for (let k = 0; k < 2 ** bits; k++) if (roundingDraw((k + 0.5) / 2 ** bits, bits) < rem) n++;
  return n;
}

describe("rounding draws of limited resolution", () => {
  it("8 bits: rounds up with probability floor(256 rem) / 256", () => {
    for (const rem of [0, 1 / 1024, 1 / 512, 1 / 256, 1.5 / 256, 0.25, 0.5, 0.7, 255.5 / 256, 1 - 1e-9]) {
      expect(upCount(rem, 8)).toBe(Math.floor(256 * rem));
    }
  });

  it("a change below 2^-8 LSB is never kept; one of 2^-8 LSB is kept once in 256", () => {
    expect(upCount(0.9 / 256, 8)).toBe(0);
    expect(upCount(1 / 256, 8)).toBe(1);
  });

  it("0 bits: the draw is passed through (exact stochastic rounding)", () => {
    expect(roundingDraw(0.123456789, 0)).toBe(0.123456789);
  });
});
