/**
 * The local pool's split of work (src/study/execute-local.ts): the main thread compiles the runs
 * it hands to the worker thread, which runs the compiled program; a run whose model does not
 * compile is recorded as failed by the main thread, with the compiler's located error, and the
 * other runs complete on both threads.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runLocal, startHelpers } from "../../src/study/execute-local.ts";
import type { RunTask } from "../../src/study/run-one.ts";

describe("local pool", () => {
  it("runs compiled programs on the worker thread; a model that does not compile fails on the main thread", async () => {
    const out = mkdtempSync(join(tmpdir(), "engram-execute-local-"));
    const task = (index: number, model: string): RunTask => ({
      spec: { id: `r${index}`, index, seed: index + 1, model, modelLabel: model, target: "reference", params: {}, replicate: index + 1, point: "p" },
      out,
      collect: { z_8h: { trace: "z", at: "8 h" } },
      atSeconds: { z_8h: 28800 },
      overrides: [],
      keep: [],
      executor: "local",
    });
    const stet = resolve("models/stc/stet.yaml");
    const missing = join(out, "no-such-model.yaml");
    // Run 0 goes to the main thread (it takes the first run at once), run 1 to the worker
    // thread's first lane: its compile, on the main thread, fails.
    const tasks = [task(0, stet), task(1, missing), ...[2, 3, 4, 5, 6, 7].map((i) => task(i, stet))];
    const helpers = (await startHelpers(1))!;
    try {
      await helpers.ready;
      const records = await runLocal(tasks, helpers);
      expect(records.map((r) => r.index)).toEqual(tasks.map((t) => t.spec.index));
      const failed = records[1]!;
      expect(failed.status).toBe("failed");
      expect(failed.executor).toBe("local main thread");
      expect(failed.error).toContain("no-such-model.yaml");
      const ok = records.filter((r) => r.index !== 1);
      for (const r of ok) {
        expect(r.status).toBe("ok");
        // STET on float64 ends in late LTP (stc-model.md section 7).
        expect(r.scalars.z_8h).toBeGreaterThan(0.6);
      }
      // Both threads ran runs.
      expect(new Set(ok.map((r) => r.executor.replace(/ \d+$/, "")))).toEqual(new Set(["local main thread", "local worker"]));
      // The worker thread holds several runs at once but runs them one after another: each run's
      // clocks cover it alone, so its runs' [started, ended] do not overlap (they did when piscina
      // started the runs in hand back to back, each timing all of them).
      const spans = ok.filter((r) => r.executor.startsWith("local worker")).map((r) => [Date.parse(r.started!), Date.parse(r.ended!)] as const).sort((a, b) => a[0] - b[0]);
      expect(spans.length).toBeGreaterThan(1);
      for (let k = 1; k < spans.length; k++) expect(spans[k]![0]).toBeGreaterThanOrEqual(spans[k - 1]![1]);
    } finally {
      await helpers.pool.destroy();
    }
  }, 240_000);
});
