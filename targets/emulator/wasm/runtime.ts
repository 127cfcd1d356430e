/**
 * Instantiates a generated SIMD kernel over its own memory. The state arrays it touches are
 * exposed as typed views of that memory (Int16Array for signed formats, Uint16Array for unsigned,
 * so a view holds the raw values exactly); run() applies the kernel to every element once.
 */
import type { IrProgram } from "../../../src/ir/codec.ts";
import { generateSimd, type SimdLayout } from "./generator.ts";

type Kernel = IrProgram["kernels"][number];

export class SimdKernel {
  /** Per state index: its view, or undefined if the kernel does not touch it. */
  readonly views: (Int16Array | Uint16Array | undefined)[];
  readonly layout: SimdLayout;
  /** Per RAND_NORMAL op, in op order: which elements draw (written by a run) and their draws (read by it). */
  readonly draws: { op: number; need: Int32Array; value: Int32Array; kind: "normal" | "round"; shift: number; format: SimdLayout["draws"][number]["format"] }[];
  private readonly fn: (n: number) => void;
  /** SIMD instructions per iteration of 8 elements, and how many of them are v128.const. */
  simdOps = 0;
  constOps = 0;

  private constructor(bytes: Uint8Array<ArrayBuffer>, layout: SimdLayout, states: number[], p: IrProgram, readonly size: number) {
    this.layout = layout;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(layout.bytes / 65536)) });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
    this.fn = inst.exports.run as (n: number) => void;
    this.draws = layout.draws.map((d) => ({ op: d.op, need: new Int32Array(memory.buffer, d.need, layout.capacity), value: new Int32Array(memory.buffer, d.value, layout.capacity), kind: d.kind, shift: d.shift, format: d.format }));
    this.views = p.states.map((s, i) => {
      if (!states.includes(i)) return undefined;
      return s.format.signed ? new Int16Array(memory.buffer, layout.offsets[i], layout.capacity) : new Uint16Array(memory.buffer, layout.offsets[i], layout.capacity);
    });
  }

  /** The kernel as a SIMD module, or the reason it stays on the JS path. */
  static create(k: Kernel, p: IrProgram): SimdKernel | string {
    const m = generateSimd(k, p);
    if (!m.ok) return m.reason;
    const sk = new SimdKernel(m.bytes, m.layout, m.states, p, p.groups[k.group]!.size);
    sk.simdOps = m.simdOps;
    sk.constOps = m.constOps;
    return sk;
  }

  /** Applies the kernel to all elements (the padding up to a multiple of 8 is computed too and ignored). */
  run(): void {
    this.fn(this.layout.capacity);
  }

  /** Applies the kernel to the first n elements (rounded up to a multiple of 8; at most the capacity). */
  runN(n: number): void {
    this.fn((n + 7) & ~7);
  }
}
