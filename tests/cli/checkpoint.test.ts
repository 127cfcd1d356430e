/**
 * engram run --checkpoint-every / --resume, in-process on a small network with a weight analysis
 * (tests/fixtures/checkpoint-net.yaml, cmos): a run interrupted after any checkpoint and resumed,
 * with or without --checkpoint-every, writes byte-identical outputs to the uninterrupted run
 * (weights labelled at the right times, the analysis kept); a resume with another seed, rounding
 * or width is refused with one message naming the field and both values; checkpoints are written
 * whole (temp file + rename).
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { runCommand } from "../../src/cli/run.ts";
import type { RunOptions } from "../../src/cli/main.ts";

// Every checkpoint the runs write, in order: an interruption after checkpoint k is a resume from it.
const written = vi.hoisted(() => [] as { path: string; text: string }[]);
vi.mock("../../src/util/atomic-write.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/util/atomic-write.ts")>();
  return {
    ...real,
    writeFileAtomic: (path: string, data: string | Uint8Array) => {
      written.push({ path, text: String(data) });
      real.writeFileAtomic(path, data);
    },
  };
});

const MODEL = "tests/fixtures/checkpoint-net.yaml";
const tmp = mkdtempSync(join(tmpdir(), "engram-checkpoint-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const opts = (o: Partial<RunOptions>): RunOptions => ({ model: MODEL, target: "cmos", plain: false, rounding: "stochastic", variation: { mismatch: false, noise: false }, ...o });
const quiet = async (o: RunOptions) => {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    return await runCommand(o);
  } finally {
    out.mockRestore();
  }
};

/**
 * Every output file's bytes, with the output folder's own name replaced (the analysis quotes it)
 * and the manifest without its wall-clock fields (they differ run to run).
 */
function outputs(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((f) => f !== "checkpoint.json").sort()) {
    let text = readFileSync(join(dir, f), "utf8").replaceAll(dir, "<out>");
    if (f === "manifest.json") {
      const m = JSON.parse(text);
      for (const k of ["wall_s", "wall_total_s", "peak_rss_mb", "biological_s_per_wall_s"]) delete m[k];
      text = JSON.stringify(m, null, 1);
    }
    files[f] = text;
  }
  return files;
}

describe("checkpoint and resume", () => {
  const whole = join(tmp, "whole");
  let checkpoints: string[] = [];

  it("the uninterrupted run, and the same run writing a checkpoint every 0.15 s, give the same outputs (the weight analysis is kept)", async () => {
    expect(await quiet(opts({ out: whole }))).toBe(0);
    const every = join(tmp, "every");
    written.length = 0;
    expect(await quiet(opts({ out: every, checkpointEvery: 0.15 }))).toBe(0);
    checkpoints = written.filter((w) => w.path === join(every, "checkpoint.json")).map((w) => w.text);
    expect(checkpoints.length).toBe(4); // 0.15, 0.3, 0.45, 0.6 s
    expect(outputs(every)).toEqual(outputs(whole));
    expect(Object.keys(outputs(whole))).toContain("weights.svg");
    expect(JSON.parse(outputs(whole)["analysis.json"]!)).toBeTruthy();
  });

  it("interrupted after each checkpoint and resumed (without and with --checkpoint-every): byte-identical outputs", async () => {
    const reference = outputs(whole);
    // 0.15 s: one weight summary (0.05 s) taken before; 0.3 s: between the 0.25 s and 0.4 s ones; 0.45 s: after three.
    for (const [k, every] of [[0, undefined], [1, 0.1], [2, undefined]] as const) {
      const file = join(tmp, `cp${k}.json`);
      writeFileSync(file, checkpoints[k]!);
      const dir = join(tmp, `resumed${k}`);
      expect(await quiet(opts({ out: dir, resume: file, checkpointEvery: every }))).toBe(0);
      expect(outputs(dir), `resumed from checkpoint ${k} ${every ? "with" : "without"} --checkpoint-every`).toEqual(reference);
    }
  });

  it("a resume with another seed, rounding or width is refused: one message naming the field and both values", async () => {
    const file = join(tmp, "cp-mismatch.json");
    writeFileSync(file, checkpoints[0]!);
    const cases: [Partial<RunOptions>, string][] = [
      [{ seed: 2 }, "the checkpoint's seed is 1, this run's is 2"],
      [{ rounding: "nearest" }, `the checkpoint's rounding is "stochastic", this run's is "nearest"`],
      [{ bits: 12 }, `the checkpoint's state_bits is "target default", this run's is 12`],
    ];
    for (const [o, text] of cases) {
      const e = await quiet(opts({ out: join(tmp, "refused"), resume: file, ...o })).catch((x) => x);
      expect(e).toBeInstanceOf(EngramError);
      expect(e.message).toContain(`${file} at identity.`);
      expect(e.message).toContain(`cannot resume: ${text}: a checkpoint continues only the run that wrote it`);
    }
  });

  it("an image run refuses --checkpoint-every and --resume instead of ignoring them", async () => {
    for (const o of [{ resume: join(tmp, "cp0.json") }, { checkpointEvery: 1 }]) {
      const e = await quiet(opts({ model: join(tmp, "x.engram"), out: join(tmp, "img"), ...o })).catch((x) => x);
      expect(e).toBeInstanceOf(EngramError);
      expect(e.diagnostics[0].code).toBe("no-checkpoints");
    }
  });

  it("checkpoints are written through a temporary file renamed over the last one: no temporary files left", () => {
    const dir = join(tmp, "every");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(readFileSync(join(dir, "checkpoint.json"), "utf8")).toBe(checkpoints.at(-1));
  });
});
