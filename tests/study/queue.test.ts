/**
 * The local study's run queue (src/study/queue.ts): one run of every grid point first, in grid
 * order; then runs of the grid point whose finished runs took longest; every run exactly once.
 */
import { describe, expect, it } from "vitest";
import { RunQueue } from "../../src/study/queue.ts";

const tasks = (points: string[], seeds: number) => points.flatMap((point) => Array.from({ length: seeds }, (_, s) => ({ spec: { point }, name: `${point}${s + 1}` })));

describe("run queue", () => {
  it("takes one run per grid point first, then the point with the longest mean time", () => {
    const q = new RunQueue(tasks(["a", "b", "c"], 3));
    const take = () => q.take()!.task;
    const first = [take(), take(), take()];
    expect(first.map((t) => t.name)).toEqual(["a1", "b1", "c1"]);
    // Before any run finished, the next ones follow grid order.
    expect(take().name).toBe("a2");
    q.finished(first[0]!, 0.01);
    // a is short; b and c, still running, may be long: they come first.
    expect(take().name).toBe("b2");
    q.finished(first[1]!, 0.3);
    expect(take().name).toBe("c2");
    q.finished(first[2]!, 0.1);
    // b is the longest: its runs next, then c, then a (the short ones last).
    expect([take(), take()].map((t) => t.name)).toEqual(["b3", "c3"]);
    expect(take().name).toBe("a3");
    expect(q.take()).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it("hands out every run once, with its position in the study's list", () => {
    const list = tasks(["p", "q"], 5);
    const q = new RunQueue(list);
    const seen: number[] = [];
    for (let t = q.take(), k = 0; t; t = q.take(), k++) {
      expect(list[t.at]).toBe(t.task);
      seen.push(t.at);
      q.finished(t.task, (k % 3) * 0.01);
    }
    expect(seen.sort((x, y) => x - y)).toEqual(list.map((_, i) => i));
  });

  it("ignores times that are not a duration", () => {
    const q = new RunQueue(tasks(["a", "b"], 2));
    const a1 = q.take()!.task, b1 = q.take()!.task;
    q.finished(a1, Number.NaN);
    q.finished(b1, 0.2);
    q.finished(a1, -1);
    // a has no valid time yet: it counts as longer than b (timed) and comes first.
    expect(q.take()!.task.name).toBe("a2");
    expect(q.take()!.task.name).toBe("b2");
  });
});

describe("run queue estimates", () => {
  it("says how long the next run is expected to take once its grid point has a time", () => {
    const q = new RunQueue(tasks(["a", "b"], 3));
    expect(q.nextSeconds()).toBeUndefined(); // a1: nothing known
    const a1 = q.take()!.task;
    q.take(); // b1
    expect(q.nextSeconds()).toBeUndefined(); // a2 or b2: still unknown
    q.finished(a1, 0.04);
    q.finished(a1, 0.06);
    expect(q.nextSeconds()).toBeUndefined(); // b (unknown, counts as long) comes first
    expect(q.take()!.task.name).toBe("b2");
    expect(q.take()!.task.name).toBe("b3");
    expect(q.nextSeconds()).toBeCloseTo(0.05, 12);
    expect(q.take()!.task.name).toBe("a2");
  });
});
