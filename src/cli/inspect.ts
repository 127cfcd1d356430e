/** engram inspect FILE.engram: check the digest, decode, verify and print the IR's stable text form. */
import { readFileSync, statSync } from "node:fs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { MAX_FILE_BYTES } from "../ir/codec.ts";
import { decodeImage } from "../ir/image.ts";
import { printProgram } from "../ir/print.ts";

export async function inspectCommand(file: string): Promise<number> {
  const fail = (code: string, message: string): never => {
    throw new EngramError([{ code, message }]);
  };
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) fail("not-a-file", `${file} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof EngramError) throw e;
    return fail((e as NodeJS.ErrnoException).code === "ENOENT" ? "file-not-found" : "file-unreadable", (e as NodeJS.ErrnoException).code === "ENOENT" ? `IR file not found: ${file}` : `cannot read ${file}: ${(e as Error).message}`);
  }
  // Refused before reading: the size limit is also what bounds the decoder's work.
  if (size > MAX_FILE_BYTES) fail("file-too-large", `${file} is ${size} bytes, more than the ${MAX_FILE_BYTES}-byte limit for IR files`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return fail("file-unreadable", `cannot read ${file}: ${(e as Error).message}`);
  }
  process.stdout.write(printProgram(decodeImage(bytes, file)));
  return 0;
}
