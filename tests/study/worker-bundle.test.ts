/**
 * The study worker's precompiled bundle (src/study/worker-bundle.ts): reused while its sources are
 * unchanged, rebuilt when one of them changes (simulated by changing the hash recorded for it),
 * and the bundled module finds its data files by their source paths (ir.proto, package.json).
 */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_CACHE, studyWorkerBundle } from "../../src/study/worker-bundle.ts";

describe("study worker bundle", () => {
  it("is reused while its sources are unchanged and rebuilt when one changes", async () => {
    const first = await studyWorkerBundle();
    const again = await studyWorkerBundle();
    expect(again).toEqual({ url: first.url, built: false });
    const currentFile = join(BUNDLE_CACHE, "current.json");
    const current = JSON.parse(readFileSync(currentFile, "utf8")) as { inputs: Record<string, { sha256: string; size: number; mtimeMs: number }> };
    // The bundle's inputs are the toolchain's sources, not only the study folder.
    expect(Object.keys(current.inputs)).toEqual(expect.arrayContaining(["src/study/worker.ts", "src/compiler/pipeline.ts", "targets/reference/executor.ts"]));
    // A file touched but not changed (new mtime, same content) keeps the bundle.
    current.inputs["src/compiler/pipeline.ts"]!.mtimeMs -= 1000;
    writeFileSync(currentFile, JSON.stringify(current));
    expect((await studyWorkerBundle()).built).toBe(false);
    // A changed file (new mtime and content) rebuilds it.
    current.inputs["src/study/worker.ts"] = { sha256: "0".repeat(64), size: 0, mtimeMs: 0 };
    writeFileSync(currentFile, JSON.stringify(current));
    const rebuilt = await studyWorkerBundle();
    expect(rebuilt.built).toBe(true);
    expect((await studyWorkerBundle()).built).toBe(false);
  }, 120_000);

  it("bundles a worker that runs a study run in this thread", async () => {
    const { url } = await studyWorkerBundle();
    const { default: work } = (await import(url)) as { default: (t: unknown) => Promise<{ status: string; error?: string; scalars: Record<string, number | null> }> };
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { resolve } = await import("node:path");
    const out = mkdtempSync(join(tmpdir(), "engram-bundle-"));
    const record = await work({
      spec: { id: "r0", index: 0, seed: 1, model: resolve("models/stc/stet.yaml"), modelLabel: "stet.yaml", target: "reference", params: {} },
      out,
      collect: { z_8h: { trace: "z", at: "8 h" } },
      atSeconds: { z_8h: 28800 },
      overrides: [],
      keep: [],
      executor: "test",
    });
    expect(record.error).toBeUndefined();
    expect(record.status).toBe("ok");
    // STET on float64 ends in late LTP (stc-model.md section 7).
    expect(record.scalars.z_8h).toBeGreaterThan(0.6);
    // The run's manifest carries the version read from package.json next to the sources.
    const manifest = JSON.parse(readFileSync(join(out, "runs", "r0", "manifest.json"), "utf8")) as { engram_version: string };
    expect(manifest.engram_version).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  }, 120_000);
});
