/**
 * The number-path current arithmetic (targets/emulator/current.ts) at the cases random operands
 * rarely reach: products past 2^53 (NaN, so the caller takes the BigInt path, or else exact), ties
 * of two negative operands (a positive product: away from zero is up), negative ties when a
 * current is shifted into its input. Expected values from the BigInt semantics (src/ir/current.ts)
 * and by hand.
 */
import { describe, expect, it } from "vitest";
import { roundShift } from "../../src/ir/current.ts";
import { inputAdder, mulRoundQ32 } from "../../targets/emulator/current.ts";

describe("current arithmetic on numbers, edge cases", () => {
  it("mulRoundQ32 on operands whose partial products pass 2^53: NaN or exact, never inexact", () => {
    const big = [2 ** 33 - 1, -(2 ** 33) + 1, 2 ** 32 + 12345, -(2 ** 32) - 777];
    const wide = [2 ** 37 - 1, -(2 ** 37) + 3, 2 ** 32 - 1, 2 ** 36 + 65535];
    let nan = 0;
    for (const a of big) {
      for (const b of wide) {
        const n = mulRoundQ32(a, b);
        if (Number.isNaN(n)) nan++;
        else expect(n, `${a} x ${b}`).toBe(Number(roundShift(BigInt(a) * BigInt(b), 32)));
      }
    }
    // a x (b / 2^16) reaches 2^54 here: most of these must take the BigInt path
    expect(nan).toBeGreaterThan(0);
  });

  it("mulRoundQ32: a tie of a positive product rounds up, also when both operands are negative", () => {
    // (-1) x (-2^31) / 2^32 = +0.5 -> 1; 1 x 2^31 / 2^32 = 0.5 -> 1; (-1) x 2^31 / 2^32 = -0.5 -> -1
    expect(mulRoundQ32(-1, -(2 ** 31))).toBe(1);
    expect(mulRoundQ32(1, 2 ** 31)).toBe(1);
    expect(mulRoundQ32(-1, 2 ** 31)).toBe(-1);
    expect(mulRoundQ32(3, -(2 ** 31))).toBe(-2);
    expect(mulRoundQ32(-3, -(2 ** 31))).toBe(2);
  });

  it("inputAdder: a value shifted right rounds to nearest, ties away from zero, and saturates", () => {
    const add = inputAdder(1, -100, 100);
    expect(add(0, 1)).toBe(1); // 0.5 -> 1
    expect(add(0, -1)).toBe(-1); // -0.5 -> -1
    expect(add(0, -3)).toBe(-2); // -1.5 -> -2
    expect(add(0, 3)).toBe(2); // 1.5 -> 2
    expect(add(10, -2)).toBe(9);
    expect(add(99, 4)).toBe(100);
    expect(add(-99, -4)).toBe(-100);
  });
});
