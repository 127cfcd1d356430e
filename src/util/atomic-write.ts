/**
 * Whole-or-nothing file writes: the data goes to a temporary file in the same folder, is flushed
 * to disk (fsync), and only then renamed over the destination, so a crash at any moment leaves
 * either the previous file or the complete new one, never a cut one. Written by hand (a dozen
 * lines of node:fs) rather than with the write-file-atomic package, which does the same with
 * more options than needed here.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  try {
    const fd = openSync(tmp, "wx", 0o644);
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncFolder(dir);
}

/** Makes the rename itself durable; folders cannot be opened for fsync on every platform (Windows), which is then skipped. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // not supported here: the rename is still atomic, only its durability across power loss is not forced
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
