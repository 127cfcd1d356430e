/**
 * writeFileAtomic (src/util/atomic-write.ts): the destination holds the previous complete content
 * or the new complete content, never a mixture or a cut file, also when the writer is killed
 * (kill -9) in the middle of writing; a failed write leaves the previous file and no temporary.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../../src/util/atomic-write.ts";

const tmp = mkdtempSync(join(tmpdir(), "engram-atomic-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("writes and replaces whole files, leaving no temporary files", () => {
    const f = join(tmp, "a.json");
    writeFileAtomic(f, "first");
    writeFileAtomic(f, new Uint8Array([115, 101, 99, 111, 110, 100]));
    expect(readFileSync(f, "utf8")).toBe("second");
    expect(readdirSync(tmp)).toEqual(["a.json"]);
  });

  it("a write that fails (the destination is a folder) leaves no temporary file", () => {
    const dir = join(tmp, "fails");
    mkdirSync(join(dir, "dest"), { recursive: true });
    writeFileSync(join(dir, "dest", "keep"), "x");
    expect(() => writeFileAtomic(join(dir, "dest"), "data")).toThrow();
    expect(readdirSync(dir)).toEqual(["dest"]);
    expect(readFileSync(join(dir, "dest", "keep"), "utf8")).toBe("x");
  });

  it("kill -9 during a stream of 4 MB writes: the file is always one complete version", async () => {
    const child = join(tmp, "writer.mjs");
    writeFileSync(child, [
      `const { writeFileAtomic } = await import(${JSON.stringify(resolve("src/util/atomic-write.ts"))});`,
      "const big = [Buffer.alloc(4 << 20, 97), Buffer.alloc(4 << 20, 98)];",
      "writeFileAtomic(process.argv[2], big[0]);",
      'process.stdout.write("ready\\n");',
      "for (let i = 1; ; i++) writeFileAtomic(process.argv[2], big[i & 1]);",
    ].join("\n"));
    for (const delay of [0, 100]) {
      const dest = join(tmp, `kill-${delay}.bin`);
      const p = spawn(process.execPath, ["--import", "tsx", child, dest], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((done) => p.stdout.once("data", () => done()));
      await new Promise((r) => setTimeout(r, delay));
      p.kill("SIGKILL");
      await new Promise((r) => p.once("exit", r));
      const bytes = readFileSync(dest);
      expect(bytes.length).toBe(4 << 20);
      expect(bytes.every((b) => b === bytes[0]), `killed after ${delay} ms: a mixed file`).toBe(true);
    }
  }, 60_000);
});
