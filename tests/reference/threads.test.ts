/**
 * A float64 run split over worker threads (engram run --threads N) gives byte-identical outputs
 * to the one-thread run with the same seed: recorded traces, spikes, the whole final state.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { startThreads, unsplittable } from "../../targets/reference/threads.ts";
import type { Program } from "../../src/ir/program.ts";
import { main } from "../../src/cli/main.ts";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function outputs(program: Program, threads: number, stops: number[]) {
  const run = startThreads(program, threads);
  const ex = run.executor;
  try {
    for (const t of stops) ex.run(undefined, t);
  } finally {
    void run.close();
  }
  const state = [...ex.groups].map(([name, g]) => [name, [...g.arrays].map(([v, a]) => [v, Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64")])]);
  const s = ex.recorded.spikes;
  return {
    tables: ex.recorded.tables.map((t) => ({ ticks: [...t.ticks.subarray(0, t.count)], columns: t.columns.map((c) => [...c.subarray(0, t.count)]) })),
    spikes: { ticks: [...s.ticks.subarray(0, s.count)], neurons: [...s.neurons.subarray(0, s.count)] },
    state,
    stats: { dense: ex.stats.denseSteps, quiet: ex.stats.quietSteps, spikes: [...ex.stats.spikes] },
  };
}

describe("reference target split over worker threads", () => {
  it("memory-network-small (OU background, event-driven STC synapses, quiet steps): 1, 2 and 3 threads byte-identical", { timeout: 120_000 }, () => {
    const program = compile("models/stc/memory-network-small.yaml", { target: "reference" });
    // stop at the analysis snapshots as the CLI does: each stop is a separate command to the workers
    const stops = [Math.round(0.9 / program.tickSeconds), Math.round(2.2 / program.tickSeconds), program.durationTicks];
    const one = outputs(program, 1, stops);
    expect(one.spikes.ticks.length).toBeGreaterThan(100);
    const two = outputs(program, 2, stops);
    expect(two).toEqual(one);
    const three = outputs(program, 3, stops);
    expect(three).toEqual(one);
  });

  it("a projection that sums into its presynaptic neurons (random feedback) keeps the run on one thread", () => {
    // workers own synapses by postsynaptic neuron, so a sum into the presynaptic side would race
    const p = compile("models/chemical/blobs-chemical-1.yaml", { target: "reference", seed: 1 });
    expect(unsplittable(p)).toMatch(/^projection w1 sums into its presynaptic neurons' /);
    expect(unsplittable(compile("models/stc/memory-network-small.yaml", { target: "reference", seed: 1 }))).toBeNull();
  });

  it("engram run --threads: on a chip's emulator the same files as one thread; a bad count is a usage error (exit 2)", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-threads-"));
    const out = join(dir, "out");
    // the emulator splits kernel runs over two threads (targets/emulator/split.ts; tests/emulator/split.test.ts)
    for (const n of ["1", "2"]) expect(await main(["run", "models/stc/stet.yaml", "--target", "cmos", "--threads", n, "--no-plots", "--out", join(dir, n)])).toBe(0);
    const csvs = readdirSync(join(dir, "1")).filter((f) => f.endsWith(".csv"));
    expect(csvs).toContain("traces.csv");
    for (const f of csvs) expect(readFileSync(join(dir, "2", f), "utf8")).toBe(readFileSync(join(dir, "1", f), "utf8"));
    // a compiled image too
    const image = join(dir, "stet.engram");
    expect(await main(["compile", "models/stc/stet.yaml", "--target", "cmos", "--rounding", "stochastic", "-o", image])).toBe(0);
    for (const n of ["1", "2"]) expect(await main(["run", image, "--threads", n, "--no-plots", "--out", join(dir, `image${n}`)])).toBe(0);
    expect(readFileSync(join(dir, "image2", "traces.csv"), "utf8")).toBe(readFileSync(join(dir, "image1", "traces.csv"), "utf8"));
    expect(readFileSync(join(dir, "image2", "traces.csv"), "utf8")).toBe(readFileSync(join(dir, "1", "traces.csv"), "utf8"));
    expect(await main(["run", "models/stc/stet.yaml", "--threads", "0", "--out", out])).toBe(2);
    expect(await main(["run", "models/stc/stet.yaml", "--threads", "two", "--out", out])).toBe(2);
  });
});
