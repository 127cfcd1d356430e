/**
 * Atomic file replacement: the data goes to a temporary file in the same directory, is flushed to
 * disk (fsync), and is then renamed over the target. rename(2) within one file system is atomic,
 * so a reader (or a run killed at any instant) sees the previous file or the complete new one,
 * never a truncated mix. Written by hand rather than with npm's write-file-atomic: that package
 * is asynchronous-first and adds ownership and signal-exit handling we do not need; this is the
 * few lines of the same technique, synchronous like the writers that call it.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let serial = 0;

/** The temporary name for `path`: hidden, in the same directory, unique to this process and call. */
export function temporaryNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${serial++}.tmp`);
}

/** Temporary files left by writeFileAtomic in a process that was killed: `.NAME.PID.N.tmp`. */
export const TEMPORARY_NAME = /^\..+\.\d+\.\d+\.tmp$/;

export function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>): void {
  const tmp = temporaryNameFor(path);
  const fd = openSync(tmp, "wx", 0o666);
  try {
    try {
      if (typeof data === "string" || data instanceof Uint8Array) writeFileSync(fd, data);
      else for (const chunk of data) writeSync(fd, chunk); // streamed: no output is one string in memory
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never written: nothing to clean up
    }
    throw e;
  }
  syncDirectory(dirname(path));
}

/** Makes the rename itself durable (the directory entry); best effort where directories cannot be opened. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // some platforms and file systems do not fsync directories; the data itself is already on disk
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
