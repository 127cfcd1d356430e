/**
 * The emulator's number arithmetic for current stimuli against the BigInt semantics
 * (src/ir/current.ts), on random operands across the ranges the verifier admits.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addToInput, roundShift } from "../../src/ir/current.ts";
import { inputAdder, mulRoundQ32 } from "../../targets/emulator/current.ts";

const int = (bits: number) => fc.integer({ min: -(2 ** bits), max: 2 ** bits });

describe("current stimuli on numbers = BigInt semantics", () => {
  it("mulRoundQ32: round(a b / 2^32), ties away from zero", () => {
    let exact = 0;
    fc.assert(
      fc.property(fc.oneof(int(33), int(8)), fc.oneof(int(37), fc.integer({ min: 0, max: 2 ** 32 - 1 }), int(4)), (a, b) => {
        const n = mulRoundQ32(a, b);
        if (Number.isNaN(n)) return;
        exact++;
        expect(n).toBe(Number(roundShift(BigInt(a) * BigInt(b), 32)));
      }),
      { numRuns: 3000, seed: 5 },
    );
    // The ties: +-1/2 LSB rounds away from zero.
    expect(mulRoundQ32(1, 2 ** 31)).toBe(1);
    expect(mulRoundQ32(-1, 2 ** 31)).toBe(-1);
    expect(mulRoundQ32(3, -(2 ** 31))).toBe(-2);
    expect(exact).toBeGreaterThan(2500);
  });

  it("addToInput: round to the input's frac, add, saturate", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.boolean(), fc.integer({ min: -64, max: 96 }), fc.integer({ min: -64, max: 96 }), int(32), fc.nat(), (width, signed, fi, fx, value, u) => {
        const f = { width, signed, frac: fi, rounding: 2, overflow: 2 };
        const lo = signed ? -(2 ** (width - 1)) : 0, hi = signed ? 2 ** (width - 1) - 1 : 2 ** width - 1;
        const input = lo + (u % (hi - lo + 1));
        expect(inputAdder(fx - fi, lo, hi)(input, value)).toBe(Number(addToInput(BigInt(input), f, BigInt(value), fx)));
      }),
      { numRuns: 3000, seed: 6 },
    );
  });
});
