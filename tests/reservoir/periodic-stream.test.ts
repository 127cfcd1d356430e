/**
 * The periodic stream (issue 14, conclusion 2 of the poster): a sum of sines against its formula,
 * seeded phases, the |u| <= 1 bound, and bad parameters as located errors.
 */
import { describe, expect, it } from "vitest";
import { makeStream, StreamError } from "../../src/compiler/rate/streams.ts";
import { planTasks } from "../../src/analysis/tasks/check.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { esnModelWriter } from "../helpers/esn-model.ts";

describe("periodic stream", () => {
  it("given phases: u(t) = sum a_i sin(2 pi t / P_i + phi_i) / sum |a_i|, hand-computed at t = 0 and t = 1", () => {
    const s = makeStream({ periodic: { periods: [4, 8], amplitudes: [1, -3], phases: [0, Math.PI / 2] } }, 9, 1);
    expect(s.channels).toBe(1);
    expect(s.names).toEqual(["sin"]);
    // t = 0: (1 sin 0 - 3 sin(pi/2)) / 4 = -0.75; t = 1: (sin(pi/2) - 3 sin(pi/4 + pi/2)) / 4.
    expect(s.values[0]).toBeCloseTo(-0.75, 15);
    expect(s.values[1]).toBeCloseTo((1 - 3 * Math.SQRT1_2) / 4, 15);
    // Period 8 overall: the series repeats exactly after 8 samples.
    expect(s.values[8]).toBeCloseTo(s.values[0]!, 12);
  });
  it("drawn phases: same seed same series, another seed another series; the stream's own seed wins over the network seed", () => {
    const a = makeStream({ periodic: { periods: [5, 17, 50] } }, 500, 3).values;
    const b = makeStream({ periodic: { periods: [5, 17, 50] } }, 500, 3).values;
    const c = makeStream({ periodic: { periods: [5, 17, 50] } }, 500, 4).values;
    const d = makeStream({ periodic: { periods: [5, 17, 50], seed: 3 } }, 500, 4).values;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(d)).toEqual(Array.from(a));
    for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    // The scaling does not depend on the length: a longer series starts with the shorter one.
    expect(Array.from(makeStream({ periodic: { periods: [5, 17, 50] } }, 1000, 3).values.subarray(0, 500))).toEqual(Array.from(a));
  });
  it("noise: added after the scaling with SD `noise`, seeded; the clean part is unchanged", () => {
    const clean = makeStream({ periodic: { periods: [7], phases: [0] } }, 20000, 2).values;
    const noisy = makeStream({ periodic: { periods: [7], phases: [0], noise: 0.5 } }, 20000, 2).values;
    let m = 0, v = 0;
    for (let t = 0; t < clean.length; t++) m += noisy[t]! - clean[t]!;
    m /= clean.length;
    for (let t = 0; t < clean.length; t++) v += (noisy[t]! - clean[t]! - m) ** 2;
    expect(Math.sqrt(v / clean.length)).toBeCloseTo(0.5, 1);
    expect(Math.abs(m)).toBeLessThan(0.02);
  });
  it("amplitudes or phases of the wrong length, or all-zero amplitudes, are StreamErrors naming the counts", () => {
    expect(() => makeStream({ periodic: { periods: [5, 17], amplitudes: [1] } }, 10, 1)).toThrow(StreamError);
    expect(() => makeStream({ periodic: { periods: [5, 17], amplitudes: [1] } }, 10, 1)).toThrow(/periodic.amplitudes lists 1 value\(s\) for 2 period\(s\)/);
    expect(() => makeStream({ periodic: { periods: [5], phases: [0, 1] } }, 10, 1)).toThrow(/periodic.phases lists 2/);
    expect(() => makeStream({ periodic: { periods: [5], amplitudes: [0] } }, 10, 1)).toThrow(/all 0/);
  });

  const write = esnModelWriter("periodic");
  const model = (source: string) => write(301, source, " { states: res.x, washout: 10, train: 200, test: 80, shifts: [1, 5] }");
  const diagnostics = (file: string) => {
    try {
      planTasks(compile(file, { target: "reference" }));
    } catch (e) {
      if (e instanceof EngramError) return e.diagnostics;
      throw e;
    }
    return [];
  };
  it("a model file with a periodic stream plans its tasks on the series", () => {
    const plan = planTasks(compile(model("{ periodic: { periods: [5, 17], seed: 2 } }"), { target: "reference" }));
    expect(Array.from(plan.stream.values)).toEqual(Array.from(makeStream({ periodic: { periods: [5, 17] } }, 301, 2).values));
  });
  it("bad periodic parameters are located errors at the stimulus's source", () => {
    const f = model("{ periodic: { periods: [5, 17], phases: [0] } }");
    const d = diagnostics(f).find((x) => x.code === "bad-stream");
    expect(d?.message).toMatch(/periodic.phases lists 1 value\(s\) for 2 period\(s\)/);
    expect(d?.where?.file).toBe(f);
    expect(d?.where?.path).toEqual(["stimuli", 0, "source"]);
    // A period of one sample or less is aliased: refused by the schema, located at the value.
    const g = model("{ periodic: { periods: [5, 1] } }");
    const e = diagnostics(g)[0];
    expect(e?.where?.file).toBe(g);
    expect(e?.where?.path).toEqual(["stimuli", 0, "source", "periodic", "periods", 1]);
  });
});
