/**
 * Fuzz tier: 100,000 inputs through decode + verify. Random byte strings and mutations of valid
 * programs (the hand-built sample and the compiled basic-early for every target). Every input must
 * be accepted or rejected with DecodeError / EngramError: any other exception, or a hang, fails.
 * Deterministic (seeded).
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/util/rng.ts";
import { decode, DecodeError, encode } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { sampleProgram } from "../helpers/ir-sample.ts";

const INPUTS = 100_000;

function seeds(): Uint8Array[] {
  const out = [encode(sampleProgram())];
  for (const target of ["reference", "cmos", "bss2"]) {
    const program = compile("models/stc/basic-early.yaml", { target });
    out.push(encode(compileFixed(program, getTarget(target).caps, { rounding: "stochastic", engramVersion: "fuzz", analyse: analyseByRun }).ir));
  }
  return out;
}

function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  let b = Array.from(src);
  const edits = 1 + (rng.nextU32() % 4);
  for (let e = 0; e < edits; e++) {
    const at = b.length === 0 ? 0 : rng.nextU32() % b.length;
    switch (rng.nextU32() % 8) {
      case 0: // bit flip
        if (b.length) b[at] = b[at]! ^ (1 << (rng.nextU32() % 8));
        break;
      case 1: // byte replaced by an extreme or random value
        if (b.length) b[at] = [0x00, 0xff, 0x80, 0x7f, rng.nextU32() & 0xff][rng.nextU32() % 5]!;
        break;
      case 2: // insertion
        b.splice(at, 0, ...Array.from({ length: 1 + (rng.nextU32() % 8) }, () => rng.nextU32() & 0xff));
        break;
      case 3: // deletion
        b.splice(at, 1 + (rng.nextU32() % 8));
        break;
      case 4: // truncation
        b = b.slice(0, at);
        break;
      case 5: // duplicated chunk
        b.splice(at, 0, ...b.slice(at, at + 1 + (rng.nextU32() % 32)));
        break;
      case 6: // a huge varint (length or count) written over the bytes here
        b.splice(at, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
        break;
      default: // a small length prefix made large
        if (b.length) b[at] = 0x80 | (rng.nextU32() & 0x7f);
    }
  }
  return Uint8Array.from(b);
}

describe("IR fuzz tier", () => {
  it(`decode + verify survive ${INPUTS} random and mutated inputs`, () => {
    const rng = new Rng(2026, "fuzz");
    const valid = seeds();
    const counts = { accepted: 0, decodeRejected: 0, verifyRejected: 0 };
    const started = performance.now();
    for (let i = 0; i < INPUTS; i++) {
      let bytes: Uint8Array;
      if (i % 5 === 0) bytes = Uint8Array.from({ length: rng.nextU32() % 300 }, () => rng.nextU32() & 0xff);
      else bytes = mutate(valid[i % valid.length]!, rng);
      try {
        verify(decode(bytes));
        counts.accepted++;
      } catch (e) {
        if (e instanceof DecodeError) counts.decodeRejected++;
        else if (e instanceof EngramError) counts.verifyRejected++;
        else throw new Error(`input ${i} (${Buffer.from(bytes).toString("hex").slice(0, 200)}) crashed: ${(e as Error).stack}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz: ${INPUTS} inputs in ${seconds.toFixed(1)} s: ${counts.accepted} accepted, ${counts.decodeRejected} rejected by decode, ${counts.verifyRejected} rejected by verify`);
    expect(counts.accepted + counts.decodeRejected + counts.verifyRejected).toBe(INPUTS);
    expect(counts.verifyRejected).toBeGreaterThan(1000); // mutations do reach the verifier
  });
});
