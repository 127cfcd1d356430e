/**
 * Fuzz tier: 100,000 inputs through decode + verify. Random byte strings (0..300 bytes) and
 * mutations of valid programs (the hand-built sample and fast-check-generated programs). Byte-level:
 * bit flips, bytes set to 0x00/0xff/random, insertions, deletions, truncations, duplicated chunks,
 * varints (tags, lengths, values) overwritten with huge ones. Structure-aware, on the parsed wire
 * tree with lengths recomputed: values set to special/huge/random numbers, fields dropped, repeated
 * or renumbered, packed lists resized, nested messages emptied. Every input must be accepted or
 * rejected with DecodeError / EngramError: any other exception, or a hang, fails. Accepted inputs
 * must also print and (a quarter of them, for time) survive encode -> decode -> verify and re-encode
 * to the same bytes. Deterministic (seeded); prints one line of counts and time.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Rng } from "../../src/util/rng.ts";
import { decode, DecodeError, encode, type IrProgram } from "../../src/ir/codec.ts";
import { verify } from "../../src/ir/verify.ts";
import { printProgram } from "../../src/ir/print.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { arbProgram, sampleProgram } from "../helpers/ir-sample.ts";

const INPUTS = 100_000;
/** No single input may take longer than this (a hang or a blow-up fails even before vitest's timeout). */
const MAX_MS_PER_INPUT = 5000;

type Outcome = "accepted" | "decode" | "verify";

/**
 * decode + verify; an accepted program must also print and (with `roundTrip`) survive
 * encode -> decode -> verify and re-encode to the same bytes.
 */
function check(bytes: Uint8Array, roundTrip = true): Outcome {
  let p: IrProgram;
  try {
    p = decode(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return "decode";
    throw e;
  }
  try {
    verify(p);
  } catch (e) {
    if (e instanceof EngramError) return "verify";
    throw e;
  }
  printProgram(p);
  if (roundTrip) {
    const again = encode(p);
    const q = decode(again);
    verify(q);
    if (!Buffer.from(encode(q)).equals(Buffer.from(again))) throw new Error("an accepted program does not re-encode to the same bytes");
  }
  return "accepted";
}

// ---- the wire format as a tree, for structure-aware mutations ---------------------------------
// Seeds are parsed schema-free into fields; a length-delimited payload that parses as a message
// (or as packed varints) is kept as such, so values can be changed and lengths recomputed: such
// mutants stay well-formed and exercise the verifier rather than the parser. Each field caches its
// encoding; a mutation copies only the path from the root to the edited field list.

interface WireField {
  no: number;
  wire: number;
  /** wire 0: the value */
  varint?: bigint;
  /** wire 1, 5, and wire 2 payloads that are neither messages nor packed varints */
  raw?: Uint8Array;
  /** wire 2 payload parsed as a message */
  message?: WireField[];
  /** wire 2 payload parsed as packed varints */
  packed?: bigint[];
  /** This field's encoding (tag included); absent when edited. */
  enc?: Uint8Array;
}

function readVarint(b: Uint8Array, pos: number, end: number): [value: bigint, next: number] | undefined {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) return undefined;
    const byte = b[pos + i]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) return [value, pos + i + 1];
  }
  return undefined;
}

function varintBytes(v: bigint | number, out: number[]): void {
  if (typeof v === "number" && v < 2 ** 31) {
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    return;
  }
  let w = BigInt.asUintN(64, BigInt(v));
  do {
    const byte = Number(w & 0x7fn);
    w >>= 7n;
    out.push(w > 0n ? byte | 0x80 : byte);
  } while (w > 0n);
}

function encodeVarints(vs: bigint[]): number[] {
  const out: number[] = [];
  for (const v of vs) varintBytes(v, out);
  return out;
}

function parseWire(b: Uint8Array, start: number, end: number, depth = 0): WireField[] | undefined {
  const out: WireField[] = [];
  let pos = start;
  while (pos < end) {
    const at = pos;
    const tag = readVarint(b, pos, end);
    if (!tag || tag[0] < 8n || tag[0] > 0xffffffffn) return undefined;
    const no = Number(tag[0] >> 3n), wire = Number(tag[0] & 7n);
    let f: WireField;
    pos = tag[1];
    if (wire === 0) {
      const v = readVarint(b, pos, end);
      if (!v) return undefined;
      f = { no, wire, varint: v[0] };
      pos = v[1];
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > end) return undefined;
      f = { no, wire, raw: b.slice(pos, pos + n) };
      pos += n;
    } else if (wire === 2) {
      const len = readVarint(b, pos, end);
      if (!len || len[1] + Number(len[0]) > end) return undefined;
      const from = len[1], to = len[1] + Number(len[0]);
      const message = depth < 6 && to > from ? parseWire(b, from, to, depth + 1) : undefined;
      if (message) f = { no, wire, message };
      else {
        const packed: bigint[] = [];
        for (let p = from; p < to; ) {
          const v = readVarint(b, p, to);
          if (!v) break;
          packed.push(v[0]);
          p = v[1];
        }
        const clean = to > from && encodeVarints(packed).length === to - from;
        f = clean ? { no, wire, packed } : { no, wire, raw: b.slice(from, to) };
      }
      pos = to;
    } else return undefined;
    f.enc = b.slice(at, pos);
    out.push(f);
  }
  return out;
}

function serialize(fields: WireField[]): Uint8Array {
  return concat(...fields.map((f) => f.enc ?? encodeField(f)));
}

function encodeField(f: WireField): Uint8Array {
  const head: number[] = [];
  varintBytes(f.no * 8 + f.wire, head);
  if (f.varint !== undefined) {
    varintBytes(f.varint, head);
    return Uint8Array.from(head);
  }
  if (f.wire !== 2) return concat(head, f.raw!);
  let payload: ArrayLike<number>;
  if (f.message) payload = serialize(f.message);
  else if (f.packed) payload = encodeVarints(f.packed);
  else payload = f.raw!;
  varintBytes(payload.length, head);
  return concat(head, payload);
}

/** Paths (field indices from the root) to every field list of the tree: the root and each nested message. */
function listPaths(fields: WireField[], prefix: number[] = [], out: number[][] = []): number[][] {
  out.push(prefix);
  fields.forEach((f, i) => f.message && listPaths(f.message, [...prefix, i], out));
  return out;
}

/** Copies the lists along `path` (and drops their cached encodings); returns the copied target list. */
function copyPath(root: WireField[], path: number[]): WireField[] {
  let list = root;
  for (const i of path) {
    const f = { ...list[i]!, enc: undefined, message: [...list[i]!.message!] };
    list[i] = f;
    list = f.message;
  }
  return list;
}

const HUGE = [2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 26n + 1n, 2n ** 20n + 1n];
const SPECIAL = [0n, 1n, 2n, 3n, 4n, 7n, 8n, 20n, 31n, 32n, 33n, 63n, 64n, 255n, 256n, 65535n, 65536n, ...HUGE];
const DOUBLES = [0, -0, NaN, Infinity, -Infinity, -1, 1e300, 5e-324];

function mutateTree(seed: Seed, rng: Rng): Uint8Array {
  const r = (n: number) => (n <= 0 ? 0 : rng.nextU32() % n);
  const root = [...seed.tree];
  const edits = 1 + (r(3) === 0 ? 1 + r(2) : 0);
  for (let e = 0; e < edits; e++) {
    const path = seed.lists[r(seed.lists.length)]!;
    let list: WireField[];
    try {
      list = copyPath(root, path);
    } catch {
      continue; // an earlier edit removed or changed this path
    }
    if (list.length === 0) continue;
    const at = r(list.length);
    const f: WireField = { ...list[at]!, enc: undefined };
    list[at] = f;
    const value = (old: bigint) => {
      const k = r(6);
      return k === 0 ? SPECIAL[r(SPECIAL.length)]! : k === 1 ? HUGE[r(HUGE.length)]! : k === 2 ? BigInt(rng.nextU32()) : k === 3 ? old + 1n : k === 4 ? old - 1n : old * 2n;
    };
    switch (r(8)) {
      case 0:
      case 1:
      case 2: // a varint value, one packed element or a double set to a special, huge or random value
        if (f.varint !== undefined) f.varint = value(f.varint);
        else if (f.packed && f.packed.length) {
          f.packed = [...f.packed];
          const k = r(f.packed.length);
          f.packed[k] = value(f.packed[k]!);
        } else if (f.raw && f.wire === 1) {
          f.raw = new Uint8Array(8);
          new DataView(f.raw.buffer).setFloat64(0, DOUBLES[r(DOUBLES.length)]!, true);
        }
        break;
      case 3: // a field dropped (a nested message may lose its only field: present but empty)
        list.splice(at, 1);
        break;
      case 4: // a field repeated
        list.splice(at, 0, list[at]!);
        break;
      case 5: // a packed list grown, shrunk or emptied
        if (f.packed) {
          f.packed = [...f.packed];
          if (r(3) === 0) f.packed.length = 0;
          else if (r(2) === 0) f.packed.splice(r(f.packed.length), 1);
          else f.packed.splice(r(f.packed.length + 1), 0, value(0n));
        }
        break;
      case 6: // another field number: another field of the same wire type, or an unknown one
        f.no = [1 + r(10), 1 + r(10), 100 + r(1000)][r(3)]!;
        break;
      default: // a nested message emptied, or a value zeroed (the proto3 default)
        if (f.message) f.message = [];
        else if (f.varint !== undefined) f.varint = 0n;
    }
  }
  return serialize(root);
}

// ---- byte-level mutations ---------------------------------------------------------------------

const HUGE_VARINTS = [
  [0xff, 0xff, 0xff, 0xff, 0x0f], // 2^32 - 1
  [0x80, 0x80, 0x80, 0x80, 0x08], // 2^31
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^64 - 1
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 2^63
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10], // 2^53
  [0xff, 0xff, 0xff, 0x7f], // 2^28 - 1
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // overlong: 11 bytes
];

interface Seed {
  bytes: Uint8Array;
  tree: WireField[];
  /** Paths to every field list of the tree. */
  lists: number[][];
  /** Offsets of the seed's varints (tags, lengths, values, packed elements). */
  varints: number[];
}

function varintOffsets(b: Uint8Array, start: number, end: number, depth = 0, out: number[] = []): number[] {
  let pos = start;
  while (pos < end) {
    const tag = readVarint(b, pos, end)!;
    out.push(pos);
    pos = tag[1];
    const wire = Number(tag[0] & 7n);
    if (wire === 0) {
      out.push(pos);
      pos = readVarint(b, pos, end)![1];
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else {
      out.push(pos);
      const len = readVarint(b, pos, end)!;
      const from = len[1], to = len[1] + Number(len[0]);
      if (depth < 6 && to > from && parseWire(b, from, to)) varintOffsets(b, from, to, depth + 1, out);
      else for (let p = from; p < to; ) {
        const v = readVarint(b, p, to);
        if (!v) break;
        out.push(p);
        p = v[1];
      }
      pos = to;
    }
  }
  return out;
}

function seeds(): Seed[] {
  const programs = [sampleProgram(), ...fc.sample(arbProgram(), { numRuns: 60, seed: 2026 })];
  return programs.map((p) => {
    const bytes = encode(p);
    const tree = parseWire(bytes, 0, bytes.length)!;
    const rebuilt = serialize(tree.map(function strip(f): WireField {
      return { ...f, enc: undefined, message: f.message?.map(strip) };
    }));
    if (!Buffer.from(rebuilt).equals(Buffer.from(bytes))) throw new Error("the wire tree does not reproduce its seed");
    return { bytes, tree, lists: listPaths(tree), varints: varintOffsets(bytes, 0, bytes.length) };
  });
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mutateBytes(seed: Seed, rng: Rng): Uint8Array {
  const r = (n: number) => (n <= 0 ? 0 : rng.nextU32() % n);
  let b = seed.bytes;
  // A third of the time start by overwriting one of the seed's varints (tag, length or value) with
  // a huge one, lengths left as they are.
  if (r(3) === 0) {
    const at = seed.varints[r(seed.varints.length)]!;
    const end = readVarint(b, at, b.length)![1];
    b = concat(b.subarray(0, at), HUGE_VARINTS[r(HUGE_VARINTS.length)]!, b.subarray(end));
    if (r(2) === 0) return b;
  }
  const edits = [1, 1, 1, 1, 2, 2, 3, 4][r(8)]!;
  for (let e = 0; e < edits; e++) {
    const at = r(b.length);
    switch (r(9)) {
      case 0: // bit flip
        if (b.length) (b = Uint8Array.from(b))[at] ^= 1 << r(8);
        break;
      case 1: // byte set to 0x00, 0xff, 0x80, 0x7f or a random value
        if (b.length) (b = Uint8Array.from(b))[at] = [0x00, 0xff, 0x80, 0x7f, r(256)][r(5)]!;
        break;
      case 2: // insertion of random bytes
        b = concat(b.subarray(0, at), Array.from({ length: 1 + r(8) }, () => r(256)), b.subarray(at));
        break;
      case 3: // deletion
        b = concat(b.subarray(0, at), b.subarray(at + 1 + r(8)));
        break;
      case 4: // truncation
        b = b.subarray(0, at);
        break;
      case 5: // duplicated chunk
        b = concat(b.subarray(0, at), b.subarray(at, at + 1 + r(32)), b.subarray(at));
        break;
      case 6: // a huge varint inserted here
        b = concat(b.subarray(0, at), HUGE_VARINTS[r(HUGE_VARINTS.length)]!, b.subarray(at));
        break;
      case 7: // a byte made a continuation byte (lengths and counts grow)
        if (b.length) (b = Uint8Array.from(b))[at] = 0x80 | r(128);
        break;
      default: // a chunk of this input copied over another place
        if (b.length) {
          const from = r(b.length);
          const chunk = b.slice(from, from + 1 + r(16));
          (b = Uint8Array.from(b)).set(chunk.subarray(0, b.length - at), at);
        }
    }
  }
  return b;
}

/** Inputs that were once handled wrongly by decode or verify, with the outcome they must now have. */
const REGRESSIONS: [name: string, hex: string, outcome: Outcome][] = [
  // A stimulus carrying both a spike list and a Poisson source (neuron 9 of a 1-neuron group) was
  // accepted: verify only looked at the spike list.
  ["stimulus with two kinds", "0a14080129fca9f1d24d62503f49000000000000f03f12070a016e10011801320f12060a01011201001a050a01093001", "verify"],
  // 2.2 million empty kernels in 4.4 MB: decoding materialised ~300 bytes of objects per 2 input
  // bytes (660 MB here; a few tens of MB exhausted the heap) before verify could count them.
  ["millions of empty kernels", "2a00".repeat(2_200_000), "decode"],
];

describe("IR fuzz tier", () => {
  for (const [name, hex, outcome] of REGRESSIONS) {
    it(`regression: ${name}`, () => {
      expect(check(Buffer.from(hex, "hex"))).toBe(outcome);
    });
  }

  it(`decode + verify survive ${INPUTS} random and mutated inputs`, () => {
    const rng = new Rng(2026, "ir-fuzz");
    const valid = seeds();
    expect(valid.every((s) => s.varints.length > 0 && s.tree.length > 0)).toBe(true);
    const counts: Record<Outcome, number> = { accepted: 0, decode: 0, verify: 0 };
    let slowest = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < INPUTS; i++) {
      let bytes: Uint8Array;
      // 1/7 random bytes; the rest mutations, a third of them of the sample: 3/7 byte-level, 3/7 on the wire tree
      const kind = i % 7;
      const seed = i % 3 === 0 ? valid[0]! : valid[1 + (rng.nextU32() % (valid.length - 1))]!;
      if (kind === 0) bytes = Uint8Array.from({ length: rng.nextU32() % 301 }, () => rng.nextU32() & 0xff);
      else if (kind <= 3) bytes = mutateBytes(seed, rng);
      else bytes = mutateTree(seed, rng);
      const t = performance.now();
      try {
        counts[check(bytes, i % 4 === 0)]++; // the round trip on a quarter of the inputs, for time
      } catch (e) {
        throw new Error(`input ${i} (${bytes.length} bytes: ${Buffer.from(bytes).toString("hex").slice(0, 400)}) crashed: ${(e as Error).stack}`);
      }
      const ms = performance.now() - t;
      if (ms > slowest) slowest = ms;
      if (ms > MAX_MS_PER_INPUT) throw new Error(`input ${i} (${Buffer.from(bytes).toString("hex").slice(0, 400)}) took ${ms.toFixed(0)} ms`);
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    console.log(`ir fuzz: ${INPUTS} inputs in ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (slowest ${slowest.toFixed(1)} ms): ${counts.accepted} accepted, ${counts.decode} rejected by decode, ${counts.verify} rejected by verify`);
    expect(counts.accepted + counts.decode + counts.verify).toBe(INPUTS);
    // The mutations reach every stage.
    expect(counts.accepted).toBeGreaterThan(1000);
    expect(counts.verify).toBeGreaterThan(5000);
  });
});
