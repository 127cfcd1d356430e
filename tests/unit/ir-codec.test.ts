/**
 * IR files: encode/decode round trips (the hand-built sample and generated valid programs), byte
 * stability of re-encoding, the stable text form and its reviewed golden, and the decoder's
 * memory budget.
 */
import { describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { decode, DecodeError, encode, MAX_DECODED_UNITS, programType } from "../../src/ir/codec.ts";
import { printProgram } from "../../src/ir/print.ts";
import { OPS } from "../../src/ir/ops.ts";
import { verify } from "../../src/ir/verify.ts";
import { interpret } from "../../src/ir/reference.ts";
import { arbProgram, sampleProgram } from "../helpers/ir-sample.ts";

const GOLDEN = "tests/golden/ir-sample.txt";
const PROVENANCE = "# provenance: printProgram(sampleProgram()) from tests/helpers/ir-sample.ts; regenerate only after reviewing the diff";
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe("IR codec", () => {
  it("the sample verifies and round-trips", () => {
    const p = sampleProgram();
    expect(() => verify(p)).not.toThrow();
    const bytes = encode(p);
    expect(decode(bytes)).toEqual(p);
    expect(same(encode(decode(bytes)), bytes)).toBe(true);
  });

  it("generated valid programs: verify, decode(encode(p)) = p, re-encoding is byte-identical, text is stable", () => {
    fc.assert(
      fc.property(arbProgram(), (p) => {
        verify(p);
        const bytes = encode(p);
        const back = decode(bytes);
        expect(back).toEqual(p);
        expect(same(encode(back), bytes)).toBe(true);
        expect(printProgram(back)).toBe(printProgram(p));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it("the generator covers what it claims (empty groups, every op, every stimulus kind)", () => {
    const programs = fc.sample(arbProgram(), { numRuns: 300, seed: 6 });
    const ops = new Set(programs.flatMap((p) => p.kernels.flatMap((k) => k.ops.map((o) => o.op))));
    expect([...ops].sort((a, b) => a - b)).toEqual(OPS.map((o) => o.code).sort((a, b) => a - b));
    expect(programs.some((p) => p.groups.some((g) => g.size === 0))).toBe(true);
    expect(programs.some((p) => p.groups.some((g) => g.size >= 40))).toBe(true);
    for (const kind of ["spikes", "poisson", "regular"] as const) expect(programs.some((p) => p.stimuli.some((s) => s[kind]))).toBe(true);
    expect(programs.some((p) => p.kernels.some((k) => k.on_spike))).toBe(true);
  });

  it("printProgram states the sample's fields as derived by hand", () => {
    const lines = printProgram(sampleProgram()).split("\n");
    // 100 ticks of 0.2 ms = 0.02 s; 1 MHz clock
    expect(lines).toContain("tick 0.0002 s  duration 100 ticks (0.02 s)  acceleration 1  clock 1000000 Hz");
    // s0: 16 bits signed with 12 fractional bits leaves 16 - 1 - 12 = 3 integer bits; its LSB is
    // 2^-12 V = 2^-12 / 1e-3 mV = 0.2441 mV (4 digits)
    expect(lines).toContain("  s0 syn.w (g2): sQ3.12/16 nearest saturate  lsb 0.2441 mV  init [4096]");
    // s2: unsigned 8 bits with 6 fractional: 2 integer bits, LSB 2^-6 = 0.015625 -> 0.01563
    expect(lines).toContain("  s2 syn.c (g2): uQ2.6/8 stochastic saturate  lsb 0.01563 1  init [0]");
    // s4: 32 bits signed with 20 fractional: 11 integer bits, LSB 2^-20 = 9.537e-7
    expect(lines).toContain("  s4 post.__ou2 (g1): sQ11.20/32 nearest saturate  lsb 9.537e-7 1  init [1572864]");
    // kernel 0's decay-factor register: rounding 1 = floor, Q0.15 in 16 signed bits
    expect(lines).toContain("    r1: sQ0.15/16 floor saturate");
    expect(lines).toContain("      2: r2 = MUL r0, r1");
    expect(lines).toContain("  g0: poisson p/tick 42949673/2^32 ticks [40, 90) bursts 10/20 neurons [0]");
    expect(lines).toContain("  g0: spikes at ticks [10, 20, 30] neurons [0 x3]");
  });

  it("printProgram equals the reviewed golden", () => {
    const [first, ...rest] = readFileSync(GOLDEN, "utf8").split("\n");
    expect(first).toBe(PROVENANCE);
    expect(printProgram(sampleProgram())).toBe(rest.join("\n"));
  });

  it("prints regular stimuli (regression: they were left out of the text form)", () => {
    const p = sampleProgram();
    p.stimuli.push({ group: 1, regular: { neurons: [0], start_tick: 5, stop_tick: 50, interval_ticks: 7 } });
    expect(printProgram(p)).toContain("  g1: regular every 7 ticks [5, 50) neurons [0]\n");
  });

  it("the sample runs in the reference interpreter (spikes at 10, 20, 30 reach the trace 3 ticks later)", () => {
    const r = interpret(sampleProgram());
    const c = r.probes.find((p) => p.column === "c")!;
    // c jumps by 0.5 (raw 32) at tick 13 (on_pre kernel runs before the decay kernel in tick 13)
    expect(Number(c.values[13]![0])).toBe(0);
    expect(Number(c.values[14]![0])).toBeGreaterThanOrEqual(30);
  });

  describe("decoder memory budget (regression: a few MB of empty messages decoded to GBs of objects)", () => {
    // Refused by the wire-format pre-scan: protobufjs's decode (which would materialise every
    // message) is never called. (This replaces a wall-clock bound that failed on a loaded machine.)
    const rejects = (bytes: Uint8Array) => {
      const materialise = vi.spyOn(programType(), "decode");
      try {
        expect(() => decode(bytes)).toThrow(DecodeError);
        expect(() => decode(bytes)).toThrow(/MAX_DECODED_UNITS/);
        expect(materialise).not.toHaveBeenCalled();
      } finally {
        materialise.mockRestore();
      }
    };

    it("refuses millions of empty kernels before materialising them", () => {
      const n = MAX_DECODED_UNITS / 16 + 1; // 2 bytes each: a 4 MB file
      const bytes = new Uint8Array(2 * n);
      for (let i = 0; i < n; i++) bytes[2 * i] = (5 << 3) | 2; // Program.kernels, length 0
      rejects(bytes);
    });

    it("refuses a packed sint64 array of tens of millions of values", () => {
      const inner = protobuf.Writer.create().uint32((4 << 3) | 2).bytes(new Uint8Array(MAX_DECODED_UNITS / 4 + 1)).finish(); // StateArray.init
      rejects(protobuf.Writer.create().uint32((3 << 3) | 2).bytes(inner).finish()); // Program.states
    });

    it("refuses millions of empty ops nested in one kernel", () => {
      const n = MAX_DECODED_UNITS / 16 + 1;
      const ops = new Uint8Array(2 * n);
      for (let i = 0; i < n; i++) ops[2 * i] = (6 << 3) | 2; // Kernel.ops, length 0
      rejects(protobuf.Writer.create().uint32((5 << 3) | 2).bytes(ops).finish());
    });

    it("still decodes malformed bytes to the usual DecodeError", () => {
      expect(() => decode(Uint8Array.from([0x2a, 0x05, 0x01]))).toThrow(/not a valid engram IR file: index out of range/);
    });
  });
});
