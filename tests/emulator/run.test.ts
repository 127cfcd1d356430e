/**
 * engram run on an emulated chip, as a user runs it: the model is compiled to the chip's IR and
 * emulated; the outputs are the reference target's files plus the hardware facts in the manifest.
 * And the low-precision effect the tool exists to show, on basic-early with the CMOS chip's 12-bit
 * state: round-to-nearest overshoots the LTP episode (each 2.4e-3 mV step becomes a 3.8e-3 mV LSB),
 * stochastic rounding stays close to float64.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";

const BIN = resolve("bin/engram.js");
const tmp = mkdtempSync(join(tmpdir(), "engram-emu-"));
const engram = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CI: "true" } });
const lastH = (dir: string) => Number(readFileSync(join(dir, "traces.csv"), "utf8").trim().split("\n").at(-1)!.split(",")[1]);

describe("engram run --target cmos", () => {
  const float = join(tmp, "float"), stochastic = join(tmp, "stochastic"), nearest = join(tmp, "nearest");
  const runs = [engram("run", "models/stc/basic-early.yaml", "--out", float), engram("run", "models/stc/basic-early.yaml", "--target", "cmos", "--out", stochastic), engram("run", "models/stc/basic-early.yaml", "--target", "cmos", "--rounding", "nearest", "--out", nearest)];

  it("writes the same files as the reference target, with the hardware facts", () => {
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(stochastic, "manifest.json"), "utf8"));
    expect(m.target).toBe("cmos");
    expect(m.hardware.rounding).toBe("stochastic");
    expect(m.hardware.hardware_s).toBeCloseTo(0.2 / m.hardware.acceleration, 12);
    expect(readFileSync(join(stochastic, "traces.csv"), "utf8").split("\n")[0]).toBe("time_s,h,z,p,ca");
    expect(readFileSync(join(stochastic, "spikes.csv"), "utf8")).toBe(readFileSync(join(float, "spikes.csv"), "utf8"));
  });

  it("the manifest reports the emulator's saturation count (the same program run here directly)", () => {
    const program = compile("models/stc/basic-early.yaml", { target: "cmos" });
    const { ir } = compileFixed(program, getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
    const em = new Emulator(ir);
    em.run();
    const m = JSON.parse(readFileSync(join(stochastic, "manifest.json"), "utf8"));
    expect(m.hardware.saturations).toBe(em.stats.saturations);
  });

  it("stochastic rounding tracks float64; round-to-nearest overshoots", () => {
    const f = lastH(float), s = lastH(stochastic), n = lastH(nearest);
    expect(f).toBeCloseTo(4.233, 3);
    expect(n - f).toBeGreaterThan(0.05); // measured 4.387 - 4.233 = 0.154 mV
    expect(Math.abs(s - f)).toBeLessThan(Math.abs(n - f) / 3); // measured 0.011 mV
  });
});

describe("engram run --checkpoint-every / --resume", () => {
  const a = join(tmp, "ck-a"), b = join(tmp, "ck-b"), c = join(tmp, "ck-c");
  it("checkpointing does not change the run; resuming from a checkpoint reproduces it; a foreign checkpoint is refused", () => {
    expect(engram("run", "models/stc/wtet.yaml", "--target", "bss2", "--out", a).status).toBe(0);
    expect(engram("run", "models/stc/wtet.yaml", "--target", "bss2", "--checkpoint-every", "3600", "--out", b).status).toBe(0);
    expect(readFileSync(join(b, "traces.csv"), "utf8")).toBe(readFileSync(join(a, "traces.csv"), "utf8"));
    expect(engram("run", "models/stc/wtet.yaml", "--target", "bss2", "--resume", join(b, "checkpoint.json"), "--out", c).status).toBe(0);
    expect(readFileSync(join(c, "traces.csv"), "utf8")).toBe(readFileSync(join(a, "traces.csv"), "utf8"));
    const foreign = engram("run", "models/stc/stet.yaml", "--target", "bss2", "--resume", join(b, "checkpoint.json"), "--out", join(tmp, "ck-d"));
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain("cannot resume");
    expect(foreign.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("engram run FILE.engram", () => {
  it("runs a compiled image to the same bytes as running the model on the target; refuses a corrupt image", () => {
    const image = join(tmp, "wtet.engram");
    expect(engram("compile", "models/stc/wtet.yaml", "--target", "cmos", "--rounding", "stochastic", "-o", image).status).toBe(0);
    const fromImage = join(tmp, "img"), fromModel = join(tmp, "mdl");
    const r = engram("run", image, "--out", fromImage);
    expect(r.status, r.stderr).toBe(0);
    expect(engram("run", "models/stc/wtet.yaml", "--target", "cmos", "--out", fromModel).status).toBe(0);
    for (const f of ["traces.csv", "spikes.csv"]) expect(readFileSync(join(fromImage, f), "utf8")).toBe(readFileSync(join(fromModel, f), "utf8"));
    const bad = join(tmp, "bad.engram");
    writeFileSync(bad, Buffer.from("not an image at all"));
    const b = engram("run", bad, "--out", join(tmp, "bad"));
    expect(b.status).toBe(1);
    expect(b.stderr).toContain("bad.engram");
    expect(b.stderr).not.toMatch(/\n\s+at /);
  });
});
