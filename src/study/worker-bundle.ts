/**
 * The study worker as one precompiled JavaScript module, so that a worker thread loads plain
 * JavaScript instead of running the TypeScript loader over the whole toolchain again (which cost
 * each worker seconds of CPU: docs/benchmarks.md, "Studies"). esbuild (a maintained bundler; tsx
 * already uses it) bundles src/study/worker.ts and what it imports; npm packages stay external and
 * load from node_modules as usual.
 *
 * The bundle lives in the project's own cache folder, `.cache/study-worker/`, never outside it.
 * It is rebuilt whenever one of its source files changes: `current.json` lists every input with
 * its SHA-256 (and size and mtime, so that an unchanged file is not read again), and a bundle is
 * used only if all of them still match. A build goes to a temporary
 * folder that is renamed into place, so a study started meanwhile sees the old bundle or the new
 * one, never half of one. If the project folder cannot be written, the caller falls back to the
 * TypeScript loader (slower start, same results).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeFileAtomic } from "../util/atomic-write.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = fileURLToPath(new URL("./worker.ts", import.meta.url));
export const BUNDLE_CACHE = join(ROOT, ".cache", "study-worker");

interface Current {
  /** The folder under BUNDLE_CACHE that holds worker.js. */
  dir: string;
  root: string;
  /** Every source file in the bundle (relative to the project root): its SHA-256, size and mtime. */
  inputs: Record<string, Input>;
}
interface Input {
  sha256: string;
  size: number;
  mtimeMs: number;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function inputOf(path: string): Input {
  const st = statSync(path);
  return { sha256: sha256(readFileSync(path)), size: st.size, mtimeMs: st.mtimeMs };
}

/** Whether every input is unchanged: same size and mtime, or else the same content. */
function fresh(current: Current): boolean {
  if (current.root !== ROOT || !existsSync(join(BUNDLE_CACHE, current.dir, "worker.js"))) return false;
  for (const [file, was] of Object.entries(current.inputs)) {
    const path = join(ROOT, file);
    if (!existsSync(path)) return false;
    const st = statSync(path);
    if (st.size === was.size && st.mtimeMs === was.mtimeMs) continue;
    if (sha256(readFileSync(path)) !== was.sha256) return false;
  }
  return true;
}

function readCurrent(): Current | undefined {
  try {
    return JSON.parse(readFileSync(join(BUNDLE_CACHE, "current.json"), "utf8")) as Current;
  } catch {
    return undefined;
  }
}

/**
 * The URL of the bundled worker module, built first if missing or stale. `built` says whether
 * this call built it (for the benchmark, which reports that time apart).
 */
export async function studyWorkerBundle(): Promise<{ url: string; built: boolean }> {
  const current = readCurrent();
  if (current && fresh(current)) return { url: pathToFileURL(join(BUNDLE_CACHE, current.dir, "worker.js")).href, built: false };
  const { build } = await import("esbuild");
  mkdirSync(BUNDLE_CACHE, { recursive: true });
  const partial = join(BUNDLE_CACHE, `.build.${process.pid}.${Date.now()}.partial`);
  try {
    const result = await build({
      entryPoints: { worker: ENTRY },
      absWorkingDir: ROOT,
      bundle: true,
      format: "esm",
      platform: "node",
      target: `node${process.versions.node.split(".")[0]}`,
      packages: "external",
      // Modules the worker imports only when a run needs them (the cell-assembly analysis and
      // its plots) stay in their own chunks, loaded on first use as before.
      splitting: true,
      outdir: partial,
      metafile: true,
      logLevel: "silent",
      define: { "import.meta.url": SOURCE_URL },
      plugins: [sourceUrls],
    });
    const inputs = Object.fromEntries(
      Object.keys(result.metafile.inputs)
        .sort()
        .map((file) => [file, inputOf(join(ROOT, file))]),
    );
    const dir = sha256(JSON.stringify(Object.entries(inputs).map(([file, i]) => [file, i.sha256]))).slice(0, 16);
    try {
      renameSync(partial, join(BUNDLE_CACHE, dir));
    } catch (e) {
      // The same bundle is already there (another study built it first): use that one.
      if (!existsSync(join(BUNDLE_CACHE, dir, "worker.js"))) throw e;
    }
    writeFileAtomic(join(BUNDLE_CACHE, "current.json"), JSON.stringify({ dir, root: ROOT, inputs } satisfies Current, null, 2) + "\n");
    removeOldBundles(dir);
    return { url: pathToFileURL(join(BUNDLE_CACHE, dir, "worker.js")).href, built: true };
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * Bundles other than the current one, a day after they were built: a study that started with one
 * of them may still load its lazy chunks, so they are not removed at once.
 */
function removeOldBundles(keep: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(BUNDLE_CACHE)) {
    const path = join(BUNDLE_CACHE, name);
    if (name !== keep && name !== "current.json" && statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Source files find their data files (ir.proto, package.json, npm packages through createRequire)
 * relative to their own URL. In a bundle that would be the bundle's URL, so the module URL is
 * defined as a per-file constant holding the source file's own URL (esbuild binds the name in
 * each module's scope, renaming where modules are merged).
 */
const SOURCE_URL = "__engramSourceUrl";
const sourceUrls = {
  name: "engram-source-urls",
  setup(b: { onLoad(o: { filter: RegExp }, f: (a: { path: string }) => { contents: string; loader: "ts" }): void }) {
    b.onLoad({ filter: /\.ts$/ }, (a) => ({
      contents: `const ${SOURCE_URL} = ${JSON.stringify(pathToFileURL(a.path).href)};\n${readFileSync(a.path, "utf8")}`,
      loader: "ts",
    }));
  },
};
