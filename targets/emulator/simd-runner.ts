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
 * kernel's own element (no gathers, no reductions) and without spikes, so each element's result
 * depends on that element's states and draws alone, and each op is the reference interpreter's
 * (tests/emulator/wasm.test.ts). Draws (stochastic rounding where bits are dropped, RAND_NORMAL
 * where its condition is non-zero) are made by the host with the emulator's draw functions: since
 * IR version 4 a draw is a function of (element, tick, kernel, op) alone (src/ir/draws.ts), so
 * the host computes each needed one directly. The kernel writes which elements need a draw at each
 * site and reads the draws from arrays. Which elements draw may depend on earlier draws, so the
 * runner iterates: draws filled where the previous pass needed them, the pass repeated, until a
 * pass needs draws exactly where they were filled (then every element has read its own draws).
 * If that takes more than a few passes the JS kernel runs instead (the same draws, counted anew).
 * tests/emulator/simd-loop.test.ts checks whole runs against the interpreter and the JS path.
 */
import type { IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { drawSite } from "../../src/ir/draws.ts";
import { convertNumber } from "./convert.ts";
import { SimdKernel } from "./wasm/runtime.ts";

/** The kernel's index and the emulator's draw functions (src/ir/draws.ts; `round` counts the draw). */
export interface Draws {
  kernel: number;
  round: (site: number, element: number) => number;
  normal: (site: number, element: number) => number;
}

/** Passes over the same elements before the runner gives up on a self-consistent layout of draws. */
const MAX_PASSES = 6;

/**
 * Fewer elements than this in a run take the JS kernel (identical results): for a few elements a
 * module call, the copies and, with draws, the repeated pass are not worth it.
 */
export const SIMD_MIN_ELEMENTS = 32;

type Kernel = IrProgram["kernels"][number];
const STORE = OP_BY_NAME.get("STORE")!.code, STORE_ADD = OP_BY_NAME.get("STORE_ADD")!.code;

/** Which kernels may take the SIMD path: ENGRAM_KERNELS=js forces the generated JS everywhere (comparison, fallback). */
export function simdAllowed(): boolean {
  return (typeof process === "undefined" ? undefined : process.env.ENGRAM_KERNELS) !== "js";
}

export class SimdRunner {
  /** Per touched state: its index, the emulator's array and the module's view. */
  private readonly touched: { s: number; arr: Float64Array; view: Int16Array | Uint16Array; stored: boolean }[];
  /** Per touched state: the version up to which the module's copy of all elements is current (-1: unknown). */
  private readonly syncedAt: Float64Array;

  /** Per draw site: the need mask its draws were laid out from (compared with the next pass's). */
  private readonly laidOut: Int32Array[];
  /** Per draw site: its counter word (drawSite of the kernel and the op that draws). */
  private readonly sites: Int32Array;
  /** Runs done on the JS kernel because the draws did not settle (reported for benchmarks). */
  fallbacks = 0;

  private constructor(private readonly sk: SimdKernel, k: Kernel, state: Float64Array[], private readonly versions: Float64Array, private readonly activity: Float64Array, private readonly random: Draws | undefined, private readonly js: ((e: number) => void) | undefined) {
    if (sk.draws.length > 0 && (!random || !js)) throw new Error(`kernel ${k.name} draws: its runner needs the emulator's streams and JS kernel`);
    this.laidOut = sk.draws.map(() => new Int32Array(sk.layout.capacity));
    this.sites = Int32Array.from(sk.draws, (x) => drawSite(random?.kernel ?? 0, x.op));
    const stored = new Set(k.ops.filter((o) => o.op === STORE || o.op === STORE_ADD).map((o) => o.state));
    this.touched = sk.views.flatMap((view, s) => (view ? [{ s, arr: state[s]!, view, stored: stored.has(s) }] : []));
    this.syncedAt = new Float64Array(this.touched.length).fill(-1);
  }

  /** The runner for kernel k, or why the JS path keeps it. */
  static create(k: Kernel, p: IrProgram, state: Float64Array[], versions: Float64Array, activity: Float64Array, random?: Draws, js?: (e: number) => void): SimdRunner | string {
    const sk = SimdKernel.create(k, p);
    if (typeof sk === "string") return sk;
    return new SimdRunner(sk, k, state, versions, activity, random, js);
  }

  /**
   * Runs the module over n elements (copied in already by `copyIn`). With draws, until the draws
   * settle (see the file comment); false if they did not (the streams are rewound, nothing is
   * drawn, the module's copies are stale: the caller runs the JS kernel).
   */
  private pass(n: number, copyIn: () => void, list?: Int32Array): boolean {
    const d = this.sk.draws;
    if (d.length === 0) {
      this.sk.runN(n);
      return true;
    }
    const { round, normal } = this.random!;
    const act = this.activity;
    const before = act[1]!;
    for (const x of d) x.value.fill(0, 0, n);
    this.sk.runN(n);
    for (let pass = 1; pass < MAX_PASSES; pass++) {
      for (let j = 0; j < d.length; j++) this.laidOut[j]!.set(d[j]!.need.subarray(0, n));
      act[1] = before; // only the last pass's draws count, as the JS kernel would count them
      for (let j = 0; j < d.length; j++) {
        const x = d[j]!, laid = this.laidOut[j]!, site = this.sites[j]!, scale = 2 ** x.shift;
        const uniform = () => round(site, e); // counts the draw
        let e = 0;
        for (let i = 0; i < n; i++) {
          if (laid[i] === 0) continue;
          e = list ? list[i]! : i;
          if (x.kind === "round") x.value[i] = Math.floor(uniform() * scale);
          else {
            act[1]!++;
            x.value[i] = convertNumber(Math.round(normal(site, e) * 1099511627776), 40, x.format, uniform); // as codegen.ts' RAND_NORMAL
          }
        }
      }
      copyIn();
      this.sk.runN(n);
      if (this.settled(n)) return true;
    }
    act[1] = before;
    this.fallbacks++;
    return false;
  }

  /** True if the last pass needed draws exactly where they were laid out. */
  private settled(n: number): boolean {
    const d = this.sk.draws;
    for (let j = 0; j < d.length; j++) {
      const need = d[j]!.need, laid = this.laidOut[j]!;
      for (let i = 0; i < n; i++) if ((need[i] === 0) !== (laid[i] === 0)) return false;
    }
    return true;
  }

  /**
   * The kernel over every element of its group. A state's copy is refreshed only if something
   * else changed it since this runner last synchronised it (its version moved).
   */
  runAll(n: number): void {
    if (n < SIMD_MIN_ELEMENTS && this.js) {
      for (let e = 0; e < n; e++) this.js(e);
      return;
    }
    const t = this.touched;
    const copyIn = (all: boolean) => {
      for (let j = 0; j < t.length; j++) {
        const { s, arr, view } = t[j]!;
        if (!all && this.syncedAt[j] === this.versions[s]) continue;
        for (let e = 0; e < n; e++) view[e] = arr[e]!;
      }
    };
    copyIn(false);
    if (!this.pass(n, () => copyIn(true))) {
      this.syncedAt.fill(-1);
      for (let e = 0; e < n; e++) this.js!(e);
      return;
    }
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
    if (count < SIMD_MIN_ELEMENTS && this.js) {
      for (let i = 0; i < count; i++) this.js(list[i]!);
      return;
    }
    const t = this.touched;
    const copyIn = () => {
      for (let j = 0; j < t.length; j++) {
        const { arr, view } = t[j]!;
        for (let i = 0; i < count; i++) view[i] = arr[list[i]!]!;
        this.syncedAt[j] = -1; // the module's copy now holds other elements' values
      }
    };
    copyIn();
    if (!this.pass(count, copyIn, list)) {
      for (let i = 0; i < count; i++) this.js!(list[i]!);
      return;
    }
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
