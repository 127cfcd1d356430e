/**
 * A kernel of the tick loop run through its generated WebAssembly SIMD module (wasm/generator.ts)
 * instead of the generated JS, where the kernel's ops allow it (the generator decides from the
 * ops and formats alone; it gives a reason otherwise and the JS path keeps the kernel).
 *
 * The SIMD module keeps its own Int16 copies of the states it touches. A run copies in the
 * elements it works on (all of the group for dense kernels; the compacted list of open synapses
 * for gated kernels; the triggered synapses for spike-triggered ones), runs 8 elements per
 * iteration and copies the stored states back, counting changes as the JS kernels do (activity and
 * per-state versions, which the tick loop uses to skip exact repeats of no-op runs).
 *
 * Why this is exact: the generator only accepts kernels whose loads and stores are of the
 * kernel's own element (no gathers, no reductions), without spikes and without stochastic
 * rounding that drops bits, so each element's result depends on that element's states alone and
 * the element order of the JS loop cannot matter, except for the order of draws. RAND_NORMAL
 * draws are made by the host, in the JS loop's order: a first pass finds which elements draw at
 * which op (exact: the generator refuses a draw whose condition depends on an earlier draw), the
 * host then draws through the emulator's noise stream and conversion (element by element, op by
 * op, as the JS kernel does) into an Int32 array the second pass reads; each op is the reference interpreter's (tests/emulator/wasm.test.ts), and
 * tests/emulator/simd-loop.test.ts checks whole runs against the interpreter and the JS path.
 */
import type { IrFixedFormat, IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import type { Rng } from "../../src/util/rng.ts";
import { convertNumber } from "./convert.ts";
import { SimdKernel } from "./wasm/runtime.ts";

/** The emulator's random streams: RAND_NORMAL's noise, and the rounding draw its conversion may take. */
export interface Draws {
  noise: Rng;
  uniform: () => number;
}

type Kernel = IrProgram["kernels"][number];
const STORE = OP_BY_NAME.get("STORE")!.code, STORE_ADD = OP_BY_NAME.get("STORE_ADD")!.code, RAND_NORMAL = OP_BY_NAME.get("RAND_NORMAL")!.code;

/** Which kernels may take the SIMD path: ENGRAM_KERNELS=js forces the generated JS everywhere (comparison, fallback). */
export function simdAllowed(): boolean {
  return (typeof process === "undefined" ? undefined : process.env.ENGRAM_KERNELS) !== "js";
}

export class SimdRunner {
  /** Per touched state: its index, the emulator's array and the module's view. */
  private readonly touched: { s: number; arr: Float64Array; view: Int16Array | Uint16Array; stored: boolean }[];
  /** Per touched state: the version up to which the module's copy of all elements is current (-1: unknown). */
  private readonly syncedAt: Float64Array;

  /** Per RAND_NORMAL op: the format its draw is converted to. */
  private readonly drawFormats: IrFixedFormat[];

  private constructor(private readonly sk: SimdKernel, k: Kernel, state: Float64Array[], private readonly versions: Float64Array, private readonly activity: Float64Array, private readonly random: Draws | undefined) {
    this.drawFormats = k.ops.filter((o) => o.op === RAND_NORMAL).map((o) => k.registers[o.dst]!.format);
    if (this.drawFormats.length > 0 && !random) throw new Error(`kernel ${k.name} draws: its runner needs the emulator's streams`);
    const stored = new Set(k.ops.filter((o) => o.op === STORE || o.op === STORE_ADD).map((o) => o.state));
    this.touched = sk.views.flatMap((view, s) => (view ? [{ s, arr: state[s]!, view, stored: stored.has(s) }] : []));
    this.syncedAt = new Float64Array(this.touched.length).fill(-1);
  }

  /** The runner for kernel k, or why the JS path keeps it. */
  static create(k: Kernel, p: IrProgram, state: Float64Array[], versions: Float64Array, activity: Float64Array, random?: Draws): SimdRunner | string {
    const sk = SimdKernel.create(k, p);
    if (typeof sk === "string") return sk;
    return new SimdRunner(sk, k, state, versions, activity, random);
  }

  /**
   * Runs the module over n elements (copied in already by `copyIn`). With draws: a first pass
   * writes which elements draw, the states are copied in again (the pass changed the module's
   * copies), the host draws in the JS kernel's order into the value arrays, and the second pass
   * computes with them.
   */
  private pass(n: number, copyIn: () => void): void {
    const d = this.sk.draws;
    if (d.length === 0) {
      this.sk.runN(n);
      return;
    }
    for (const x of d) x.value.fill(0, 0, n);
    this.sk.runN(n);
    copyIn();
    const { noise, uniform } = this.random!;
    const fmt = this.drawFormats, act = this.activity;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d.length; j++) {
        if (d[j]!.need[i] === 0) continue;
        act[1]!++;
        // as the generated JS kernel draws (codegen.ts, RAND_NORMAL)
        d[j]!.value[i] = convertNumber(Math.round(noise.normal() * 1099511627776), 40, fmt[j]!, uniform);
      }
    }
    this.sk.runN(n);
  }

  /** SIMD instructions per 8 elements (v128.const included). */
  get simdOps(): number {
    return this.sk.simdOps;
  }

  /**
   * The kernel over every element of its group. A state's copy is refreshed only if something
   * else changed it since this runner last synchronised it (its version moved).
   */
  runAll(n: number): void {
    const t = this.touched;
    const copyIn = (all: boolean) => {
      for (let j = 0; j < t.length; j++) {
        const { s, arr, view } = t[j]!;
        if (!all && this.syncedAt[j] === this.versions[s]) continue;
        for (let e = 0; e < n; e++) view[e] = arr[e]!;
      }
    };
    copyIn(false);
    this.pass(n, () => copyIn(true));
    for (let j = 0; j < t.length; j++) {
      const { s, arr, view, stored } = t[j]!;
      if (stored) {
        let changed = 0;
        for (let e = 0; e < n; e++) {
          const v = view[e]!;
          if (arr[e] !== v) {
            arr[e] = v;
            changed++;
          }
        }
        this.changed(s, changed);
      }
      this.syncedAt[j] = this.versions[s]!;
    }
  }

  /** The kernel over the elements list[0..count), in any order (they are independent): gathered, run, scattered back. */
  runList(list: Int32Array, count: number): void {
    const t = this.touched;
    const copyIn = () => {
      for (let j = 0; j < t.length; j++) {
        const { arr, view } = t[j]!;
        for (let i = 0; i < count; i++) view[i] = arr[list[i]!]!;
        this.syncedAt[j] = -1; // the module's copy now holds other elements' values
      }
    };
    copyIn();
    this.pass(count, copyIn);
    for (let j = 0; j < t.length; j++) {
      const { s, arr, view, stored } = t[j]!;
      if (!stored) continue;
      let changed = 0;
      for (let i = 0; i < count; i++) {
        const v = view[i]!, e = list[i]!;
        if (arr[e] !== v) {
          arr[e] = v;
          changed++;
        }
      }
      this.changed(s, changed);
    }
  }

  /** Forgets which copies are current (after the emulator's states were replaced, e.g. by restore()). */
  invalidate(): void {
    this.syncedAt.fill(-1);
  }

  /** What the JS kernels count per changed store: activity (a run with none is a no-op) and the state's version. */
  private changed(s: number, count: number): void {
    if (count === 0) return;
    this.activity[0]! += count;
    this.versions[s]! += count;
  }
}
