/**
 * engram board, deploy and devices as a user runs them: two processes on a socat PTY pair.
 * deploy --run writes the same files as `engram run FILE.engram`, bit for bit (the manifest's
 * wall-clock and memory fields and its board block aside).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SerialTransport } from "../../firmware-bridge/serial.ts";
import { basicEarlyImage, openPtyPair, socatAvailable } from "./helpers.ts";

const BIN = resolve("bin/engram.js");
const tmp = mkdtempSync(join(tmpdir(), "engram-deploy-"));
const env = { ...process.env, CI: "true" };
const image = join(tmp, "basic-early.cmos.engram");
writeFileSync(image, basicEarlyImage());

/** Runs engram without blocking this process's event loop (a test may serve the other end). */
function engram(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (status) => done({ status, stdout, stderr }));
  });
}

describe("engram devices", () => {
  it("lists ports or says there are none, even without udev", () => {
    const r = spawnSync(process.execPath, [BIN, "devices"], { encoding: "utf8", env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\/dev\/|no serial ports found/);
  });
});

describe("engram deploy: user errors", () => {
  it("a missing port is one clear line, exit 1", async () => {
    const r = await engram("deploy", image, "--port", "/dev/ttyNOPE9");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot open serial port /dev/ttyNOPE9");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it("a file that is not an image is refused before the board is touched", async () => {
    const bad = join(tmp, "bad.engram");
    writeFileSync(bad, Uint8Array.from([0xff, 0xff, 0x01]));
    const r = await engram("deploy", bad, "--port", "/dev/ttyNOPE9");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad} is not a valid engram IR file`);
  });
  it("options are checked: --out needs --run, --baud must be a rate", async () => {
    expect((await engram("deploy", image, "--port", "/x", "--out", "d")).stderr).toContain("--out needs --run");
    const r = await engram("deploy", image, "--port", "/x", "--baud", "fast");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"fast"');
  });
});

const socat = socatAvailable();
describe.skipIf(!socat)(`engram board + deploy on a socat PTY pair${socat ? "" : " (skipped: socat is not installed)"}`, () => {
  let pty: Awaited<ReturnType<typeof openPtyPair>>;
  let board: ChildProcess;
  beforeAll(async () => {
    pty = await openPtyPair();
    board = spawn(process.execPath, [BIN, "board", "--port", pty.board, "--quiet"], { env, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((r) => board.stdout!.once("data", r)); // its banner: serving
  });
  afterAll(() => {
    board?.kill();
    pty?.close();
  });

  it("deploy --run writes what engram run writes, bit for bit", async () => {
    const viaBoard = join(tmp, "board-out");
    const here = join(tmp, "run-out");
    const d = await engram("deploy", image, "--port", pty.host, "--run", "0.2", "--out", viaBoard);
    expect(d.status, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/uploaded \d+ bytes \(CRC-32 0x[0-9a-f]{8}\)/);
    expect(d.stdout).toMatch(/link: \d+ requests, \d+ frames sent, 0 retried/);
    const r = await engram("run", image, "--out", here);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(viaBoard).sort()).toEqual(readdirSync(here).sort());
    for (const f of ["traces.csv", "spikes.csv", "traces.svg", "spikes.svg"]) expect(readFileSync(join(viaBoard, f)), f).toEqual(readFileSync(join(here, f)));
    const strip = (file: string) => {
      const m = JSON.parse(readFileSync(file, "utf8"));
      for (const k of ["wall_s", "wall_total_s", "biological_s_per_wall_s", "peak_rss_mb"]) delete m[k];
      delete m.hardware.board;
      return m;
    };
    expect(strip(join(viaBoard, "manifest.json"))).toEqual(strip(join(here, "manifest.json")));
    expect(JSON.parse(readFileSync(join(viaBoard, "manifest.json"), "utf8")).hardware.board.port).toBe(pty.host);
  });
});

describe.skipIf(!socat)("engram deploy against a device that speaks something else", () => {
  it("garbage on the line gives a located error quoting what came back, not a stack trace", async () => {
    const pty = await openPtyPair();
    const other = await SerialTransport.open(pty.board, 115200);
    // A device printing text (a console, wrong firmware): no frame ever passes its CRC.
    other.onData(() => void other.write(new TextEncoder().encode("ERROR unknown command\r\n\0")));
    try {
      const r = await engram("deploy", image, "--port", pty.host);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`no valid reply from ${pty.host} while saying hello`);
      expect(r.stderr).toContain("damaged frames");
      expect(r.stderr).toContain('"ERROR unknown co"');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await other.close();
      pty.close();
    }
  });
});

describe.skipIf(!socat)("engram proxy between deploy and board: three processes, two PTY pairs", () => {
  it("with 1 % of bytes corrupted and 3 % of frames dropped or duplicated, deploy still reproduces engram run", async () => {
    const toBoard = await openPtyPair();
    const toHost = await openPtyPair();
    const board = spawn(process.execPath, [BIN, "board", "--port", toBoard.board, "--quiet"], { env, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((r) => board.stdout!.once("data", r));
    const proxy = spawn(process.execPath, [BIN, "proxy", "--host", toHost.board, "--board", toBoard.host, "--corrupt", "0.01", "--drop", "0.03", "--duplicate", "0.03", "--seed", "7"], { env, stdio: ["ignore", "pipe", "inherit"] });
    let proxyOut = "";
    proxy.stdout!.on("data", (d) => (proxyOut += d));
    await new Promise((r) => proxy.stdout!.once("data", r));
    try {
      const out = join(tmp, "proxied-out");
      const d = await engram("deploy", image, "--port", toHost.host, "--run", "0.2", "--out", out);
      expect(d.status, d.stderr).toBe(0);
      // the link had to work for it: some frames were resent
      const m = /link: (\d+) requests, (\d+) frames sent, (\d+) retried/.exec(d.stdout)!;
      expect(Number(m[3])).toBeGreaterThan(0);
      const here = join(tmp, "run-out-2");
      expect((await engram("run", image, "--out", here)).status).toBe(0);
      for (const f of ["traces.csv", "spikes.csv"]) expect(readFileSync(join(out, f)), f).toEqual(readFileSync(join(here, f)));
      proxy.kill("SIGTERM");
      await new Promise((r) => proxy.once("close", r));
      // the proxy reports what it did to the traffic
      expect(proxyOut).toMatch(/to the board: \d+ frames, \d+ dropped, \d+ duplicated, [1-9]\d* bytes corrupted/);
    } finally {
      proxy.kill();
      board.kill();
      toBoard.close();
      toHost.close();
    }
  });
});
