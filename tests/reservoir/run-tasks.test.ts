/** engram run on a model with a tasks block (issue 14): outputs, determinism, located errors with exit 1. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { runCommand } from "../../src/cli/run.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const BIN = resolve("bin/engram.js");

describe("engram run on a Mackey-Glass ESN (mackey-glass.yaml, smaller and shorter)", () => {
  // The full model runs in the benchmark (engram bench --reservoir); here 30 units, 1500 steps.
  const small = join(mkdtempSync(join(tmpdir(), "engram-mg-model-")), "mg-small.yaml");
  writeFileSync(small, `engram: 1
kind: network
extends: ${resolve("models/reservoir/mackey-glass.yaml")}
duration: 1501 ms
populations:
  res: { size: 30 }
tasks: { washout: 100, train: 800, test: 500, shifts: [1, 5, 10, 17] }
`);
  const run = async () => {
    const out = mkdtempSync(join(tmpdir(), "engram-mg-"));
    await runCommand({ model: small, target: "reference", out, force: true, plain: false, rounding: "nearest", variation: { mismatch: false, noise: false } });
    return out;
  };
  it("writes tasks.csv (one row per horizon), tasks.svg and analysis.md, listed in the manifest; same seed, same bytes", async () => {
    const out = await run();
    const csv = readFileSync(join(out, "tasks.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("channel,channel_name,shift,power,r2");
    expect(csv.slice(1).map((l) => Number(l.split(",")[2]))).toEqual([1, 5, 10, 17]);
    for (const line of csv.slice(1)) expect(Number(line.split(",")[4])).toBeGreaterThan(0.9); // every horizon learnt
    expect(readFileSync(join(out, "tasks.svg"), "utf8")).toMatch(/^<svg/);
    expect(readFileSync(join(out, "analysis.md"), "utf8")).toContain("Mean R²");
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).outputs).toEqual(expect.arrayContaining(["tasks.csv", "tasks.svg", "analysis.md"]));
    const again = await run();
    expect(readFileSync(join(again, "tasks.csv"), "utf8")).toBe(readFileSync(join(out, "tasks.csv"), "utf8"));
  }, 60_000);
});

describe("bad streams and task specs from the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "engram-badstream-"));
  for (const f of ["leaky-esn-unit.yaml", "rate-synapse.yaml"]) copyFileSync(join("models/reservoir", f), join(dir, f));
  const model = (stimulus: string, tasks = "") => {
    const f = join(dir, `m${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, `engram: 1\nkind: network\ndt: 1 ms\nduration: 50 ms\npopulations:\n  res: { neuron: leaky-esn-unit.yaml, size: 3 }\nstimuli:\n  - ${stimulus}\nrecordings:\n  - { var: res.x, elements: all, every: 1 ms }\n${tasks}`);
    return f;
  };
  const cli = (file: string) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync(process.execPath, [BIN, "run", file, "--out", out], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    return { code: r.status, stderr: r.stderr, out };
  };
  it.each([
    ["a channel count that does not match the population", "{ kind: stream, target: res, input: I_in, source: { channels: { count: 2 } } }", /stimuli\[0\]\.source: stream has 2 channel\(s\) and drives 3 neuron\(s\)/],
    ["a misspelt source key", "{ kind: stream, target: res, input: I_in, source: { mackey_glas: {} } }", /stimuli\[0\]/],
  ])("%s: a located EngramError", (_, stim, re) => {
    expect(() => compile(model(stim), { target: "reference" })).toThrow(EngramError);
    expect(() => compile(model(stim), { target: "reference" })).toThrow(re);
  });
  it("a missing CSV file: exit 1, located, no stack trace, no output folder", () => {
    const r = cli(model("{ kind: stream, target: res, input: I_in, source: { csv: nope.csv } }"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:\d+:\d+ at stimuli\[0\]\.source: cannot read CSV file .*nope\.csv/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(r.out)).toBe(false);
  });
  it("a task spec that does not fit the stream: exit 1 before the run, pointing at tasks.test", () => {
    const r = cli(model("{ kind: stream, target: res, input: I_in, source: { channels: { count: 3 } } }", "tasks: { states: res.x, washout: 5, train: 30, test: 30, shifts: [0] }\n"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:\d+:\d+ at tasks\.test: .*need 65 stream samples; the stream has 50/);
  });
});
