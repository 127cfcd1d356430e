/**
 * Many dot products of long float64 vectors at once, out[b * na + j] += A_j . B_b, as a
 * WebAssembly SIMD kernel (f64x2 lanes, register-blocked over 4 A-vectors x 2 B-vectors, so each
 * loaded pair of values feeds two or four multiply-adds). The analysis' hot loops are of this
 * form: IPC's products X'z for a batch of targets, and the ridge fits' Gram matrix, A'Y and test
 * predictions (src/analysis/tasks/ridge.ts). Written by hand because no maintained package does
 * float64 matrix products on typed arrays in JS (ml-matrix's mmul works on arrays of JS arrays);
 * the module is a few hundred bytes, assembled here (the emulator has its own, integer-only,
 * generator under targets/, which analysis code may not import).
 *
 * Numbers: each dot product is summed in two lanes (even and odd indices), then per time chunk,
 * so results differ from a sequential sum by rounding only (~1e-16 relative per term).
 */

const I32 = 0x7f, V128 = 0x7b;

function uleb(n: number, out: number[] = []): number[] {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

/**
 * One block function over JB A-vectors x BB B-vectors (all parameters i32 byte offsets/counts):
 *   block(a, aStride, b, bStride, n, out, outStride)
 * adds sum_{t < n / 8} A_c[t] B_q[t] to the f64 at out + q * outStride + 8 c, for c < JB, q < BB,
 * with A_c at a + c * aStride and B_q at b + q * bStride. n (bytes) a positive multiple of 16.
 */
function blockBody(JB: number, BB: number): number[] {
  const P = { a: 0, as: 1, b: 2, bs: 3, n: 4, out: 5, os: 6 };
  let next = 7;
  const i32s: number[] = [], v128s: number[] = [];
  const li = () => (i32s.push(next), next++);
  const t = li();
  const pa = Array.from({ length: JB }, li), pb = Array.from({ length: BB }, li);
  const lv = () => (v128s.push(next), next++);
  const acc = Array.from({ length: JB * BB }, lv), x = Array.from({ length: JB }, lv), z = Array.from({ length: BB }, lv);
  const c: number[] = [];
  const get = (i: number) => c.push(0x20, ...uleb(i));
  const set = (i: number) => c.push(0x21, ...uleb(i));
  const i32c = (v: number) => c.push(0x41, ...uleb(v)); // small non-negative constants only
  const simd = (op: number) => c.push(0xfd, ...uleb(op));
  // Column pointers.
  for (let k = 0; k < JB; k++) {
    get(P.a);
    if (k > 0) (get(P.as), i32c(k), c.push(0x6c, 0x6a)); // a + k * as
    set(pa[k]!);
  }
  for (let k = 0; k < BB; k++) {
    get(P.b);
    if (k > 0) (get(P.bs), i32c(k), c.push(0x6c, 0x6a));
    set(pb[k]!);
  }
  // Loop over t (bytes), accumulators start at zero (locals are zero-initialised).
  c.push(0x03, 0x40); // loop
  const load = (p: number, into: number) => (get(p), get(t), c.push(0x6a), simd(0x00), c.push(4, 0), set(into));
  for (let k = 0; k < JB; k++) load(pa[k]!, x[k]!);
  for (let q = 0; q < BB; q++) load(pb[q]!, z[q]!);
  for (let q = 0; q < BB; q++) for (let k = 0; k < JB; k++) {
    const s = acc[q * JB + k]!;
    get(s), get(x[k]!), get(z[q]!), simd(0xf2), simd(0xf0), set(s); // acc += x * z (f64x2.mul, f64x2.add)
  }
  get(t), i32c(16), c.push(0x6a), set(t);
  get(t), get(P.n), c.push(0x49, 0x0d, 0); // br_if t < n
  c.push(0x0b); // end loop
  // Horizontal sums into out.
  for (let q = 0; q < BB; q++) for (let k = 0; k < JB; k++) {
    const s = acc[q * JB + k]!;
    const addr = () => {
      get(P.out);
      if (q > 0) (get(P.os), i32c(q), c.push(0x6c, 0x6a));
    };
    addr();
    addr(), c.push(0x2b, 3, ...uleb(8 * k)); // f64.load
    get(s), simd(0x21), c.push(0); // lane 0
    get(s), simd(0x21), c.push(1); // lane 1
    c.push(0xa0, 0xa0); // f64.add twice: out + (lane0 + lane1)
    c.push(0x39, 3, ...uleb(8 * k)); // f64.store
  }
  const locals = [...uleb(2), ...uleb(i32s.length), I32, ...uleb(v128s.length), V128];
  const body = [...locals, ...c, 0x0b];
  return [...uleb(body.length), ...body];
}

/** Block shapes exported, in this order: 4x2 (the main one), 4x1, 1x2, 1x1 (remainders). */
const SHAPES = [[4, 2], [4, 1], [1, 2], [1, 1]] as const;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]);
  const imports = section(2, [1, ...name("env"), ...name("mem"), 0x02, 0x00, 0]);
  const funcs = section(3, [SHAPES.length, ...SHAPES.map(() => 0)]);
  const exports = section(7, [SHAPES.length, ...SHAPES.flatMap(([j, b], i) => [...name(`b${j}${b}`), 0x00, i])]);
  const code = section(10, [SHAPES.length, ...SHAPES.flatMap(([j, b]) => blockBody(j, b))]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...imports, ...funcs, ...exports, ...code]);
}

let compiled: WebAssembly.Module | null | undefined;
/** The compiled module, or null where WebAssembly SIMD is unavailable (callers use plain JS). */
function module(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

export const wasmDotsAvailable = (): boolean => module() !== null;

type Block = (a: number, as: number, b: number, bs: number, n: number, out: number, os: number) => void;

/**
 * A float64 arena in its own WebAssembly memory plus the kernel bound to it. Vectors live at
 * 16-byte aligned offsets (in doubles) handed out by `alloc`; a vector's length is padded to even
 * and the pad is zero, so a product over the padded length equals the one over the true length.
 */
export class DotArena {
  readonly f64: Float64Array;
  private used = 0;
  private readonly blocks: Block[];

  /** capacity: doubles the arena can hold (each alloc rounds up to an even count). */
  constructor(capacity: number) {
    const m = module();
    if (!m) throw new Error("WebAssembly SIMD is not available");
    const bytes = Math.max(8, (capacity + 2) * 8);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const inst = new WebAssembly.Instance(m, { env: { mem: memory } });
    this.blocks = SHAPES.map(([j, b]) => inst.exports[`b${j}${b}`] as Block);
    this.f64 = new Float64Array(memory.buffer);
  }

  /** An arena, or undefined if its memory cannot be had (beyond 4 GiB, or none left): callers fall back to plain JS. */
  static tryCreate(capacity: number): DotArena | undefined {
    if ((capacity + 2) * 8 > 65536 * 65536) return undefined;
    try {
      return new DotArena(capacity);
    } catch (e) {
      if (e instanceof RangeError) return undefined; // WebAssembly.Memory could not be allocated
      throw e;
    }
  }

  /** Frees every allocation and zeroes what was used, so the arena can serve the next problem. */
  reset(): void {
    this.f64.fill(0, 0, this.used);
    this.used = 0;
  }

  /** Offset (in doubles) of n fresh zeroed doubles, n rounded up to even. */
  alloc(n: number): number {
    const size = n + (n & 1);
    if (this.used + size > this.f64.length) throw new RangeError(`DotArena: ${n} doubles do not fit (${this.used} of ${this.f64.length} used)`);
    const at = this.used;
    this.used += size;
    return at;
  }

  view(at: number, n: number): Float64Array {
    return this.f64.subarray(at, at + n);
  }

  /**
   * out[q * outStride + j] += sum_{t0 <= t < t1} A_j[t] B_q[t] for j < na, q < nb, where
   * A_j starts at (double offset) a + j * aStride and B_q at b + q * bStride; t0 and t1 even
   * (t1 may be the padded length). `out` is an offset into the arena. Time chunks of `chunk`
   * samples (even) keep four A-vectors in cache while all B-vectors pass them.
   */
  dots(a: number, aStride: number, na: number, b: number, bStride: number, nb: number, t0: number, t1: number, out: number, outStride: number, chunk = t1 - t0): void {
    if (t0 & 1 || t1 & 1 || chunk & 1 || chunk <= 0) throw new RangeError("DotArena.dots: t0, t1 and chunk must be even");
    const [b42, b41, b12, b11] = this.blocks as [Block, Block, Block, Block];
    const ja = na - (na % 4), qb = nb - (nb % 2);
    const as = aStride * 8, bs = bStride * 8, os = outStride * 8;
    for (let c0 = t0; c0 < t1; c0 += chunk) {
      const n = Math.min(chunk, t1 - c0) * 8;
      for (let j = 0; j < na; j += j < ja ? 4 : 1) {
        const pa = (a + j * aStride + c0) * 8, four = j < ja;
        for (let q = 0; q < nb; q += q < qb ? 2 : 1) {
          const pb = (b + q * bStride + c0) * 8, po = (out + q * outStride + j) * 8;
          if (q < qb) (four ? b42 : b12)(pa, as, pb, bs, n, po, os);
          else (four ? b41 : b11)(pa, as, pb, bs, n, po, os);
        }
      }
    }
  }
}
