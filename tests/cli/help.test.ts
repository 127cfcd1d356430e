/**
 * engram CMD --help (and -h) prints that command's usage and runs nothing, for every command;
 * unknown options are usage errors (exit 2). In-process through main() (as bin/engram.js calls it);
 * bench through the binary under a timeout, because a bench that ignores its options runs the
 * full benchmark (synchronously: an in-process test could not time out).
 */
import { describe, expect, it, vi } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main, USAGE } from "../../src/cli/main.ts";
import { captureOutput } from "../helpers/capture-output.ts";
import { commandUsage } from "../../src/cli/help.ts";

const BIN = resolve("bin/engram.js");
const tmp = mkdtempSync(join(tmpdir(), "engram-help-"));

const out = captureOutput();

// Each command with arguments that would otherwise do real work (or fail for lack of them).
const COMMANDS: [string, string[]][] = [
  ["run", ["models/stc/basic-early.yaml", "--out", join(tmp, "run-out")]],
  ["compile", ["models/stc/basic-early.yaml", "--target", "cmos", "-o", join(tmp, "x.engram")]],
  ["compare", ["models/stc/basic-early.yaml", "--out", join(tmp, "compare-out")]],
  ["inspect", []],
  ["devices", []],
  ["deploy", ["nothing.engram", "--port", "/nonexistent/port"]],
  ["board", ["--port", "/nonexistent/port"]],
  ["proxy", []],
  ["analyze", [join(tmp, "no-run")]],
  ["ipc", ["models/reservoir/mackey-glass.yaml", "--out", join(tmp, "ipc-out")]],
];

describe("engram CMD --help", () => {
  for (const [command, args] of COMMANDS) {
    for (const flag of ["--help", "-h"]) {
      it(`${command} ${flag} prints the usage of ${command} only and runs nothing`, { timeout: 20_000 }, async () => {
        const code = await main([command, ...args, flag]);
        expect(code, out.stderr).toBe(0);
        expect(out.stderr).toBe("");
        expect(out.stdout).toMatch(/^usage:\n/);
        expect(out.stdout).toContain(`  engram ${command} `.trimEnd());
        expect(out.stdout).toMatch(new RegExp(`\\n${command} {2,}\\S`)); // the description block
        const synopsis = out.stdout.split("\n").filter((l) => /^ {2}engram /.test(l));
        expect(synopsis.length).toBeGreaterThan(0);
        for (const l of synopsis) expect(l.startsWith(`  engram ${command} `) || l === `  engram ${command}`, l).toBe(true);
      });
    }
  }

  it("writes nothing: run --help and compare --help create no output folder, compile --help no image", () => {
    for (const f of ["run-out", "compare-out", "x.engram"]) expect(existsSync(join(tmp, f)), f).toBe(false);
  });

  it("engram --help lists --force and the per-command help", async () => {
    expect(await main(["--help"])).toBe(0);
    expect(out.stdout).toContain("--force");
    expect(out.stdout).toContain("engram COMMAND --help");
  });
});

describe("unknown options are usage errors (exit 2)", () => {
  for (const [command, args] of COMMANDS) {
    it(`${command} --bogus`, { timeout: 20_000 }, async () => {
      const code = await main([command, ...args, "--bogus"]);
      expect(code, out.stdout + out.stderr).toBe(2);
      expect(out.stderr).toContain("--bogus");
      expect(out.stderr).toContain(`engram ${command} --help`);
      expect(out.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }

  it("devices takes no positional arguments", async () => {
    expect(await main(["devices", "extra"])).toBe(2);
  });
});

/** The binary, killed after `ms` (status null then). */
function engram(args: string[], ms: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: "true" } });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), ms);
    p.on("close", (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

describe("engram bench", () => {
  it("bench --help and -h print bench's usage and run no benchmark; bench --bogus and bench quick are usage errors", { timeout: 90_000 }, async () => {
    const [help, h, bogus, stray] = await Promise.all([["bench", "--help"], ["bench", "-h"], ["bench", "--bogus"], ["bench", "quick"]].map((a) => engram(a, 80_000)));
    for (const r of [help, h]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^usage:\n {2}engram bench /);
      expect(r.stdout).toBe(commandUsage(USAGE, "bench") + "\n"); // and nothing else: no benchmark ran
    }
    for (const r of [bogus, stray]) {
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr).toContain('run "engram bench --help"');
    }
  });
});
