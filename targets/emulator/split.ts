/**
 * One emulator run on two threads: the calling thread and one worker_thread split the elements of
 * a kernel run (a dense kernel's group, a gated kernel's list of open elements) into two
 * contiguous halves. State arrays live in SharedArrayBuffers; the worker has its own generated
 * kernels over them, its own draw function (the same counter-based draws, src/ir/draws.ts: a draw
 * depends on element, tick, kernel and op, not on the thread) and its own counters, which the
 * calling thread adds to its own after the run. Spikes of the worker's half are appended after
 * the calling thread's, which come from lower elements: the sequential order.
 *
 * Which kernels split (splittable()): those on the generated JS path (numberSafe) whose stores all
 * write the kernel's own element (SELF), so the elements of a run are independent: a synapse may
 * read its neurons (nothing in the run writes them) but not add into them (STORE_ADD onto a
 * neuron is a reduction whose order saturation can change: those kernels stay on one thread).
 * Outputs are byte-identical with one or two threads (tests/emulator/split.test.ts).
 *
 * Not a pool package (piscina): the two threads hand each other work through shared-memory words
 * (Atomics), thousands of times per second. Unlike the reference target's lockstep barrier
 * (partition.ts), the worker waits without a time limit between runs: an emulator may go minutes
 * without a run large enough to split.
 */
import { Worker } from "node:worker_threads";
import type { IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { numberSafe } from "./codegen.ts";
import { SharedStore } from "../reference/partition.ts";

type Kernel = IrProgram["kernels"][number];
const STORE = OP_BY_NAME.get("STORE")!.code, STORE_ADD = OP_BY_NAME.get("STORE_ADD")!.code;
const SELF = 1;

/** Fewer elements than this in a run stay on the calling thread (two barriers cost more). */
export const SPLIT_MIN_ELEMENTS = 1024;

/** True if kernel k's elements are independent within a run and it runs as generated JS. */
export function splittable(k: Kernel, p: IrProgram): boolean {
  return numberSafe(k, p) && k.ops.every((o) => (o.op !== STORE && o.op !== STORE_ADD) || o.index === SELF);
}

/** Command words: [kernel (-1: stop), from, to, list (1: the elements are list[from..to))]. */
export const CMD = { kernel: 0, from: 1, to: 2, list: 3 } as const;
/** Signal words: [commands issued, commands done, failed (1: the worker threw)]. */
export const SIG = { issued: 0, done: 1, failed: 2 } as const;
/** Loads a waiting thread spins before it sleeps (a half run is often a few microseconds away). */
export const SPINS = 4000;
/** A half run that takes longer than this has lost its worker. */
const STALL_MS = 600_000;

/** The shared layout both threads attach in the same order. */
export function sharedLayout(store: SharedStore, p: IrProgram) {
  const sig = store.i32(3); // first: split-worker-entry.js signals a failed load through it
  const states = p.states.map((s) => store.f64(p.groups[s.group]!.size));
  const maxGroup = Math.max(1, ...p.groups.map((g) => g.size));
  const cmd = store.i32(4);
  const tick = store.f64(1);
  const list = store.i32(maxGroup);
  /** [changed, draws, spikes, saturations, spike count], then per state its version increments. */
  const report = store.f64(5 + p.states.length);
  const spikes = store.i32(maxGroup);
  return { sig, states, cmd, tick, list, report, spikes };
}
export type SharedLayout = ReturnType<typeof sharedLayout>;

/** The calling thread's side: starts the worker, hands it halves of runs, merges its counters. */
export class Split {
  private failure: Error | null = null;
  readonly states: Float64Array[];

  private worker: Worker | null = null;

  private constructor(private readonly store: SharedStore, private readonly shared: SharedLayout, private readonly p: IrProgram) {
    this.states = shared.states;
  }

  /** The shared state arrays, before the worker starts (the emulator fills them first). */
  static allocate(p: IrProgram): Split {
    const store = new SharedStore();
    return new Split(store, sharedLayout(store, p), p);
  }

  /** Starts the worker with its kernels (indices into the program's kernels). */
  start(kernels: number[]): void {
    const w = new Worker(new URL("./split-worker-entry.js", import.meta.url), { workerData: { program: this.p, buffers: this.store.buffers, kernels } });
    w.on("error", (e: Error) => {
      this.failure = e;
    });
    w.unref(); // a run that stops early must not hang the process
    this.worker = w;
  }

  /**
   * Runs kernel i over elements [0, n) (or list[0..n)): the upper half on the worker while `own`
   * runs [0, mid) here; then adds the worker's counters to `activity`, `versions`, `saturations`
   * and replays its spikes through `spike`, in element order.
   */
  run(i: number, tick: number, n: number, list: Int32Array | null, own: (from: number, to: number) => void, activity: Float64Array, versions: Float64Array, saturations: Float64Array, spike: (e: number) => void): void {
    const { cmd, sig, report, spikes } = this.shared;
    const mid = n >> 1;
    if (list) this.shared.list.set(list.subarray(mid, n), mid);
    cmd[CMD.kernel] = i;
    cmd[CMD.from] = mid;
    cmd[CMD.to] = n;
    cmd[CMD.list] = list ? 1 : 0;
    this.shared.tick[0] = tick;
    const seq = Atomics.add(sig, SIG.issued, 1) + 1;
    Atomics.notify(sig, SIG.issued);
    own(0, mid);
    this.awaitDone(seq);
    activity[0]! += report[0]!;
    activity[1]! += report[1]!;
    activity[2]! += report[2]!;
    saturations[0]! += report[3]!;
    for (let s = 0; s < versions.length; s++) versions[s]! += report[5 + s]!;
    const count = report[4]!;
    for (let j = 0; j < count; j++) spike(spikes[j]!);
  }

  /** Waits until the worker has done command `seq` (spins briefly, then sleeps). */
  private awaitDone(seq: number): void {
    const sig = this.shared.sig;
    for (let i = 0; i < SPINS; i++) if (Atomics.load(sig, SIG.done) === seq) return;
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(sig, SIG.done);
      if (done === seq) return;
      if (Atomics.load(sig, SIG.failed) !== 0) throw this.failure ?? new Error("internal: the emulator's worker thread failed (its error follows when the run is closed)");
      Atomics.wait(sig, SIG.done, done, 50);
      if (Date.now() - started > STALL_MS) throw new Error(`internal: the emulator's worker thread did not answer for ${STALL_MS / 1000} s`);
    }
  }

  /** Stops the worker (after the last run). */
  async close(): Promise<void> {
    if (!this.worker) return;
    this.shared.cmd[CMD.kernel] = -1;
    Atomics.add(this.shared.sig, SIG.issued, 1);
    Atomics.notify(this.shared.sig, SIG.issued);
    const w = this.worker;
    this.worker = null;
    w.ref();
    await new Promise((r) => {
      const t = setTimeout(r, 10_000);
      t.unref();
      w.once("exit", () => {
        clearTimeout(t);
        r(undefined);
      });
    });
    await w.terminate();
    if (this.failure) throw this.failure;
  }
}
