/** engram compare, as a user runs it, on the short deterministic basic-early model. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve("bin/engram.js");
const out = join(mkdtempSync(join(tmpdir(), "engram-compare-")), "cmp");

describe("engram compare", () => {
  const r = spawnSync(process.execPath, [BIN, "compare", "models/stc/basic-early.yaml", "--targets", "reference,cmos", "--rounding", "nearest,stochastic", "--out", out], { encoding: "utf8", env: { ...process.env, CI: "true" } });

  it("writes an error table and an overlay plot", () => {
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(join(out, "compare.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe("variant,variable,unit,max_abs_error,rmse,final_error,final_value,float64_final");
    expect(rows.length).toBe(1 + 2 * 4); // two variants x h, z, p, ca
    expect(readFileSync(join(out, "compare.svg"), "utf8")).toMatch(/^<svg/);
    expect(r.stdout).toContain("cmos stochastic");
  });

  it("the table carries the low-precision effect: nearest overshoots h, stochastic stays close", () => {
    const h = (variant: string) => {
      const row = readFileSync(join(out, "compare.csv"), "utf8").split("\n").find((l) => l.startsWith(`${variant},h,`))!;
      return Number(row.split(",")[5]); // final_error in mV
    };
    expect(h("cmos nearest")).toBeGreaterThan(0.05); // 12-bit h: LTP steps rounded up to a full LSB
    expect(Math.abs(h("cmos stochastic"))).toBeLessThan(h("cmos nearest") / 3);
  });

  it("--time-label start labels the plot's time axis with the start of each step; a bad label is a usage error", () => {
    const startOut = join(out, "..", "start");
    const ok = spawnSync(process.execPath, [BIN, "compare", "models/stc/basic-early.yaml", "--targets", "reference,cmos", "--rounding", "nearest", "--time-label", "start", "--out", startOut], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(join(startOut, "compare.svg"), "utf8")).toMatch(/^<svg/);
    const bad = spawnSync(process.execPath, [BIN, "compare", "models/stc/basic-early.yaml", "--time-label", "middle"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--time-label takes end or start, got "middle"');
  });

  it("rejects an unknown rounding mode as a usage error", () => {
    const bad = spawnSync(process.execPath, [BIN, "compare", "models/stc/basic-early.yaml", "--rounding", "up"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"up"');
  });
});
