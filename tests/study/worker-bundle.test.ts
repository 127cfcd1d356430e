/**
 * The study worker's precompiled bundle (src/study/worker-bundle.ts): reused while its sources are
 * unchanged, rebuilt when one of them changes (simulated by changing the hash recorded for it);
 * what a worker thread loads leaves out the compiler's front end (the main thread compiles); and
 * the bundled module runs programs compiled here, finding its data files by their source paths
 * (ir.proto for a chip's image).
 */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE_CACHE, studyWorkerBundle } from "../../src/study/worker-bundle.ts";
import { compileRun, type RunTask } from "../../src/study/run-one.ts";
import { VERSION } from "../../src/cli/main.ts";

/**
 * npm packages a bundle file imports statically or through createRequire (mathjs), following its
 * static imports of other bundle files (not import(): chunks loaded on demand).
 */
function staticPackages(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/createRequire\([^)]*\)\("([^"/]+)[^"]*"\)/g)) packages.add(m[1]!);
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gm)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith("./")) for (const p of staticPackages(join(dirname(file), spec), seen)) packages.add(p);
    else if (!spec.startsWith("node:")) packages.add(spec);
  }
  return packages;
}

describe("study worker bundle", () => {
  it("is reused while its sources are unchanged and rebuilt when one changes", async () => {
    const first = await studyWorkerBundle();
    const again = await studyWorkerBundle();
    expect(again).toEqual({ url: first.url, built: false });
    const currentFile = join(BUNDLE_CACHE, "current.json");
    const current = JSON.parse(readFileSync(currentFile, "utf8")) as { inputs: Record<string, { sha256: string; size: number; mtimeMs: number }> };
    // The bundle's inputs are the toolchain's sources, not only the study folder.
    expect(Object.keys(current.inputs)).toEqual(expect.arrayContaining(["src/study/worker.ts", "src/cli/execute-run.ts", "targets/reference/executor.ts"]));
    // A file touched but not changed (new mtime, same content) keeps the bundle.
    current.inputs["src/cli/execute-run.ts"]!.mtimeMs -= 1000;
    writeFileSync(currentFile, JSON.stringify(current));
    expect((await studyWorkerBundle()).built).toBe(false);
    // A changed file (new mtime and content) rebuilds it.
    current.inputs["src/study/worker.ts"] = { sha256: "0".repeat(64), size: 0, mtimeMs: 0 };
    writeFileSync(currentFile, JSON.stringify(current));
    const rebuilt = await studyWorkerBundle();
    expect(rebuilt.built).toBe(true);
    expect((await studyWorkerBundle()).built).toBe(false);
  }, 120_000);

  it("loads no compiler front end in a worker thread: no YAML, zod, mathjs or ml-matrix before a run needs them", async () => {
    const { url } = await studyWorkerBundle();
    // The main thread compiles each run; what a worker thread loads before its first run runs a
    // compiled program. (The cell-assembly analysis, in lazily loaded chunks, may load more.)
    const packages = staticPackages(fileURLToPath(url));
    for (const p of ["yaml", "zod", "mathjs", "ml-matrix", "vega", "vega-lite", "apache-arrow"]) expect(packages).not.toContain(p);
  }, 120_000);

  it("bundles a worker that runs programs compiled in this thread, on float64 and on a chip", async () => {
    const { url } = await studyWorkerBundle();
    type Record = { status: string; error?: string; scalars: { [k: string]: number | null }; executor: string; engram_version: string };
    const { default: work } = (await import(url)) as { default: (job: unknown) => Promise<Record> };
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { resolve } = await import("node:path");
    const out = mkdtempSync(join(tmpdir(), "engram-bundle-"));
    const task = (id: string, target: string): RunTask => ({
      spec: { id, index: 0, seed: 1, model: resolve("models/stc/stet.yaml"), modelLabel: "stet.yaml", target, params: {}, replicate: 1, point: target, ...(target === "cmos" ? { rounding: "stochastic" as const } : {}) },
      out,
      collect: { z_8h: { trace: "z", at: "8 h" } },
      atSeconds: { z_8h: 28800 },
      overrides: [],
      keep: [],
      executor: "test",
    });
    for (const target of ["reference", "cmos"]) {
      const t = task(`r-${target}`, target);
      const record = await work({ task: t, compiled: compileRun(t), version: VERSION });
      expect(record.error).toBeUndefined();
      expect(record.status).toBe("ok");
      expect(record.executor).toMatch(/^local worker /);
      // STET ends in late LTP (stc-model.md section 7), on float64 and on the chip alike.
      expect(record.scalars.z_8h).toBeGreaterThan(0.5);
      // The run's manifest carries the version the main thread read from package.json.
      const manifest = JSON.parse(readFileSync(join(out, "runs", t.spec.id, "manifest.json"), "utf8")) as { engram_version: string; hardware?: { ir_bytes: number } };
      expect(manifest.engram_version).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
      // On the chip the bundle encoded the IR image (ir.proto found by its source path).
      if (target === "cmos") expect(manifest.hardware?.ir_bytes).toBeGreaterThan(0);
    }
  }, 120_000);
});
