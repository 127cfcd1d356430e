/**
 * engram analyze on a small synthetic run directory whose rates are set by hand: 20 excitatory
 * neurons (assembly 6, recall stimulates 3) and 5 inhibitory ones, a learning window at
 * [10.85, 11.35) s and a recall window at [19.85, 20.35) s. Expected values are derived in the
 * comments from the spike counts written here.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { analyseRun, readSpikesCsv } from "../../src/cli/analyze.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const BIN = resolve("bin/engram.js");
const root = mkdtempSync(join(tmpdir(), "engram-analyze-"));

const MANIFEST = { simulated_s: 21, neurons: [{ population: "exc", first: 0, count: 20 }, { population: "inh", first: 20, count: 5 }] };

/** `k` spikes of `neuron` spread inside [t0, t0 + 0.4). */
function burst(rows: [number, number][], neuron: number, k: number, t0: number) {
  for (let i = 0; i < k; i++) rows.push([t0 + 0.05 + (0.3 * i) / k, neuron]);
}

function syntheticRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const rows: [number, number][] = [];
  for (let n = 0; n < 25; n++) rows.push([5, n]); // background at 5 s: outside every window
  // Learning window [10.85, 11.35), 0.5 s: assembly 0-5 5 spikes (10 Hz), ctrl 6-12 1 spike (2 Hz),
  // ctrl 13-19 none, inhibitory 2 spikes (4 Hz). Neuron 19 fires at 11.35 exactly: excluded.
  for (let n = 0; n < 6; n++) burst(rows, n, 5, 10.85);
  for (let n = 6; n < 13; n++) burst(rows, n, 1, 10.85);
  for (let n = 20; n < 25; n++) burst(rows, n, 2, 10.85);
  rows.push([11.35, 19]);
  // Recall window [19.85, 20.35): as 0-2 10 spikes (20 Hz), ans 3-5 3 spikes (6 Hz), ctrl 6-12
  // 1 spike (2 Hz), 13-19 none -> nu_ctrl = 7 * 2 / 14 = 1 Hz; Q = (6 - 1) / 20 = 0.25.
  for (let n = 0; n < 3; n++) burst(rows, n, 10, 19.85);
  for (let n = 3; n < 6; n++) burst(rows, n, 3, 19.85);
  for (let n = 6; n < 13; n++) burst(rows, n, 1, 19.85);
  rows.sort((a, b) => a[0] - b[0]);
  writeFileSync(join(dir, "spikes.csv"), "time_s,neuron\n" + rows.map(([t, n]) => `${t.toFixed(4)},${n}`).join("\n") + "\n");
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(MANIFEST));
  // weights: 0->1 (CA->CA) h = h0 + 1, z = 0.5; 7->8 (ctrl->ctrl) at h0, z = 0.
  writeFileSync(join(dir, "weights.json"), JSON.stringify([{ t: 20, pre: [0, 7], post: [1, 8], h: [5.20075, 4.20075], z: [0.5, 0] }]));
}

describe("engram analyze", () => {
  const dir = join(root, "run");
  syntheticRun(dir);
  const r = spawnSync(process.execPath, [BIN, "analyze", dir, "--assembly", "6", "--recall-fraction", "0.5", "--learn", "11", "--recall", "20,28810"], { encoding: "utf8" });

  it("computes Q, rates and MI of the hand-built run and writes table and plots", () => {
    expect(r.status, r.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, "analysis.json"), "utf8"));
    expect(a.spikes_total).toBe(25 + 30 + 7 + 10 + 1 + 30 + 9 + 7);
    expect(a.options.recalled).toBe(3);
    expect(a.learning.nu_as).toBeCloseTo(10, 12);
    expect(a.learning.nu_ctrl).toBeCloseTo(1, 12); // 7 neurons at 2 Hz over 14
    expect(a.learning.nu_inh).toBeCloseTo(4, 12);
    const [rec, late] = a.recalls;
    expect(rec.Q).toBeCloseTo(0.25, 12);
    expect([rec.nu_as, rec.nu_ans, rec.nu_ctrl]).toEqual([20, 6, 1].map((x) => expect.closeTo(x, 12)));
    // Learning rates take 3 values over 20 neurons (10 Hz x6, 2 Hz x7, 0 x7) and are a function
    // of the recall rates, so MI = H(learning) = -(0.3 log2 0.3 + 2 * 0.35 log2 0.35) = 1.5813.
    expect(rec.mi_bits).toBeCloseTo(-(0.3 * Math.log2(0.3) + 0.7 * Math.log2(0.35)), 12);
    expect(rec.mi_bits).toBeCloseTo(1.5813, 4);
    // The run ends at 21 s: the 8 h recall is reported as skipped, with a warning.
    expect(late.skipped).toMatch(/after the run/);
    expect(late.Q).toBeUndefined();
    expect(r.stderr).toMatch(/recall at 28810 s skipped/);
    // weights.json: CA->CA w = 5.20075 + 4.20075 * 0.5, tagged (|h - h0| = 1 >= 0.84); ctrl->ctrl at h0.
    const cls = a.weights[0].classes;
    expect(cls[0].mean_w).toBeCloseTo(5.20075 + 0.5 * 4.20075, 12);
    expect(cls[0].tagged_fraction).toBe(1);
    expect(cls[3]).toMatchObject({ class: "ctrl->ctrl", count: 1, tagged_fraction: 0 });
    const md = readFileSync(join(dir, "analysis.md"), "utf8");
    expect(md).toContain("| 20 | 0.25 | 20 | 6 | 1 | 1.581 |");
    for (const f of ["raster.svg", "rates.svg"]) expect(readFileSync(join(dir, f), "utf8"), f).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it("quotes file, line and value of a malformed row", async () => {
    const bad = join(root, "bad");
    syntheticRun(bad);
    writeFileSync(join(bad, "spikes.csv"), "time_s,neuron\n1.0000,3\n2.5x00,4\n");
    await expect(analyseRun(bad, { assembly: 6, recall: [20] })).rejects.toThrow(/spikes\.csv:3[\s\S]*time_s is not a number: "2\.5x00"/);
    writeFileSync(join(bad, "spikes.csv"), "time_s,neuron\n1.0000,3\n1.5000,25\n");
    await expect(analyseRun(bad, { assembly: 6, recall: [20] })).rejects.toThrow(/spikes\.csv:3[\s\S]*neuron 25 is outside the manifest's 25 neurons/);
    writeFileSync(join(bad, "spikes.csv"), "time_s,neuron\n1.0000\n");
    await expect(analyseRun(bad, { assembly: 6, recall: [20] })).rejects.toThrow(/spikes\.csv:2[\s\S]*two fields/);
  });

  it("parses spikes.csv the same across chunk boundaries, CRLF and number forms", () => {
    // Expected values are what Number() gives for each field; rows outside [0, 100) are dropped.
    const rows = ["0.0002,1", "12.5,3", "1e-3,2", "-0.5,0", "3,4", "0.30000000000000004,5", "99.9999,6", "100.0000,7", "7.25,8"];
    const file = join(root, "chunks.csv");
    writeFileSync(file, "time_s,neuron\r\n" + rows.join("\r\n")); // CRLF, no final newline
    const kept = rows.map((r) => r.split(",").map(Number)).filter(([t]) => t! >= 0 && t! < 100);
    for (const chunk of [24, 64, 1 << 22]) {
      const s = readSpikesCsv(file, 10, [[0, 100]], chunk);
      expect(s.total, `chunk ${chunk}`).toBe(rows.length);
      expect(Array.from(s.times), `chunk ${chunk}`).toEqual(kept.map((r) => r[0]));
      expect(Array.from(s.neurons), `chunk ${chunk}`).toEqual(kept.map((r) => r[1]));
    }
    expect(() => readSpikesCsv(file, 10, [[0, 100]], 16)).toThrow(/longer than 16 bytes/); // "0.30000000000000004,5\r" is 22 bytes
    writeFileSync(file, "t,n\n1,2\n");
    expect(() => readSpikesCsv(file, 10, [[0, 100]])).toThrow(/chunks\.csv:1[\s\S]*header must be "time_s,neuron"/);
  });

  it("reports a missing manifest as a user error, not a crash", async () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    await expect(analyseRun(empty)).rejects.toBeInstanceOf(EngramError);
    expect(existsSync(join(empty, "analysis.json"))).toBe(false);
  });
});
