/**
 * engram run --duration T and --no-plots (issue 14): the duration override runs the model for T,
 * bad values and stimuli or tasks past the shorter end are located errors (exit 1, no stack
 * trace); --no-plots writes every output but the SVG files.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../src/cli/main.ts";

const tmp = mkdtempSync(join(tmpdir(), "engram-duration-"));
const esn = resolve("tests/fixtures/reservoir/esn-small.yaml"); // 300 ms, 24 units, records x every 1 ms

/** main() in-process: its exit code and what it wrote to stderr. */
async function engram(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, stderr };
}
afterEach(() => vi.restoreAllMocks());

const rows = (out: string) => readFileSync(join(out, "traces.csv"), "utf8").trim().split("\n").length - 1;

describe("engram run --duration", () => {
  it("runs the model for the given time instead of its own, and the manifest says so", async () => {
    const out = join(tmp, "short");
    const r = await engram("run", esn, "--duration", "100 ms", "--out", out, "--no-plots");
    expect(r.code, r.stderr).toBe(0);
    expect(rows(out)).toBe(101); // samples at 0, 1, ..., 100 ms
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).simulated_s).toBeCloseTo(0.1, 12);
  }, 60_000);

  it("a value that is not a positive time is an error located at the option (exit 1, no stack trace)", async () => {
    for (const bad of ["abc", "5", "5 mV", "-1 s", "0 ms", "inf s"]) {
      const r = await engram("run", esn, `--duration=${bad}`, "--out", join(tmp, "bad"));
      expect(r.code, bad).toBe(1);
      expect(r.stderr, bad).toContain("command line at --duration: --duration must be a positive time");
      expect(r.stderr, bad).toContain("[bad-duration]");
      expect(r.stderr, bad).not.toMatch(/\n\s+at /); // no stack frames
    }
  }, 60_000);

  it("a stimulus that runs past the shorter end is an error located in the model file, naming --duration", async () => {
    const model = join(tmp, "pulse.yaml");
    writeFileSync(model, `engram: 1\nkind: network\nextends: ${esn}\nstimuli:\n  - { kind: current, target: res, input: I_in, amplitude: 0.5, start: 50 ms, stop: 200 ms }\n`);
    expect((await engram("run", model, "--out", join(tmp, "pulse-ok"), "--no-plots")).code).toBe(0); // fits the model's 300 ms
    const r = await engram("run", model, "--duration", "100 ms", "--out", join(tmp, "pulse"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pulse\.yaml:\d+:\d+ at stimuli\[0\]\.stop: stimulus ends after the end of the run \(duration 0\.1 s\) \[out-of-run\]/);
    expect(r.stderr).toContain("set by --duration");
  }, 60_000);

  it("readout tasks that need more samples than the shorter run are an error at the tasks block, naming --duration", async () => {
    const r = await engram("run", "models/reservoir/mackey-glass.yaml", "--duration", "1 s", "--out", join(tmp, "mg"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[out-of-run]");
    expect(r.stderr).toMatch(/mackey-glass\.yaml:\d+:\d+ at tasks\.test/);
    expect(r.stderr).toContain("set by --duration");
  }, 60_000);

  it("is refused for a compiled image, whose duration is fixed", async () => {
    const image = join(tmp, "esn.engram");
    expect((await engram("compile", esn, "--target", "cmos", "-o", image)).code).toBe(0);
    const r = await engram("run", image, "--duration", "100 ms", "--out", join(tmp, "img"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[bad-duration]");
  }, 60_000);
});

describe("engram run --no-plots", () => {
  it("writes the CSVs, the task outputs and the manifest, but no SVG; without it the plots are there", async () => {
    const model = join(tmp, "tasks.yaml");
    writeFileSync(model, `engram: 1\nkind: network\nextends: ${esn}\ntasks: { states: res.x, washout: 20, train: 150, test: 100, shifts: [1, 5] }\n`);
    const plain = join(tmp, "no-plots");
    const r = await engram("run", model, "--out", plain, "--no-plots");
    expect(r.code, r.stderr).toBe(0);
    const outputs: string[] = JSON.parse(readFileSync(join(plain, "manifest.json"), "utf8")).outputs;
    expect(outputs).toEqual(["traces.csv", "spikes.csv", "tasks.csv", "analysis.md", "manifest.json"]);
    for (const f of ["traces.svg", "spikes.svg", "tasks.svg"]) expect(existsSync(join(plain, f)), f).toBe(false);
    const full = join(tmp, "plots");
    expect((await engram("run", model, "--out", full)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(full, "manifest.json"), "utf8")).outputs).toEqual(["traces.csv", "spikes.csv", "traces.svg", "tasks.csv", "tasks.svg", "analysis.md", "manifest.json"]);
    // The same run otherwise: identical tables.
    for (const f of ["traces.csv", "tasks.csv"]) expect(readFileSync(join(plain, f), "utf8"), f).toBe(readFileSync(join(full, f), "utf8"));
  }, 60_000);
});
