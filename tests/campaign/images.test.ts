/**
 * Bad-image campaign (issue 11, "Numbers it must reach"): the repository's basic-early model
 * compiled in-process for bss2 and cmos, then damaged: seeded single-bit and single-byte flips
 * anywhere in the file, truncations, and trailing or concatenated data. Each damaged file is read
 * the way `engram run` and `engram deploy` read it (readImage: digest, decode, verify), in-process,
 * timed. Required: 0 silent wrong results (an accepted file must be byte-identical to the
 * original), 0 internal errors, 0 slow cases, every refusal naming the file and a location.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { readImage } from "../../src/cli/run.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { encodeImage } from "../../src/ir/image.ts";
import { Rng } from "../../src/util/rng.ts";
import { getTarget } from "../../targets/registry.ts";

/** Longest a single case may take (in-process; a hang would show here, not as a stuck suite). */
const CASE_LIMIT_MS = 2000;
const tmp = mkdtempSync(join(tmpdir(), "engram-image-campaign-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Case {
  name: string;
  bytes: Uint8Array;
}

function imageOf(target: string): Uint8Array {
  const program = compile("models/stc/basic-early.yaml", { target });
  return encodeImage(compileFixed(program, getTarget(target).caps, { rounding: "stochastic", engramVersion: "campaign", analyse: analyseByRun }).ir);
}

function casesFor(target: string, image: Uint8Array, other: Uint8Array, rng: Rng): Case[] {
  const cases: Case[] = [];
  const n = image.length;
  // Single-bit flips: 80 seeded positions, plus each bit of the first and last byte and of the trailer's two framing bytes.
  const bits = new Set<number>();
  for (const b of [0, n - 34, n - 33, n - 1]) for (let k = 0; k < 8; k++) bits.add(b * 8 + k);
  while (bits.size < 80 + 32) bits.add(rng.nextU32() % (n * 8));
  for (const bit of bits) {
    const b = Uint8Array.from(image);
    b[bit >> 3]! ^= 1 << (bit & 7);
    cases.push({ name: `${target} bit flip ${bit} (byte ${bit >> 3})`, bytes: b });
  }
  // Single-byte changes to a random other value.
  for (let k = 0; k < 30; k++) {
    const at = rng.nextU32() % n;
    const b = Uint8Array.from(image);
    b[at]! ^= 1 + (rng.nextU32() % 255);
    cases.push({ name: `${target} byte ${at} changed`, bytes: b });
  }
  // Truncations: nothing, one byte, every boundary of the trailer, and seeded lengths.
  const cuts = new Set([0, 1, 2, n - 35, n - 34, n - 33, n - 32, n - 2, n - 1]);
  while (cuts.size < 25) cuts.add(rng.nextU32() % n);
  for (const c of cuts) cases.push({ name: `${target} truncated to ${c} of ${n} bytes`, bytes: image.subarray(0, c) });
  // Trailing and concatenated data.
  const cat = (name: string, ...parts: ArrayLike<number>[]) => cases.push({ name: `${target} ${name}`, bytes: Uint8Array.from(parts.flatMap((p) => Array.from(p))) });
  cat("concatenated with itself", image, image);
  cat("concatenated with the other target's image", image, other);
  cat("three times", image, image, image);
  cat("followed by one zero byte", image, [0]);
  cat("followed by a newline", image, [10]);
  cat("followed by its own trailer", image, image.subarray(n - 34));
  cat("followed by 1 kB of zeros", image, new Uint8Array(1024));
  cat("followed by text", image, Buffer.from("trailing text\n"));
  cat("followed by half of itself", image, image.subarray(0, n >> 1));
  cat("preceded by its own first half", image.subarray(0, n >> 1), image);
  cat("preceded by one zero byte", [0], image);
  return cases;
}

type Outcome = "refused: digest mismatch" | "refused: no digest trailer" | "refused: trailing data" | "refused: other" | "accepted, identical" | "SILENT WRONG RESULT" | "INTERNAL ERROR" | "SLOW";

describe("image campaign", () => {
  it("every flipped, truncated or extended image is refused with a located error", () => {
    const rng = new Rng(11, "image-campaign");
    const images = { bss2: imageOf("bss2"), cmos: imageOf("cmos") };
    const cases = [...casesFor("bss2", images.bss2, images.cmos, rng), ...casesFor("cmos", images.cmos, images.bss2, rng)];
    const counts = new Map<Outcome, number>();
    const bad: string[] = [];
    for (const [i, c] of cases.entries()) {
      const file = join(tmp, `case-${i}.engram`);
      writeFileSync(file, c.bytes);
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        readImage(file);
        const original = c.name.startsWith("bss2") ? images.bss2 : images.cmos;
        outcome = Buffer.from(c.bytes).equals(Buffer.from(original)) ? "accepted, identical" : "SILENT WRONG RESULT";
      } catch (e) {
        if (!(e instanceof EngramError)) {
          outcome = "INTERNAL ERROR";
          bad.push(`${c.name}: ${(e as Error).stack}`);
        } else {
          const m = e.message;
          outcome = /trailing or concatenated data/.test(m) ? "refused: trailing data" : /does not match its digest/.test(m) ? "refused: digest mismatch" : /digest trailer/.test(m) ? "refused: no digest trailer" : "refused: other";
          // Located: the file, and a byte offset (or, from the verifier, a field path).
          if (!m.includes(file) || !/at byte \d+ of \d+| at [a-z_]+[.[]/.test(m)) bad.push(`${c.name}: unlocated error: ${m}`);
        }
      }
      if (performance.now() - t0 > CASE_LIMIT_MS) outcome = "SLOW";
      if (outcome === "SILENT WRONG RESULT" || outcome === "SLOW") bad.push(`${c.name}: ${outcome}`);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
    const flipsAndCuts = cases.filter((c) => / (bit flip|byte \d+ changed|truncated)/.test(c.name)).length;
    console.log(`image campaign: ${cases.length} cases (${flipsAndCuts} flipped or truncated, ${cases.length - flipsAndCuts} trailing/concatenated)\n` + [...counts].map(([k, v]) => `  ${k}: ${v}`).join("\n"));
    expect(flipsAndCuts).toBeGreaterThanOrEqual(200);
    expect(bad).toEqual([]);
    expect(counts.get("SILENT WRONG RESULT") ?? 0).toBe(0);
    expect(counts.get("INTERNAL ERROR") ?? 0).toBe(0);
    expect(counts.get("accepted, identical") ?? 0).toBe(0); // every case changes the bytes
  });
});
