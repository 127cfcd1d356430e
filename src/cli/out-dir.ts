/**
 * Output folders and files, checked before any simulation starts (so a bad --out never costs a
 * run's results) and held exclusively while a command writes into them.
 *
 * - A run writes into a fresh folder: a missing one is created, an empty one is used, a non-empty
 *   one is refused unless --force, which first removes engram's own outputs (OUTPUT_NAMES and
 *   temporary files of killed writes; manifest.json first) and keeps any other file.
 * - The folder is locked by an exclusively created `.engram.lock` holding the writer's pid: a
 *   second engram writing into it fails at once. A lock whose process is gone (killed) is stale
 *   and taken over (two processes taking over the same stale lock at the same instant could both
 *   succeed: the check-then-remove is not atomic; a live lock is never taken).
 * - Single output files (compile -o) must be regular files or absent, in an existing, writable folder.
 */
import { closeSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, resolve } from "node:path";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { temporaryNameFor, TEMPORARY_NAME } from "../util/atomic-write.ts";

/** Every file engram writes into an output folder (run, analyze, compare); --force removes these only. */
export const OUTPUT_NAMES: readonly string[] = [
  "manifest.json", // first: without it the folder no longer claims a complete run
  "traces.csv", "spikes.csv", "traces.svg", "spikes.svg", "checkpoint.json", "weights.svg",
  "analysis.json", "analysis.md", "raster.svg", "rates.svg",
  "compare.csv", "compare.svg",
  "ipc.csv", "ipc-terms.csv", "ipc.md", "ipc.svg", "compare-energy.csv", "windows.csv",
];

export const LOCK_NAME = ".engram.lock";

interface LockInfo { pid: number; host: string; started?: string; command: string; since: string }

/** Locks this process holds (absolute lock-file paths), released by releaseOutDirs or at exit. */
const held = new Set<string>();
let releaseAtExit = false;
/** Folders this process created for a lock's folder, deepest last: removed again if still empty when released (a failed command leaves nothing behind). */
const created = new Map<string, string[]>();

const fail = (code: string, message: string, where: string | undefined, hint?: string): never => {
  throw new EngramError([{ code, message, ...(where !== undefined ? { where: { file: where, path: [] } } : {}), ...(hint ? { hint } : {}) }]);
};

/** "ENOENT: no such file or directory" from a Node fs error (without the syscall and path). */
function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "")}` : String(e);
}

/**
 * Prepares DIR for a command's outputs: creates it (and missing parents), locks it, and refuses it
 * if it already holds files, unless `force` (then engram's own outputs are removed, except the
 * files in `keep`, e.g. the checkpoint being resumed from). `option` names the flag in messages.
 */
export function prepareOutDir(dir: string, o: { force: boolean; keep?: string[]; option?: string; command: string }): void {
  const option = o.option ?? "--out";
  if (dir.trim() === "") fail("bad-out", `${option} is empty: it names the folder to write into`, undefined, `e.g. ${option} out/run1`);
  const made: string[] = [];
  ensureDirectory(dir, option, made);
  try {
    lockOutDir(dir, o.command);
  } catch (e) {
    removeIfEmpty(made);
    throw e;
  }
  created.set(resolve(dir, LOCK_NAME), made);
  const keep = new Set((o.keep ?? []).filter((k) => resolve(dirname(k)) === resolve(dir)).map((k) => basename(k)));
  let present: string[] = [];
  try {
    // Not counted: the lock, a competitor's lock being created, the checkpoint resumed from.
    present = readdirSync(dir).filter((f) => f !== LOCK_NAME && !f.startsWith(`.${LOCK_NAME}.`) && !keep.has(f));
  } catch (e) {
    releaseOutDir(dir);
    fail("bad-out", `${option} cannot be listed (${reason(e)})`, dir);
  }
  if (present.length === 0) return;
  if (!o.force) {
    releaseOutDir(dir);
    const shown = present.sort().slice(0, 6).join(", ") + (present.length > 6 ? `, ... (${present.length} in all)` : "");
    fail("out-not-empty", `the output folder already holds files (${shown})`, dir, `engram writes each run into a fresh folder: name another ${option}, or add --force to replace engram's own outputs there (other files are kept)`);
  }
  const ours = present.filter((f) => OUTPUT_NAMES.includes(f) || TEMPORARY_NAME.test(f));
  ours.sort((a, b) => (a === "manifest.json" ? -1 : b === "manifest.json" ? 1 : 0));
  for (const f of ours) {
    try {
      unlinkSync(resolve(dir, f));
    } catch (e) {
      releaseOutDir(dir);
      fail("out-not-cleared", `--force cannot remove ${f} (${reason(e)})`, dir);
    }
  }
}

/** Creates DIR and its missing parents one level at a time (a recursive mkdir on /proc hangs in Node 20). */
function ensureDirectory(dir: string, option: string, made: string[]): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") return fail("bad-out", `${option} cannot be created: part of the path is a file, not a folder`, dir);
    if (code !== "ENOENT") return fail("bad-out", `${option} cannot be used (${reason(e)})`, dir);
    const parent = dirname(dir);
    if (parent !== dir) ensureDirectory(parent, option, made);
    try {
      mkdirSync(dir);
      made.push(dir);
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === "EEXIST" && statSync(dir).isDirectory()) return; // created meanwhile by another process
      fail("bad-out", `${option} cannot be created (${reason(e2)})`, dir);
    }
    return;
  }
  if (!isDir) fail("bad-out", `${option} names an existing file, not a folder`, dir, `engram writes several files into a folder: name a new or empty folder`);
}

/** This process's start time as the kernel counts it (Linux), to tell a live pid from a reused one. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]; // field 22, starttime
  } catch {
    return undefined;
  }
}

function isAlive(lock: LockInfo): boolean {
  if (lock.host !== hostname()) return true; // another machine's process: we cannot tell, so respect it
  try {
    process.kill(lock.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists but belongs to another user
  }
  const started = startTimeOf(lock.pid);
  return lock.started === undefined || started === undefined || started === lock.started;
}

/**
 * Takes DIR's lock (an exclusively created file with this process's pid), or fails at once naming
 * the process that holds it. A lock left by a killed process is taken over.
 */
export function lockOutDir(dir: string, command: string): void {
  const file = resolve(dir, LOCK_NAME);
  if (held.has(file)) return;
  const info: LockInfo = { pid: process.pid, host: hostname(), started: startTimeOf(process.pid), command, since: new Date().toISOString() };
  // The lock appears with its content: written to a temporary file, then hard-linked to the lock's
  // name, which fails if the name exists (an exclusive create that no reader can see half-written).
  const tmp = temporaryNameFor(file);
  try {
    writeFileSync(tmp, JSON.stringify(info) + "\n", { flag: "wx" });
  } catch (e) {
    return fail("bad-out", `cannot write into the output folder (${reason(e)})`, dir);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") return fail("bad-out", `cannot write into the output folder (${reason(e)})`, dir);
        const other = readLock(file);
        if (other && isAlive(other)) {
          return fail("out-locked", `the output folder is in use by another engram process (pid ${other.pid} on ${other.host}, "${other.command}", since ${other.since})`, dir, `wait for it to finish or name another folder; if that process no longer exists, delete ${file}`);
        }
        if (attempt > 0) return fail("out-locked", "the output folder's lock is being taken by another engram process", dir);
        try {
          unlinkSync(file); // stale: its process is gone
        } catch {
          // removed by a competitor meanwhile; the exclusive link decides who wins
        }
        continue;
      }
      held.add(file);
      if (!releaseAtExit) process.once("exit", releaseOutDirs); // a command that throws past main still unlocks
      releaseAtExit = true;
      return;
    }
  } finally {
    unlinkSync(tmp);
  }
}

/** The lock's content; an empty or unreadable lock (its writer killed while creating it) is stale. */
function readLock(file: string): LockInfo | undefined {
  try {
    const l = JSON.parse(readFileSync(file, "utf8")) as LockInfo;
    return Number.isInteger(l.pid) && typeof l.host === "string" ? l : undefined;
  } catch {
    return undefined;
  }
}

export function releaseOutDir(dir: string): void {
  const file = resolve(dir, LOCK_NAME);
  if (!held.delete(file)) return;
  try {
    if (readLock(file)?.pid === process.pid) unlinkSync(file);
  } catch {
    // the folder was removed meanwhile: nothing to release
  }
  removeIfEmpty(created.get(file) ?? []);
  created.delete(file);
}

/** Removes folders we created, deepest first, as long as they are empty. */
function removeIfEmpty(made: string[]): void {
  for (const d of [...made].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (outputs were written) or gone
    }
  }
}

/** Releases every lock this process holds (commands end; also registered for process exit). */
export function releaseOutDirs(): void {
  for (const file of [...held]) releaseOutDir(dirname(file));
}

/**
 * Checks a single output file before the work that produces it: not empty, not a folder or special
 * file, in an existing folder where we can create files (probed with a temporary file).
 */
export function checkOutputFile(path: string, option: string): void {
  if (path.trim() === "") fail("bad-out", `${option} is empty: it names the file to write`, undefined, `e.g. ${option} model.engram`);
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") fail("bad-out", `${option} cannot be written: part of the path is a file, not a folder`, path);
    if (code !== "ENOENT") fail("bad-out", `${option} cannot be used (${reason(e)})`, path);
  }
  if (st?.isDirectory()) fail("bad-out", `${option} names a folder, not a file`, path, `name the file to write, e.g. ${resolve(path, "model.engram")}`);
  if (st && !st.isFile()) fail("bad-out", `${option} names a special file (device, pipe or socket), not a regular file`, path);
  const folder = dirname(path);
  let folderOk = false;
  try {
    folderOk = statSync(folder).isDirectory();
  } catch {
    // reported below
  }
  if (!folderOk) fail("bad-out", `${option} cannot be written: the folder ${folder} does not exist`, path);
  const probe = temporaryNameFor(path);
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (e) {
    fail("bad-out", `${option} cannot be written in ${folder} (${reason(e)})`, path);
  }
}

/** File-system failures while writing (disk full, read-only, permissions): the environment's, not a bug. */
export function writeFailure(e: unknown): EngramError | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof err.code !== "string" || typeof err.syscall !== "string") return undefined;
  if (!["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EIO", "EFBIG"].includes(err.code)) return undefined;
  return new EngramError([{ code: "write-failed", message: `cannot ${err.syscall} (${reason(err)})`, ...(err.path ? { where: { file: err.path, path: [] } } : {}) }]);
}

/**
 * Runs a command in this process and releases the output-folder locks it took when it ends, so that
 * in-process callers (tests, study workers running many runs) leave no lock behind.
 */
export async function releasingOutDirs<T>(command: () => Promise<T>): Promise<T> {
  const before = new Set(held);
  try {
    return await command();
  } finally {
    for (const file of [...held]) if (!before.has(file)) releaseOutDir(dirname(file));
  }
}
