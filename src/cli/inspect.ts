/** engram inspect FILE.engram: decode, verify and print the IR's stable text form. */
import { readFileSync, statSync, existsSync } from "node:fs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { decode, DecodeError, MAX_FILE_BYTES } from "../ir/codec.ts";
import { verify } from "../ir/verify.ts";
import { printProgram } from "../ir/print.ts";

export async function inspectCommand(file: string): Promise<number> {
  if (!existsSync(file)) throw new EngramError([{ code: "file-not-found", message: `IR file not found: ${file}` }]);
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new EngramError([{ code: "file-too-large", message: `${file} is ${size} bytes, more than the ${MAX_FILE_BYTES}-byte limit for IR files` }]);
  let program;
  try {
    program = decode(readFileSync(file));
  } catch (e) {
    if (e instanceof DecodeError) throw new EngramError([{ code: "invalid-ir-file", message: `${file} is not a valid engram IR file: ${e.message.replace(/^not a valid engram IR file: /, "")}` }]);
    throw e;
  }
  verify(program, file);
  process.stdout.write(printProgram(program));
  return 0;
}
