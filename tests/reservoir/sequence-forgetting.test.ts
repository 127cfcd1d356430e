/**
 * Mackey-Glass subtasks in sequence and forgetting (issue 14): the sequence stream's segment
 * boundaries, the window fits and forgetting against a hand-computed case, and bad sequence and
 * window specs as located errors.
 */
import { describe, expect, it } from "vitest";
import { makeStream, StreamError, type StreamSource } from "../../src/compiler/rate/streams.ts";
import { evaluateWindows } from "../../src/analysis/tasks/windows.ts";
import { planTasks, type TaskPlan } from "../../src/analysis/tasks/check.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { esnModelWriter } from "../helpers/esn-model.ts";

const mg = (tau: number) => ({ mackey_glass: { tau, beta: 0.2, gamma: 0.1, n: 10, x0: 1.2, step: 0.1, drop: 300 } });

describe("sequence stream", () => {
  it("segments follow each other at the declared boundaries; a repeated source continues its series under one scaling", () => {
    const src: StreamSource = { sequence: [{ source: mg(17), samples: 100, from: 0 }, { source: mg(23), samples: 50, from: 0 }, { source: mg(17), samples: 30, from: 100 }] };
    const s = makeStream(src, 180, 1);
    const a = makeStream(mg(17), 130, 1).values; // the tau = 17 series, generated once for rows 0..129
    const b = makeStream(mg(23), 50, 1).values;
    expect(s.length).toBe(180);
    expect(s.names).toEqual(["mg"]);
    expect(Array.from(s.values.subarray(0, 100))).toEqual(Array.from(a.subarray(0, 100)));
    expect(Array.from(s.values.subarray(100, 150))).toEqual(Array.from(b));
    expect(Array.from(s.values.subarray(150, 180))).toEqual(Array.from(a.subarray(100, 130)));
    // The boundaries are real switches: the last row of segment 0 is not the first of segment 1.
    expect(s.values[99]).not.toBe(s.values[100]);
    // The switches are kept for the window checks: rows 100 and 150.
    expect(s.segments).toEqual([100, 150]);
  });
  it("the run uses the first `length` rows; a later segment may be cut", () => {
    const s = makeStream({ sequence: [{ source: mg(17), samples: 10, from: 0 }, { source: mg(30), samples: 10, from: 0 }] }, 15, 1);
    expect(Array.from(s.values.subarray(10, 15))).toEqual(Array.from(makeStream(mg(30), 10, 1).values.subarray(0, 5)));
  });
  it("too few samples and mismatched channel counts are StreamErrors naming the numbers", () => {
    expect(() => makeStream({ sequence: [{ source: mg(17), samples: 10, from: 0 }] }, 11, 1)).toThrow(/10 samples in all, the run needs 11/);
    expect(() => makeStream({ sequence: [{ source: mg(17), samples: 10, from: 0 }, { source: { channels: { count: 2 } }, samples: 10, from: 0 }] }, 20, 1)).toThrow(StreamError);
    expect(() => makeStream({ sequence: [{ source: mg(17), samples: 10, from: 0 }, { source: { channels: { count: 2 } }, samples: 10, from: 0 }] }, 20, 1)).toThrow(/segment 1 has 2 channel\(s\), segment 0 has 1/);
  });
});

describe("window fits and forgetting, hand-computed", () => {
  // Stream u (13 rows). The one "state" at sample i (tick 1 + i) is u(i + 1) for i < 8 and
  // 2 u(i + 1) from i = 8 on (the network "changed"). Task: shift 1, power 1.
  //  - train [0, 4): x = targets u(1..4) = 1, 2, 3, 4, so ridge 0 gives w = 1, bias 0;
  //  - test [4, 6): prediction = target, R² = 1;
  //  - retest [8, 12): targets u(9..12) = 1, -1, 1, -1 (mean 0, SS_tot = 4); predictions
  //    2, -2, 2, -2, residuals 1, -1, 1, -1 (SS_res = 4): R² = 1 - 4/4 = 0;
  //  - forgetting = 1 - 0 = 1.
  const u = Float64Array.from([0, 1, 2, 3, 4, 5, 7, 6, 9, 1, -1, 1, -1]);
  const ticks = Float64Array.from({ length: 14 }, (_, t) => t);
  const x = Float64Array.from(ticks, (t) => (t === 0 ? 0 : t - 1 < 8 ? u[t]! : 2 * u[t]!));
  const plan: TaskPlan = {
    tasks: {
      states: "res.x", stream: 0, washout: 0, train: 4, test: 2, ridge: 0, shifts: [1], powers: [1], where: {},
      windows: [
        { name: "a", train: [0, 4], test: [4, 6], retest: [8, 12], where: { file: "x", path: [] } },
        { name: "b", train: [0, 4], test: [8, 12], where: { file: "x", path: [] } },
        { name: "c", train: [0, 4], test: [4, 6], retest: [9, 12], where: { file: "x", path: [] } },
      ],
    },
    recording: 0,
    stream: { kind: "stream", target: "res", neurons: Int32Array.from([0]), startTick: 0, stopTick: 13, input: "I_in", channels: 1, names: ["u"], values: u, weights: Float64Array.from([1]) },
    channels: [0],
    length: 13,
  };
  const [a, b, c] = evaluateWindows(plan, { ticks, columns: [x] });
  it("R² 1 on the test window, 0 on the retest window, forgetting 1", () => {
    expect(a!.name).toBe("a");
    expect(a!.r2).toBeCloseTo(1, 10);
    expect(a!.retest_r2).toBeCloseTo(0, 10);
    expect(a!.forgetting).toBeCloseTo(1, 10);
    expect(a!.tasks[0]).toMatchObject({ shift: 1, power: 1 });
  });
  it("clipped forgetting: R² below 0 counts as 0, so a retest worse than the mean gives 1, not more", () => {
    // Window c's retest [9, 12): targets u(10..12) = -1, 1, -1 (mean -1/3, SS_tot = 24/9);
    // predictions 2u = -2, 2, -2, residuals 1, 1, 1 (SS_res = 3): R² = 1 - 27/24 = -0.125.
    expect(c!.retest_r2).toBeCloseTo(-0.125, 10);
    expect(c!.forgetting).toBeCloseTo(1.125, 10);
    expect(c!.forgetting_clipped).toBeCloseTo(1, 10);
    expect(c!.r2_clipped).toBeCloseTo(1, 10);
    expect(c!.retest_r2_clipped).toBe(0);
    // Window a's retest has R² 0 exactly: both measures give 1.
    expect(a!.forgetting_clipped).toBeCloseTo(1, 10);
    expect(a!.tasks[0]!.forgetting_clipped).toBeCloseTo(1, 10);
  });
  it("a window without retest has no forgetting; its test score is the same frozen readout's", () => {
    expect(b!.retest_r2).toBeNull();
    expect(b!.forgetting).toBeNull();
    expect(b!.forgetting_clipped).toBeNull();
    expect(b!.r2).toBeCloseTo(0, 10);
  });
});

describe("the sequence model and bad window specs", () => {
  it("mackey-glass-sequence.yaml: 9001 samples, the switches at 2500, 5000, 7500, the repeated subtask continuing subtask 1's series", () => {
    const plan = planTasks(compile("models/reservoir/mackey-glass-sequence.yaml", { target: "reference" }));
    const v = plan.stream.values;
    expect(plan.length).toBe(9001);
    const first = makeStream(mg(17), 4001, 1).values;
    expect(Array.from(v.subarray(0, 2500))).toEqual(Array.from(first.subarray(0, 2500)));
    expect(Array.from(v.subarray(2500, 5000))).toEqual(Array.from(makeStream(mg(23), 2500, 1).values));
    expect(Array.from(v.subarray(5000, 7500))).toEqual(Array.from(makeStream(mg(30), 2500, 1).values));
    expect(Array.from(v.subarray(7500, 9001))).toEqual(Array.from(first.subarray(2500, 4001)));
    expect(plan.tasks.windows!.map((w) => w.name)).toEqual(["mg17", "mg23", "mg30", "mg17-again"]);
  });

  const write = esnModelWriter("windows");
  const model = (source: string, windows: string) => write(401, source, `
  states: res.x
  washout: 10
  train: 100
  test: 50
  shifts: [-2, 5]
  windows:
${windows}`);
  const seq = "{ sequence: [{ source: { mackey_glass: { tau: 17 } }, samples: 200 }, { source: { mackey_glass: { tau: 30 } }, samples: 201 }] }";
  const fails = (file: string, code: string, path: (string | number)[], text: RegExp) => {
    try {
      planTasks(compile(file, { target: "reference" }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EngramError);
      const d = (e as EngramError).diagnostics.find((x) => x.code === code && text.test(x.message));
      expect(d, JSON.stringify((e as EngramError).diagnostics.map((x) => x.message))).toBeDefined();
      expect(d!.where?.file).toBe(file);
      expect(d!.where?.path).toEqual(path);
    }
  };
  it("a good sequence with windows plans", () => {
    const plan = planTasks(compile(model(seq, "    - { name: a, train: [2, 150], test: [150, 190], retest: [300, 390] }"), { target: "reference" }));
    expect(plan.tasks.windows![0]!.retest).toEqual([300, 390]);
  });
  it("a sequence shorter than the run", () =>
    fails(model("{ sequence: [{ source: { mackey_glass: { tau: 17 } }, samples: 400 }] }", "    - { name: a, train: [2, 150], test: [150, 190] }"), "bad-stream", ["stimuli", 0, "source"], /400 samples in all, the run needs 401/));
  it("targets past the stream's end", () => fails(model(seq, "    - { name: a, train: [2, 150], test: [150, 190], retest: [300, 399] }"), "bad-window", ["tasks", "windows", 0], /retest \[300, 399\) with the largest shift 5 needs 404/));
  it("a memory shift before the first sample", () => fails(model(seq, "    - { name: a, train: [0, 150], test: [150, 190] }"), "bad-window", ["tasks", "windows", 0], /shift -2 looks back/));
  it("an empty range, test before train, retest before test, too few train samples", () => {
    const f = model(seq, "    - { name: a, train: [2, 150], test: [190, 150] }\n    - { name: b, train: [20, 150], test: [100, 190] }\n    - { name: c, train: [2, 150], test: [150, 190], retest: [160, 200] }\n    - { name: d, train: [2, 10], test: [150, 190] }");
    fails(f, "bad-window", ["tasks", "windows", 0], /test \[190, 150\) is empty/);
    fails(f, "bad-window", ["tasks", "windows", 1], /starts before train/);
    fails(f, "bad-window", ["tasks", "windows", 2], /retest \[160, 200\) starts before test/);
    fails(f, "bad-window", ["tasks", "windows", 3], /train has 8 samples/);
  });
  it("a window whose shifted targets cross a switch of the sequence is refused, naming the switch and a fix", () => {
    // The switch is at sample 200. test [150, 196) with shift 5 targets rows up to 200.
    const f = model(seq, "    - { name: a, train: [2, 150], test: [150, 196] }");
    fails(f, "bad-window", ["tasks", "windows", 0], /test \[150, 196\) with shifts -2\.\.5 reads stream rows 148\.\.200, across the sequence's switch at sample 200/);
    try {
      planTasks(compile(f, { target: "reference" }));
    } catch (e) {
      expect((e as EngramError).diagnostics.find((x) => x.code === "bad-window")!.hint).toBe("end test at 195 or earlier, or start it at 202 or later");
    }
    // One sample earlier it plans (the targets end at row 199).
    expect(planTasks(compile(model(seq, "    - { name: a, train: [2, 150], test: [150, 195] }"), { target: "reference" })).tasks.windows).toHaveLength(1);
  });
  it("a memory shift reaching back across a switch is refused too", () =>
    fails(model(seq, "    - { name: a, train: [2, 150], test: [150, 190], retest: [201, 300] }"), "bad-window", ["tasks", "windows", 0], /retest \[201, 300\) with shifts -2\.\.5 reads stream rows 199\.\.304, across the sequence's switch at sample 200/));
  it("a stream without segments has no switches: a window anywhere in it plans", () => {
    const plan = planTasks(compile(model("{ mackey_glass: { tau: 17 } }", "    - { name: a, train: [2, 150], test: [150, 260] }"), { target: "reference" }));
    expect(plan.stream.segments).toBeUndefined();
  });
  it("two windows with one name", () => fails(model(seq, "    - { name: a, train: [2, 150], test: [150, 190] }\n    - { name: a, train: [2, 150], test: [150, 190] }"), "bad-window", ["tasks", "windows", 1], /used by an earlier window/));
});
