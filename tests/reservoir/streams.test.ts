/** Input streams (issue 14): Mackey-Glass against its exact solution and a finer step, AR(1) channels, CSV errors. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mackeyGlass, MG_DEFAULTS, scaleToUnit } from "../../src/compiler/rate/mackey-glass.ts";
import { arChannels, readCsvStream, StreamError } from "../../src/compiler/rate/streams.ts";

describe("Mackey-Glass (tau = 17, beta 0.2, gamma 0.1, n 10, x0 1.2)", () => {
  const x = mackeyGlass(MG_DEFAULTS, 1001);
  it("matches the exact solution while the delayed value is the constant history (t <= 17)", () => {
    // For t <= tau, x(t - tau) = 1.2, so dx/dt = c - gamma x with c = 0.2 * 1.2 / (1 + 1.2^10):
    // x(t) = c/gamma + (1.2 - c/gamma) exp(-gamma t). RK4's error per step on this linear ODE is
    // z^5/120 of |x - c/gamma| (< 1.2) with z = gamma h = 0.01: over 170 steps below 2e-10.
    const c = (0.2 * 1.2) / (1 + 1.2 ** 10);
    for (let t = 0; t <= 17; t++) expect(Math.abs(x[t]! - (c / 0.1 + (1.2 - c / 0.1) * Math.exp(-0.1 * t)))).toBeLessThan((170 * 0.01 ** 5 / 120) * 1.2);
  });
  it("agrees with a 10x finer step to 2e-4 over the first 300 time units (interpolation error O(h^2))", () => {
    const fine = mackeyGlass({ ...MG_DEFAULTS, step: 0.01 }, 301);
    for (let t = 0; t <= 300; t++) expect(Math.abs(x[t]! - fine[t]!)).toBeLessThan(2.5e-4);
  });
  it("stays on the tau = 17 attractor, x in (0.4, 1.35) after the transient", () => {
    const tail = x.subarray(300);
    expect(Math.min(...tail)).toBeGreaterThan(0.4);
    expect(Math.max(...tail)).toBeLessThan(1.35);
    expect(Math.max(...tail) - Math.min(...tail)).toBeGreaterThan(0.8); // chaotic, not a fixed point
  });
  it("min-max scaling maps to [-1, 1]", () => {
    const s = scaleToUnit(x.subarray(300));
    expect(Math.min(...s)).toBe(-1);
    expect(Math.max(...s)).toBe(1);
  });
});

describe("partially predictable channels", () => {
  it("AR(1) channels: unit variance, lag-1 correlation rho_k, same seed same series", () => {
    const s = arChannels(3, [0, 0.5, 0.9], 4, 40000);
    for (let k = 0; k < 3; k++) {
      let m = 0, v = 0, c = 0;
      for (let t = 0; t < s.length; t++) m += s.values[t * 3 + k]!;
      m /= s.length;
      for (let t = 0; t < s.length; t++) v += (s.values[t * 3 + k]! - m) ** 2;
      for (let t = 1; t < s.length; t++) c += (s.values[t * 3 + k]! - m) * (s.values[(t - 1) * 3 + k]! - m);
      expect(v / s.length).toBeCloseTo(1, 1);
      expect(c / v).toBeCloseTo([0, 0.5, 0.9][k]!, 1);
    }
    expect(Array.from(arChannels(3, [0, 0.5, 0.9], 4, 100).values)).toEqual(Array.from(s.values.subarray(0, 300)));
  });
});

describe("CSV streams", () => {
  const dir = mkdtempSync(join(tmpdir(), "engram-csv-"));
  const csv = (text: string) => {
    const f = join(dir, `s${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(f, text);
    return f;
  };
  it("reads the named columns in order", () => {
    const s = readCsvStream(csv("a,b,c\n1,2,3\n4,5,6\n"), ["c", "a"], 2);
    expect(Array.from(s.values)).toEqual([3, 1, 6, 4]);
    expect(s.names).toEqual(["c", "a"]);
  });
  it.each([
    ["a,b\n1,x\n", ["a", "b"], 1, /:2: column "b" holds "x"/],
    ["a,b\n1,2\n", ["z"], 1, /no column "z"/],
    ["a\n1\n", undefined, 5, /1 data row\(s\), the run needs 5/],
    ["a\n1,\n\n", undefined, 1, null],
  ])("bad file %#: a StreamError quoting the problem", (text, cols, n, re) => {
    if (re === null) {
      expect(Array.from(readCsvStream(csv(text as string), cols as string[] | undefined, n as number).values)).toEqual([1]);
      return;
    }
    expect(() => readCsvStream(csv(text as string), cols as string[] | undefined, n as number)).toThrow(StreamError);
    expect(() => readCsvStream(csv(text as string), cols as string[] | undefined, n as number)).toThrow(re as RegExp);
  });
});

describe("Mackey-Glass series are integrated once per process", () => {
  it("a repeated call returns the same values in a fresh array (callers scale it in place)", () => {
    const a = mackeyGlass({ ...MG_DEFAULTS, tau: 23 }, 500);
    const b = mackeyGlass({ ...MG_DEFAULTS, tau: 23 }, 500);
    expect(b).not.toBe(a);
    expect(Array.from(b)).toEqual(Array.from(a));
    a.fill(0);
    expect(Array.from(mackeyGlass({ ...MG_DEFAULTS, tau: 23 }, 500))).toEqual(Array.from(b));
    expect(mackeyGlass({ ...MG_DEFAULTS, tau: 30 }, 500)[400]).not.toBe(b[400]); // another tau, another series
  });
});
