/**
 * IR files: encode/decode round trips, the stable text form and its golden, the op table against
 * the proto's Opcode enum, and docs/ir.md against the table.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { decode, encode, irRoot, type IrProgram } from "../../src/ir/codec.ts";
import { OPS, opTableMarkdown } from "../../src/ir/ops.ts";
import { printProgram } from "../../src/ir/print.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

/** Valid variations of the sample: other sizes, formats and constants. */
const variation = fc.record({ n: fc.integer({ min: 1, max: 50 }), width: fc.integer({ min: 4, max: 32 }), frac: fc.integer({ min: -4, max: 40 }), seed: fc.nat(), c: fc.integer({ min: 0, max: 7 }) }).map(({ n, width, frac, seed, c }): IrProgram => {
  const p = sampleProgram();
  p.header.seed = seed;
  p.groups[0]!.size = n;
  p.groups[1]!.size = n;
  p.groups[2]!.size = n;
  p.connectivity[0]!.pre_index = Array.from({ length: n }, (_, i) => i);
  p.connectivity[0]!.post_index = Array.from({ length: n }, (_, i) => (i + c) % n);
  const placed = c % 2 === 0;
  p.connectivity[0]!.array = placed ? Array.from({ length: n }, () => 0) : [];
  p.connectivity[0]!.row = placed ? Array.from({ length: n }, (_, i) => i) : [];
  p.connectivity[0]!.column = placed ? Array.from({ length: n }, () => c) : [];
  p.connectivity[0]!.label = placed ? Array.from({ length: n }, (_, i) => i % 64) : [];
  p.states[1]!.format = { width, signed: true, frac, rounding: 1 + (c % 3), overflow: 1 + (c % 2) };
  p.kernels[1]!.ops[1]!.imm = c;
  return p;
});

describe("IR codec", () => {
  it("the sample verifies and round-trips", () => {
    const p = sampleProgram();
    expect(() => verify(p)).not.toThrow();
    const bytes = encode(p);
    expect(decode(bytes)).toEqual(p);
    expect(Buffer.from(encode(decode(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it("generated valid programs round-trip unchanged", () => {
    fc.assert(
      fc.property(variation, (p) => {
        verify(p);
        const bytes = encode(p);
        expect(decode(bytes)).toEqual(p);
        expect(printProgram(decode(bytes))).toBe(printProgram(p));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it("the text form matches its reviewed golden", () => {
    const golden = readFileSync("tests/golden/ir-sample.txt", "utf8").split("\n").slice(1).join("\n");
    expect(printProgram(sampleProgram())).toBe(golden);
  });

  it("the sample runs in the reference interpreter (spikes at 10, 20, 30 reach the trace 3 ticks later)", () => {
    const r = interpret(sampleProgram());
    const c = r.probes.find((p) => p.column === "c")!;
    // c jumps by 0.5 (raw 32) at tick 13 (on_pre kernel runs before the decay kernel in tick 13)
    expect(Number(c.values[13]![0])).toBe(0);
    expect(Number(c.values[14]![0])).toBeGreaterThanOrEqual(30);
  });

  it("op table and ir.proto's Opcode enum agree, both ways", () => {
    const e = irRoot().lookupEnum("engram.ir.v1.Opcode").values;
    const fromProto = Object.entries(e).filter(([name]) => name !== "OP_UNSPECIFIED");
    expect(Object.fromEntries(fromProto)).toEqual(Object.fromEntries(OPS.map((o) => [o.name, o.code])));
  });

  it("docs/ir.md is the op table's generated text", () => {
    expect(readFileSync("docs/ir.md", "utf8")).toBe(opTableMarkdown());
  });
});
