/**
 * Philox-4x32-10 as a WebAssembly function: the same rounds as philox.ts, with the 32 x 32-bit
 * products done as one i64 multiply instead of four 16-bit partial products in JS doubles.
 * Written out as bytes here because the round is ten fixed instruction runs and no package
 * assembles WebAssembly at run time without a compiler toolchain; the JS version stays the
 * reference (tests/util/philox.test.ts checks both against Random123's known answers and against
 * each other on random counters).
 */
import { sleb, uleb } from "./leb128.ts";

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

const GET = 0x20, SET = 0x21, I32 = 0x41, I64 = 0x42, MUL64 = 0x7e, SHR64U = 0x88, WRAP = 0xa7, EXTU = 0xad, XOR = 0x73, ADD = 0x6a, STORE = 0x36;
const M0 = 0xd2511f53, M1 = 0xcd9e8d57, W0 = 0x9e3779b9, W1 = 0xbb67ae85;

/** Locals: 0-3 counter words c0..c3, 4-5 key words k0, k1 (parameters), 6-7 the two products (i64). */
function body(): number[] {
  const code: number[] = [];
  for (let r = 0; r < 10; r++) {
    code.push(GET, 0, EXTU, I64, ...sleb(M0), MUL64, SET, 6); // p0 = c0 * M0
    code.push(GET, 2, EXTU, I64, ...sleb(M1), MUL64, SET, 7); // p1 = c2 * M1
    code.push(GET, 7, I64, 32, SHR64U, WRAP, GET, 1, XOR, GET, 4, XOR, SET, 0); // c0 = hi(p1) ^ c1 ^ k0
    code.push(GET, 7, WRAP, SET, 1); // c1 = lo(p1)
    code.push(GET, 6, I64, 32, SHR64U, WRAP, GET, 3, XOR, GET, 5, XOR, SET, 2); // c2 = hi(p0) ^ c3 ^ k1
    code.push(GET, 6, WRAP, SET, 3); // c3 = lo(p0)
    code.push(GET, 4, I32, ...sleb(W0 | 0), ADD, SET, 4); // k0 += W0 (mod 2^32)
    code.push(GET, 5, I32, ...sleb(W1 | 0), ADD, SET, 5); // k1 += W1
  }
  for (let w = 0; w < 4; w++) code.push(I32, 0, GET, w, STORE, 2, ...uleb(4 * w)); // out[w] at byte 4w
  const locals = [1, 2, 0x7e]; // one run of two i64 locals
  const fn = [...locals, ...code, 0x0b];
  return [...uleb(fn.length), ...fn];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = [1, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]), // one memory, at least one page
    ...section(7, [2, ...name("philox"), 0, 0, ...name("memory"), 2, 0]),
    ...section(10, [1, ...body()]),
  ];
  return new Uint8Array(bytes);
}

const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
const run = instance.exports.philox as (c0: number, c1: number, c2: number, c3: number, k0: number, k1: number) => void;

/** The four output words of the last call (a view of the module's memory: read them before the next call). */
export const PHILOX_WASM_OUT = new Uint32Array((instance.exports.memory as WebAssembly.Memory).buffer, 0, 4);

/** Philox-4x32-10 of counter (c0..c3) under key (k0, k1), all uint32; the same words as philox.ts. */
export function philoxWasm(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): Uint32Array {
  run(c0, c1, c2, c3, k0, k1);
  return PHILOX_WASM_OUT;
}
