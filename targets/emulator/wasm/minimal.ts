/**
 * The benchmark's minimal synapse update, w = sat16(w + ((a * b) >> 15)), as a hand-written
 * i16x8 kernel and as a plain JS loop (the baseline): both compute exactly the same values.
 */
import { Body, loopOver8, moduleBytes, Simd, V128 } from "./assembler.ts";

/** Byte offsets of w, a, b in memory for n elements (n a multiple of 8). */
export function minimalLayout(n: number): { w: number; a: number; b: number; bytes: number } {
  return { w: 0, a: 2 * n, b: 4 * n, bytes: 6 * n };
}

export function minimalModule(n: number): { bytes: Uint8Array<ArrayBuffer>; simdOps: number } {
  const L = minimalLayout(n);
  const body = new Body();
  const a = body.local(V128), b = body.local(V128), w = body.local(V128);
  loopOver8(body, (off) => {
    body.get(off).mem(Simd.load, L.a).set(a);
    body.get(off).mem(Simd.load, L.b).set(b);
    body.get(off).mem(Simd.load, L.w).set(w);
    body.get(off); // store address
    // Exact products in 32 bits (extmul), floor-shifted, added to w widened, then narrowed with saturation.
    for (const [mul, ext] of [[Simd.i32x4ExtmulLowS, Simd.i32x4ExtendLowS], [Simd.i32x4ExtmulHighS, Simd.i32x4ExtendHighS]] as const) {
      body.get(a).get(b).simd(mul).i32(15).simd(Simd.i32x4ShrS);
      body.get(w).simd(ext).simd(Simd.i32x4Add);
    }
    body.simd(Simd.i16x8NarrowS).mem(Simd.store, L.w);
  });
  return { bytes: moduleBytes(body, Math.max(1, Math.ceil(L.bytes / 65536))), simdOps: body.simdOps };
}

/** Instantiates the minimal kernel over n elements (rounded up to 8); views share the memory. */
export function minimalWasm(n: number): { w: Int16Array; a: Int16Array; b: Int16Array; run: () => void; simdOps: number } {
  const m = Math.ceil(n / 8) * 8;
  const L = minimalLayout(m);
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(L.bytes / 65536)) });
  const mod = minimalModule(m);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(mod.bytes), { env: { mem: memory } });
  const run = inst.exports.run as (n: number) => void;
  return { w: new Int16Array(memory.buffer, L.w, m), a: new Int16Array(memory.buffer, L.a, m), b: new Int16Array(memory.buffer, L.b, m), run: () => run(m), simdOps: mod.simdOps };
}

/** The plain JS baseline over Int16Array. */
export function minimalJs(w: Int16Array, a: Int16Array, b: Int16Array): void {
  for (let i = 0; i < w.length; i++) {
    const v = w[i]! + ((a[i]! * b[i]!) >> 15);
    w[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}
