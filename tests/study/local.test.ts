/**
 * engram study on the local pool: the same results.csv (and results.arrow) with one worker or
 * two; a study killed with SIGKILL mid-way and rerun does only the missing runs and ends with the
 * same bytes; a failing run is recorded and the others complete.
 */
import { describe, expect, it, beforeAll } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseStudy, studyCommand } from "../../src/cli/study.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-study-local-"));
const study = join(dir, "s.yaml");
// 8 runs: two protocols, float64 and the cmos emulator, two seeds.
writeFileSync(study, `study: 1
name: local-test
model: [${resolve("models/stc/wtet.yaml")}, ${resolve("models/stc/stet.yaml")}]
grid:
  target: [reference, cmos]
  rounding: [nearest]
  seeds: { from: 1, to: 2 }
collect:
  z_8h: { trace: z, at: 8 h }
  h_1h: { trace: h, at: 3600 s }
  dense: { manifest: integration.dense_steps }
`);
const run = (out: string, ...more: string[]) => studyCommand(parseStudy([study, "--out", out, "--quiet", ...more]));
const read = (out: string, f: string) => readFileSync(join(out, f));
const doneRuns = (out: string) => (existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")).filter((n) => !n.endsWith(".partial") && existsSync(join(out, "runs", n, "result.json"))).length : 0);

describe("engram study, local pool", () => {
  const one = join(dir, "one"), two = join(dir, "two");
  beforeAll(async () => {
    expect(await run(one, "--workers", "1")).toBe(0);
  });

  it("gives byte-identical results.csv and results.arrow with one worker and with two", async () => {
    // Wait for the worker thread before the first run: otherwise on a busy machine (or while the
    // worker bundle is built in a fresh clone) the main thread may drain the queue alone.
    expect(await studyCommand({ ...parseStudy([study, "--out", two, "--quiet", "--workers", "2"]), awaitWorkers: true })).toBe(0);
    const csv = read(one, "results.csv").toString();
    expect(csv.split("\n").length).toBe(10); // header, 8 runs, final newline
    expect(read(two, "results.csv").equals(read(one, "results.csv"))).toBe(true);
    expect(read(two, "results.arrow").equals(read(one, "results.arrow"))).toBe(true);
    const m = JSON.parse(read(two, "manifest.json").toString());
    expect(m.execution.workers).toBe(2);
    // Two workers: the main thread and one worker thread, both taking runs from the queue.
    const executors = new Set(m.runs.map((r: { executor: string }) => r.executor));
    expect(executors.size).toBe(2);
    expect(executors.has("local main thread")).toBe(true);
    // The timeline: every run says when its thread started and ended it, within the study's
    // span; the phases (read, runs, outputs) add up to no more than the study's wall time.
    const t0 = Date.parse(m.execution.started);
    for (const r of m.runs as { started: string; ended: string }[]) {
      expect(Date.parse(r.started)).toBeGreaterThanOrEqual(t0 - 1);
      expect(Date.parse(r.ended)).toBeGreaterThanOrEqual(Date.parse(r.started));
      expect(Date.parse(r.ended)).toBeLessThanOrEqual(t0 + m.execution.wall_s * 1000 + 1);
    }
    const { read_s, runs_s, outputs_s } = m.execution.phases;
    expect(runs_s).toBeGreaterThan(0);
    expect(read_s + runs_s + outputs_s).toBeLessThanOrEqual(m.execution.wall_s + 0.003);
    // One worker: the main thread alone, no worker thread started.
    const single = JSON.parse(read(one, "manifest.json").toString());
    expect(new Set(single.runs.map((r: { executor: string }) => r.executor))).toEqual(new Set(["local main thread"]));
    // Values a user can check against the protocol's known outcome (stc-model.md section 7):
    // STET on float64 ends with late LTP, WTET without a late phase.
    const rows = csv.trim().split("\n").slice(1).map((l) => l.split(","));
    const z = (model: string, target: string) => rows.filter((r) => r[2]!.endsWith(model) && r[3] === target).map((r) => Number(r[8]));
    for (const v of z("stet.yaml", "reference")) expect(v).toBeGreaterThan(0.6);
    for (const v of z("wtet.yaml", "reference")) expect(v).toBe(0);
  });

  it("a rerun of a finished study runs nothing and rewrites the same bytes", async () => {
    const before = read(one, "results.csv");
    expect(await run(one, "--workers", "2")).toBe(0);
    expect(JSON.parse(read(one, "manifest.json").toString()).execution.ran_now).toBe(0);
    expect(read(one, "results.csv").equals(before)).toBe(true);
  });

  it("killed with SIGKILL mid-way, a rerun runs only the missing runs and gives the same results.csv", async () => {
    const out = join(dir, "killed");
    const child = spawn(process.execPath, [resolve("bin/engram.js"), "study", study, "--out", out, "--workers", "1", "--quiet"], { stdio: "ignore", env: { ...process.env, CI: "true" } });
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    // Kill as soon as some runs are done but not all.
    await new Promise<void>((done, fail) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (doneRuns(out) >= 2) {
          clearInterval(poll);
          child.kill("SIGKILL");
          done();
        } else if (Date.now() - t0 > 240_000) {
          clearInterval(poll);
          child.kill("SIGKILL");
          fail(new Error("two runs did not finish within 240 s"));
        }
      }, 20);
    });
    await exited;
    const finished = doneRuns(out);
    expect(finished).toBeGreaterThanOrEqual(2);
    expect(finished).toBeLessThan(8);
    expect(existsSync(join(out, "results.csv"))).toBe(false);
    expect(await run(out, "--workers", "2")).toBe(0);
    expect(JSON.parse(read(out, "manifest.json").toString()).execution.ran_now).toBe(8 - finished);
    expect(read(out, "results.csv").equals(read(one, "results.csv"))).toBe(true);
  }, 400_000); // a whole process plus a rerun: generous for a loaded machine, a hang still fails

  it("a failing run is recorded with its error; the others complete; exit 1; --retry-failed tries it again", async () => {
    const f = join(dir, "fail.yaml");
    writeFileSync(f, `study: 1\nname: fail\nmodel: ${resolve("models/stc/wtet.yaml")}\ngrid:\n  target: [cmos]\n  rounding: [nearest]\n  bits: [4, 16]\n  seeds: { from: 1, to: 1 }\ncollect:\n  z: { trace: z }\n`);
    const out = join(dir, "fail");
    expect(await studyCommand(parseStudy([f, "--out", out, "--quiet"]))).toBe(1);
    const lines = read(out, "results.csv").toString().trim().split("\n");
    expect(lines[1]).toContain(",failed,");
    expect(lines[1]).toContain("cmos has no 4-bit state");
    expect(lines[2]).toMatch(/,ok,0,$/);
    expect(read(out, "summary.md").toString()).toContain("## Failures (1 of 2)");
    expect(await studyCommand(parseStudy([f, "--out", out, "--quiet", "--retry-failed"]))).toBe(1);
    expect(JSON.parse(read(out, "manifest.json").toString()).execution.ran_now).toBe(1);
  });
});
