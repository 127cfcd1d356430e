/**
 * Output folders and files (issue 11, item 4): --out is checked before anything is simulated
 * (bad paths are located errors, exit 1, never a hang or a stack trace); a run writes into a fresh
 * folder, refuses a non-empty one unless --force (which removes engram's own outputs only); a lock
 * makes a second writer fail at once; and a run killed (SIGKILL) while writing its outputs or a
 * checkpoint leaves complete files only, with manifest.json present only when the run completed.
 * Most cases run in-process through main(), as bin/engram.js calls it; the kills need a child.
 */
import { describe, expect, it, vi } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../src/cli/main.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { captureOutput } from "../helpers/capture-output.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";

const BIN = resolve("bin/engram.js");
const FAST = "models/stc/basic-early.yaml"; // 0.2 s of biological time
const LONG = "models/stc/wtet.yaml"; // 8 h: a 1 MB traces.csv, SVG plots
const tmp = mkdtempSync(join(tmpdir(), "engram-outputs-"));

const out = captureOutput();

const engram = (...args: string[]) => main(args);
const visible = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith(".")).sort();
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));

/** Makes any simulation step fail loudly, to show that a refusal came before it. */
function forbidSimulation() {
  const stop = () => {
    throw new Error("simulated before checking the output path");
  };
  return [vi.spyOn(Executor.prototype, "run").mockImplementation(stop), vi.spyOn(EmulatorHandle.prototype, "run").mockImplementation(stop), vi.spyOn(EmulatorHandle.prototype, "runTo").mockImplementation(stop)];
}

/** A located user error: exit 1, the path and the code in the message, no stack trace. */
function expectUserError(code: number, where: string, diag: string) {
  expect(code, out.stderr).toBe(1);
  expect(out.stderr).toContain(where);
  expect(out.stderr).toContain(`[${diag}]`);
  expect(out.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe("a run writes into a fresh folder", () => {
  const dir = join(tmp, "fresh", "nested");

  it("creates the folder (and its parents), writes the outputs and the manifest last, leaves no lock or temporary file", async () => {
    expect(await engram("run", FAST, "--out", dir), out.stderr).toBe(0);
    const m = manifestOf(dir);
    expect(m.outputs.at(-1)).toBe("manifest.json");
    expect(visible(dir)).toEqual([...m.outputs].sort());
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("refuses the same folder again, touching nothing and simulating nothing", async () => {
    const before = snapshot(dir);
    const sims = forbidSimulation();
    const code = await engram("run", FAST, "--out", dir, "--seed", "2");
    expectUserError(code, dir, "out-not-empty");
    expect(out.stderr).toContain("--force");
    for (const s of sims) expect(s).not.toHaveBeenCalled();
    expect(snapshot(dir)).toEqual(before);
  });

  it("--force removes engram's outputs (a previous analysis and plots included) and keeps other files", async () => {
    writeFileSync(join(dir, "notes.txt"), "mine");
    for (const f of ["analysis.md", "analysis.json", "weights.svg", "rates.svg", "checkpoint.json", ".traces.csv.4242.0.tmp"]) writeFileSync(join(dir, f), "left by an earlier run");
    expect(await engram("run", FAST, "--out", dir, "--seed", "2", "--force"), out.stderr).toBe(0);
    const m = manifestOf(dir);
    expect(m.seed).toBe(2);
    expect(visible(dir)).toEqual([...m.outputs, "notes.txt"].sort());
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("an empty existing folder is used as is; compare refuses a non-empty one like run", async () => {
    const empty = join(tmp, "empty");
    mkdirSync(empty);
    expect(await engram("run", FAST, "--out", empty), out.stderr).toBe(0);
    const sims = forbidSimulation();
    expectUserError(await engram("compare", FAST, "--targets", "reference,cmos", "--out", empty), empty, "out-not-empty");
    for (const s of sims) expect(s).not.toHaveBeenCalled();
  });

  it("--resume from the checkpoint in the folder itself: --force keeps that checkpoint", async () => {
    const ck = join(tmp, "ck");
    expect(await engram("run", FAST, "--target", "cmos", "--checkpoint-every", "0.1", "--out", ck), out.stderr).toBe(0);
    const traces = readFileSync(join(ck, "traces.csv"), "utf8");
    expect(await engram("run", FAST, "--target", "cmos", "--resume", join(ck, "checkpoint.json"), "--out", ck, "--force"), out.stderr).toBe(0);
    expect(readFileSync(join(ck, "traces.csv"), "utf8")).toBe(traces);
  });
});

describe("--out and -o are checked before anything is simulated", () => {
  const file = join(tmp, "a-file");
  writeFileSync(file, "not a folder");
  const image = join(tmp, "early.engram");

  const cases: [string, string[], string, string][] = [
    ["run --out an existing file", ["run", FAST, "--out", file], file, "bad-out"],
    ["run --out empty", ["run", FAST, "--out", ""], "--out is empty", "bad-out"],
    ["run --out below a file", ["run", FAST, "--out", join(file, "sub")], join(file, "sub"), "bad-out"],
    ["run --out in /sys (not creatable)", ["run", FAST, "--out", "/sys/engram-x"], "/sys/engram-x", "bad-out"],
    ["run --target cmos --out an existing file (before the range analysis)", ["run", FAST, "--target", "cmos", "--out", file], file, "bad-out"],
    ["run IMAGE --out an existing file", ["run", image, "--out", file], file, "bad-out"],
    ["deploy --run --out an existing file (before the port is opened)", ["deploy", image, "--port", "/nonexistent/port", "--run", "0.1", "--out", file], file, "bad-out"],
    ["compare --out an existing file", ["compare", FAST, "--targets", "reference,cmos", "--out", file], file, "bad-out"],
    ["compile -o a folder", ["compile", FAST, "--target", "cmos", "-o", tmp], tmp, "bad-out"],
    ["compile -o empty", ["compile", FAST, "--target", "cmos", "-o", ""], "-o is empty", "bad-out"],
    ["compile -o in a missing folder", ["compile", FAST, "--target", "cmos", "-o", join(tmp, "missing", "x.engram")], join(tmp, "missing"), "bad-out"],
    ["compile -o in /proc (unwritable)", ["compile", FAST, "--target", "cmos", "-o", "/proc/x.engram"], "/proc/x.engram", "bad-out"],
    ["compile -o a device", ["compile", FAST, "--target", "cmos", "-o", "/dev/null"], "/dev/null", "bad-out"],
  ];

  it("compiles the image the image case needs", async () => {
    expect(await engram("compile", FAST, "--target", "cmos", "-o", image), out.stderr).toBe(0);
  });

  for (const [name, args, where, diag] of cases) {
    it(name, async () => {
      const sims = forbidSimulation();
      expectUserError(await main(args), where, diag);
      for (const s of sims) expect(s).not.toHaveBeenCalled();
    });
  }

  it("compile -o replaces an existing image atomically (no temporary file left)", async () => {
    expect(await engram("compile", FAST, "--target", "cmos", "--rounding", "stochastic", "-o", image), out.stderr).toBe(0);
    expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("run --out /proc/x is refused at once (it hung: a recursive mkdir on /proc loops)", { timeout: 200_000 }, async () => {
    // Through the binary, killed after 180 s (generous: a loaded 2-core machine starts node slowly);
    // an in-process hang could not be timed out.
    const r = await child(["run", FAST, "--out", "/proc/x"], 180_000).done;
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("/proc/x");
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe("the folder lock", () => {
  it("a folder locked by a live process is refused at once, naming it", async () => {
    const dir = join(tmp, "locked");
    mkdirSync(dir);
    const lock = { pid: process.pid, host: hostname(), command: "run", since: "2026-01-01T00:00:00Z" };
    writeFileSync(join(dir, ".engram.lock"), JSON.stringify(lock));
    const sims = forbidSimulation();
    expectUserError(await engram("run", FAST, "--out", dir, "--force"), dir, "out-locked");
    expect(out.stderr).toContain(`pid ${process.pid}`);
    for (const s of sims) expect(s).not.toHaveBeenCalled();
    expect(readdirSync(dir)).toEqual([".engram.lock"]);
    // engram analyze writes into a run's folder too: not while another process holds it
    writeFileSync(join(dir, "manifest.json"), "{}");
    out.stderr = "";
    expectUserError(await engram("analyze", dir), dir, "out-locked");
  });

  it("a lock left by a dead process is taken over, and released at the end", async () => {
    const dir = join(tmp, "stale");
    mkdirSync(dir);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(join(dir, ".engram.lock"), JSON.stringify({ pid: dead, host: hostname(), command: "run", since: "2026-01-01T00:00:00Z" }));
    expect(await engram("run", FAST, "--out", dir), out.stderr).toBe(0);
    expect(existsSync(join(dir, ".engram.lock"))).toBe(false);
  });
});

/** engram as a child process; `done` resolves with its exit status or the signal that ended it. */
function child(args: string[], killAfterMs = 240_000): { p: ChildProcess; done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: "true" }, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr!.on("data", (d) => (err += d));
  const timer = setTimeout(() => p.kill("SIGKILL"), killAfterMs);
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }>((ok) =>
    p.on("close", (status, signal) => {
      clearTimeout(timer);
      ok({ status, signal, stderr: err });
    }),
  );
  return { p, done };
}

describe("kill -9 while writing", () => {
  // The uninterrupted run the killed ones are compared with (same model and seed: same bytes).
  const reference = join(tmp, "reference");

  it(
    "outputs: killed as each output file is being written, the folder holds complete files of the new run only, and a manifest only with all of them",
    { timeout: 600_000 },
    async () => {
      expect(await engram("run", LONG, "--seed", "7", "--out", reference), out.stderr).toBe(0);
      const refManifest = manifestOf(reference);
      const results: string[] = [];
      for (const [i, point] of ["traces.csv", "traces.svg", "manifest.json"].entries()) {
        const dir = join(tmp, `killed-${i}`);
        // The folder holds a complete earlier run of another model: the old manifest must never sit beside new files.
        expect(await engram("run", FAST, "--out", dir), out.stderr).toBe(0);
        const c = child(["run", LONG, "--seed", "7", "--out", dir, "--force"]);
        let lockedOut: number | undefined;
        const watcher = watch(dir, (_event, name) => {
          if (name === ".engram.lock" && lockedOut === undefined && i === 0) {
            // While the child holds the folder, a second run into it fails at once.
            lockedOut = -1;
            void main(["run", FAST, "--out", dir, "--force"]).then((code) => (lockedOut = code));
          }
          if (name?.startsWith(`.${point}.`)) c.p.kill("SIGKILL"); // its temporary file: writing has begun
        });
        const r = await c.done;
        watcher.close();
        results.push(`${point}: ${r.signal ?? `exit ${r.status}`}`);
        if (i === 0) {
          expect(r.signal, "killed while traces.csv was being written (the plots follow it)").toBe("SIGKILL");
          expect(visible(dir)).not.toContain("manifest.json"); // killed before the end: not claimed complete
          await vi.waitFor(() => expect(lockedOut).toBe(1));
          expect(out.stderr).toContain("[out-locked]");
        }
        if (r.signal === null) expect(r.status, r.stderr).toBe(0);
        const files = visible(dir);
        if (files.includes("manifest.json")) {
          const m = manifestOf(dir);
          expect(m.model.name, "a manifest is the new run's").toBe(refManifest.model.name);
          expect(files).toEqual([...m.outputs].sort());
        }
        for (const f of files.filter((f) => f !== "manifest.json")) {
          expect(refManifest.outputs, `${f} belongs to the new run`).toContain(f);
          expect(readFileSync(join(dir, f)).equals(readFileSync(join(reference, f))), `${f} is complete`).toBe(true);
        }
        if (i === 0) {
          // The next run takes over the dead run's lock and removes its temporary files.
          expect(await engram("run", LONG, "--seed", "7", "--out", dir, "--force"), out.stderr).toBe(0);
          expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
          expect(readFileSync(join(dir, "traces.csv")).equals(readFileSync(join(reference, "traces.csv")))).toBe(true);
        }
      }
      console.log(`kill points: ${results.join("; ")}`);
    },
  );

  it(
    "checkpoints: a reader never sees a partial checkpoint, and after a kill the last one resumes to the uninterrupted run's bytes",
    { timeout: 600_000 },
    async () => {
      const dir = join(tmp, "ck-killed");
      const whole = join(tmp, "ck-whole");
      expect(await engram("run", LONG, "--target", "bss2", "--out", whole), out.stderr).toBe(0);
      const c = child(["run", LONG, "--target", "bss2", "--checkpoint-every", "60", "--out", dir]);
      const file = join(dir, "checkpoint.json");
      let reads = 0, partial = 0;
      const ticks = new Set<number>();
      // Read the checkpoint as fast as we can while it is rewritten every 60 biological seconds.
      const poll = setInterval(() => {
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch {
          return; // not written yet
        }
        reads++;
        try {
          ticks.add(JSON.parse(text).body.snapshot.tick); // src/cli/checkpoint.ts: {format, sha256, body}
        } catch {
          partial++;
        }
        if (ticks.size >= 20) c.p.kill("SIGKILL");
      }, 1);
      const r = await c.done;
      clearInterval(poll);
      console.log(`checkpoint reads: ${reads}, partial: ${partial}, distinct checkpoints seen: ${ticks.size}, child: ${r.signal ?? `exit ${r.status}`}`);
      expect(r.signal, r.stderr).toBe("SIGKILL");
      expect(partial).toBe(0);
      const last = JSON.parse(readFileSync(file, "utf8"));
      expect(last.body.snapshot.tick).toBeGreaterThan(0);
      expect(visible(dir)).toEqual(["checkpoint.json"]); // no outputs, no manifest: an incomplete run
      const resumed = join(tmp, "ck-resumed");
      expect(await engram("run", LONG, "--target", "bss2", "--resume", file, "--out", resumed), out.stderr).toBe(0);
      expect(readFileSync(join(resumed, "traces.csv"), "utf8")).toBe(readFileSync(join(whole, "traces.csv"), "utf8"));
    },
  );
});
