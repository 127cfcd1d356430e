// Regression (issue 11): a 300 s ESN-100 recording every step (3e7 values) ended in exit 70
// ("RangeError: Invalid string length") because traces.csv was built as one string. The writers
// now stream pieces of 10 000 rows; the pieces must join to exactly the text a one-string writer
// gives (hand-derived rows below), and a long recording must come out as many pieces.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spikesCsvChunks, tracesCsv, tracesCsvChunks } from "../../src/analysis/run-output.ts";
import type { RunResult } from "../../src/analysis/run-output.ts";
import type { Program } from "../../src/ir/program.ts";
import { writeFileAtomic } from "../../src/util/atomic-write.ts";

function result(rows: number, spikes: number): RunResult {
  const ticks = Float64Array.from({ length: rows }, (_, i) => i);
  const column = Float64Array.from({ length: rows }, (_, i) => i / 4);
  return {
    program: { tickSeconds: 0.001 } as Program,
    tables: [{ ticks, columns: [column], names: ["x"], count: rows }],
    spikes: { ticks: Float64Array.from({ length: spikes }, (_, i) => 2 * i), neurons: Int32Array.from({ length: spikes }, (_, i) => i % 3), count: spikes },
    neuronOffset: [0],
    stats: { denseSteps: rows, quietSteps: 0, quietTicks: 0, wallSeconds: 0 },
  };
}

describe("CSV writers stream in pieces", () => {
  it("a short table: one piece, the hand-derived text", () => {
    expect([...tracesCsvChunks(result(3, 0))]).toEqual(["time_s,x\n0.000,0\n0.001,0.25\n0.002,0.5\n"]);
  });

  it("25 000 rows: three pieces of whole rows that join to the one-string text", () => {
    const r = result(25000, 0);
    const pieces = [...tracesCsvChunks(r)];
    expect(pieces.length).toBe(3);
    for (const p of pieces) expect(p.endsWith("\n")).toBe(true);
    const text = pieces.join("");
    expect(text).toBe(tracesCsv(r));
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBe(25001);
    expect(lines[24000]).toBe("23.999,5999.75");
  });

  it("spikes and the atomic writer: the file holds every piece in order", () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-csv-"));
    try {
      const path = join(dir, "spikes.csv");
      writeFileAtomic(path, spikesCsvChunks(result(1, 12345)));
      const lines = readFileSync(path, "utf8").trimEnd().split("\n");
      expect(lines.length).toBe(12346);
      expect(lines[0]).toBe("time_s,neuron");
      expect(lines[12345]).toBe("24.688,2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
