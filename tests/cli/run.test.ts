/**
 * End to end, as a user runs it: the engram binary on a protocol model writes traces, spikes,
 * manifest and plots; the same seed gives the same bytes; bad input exits non-zero with a located
 * one-paragraph message and no stack trace.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve("bin/engram.js");
const tmp = mkdtempSync(join(tmpdir(), "engram-cli-"));

function engram(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("engram run", () => {
  const outA = join(tmp, "a");
  const outB = join(tmp, "b");
  const outC = join(tmp, "c");
  const a = engram("run", "models/stc/wtet.yaml", "--seed", "7", "--out", outA);
  const b = engram("run", "models/stc/wtet.yaml", "--seed", "7", "--out", outB);
  const c = engram("run", "models/stc/wtet.yaml", "--seed", "8", "--out", outC);

  it("writes traces.csv, spikes.csv, manifest.json and SVG plots", () => {
    expect(a.code, a.stderr).toBe(0);
    for (const f of ["traces.csv", "spikes.csv", "manifest.json", "traces.svg", "spikes.svg"]) expect(existsSync(join(outA, f)), f).toBe(true);
    const traces = readFileSync(join(outA, "traces.csv"), "utf8").split("\n");
    expect(traces[0]).toBe("time_s,h,z,p,ca");
    expect(traces[1]).toMatch(/^0\.0000,4\.2007/);
    expect(traces.filter((l) => l !== "").length).toBe(1 + 8 * 3600 + 1); // header + samples at 0..28800 s
    const spikes = readFileSync(join(outA, "spikes.csv"), "utf8").split("\n");
    expect(spikes[0]).toBe("time_s,neuron");
    expect(spikes[1]).toMatch(/^36\d\d\.\d{4},0$/); // first presynaptic spike during the tetanus at 3600 s
    expect(readFileSync(join(outA, "traces.svg"), "utf8")).toMatch(/^<svg/);
  });

  it("records provenance and timing in the manifest", () => {
    const m = JSON.parse(readFileSync(join(outA, "manifest.json"), "utf8"));
    expect(m.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.target).toBe("reference");
    expect(m.seed).toBe(7);
    expect(m.engram_version).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
    expect(m.simulated_s).toBe(28800);
    expect(m.wall_s).toBeGreaterThan(0);
    expect(m.wall_total_s).toBeGreaterThanOrEqual(m.wall_s);
    // traces.csv labels a row with the end of its step; the shift to start-of-step labels is stated
    expect(m.traces_csv.time_s).toContain("end of step");
    expect(m.traces_csv.time_s).toContain("time_s - dt_s");
  });

  it("same seed gives byte-identical outputs; another seed differs", () => {
    expect(b.code).toBe(0);
    for (const f of ["traces.csv", "spikes.csv", "traces.svg", "spikes.svg"]) {
      expect(readFileSync(join(outB, f)).equals(readFileSync(join(outA, f))), f).toBe(true);
    }
    expect(c.code).toBe(0);
    expect(readFileSync(join(outC, "spikes.csv")).equals(readFileSync(join(outA, "spikes.csv")))).toBe(false);
  });

  it("bad model: exit 1, located message, no stack trace", () => {
    const bad = join(tmp, "bad.yaml");
    writeFileSync(bad, `engram: 1\nkind: network\nextends: ${resolve("models/stc/stet.yaml")}\nduration: -8 h\n`);
    const r = engram("run", bad, "--out", join(tmp, "bad"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.yaml:4");
    expect(r.stderr).toContain("-8 h");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("missing file and bad options are user errors, not crashes", () => {
    const missing = engram("run", "models/stc/nope.yaml");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not found");
    const seed = engram("run", "models/stc/stet.yaml", "--seed", "abc");
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('"abc"');
    const target = engram("run", "models/stc/stet.yaml", "--target", "loihi");
    expect(target.code).toBe(1);
    expect(target.stderr).toContain("loihi");
  });
});
