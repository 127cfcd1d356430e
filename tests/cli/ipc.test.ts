/** engram ipc (issue 15): capacity table, plot and manifest of a reservoir model; located errors for bad options. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { captureOutput } from "../helpers/capture-output.ts";

const out = captureOutput();
const tmp = mkdtempSync(join(tmpdir(), "engram-ipc-"));
const MG = "models/reservoir/mackey-glass.yaml";

describe("engram ipc", () => {
  it("writes the capacity per degree (csv, md), the kept basis functions, a stacked bar plot and a manifest", { timeout: 180_000 }, async () => {
    const dir = join(tmp, "mg");
    const code = await main(["ipc", MG, "--samples", "2000", "--max-delay", "20", "--max-degree", "3", "--out", dir]);
    expect(code, out.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["ipc-terms.csv", "ipc.csv", "ipc.md", "ipc.svg", "manifest.json"]);
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(m.capacity_by_degree).toHaveLength(3);
    expect(m.total).toBeCloseTo(m.capacity_by_degree.reduce((a: number, b: number) => a + b, 0), 9);
    expect(m.total).toBeGreaterThan(5);
    expect(m.total).toBeLessThanOrEqual(m.rank);
    expect(m.capacity_by_degree[1]).toBe(0); // tanh without bias: no even-degree capacity
    const csv = readFileSync(join(dir, "ipc.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("degree,capacity,terms");
    expect(Number(csv[1]!.split(",")[1])).toBeCloseTo(m.capacity_by_degree[0], 9);
    const terms = readFileSync(join(dir, "ipc-terms.csv"), "utf8").trim().split("\n").slice(1);
    const deg1 = terms.filter((l) => l.startsWith("1,")).reduce((s, l) => s + Number(l.split(",")[3]), 0);
    expect(deg1).toBeCloseTo(m.capacity_by_degree[0], 9);
    // state row k follows u(k): the input of the same sample is almost fully recoverable (a row
    // shifted by one step would put this capacity at delay 1 and leave delay 0 empty)
    expect(Number(terms.find((l) => l.startsWith("1,0,1,"))!.split(",")[3])).toBeGreaterThan(0.95);
    expect(readFileSync(join(dir, "ipc.svg"), "utf8")).toContain("<svg");
    // same seed, same result
    expect(await main(["ipc", MG, "--samples", "2000", "--max-delay", "20", "--out", join(tmp, "mg2")])).toBe(0);
    expect(readFileSync(join(tmp, "mg2", "ipc-terms.csv"), "utf8")).toBe(readFileSync(join(dir, "ipc-terms.csv"), "utf8"));
  });

  it("bad options are located errors (exit 1 or 2), never a stack trace", async () => {
    expect(await main(["ipc", MG, "--states", "res.nope", "--out", join(tmp, "x1")])).toBe(1);
    expect(out.stderr).toContain('no state variable "nope"');
    expect(await main(["ipc", "models/examples/heterogeneous-lif.yaml", "--out", join(tmp, "x2")])).toBe(1);
    expect(out.stderr).toContain("--input");
    expect(await main(["ipc", MG, "--washout", "10", "--max-delay", "50"])).toBe(2);
    expect(await main(["ipc", MG, "--input-scale", "abc", "--out", join(tmp, "x3")])).toBe(1);
    expect(out.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
