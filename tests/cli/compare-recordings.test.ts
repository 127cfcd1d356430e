/**
 * engram compare and the model's recordings: a multi-element recording named with `as:` is the same
 * column on the chips as on the float64 reference (the emulator used to name it `group.var[i]`
 * and compare read a missing column: exit 70), and a model that records nothing is a located
 * refusal instead of a crash.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve("bin/engram.js");
const SMALL = resolve("models/stc/memory-network-small.yaml");

function modelWith(dir: string, recordings: string): string {
  const file = join(dir, "model.yaml");
  // the small network for 50 ms, background only
  writeFileSync(file, `engram: 1\nkind: network\nextends: ${SMALL}\nname: cmp-recordings\nduration: 50 ms\nstimuli: []\nphases:\n  - { name: background, start: 0 s }\nrecordings: ${recordings}\n`);
  return file;
}

describe("engram compare and recordings", () => {
  it("a recording of two elements named with as: gets the same column names on cmos as on float64", () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-cmp-rec-"));
    const model = modelWith(dir, "\n  - { var: exc.V, as: vm, elements: [0, 100], every: 1 ms }");
    const r = spawnSync(process.execPath, [BIN, "compare", model, "--targets", "reference,cmos", "--rounding", "nearest", "--out", join(dir, "cmp")], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(join(dir, "cmp", "compare.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows.map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["cmos nearest,vm[0]", "cmos nearest,vm[100]"]);
    for (const l of rows) expect(Number.isFinite(Number(l.split(",")[3]))).toBe(true);
  }, 120_000);

  it("a model that records nothing is refused with exit 1, naming the file, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-cmp-rec-"));
    const model = modelWith(dir, "[]");
    const r = spawnSync(process.execPath, [BIN, "compare", model, "--targets", "reference,cmos", "--out", join(dir, "cmp")], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("records no variable");
    expect(r.stderr).toContain("model.yaml");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(dir, "cmp"))).toBe(false);
  }, 60_000);
});
