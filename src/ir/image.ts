/**
 * .engram image files: the encoded Program followed by a digest trailer (ir.proto, Program field
 * 15 `image_sha256`, always the last 34 bytes: tag 0x7a, length 0x20, then the SHA-256 of every
 * byte before the tag). Every single-bit flip, truncation, or trailing/concatenated data changes
 * either the trailer's two framing bytes, the digest, or the bytes it covers, so it is refused
 * here before anything is decoded. The digest is over the bytes as stored, not a re-encoding, so an
 * accepted image is byte-identical to the one written.
 */
import { createHash } from "node:crypto";
import protobuf from "protobufjs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { decode, DecodeError, encode, IR_VERSION, MAX_FILE_BYTES, type IrProgram } from "./codec.ts";
import { verify } from "./verify.ts";

/** Program field number of the digest (ir.proto). */
export const DIGEST_FIELD = 15;
const TAG = (DIGEST_FIELD << 3) | 2; // 0x7a: one byte
const DIGEST_BYTES = 32;
/** Length of the trailer: tag, length, digest. */
export const TRAILER_BYTES = 2 + DIGEST_BYTES;

/** SHA-256 of an encoded program (the bytes an image's trailer covers). */
export function imageDigest(payload: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(payload).digest());
}

/** The image file for a program: its protobuf encoding, then the digest trailer. */
export function encodeImage(p: IrProgram): Uint8Array {
  const payload = encode(p);
  const out = new Uint8Array(payload.length + TRAILER_BYTES);
  out.set(payload, 0);
  out[payload.length] = TAG;
  out[payload.length + 1] = DIGEST_BYTES;
  out.set(imageDigest(payload), payload.length + 2);
  return out;
}

/** The digest an image stores (hex), e.g. for a checkpoint's identity; call after checkImageDigest. */
export function storedDigestHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.subarray(bytes.length - DIGEST_BYTES)).toString("hex");
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

/**
 * Checks an image's framing and digest; returns the encoded program it covers. Throws an
 * EngramError naming the file and the byte offset of the problem.
 */
export function checkImageDigest(bytes: Uint8Array, file: string): Uint8Array {
  const fail = (code: string, at: number | undefined, problem: string, hint?: string): never => {
    throw new EngramError([{ code, message: `${file} is not a valid engram IR file: ${problem}${at === undefined ? "" : ` (at byte ${at} of ${bytes.length})`}`, hint }]);
  };
  if (bytes.length > MAX_FILE_BYTES) fail("file-too-large", undefined, `${bytes.length} bytes, more than the ${MAX_FILE_BYTES}-byte limit`);
  const end = embeddedImageEnd(bytes);
  if (end === bytes.length) return bytes.subarray(0, end - TRAILER_BYTES); // the walk verified the trailer and digest
  if (end !== undefined) {
    fail("image-trailing-data", end, `a complete image ends at byte ${end}, followed by ${bytes.length - end} more bytes (trailing or concatenated data)`, "an image file holds exactly one image; write it again with engram compile");
  }
  const at = bytes.length - TRAILER_BYTES;
  if (at < 0 || bytes[at] !== TAG || bytes[at + 1] !== DIGEST_BYTES) {
    if (olderVersion(bytes)) fail("image-old-version", undefined, `it is an IR version 1 image (header.ir_version = 1), written before images carried a digest (this engram reads version ${IR_VERSION})`, "compile the model again with this engram");
    fail("image-no-digest", Math.max(0, at), `it does not end in the ${TRAILER_BYTES}-byte digest trailer (tag 0x7a, length 32, SHA-256): truncated, extended or not an image`);
  }
  const payload = bytes.subarray(0, at);
  const stored = bytes.subarray(at + 2);
  const actual = imageDigest(payload);
  if (!equal(stored, actual)) {
    fail("image-digest-mismatch", at + 2, `its content does not match its digest (stored SHA-256 ${hex(stored)}, content hashes to ${hex(actual)}): the file is damaged`);
  }
  return payload;
}

/** Checks the digest, decodes and verifies: the one way an image file is read. */
export function decodeImage(bytes: Uint8Array, file: string): IrProgram {
  const payload = checkImageDigest(bytes, file);
  let ir: IrProgram;
  try {
    ir = decode(payload);
  } catch (e) {
    if (e instanceof DecodeError) throw new EngramError([{ code: "invalid-ir-file", message: `${file} is not a valid engram IR file: ${e.message.replace(/^not a valid engram IR file: /, "")}` }]);
    throw e;
  }
  verify(ir, file);
  return ir;
}

/**
 * Where the first digest trailer among the top-level fields ends (a one-byte tag, length 32), if
 * the bytes before it hash to it: the end of a complete image, which must be the end of the file.
 * Undefined when the walk finds none (or cannot walk).
 */
function embeddedImageEnd(bytes: Uint8Array): number | undefined {
  const r = protobuf.Reader.create(bytes);
  try {
    while (r.pos < bytes.length) {
      const start = r.pos;
      const tag = r.uint32();
      if (tag === TAG) {
        if (r.pos !== start + 1 || bytes[r.pos] !== DIGEST_BYTES || r.pos + 1 + DIGEST_BYTES > bytes.length) return undefined;
        const end = r.pos + 1 + DIGEST_BYTES;
        return equal(bytes.subarray(r.pos + 1, end), imageDigest(bytes.subarray(0, start))) ? end : undefined;
      }
      r.skipType(tag & 7);
    }
  } catch {
    return undefined; // not walkable: the digest check below reports it
  }
  return undefined;
}

/** A whole file that decodes as a version-1 program (no trailer). */
function olderVersion(bytes: Uint8Array): boolean {
  try {
    return decode(bytes).header?.ir_version === 1;
  } catch {
    return false;
  }
}
