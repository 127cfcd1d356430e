import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Writes a file piece by piece (not atomically: for files inside a folder that is itself renamed
 * into place). A long recording's CSV exceeds V8's largest string, so it is never joined.
 */
export function writeFileChunks(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, "w");
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
