/**
 * A minimal WebAssembly binary writer: one module with an imported memory ("env", "mem") and one
 * exported function "run"(n: i32) -> (). Only the opcodes the SIMD kernel generator needs; SIMD
 * opcodes are the final encodings of the spec (0xfd prefix, LEB128 op number).
 */

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Scalar opcodes. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  drop: 0x1a,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const Simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  i32x4Splat: 0x11,
  i16x8Ne: 0x2e,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  i32x4LtS: 0x39,
  i32x4GtS: 0x3b,
  i32x4GtU: 0x3c,
  i32x4GeS: 0x3f,
  i32x4GeU: 0x40,
  and: 0x4e,
  bitselect: 0x52,
  i16x8NarrowS: 0x85,
  i16x8NarrowU: 0x86,
  i32x4Abs: 0xa0,
  i32x4Neg: 0xa1,
  i32x4ExtendLowS: 0xa7,
  i32x4ExtendHighS: 0xa8,
  i32x4ExtendLowU: 0xa9,
  i32x4ExtendHighU: 0xaa,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4Mul: 0xb5,
  i32x4MinS: 0xb6,
  i32x4MinU: 0xb7,
  i32x4MaxS: 0xb8,
  i32x4MaxU: 0xb9,
  i32x4ExtmulLowS: 0xbc,
  i32x4ExtmulHighS: 0xbd,
} as const;

import { sleb, uleb } from "../../../src/util/leb128.ts";

/** A function body under construction. Locals are declared up front; 0 is the parameter n. */
export class Body {
  readonly code: number[] = [];
  private readonly locals: number[] = [];
  /** SIMD instructions emitted (all inside the loop): the cost per 8 elements, for the benchmark. */
  simdOps = 0;
  /** Of those, v128.const (splat constants): nearly free, the engine keeps them in registers. */
  constOps = 0;

  /** A new local of the given type; returns its index. */
  local(type: number): number {
    this.locals.push(type);
    return this.locals.length; // index 0 is the parameter
  }
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  /** Observers of local reads and writes (dead-op elimination in the generator). */
  onGet?: (i: number) => void;
  onSet?: (i: number) => void;
  get(i: number): this {
    this.onGet?.(i);
    return this.op(Op.localGet, ...uleb(i));
  }
  set(i: number): this {
    this.onSet?.(i);
    return this.op(Op.localSet, ...uleb(i));
  }
  tee(i: number): this {
    this.onSet?.(i);
    return this.op(Op.localTee, ...uleb(i));
  }
  /** Drops everything emitted since `mark()` (an op whose results nothing reads). */
  mark(): [number, number, number] {
    return [this.code.length, this.simdOps, this.constOps];
  }
  /** Rolls back to `m`, keeping the code between each pair of marks in `keep` (in order). */
  rollback(m: [number, number, number], keep: [number, number, number][][] = []): void {
    const kept = keep.map(([a, b]) => this.code.slice(a[0], b[0]));
    const ops = keep.reduce((s, [a, b]) => s + b[1] - a[1], 0), consts = keep.reduce((s, [a, b]) => s + b[2] - a[2], 0);
    this.code.length = m[0];
    for (const c of kept) this.code.push(...c);
    this.simdOps = m[1] + ops;
    this.constOps = m[2] + consts;
  }
  i32(v: number): this {
    return this.op(Op.i32Const, ...sleb(v | 0));
  }
  simd(op: number): this {
    this.simdOps++;
    return this.op(0xfd, ...uleb(op));
  }
  /** v128.load / v128.store at the address on the stack plus a constant offset (16-byte aligned). */
  mem(op: number, offset: number): this {
    return this.simd(op).op(4, ...uleb(offset));
  }
  /** Pushes an i32x4 with every lane = v (v128.const). */
  splat(v: number): this {
    this.constOps++;
    const b = new Uint8Array(16);
    new DataView(b.buffer).setInt32(0, v | 0, true);
    b.copyWithin(4, 0, 4).copyWithin(8, 0, 8);
    return this.simd(Simd.const).op(...b);
  }
  /** The encoded body: local declarations (run-length by type), code, end. */
  encode(): number[] {
    const groups: [number, number][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const out = uleb(groups.length);
    for (const [n, t] of groups) out.push(...uleb(n), t);
    out.push(...this.code, Op.end);
    return out;
  }
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/** Module bytes: memory import of at least `pages` 64 KiB pages, function run(n: i32). */
export function moduleBytes(body: Body, pages: number): Uint8Array<ArrayBuffer> {
  const type = section(1, [1, 0x60, 1, I32, 0]);
  const imports = section(2, [1, ...name("env"), ...name("mem"), 0x02, 0x00, ...uleb(pages)]);
  const funcs = section(3, [1, 0]);
  const exports = section(7, [1, ...name("run"), 0x00, 0]);
  const b = body.encode();
  const code = section(10, [1, ...uleb(b.length), ...b]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/**
 * Wraps a loop body into `for (off = 0; off < 2n; off += 16) body(off)`: 8 int16 lanes per
 * iteration. `emit` receives the local holding the byte offset.
 */
export function loopOver8(body: Body, emit: (off: number) => void): void {
  const end = body.local(I32);
  const off = body.local(I32);
  body.get(0).i32(1).op(Op.i32Shl).set(end);
  body.op(Op.block, 0x40, Op.loop, 0x40);
  body.get(off).get(end).op(Op.i32GeU, Op.brIf, 1);
  emit(off);
  body.get(off).i32(16).op(Op.i32Add).set(off);
  body.op(Op.br, 0, Op.end, Op.end);
}
