/**
 * Philox-4x32-10 against the published known-answer vectors: Random123 (D. E. Shaw Research),
 * examples/kat_vectors, the three "philox4x32 10" lines (columns: counter[4], key[2], result[4]).
 */
import { describe, expect, it } from "vitest";
import { CounterStream, normalFromBlock, philox, philoxJs, wordsToUniform } from "../../src/util/philox.ts";
import { Rng } from "../../src/util/rng.ts";

const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

describe("Philox-4x32-10", () => {
  it.each(KAT)("matches Random123's known answer for counter %j, key %j", (c, k, want) => {
    expect([...philox(c[0]!, c[1]!, c[2]!, c[3]!, k[0]!, k[1]!)]).toEqual(want);
  });

  it.each(KAT)("in JS (the reference of the WebAssembly version) too: counter %j, key %j", (c, k, want) => {
    expect([...philoxJs(c[0]!, c[1]!, c[2]!, c[3]!, k[0]!, k[1]!)]).toEqual(want);
  });

  it("gives the same words in WebAssembly as in JS on 100 000 seeded random counters and keys", () => {
    const rng = new Rng(11, "philox-wasm");
    let differ = 0;
    for (let i = 0; i < 100_000; i++) {
      const a = [rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32()] as const;
      const js = [...philoxJs(...a)];
      const wasm = [...philox(...a)];
      if (js.join() !== wasm.join()) differ++;
    }
    expect(differ).toBe(0);
  });

  it("is a pure function of (seed, stream, element, tick, site): order of draws does not matter", () => {
    const s = new CounterStream(7, 2);
    const forward = [0, 1, 2, 3].map((e) => s.uniform(e, 10, 3));
    const backward = [3, 2, 1, 0].map((e) => s.uniform(e, 10, 3)).reverse();
    expect(backward).toEqual(forward);
    expect(new Set(forward).size).toBe(4);
    expect(new CounterStream(7, 3).uniform(0, 10, 3)).not.toBe(forward[0]);
    expect(new CounterStream(8, 2).uniform(0, 10, 3)).not.toBe(forward[0]);
  });

  it("gives uniforms in [0, 1) and standard normals (moments over 200 000 counters)", () => {
    expect(wordsToUniform(0, 0)).toBe(0);
    expect(wordsToUniform(0xffffffff, 0xffffffff)).toBeLessThan(1);
    const s = new CounterStream(1, 2);
    let m = 0, v = 0;
    const n = 200_000;
    for (let e = 0; e < n; e++) {
      const x = normalFromBlock(s.block(e, 0));
      m += x;
      v += x * x;
    }
    m /= n;
    v = v / n - m * m;
    // standard errors: 1/sqrt(n) = 0.0022 for the mean, sqrt(2/n) = 0.0032 for the variance
    expect(Math.abs(m)).toBeLessThan(0.011);
    expect(Math.abs(v - 1)).toBeLessThan(0.016);
  });
});
