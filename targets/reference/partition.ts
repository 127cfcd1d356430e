/**
 * Splitting one float64 run over worker threads (`engram run --threads N`). Every worker runs the
 * same executor with the same control flow (quiet steps, slow steps, samples: all decided from
 * shared state at points where nobody writes), and steps only its own elements: a contiguous
 * range of each population's neurons and the synapses whose postsynaptic neuron is in that range
 * (so summed inputs and jumps into a neuron come from its own worker, in the single-thread order).
 * Element state lives in SharedArrayBuffers; the workers meet at a barrier twice per dense tick.
 * Random draws come from per-element streams (src/util/element-rng.ts), so the outputs are
 * byte-identical for any number of workers.
 */

/** Allocates typed arrays in one worker and attaches the same buffers, in the same order, in the others. */
export class SharedStore {
  private next = 0;
  constructor(readonly buffers: SharedArrayBuffer[] = [], private readonly create = true) {}
  private buffer(bytes: number): SharedArrayBuffer {
    if (this.create) {
      const b = new SharedArrayBuffer(Math.max(8, bytes));
      this.buffers.push(b);
      return b;
    }
    const b = this.buffers[this.next++];
    if (!b || b.byteLength < bytes) throw new Error("internal: the workers allocated their shared state differently");
    return b;
  }
  f64(n: number): Float64Array {
    return new Float64Array(this.buffer(8 * n), 0, n);
  }
  i32(n: number): Int32Array {
    return new Int32Array(this.buffer(4 * n), 0, n);
  }
}

/** Barrier words: [arrived, generation, failed, command]. */
const ARRIVED = 0, GENERATION = 1, FAILED = 2;
/** How long a worker spins before it sleeps at a barrier (iterations of an Atomics.load). */
const SPINS = 2000;
/** A barrier that waits longer than this has lost a worker. */
const STALL_MS = 120_000;

/** A reusable barrier for `count` threads on a shared Int32Array (generation counting). */
export class Barrier {
  constructor(readonly words: Int32Array, readonly count: number) {}
  static create(store: SharedStore, count: number): Barrier {
    return new Barrier(store.i32(4), count);
  }
  /** Marks the run as failed and wakes everyone (they throw). */
  fail(): void {
    Atomics.store(this.words, FAILED, 1);
    Atomics.add(this.words, GENERATION, 1);
    Atomics.notify(this.words, GENERATION);
  }
  wait(): void {
    const w = this.words;
    const gen = Atomics.load(w, GENERATION);
    if (Atomics.load(w, FAILED) !== 0) throw new WorkerFailed();
    if (Atomics.add(w, ARRIVED, 1) === this.count - 1) {
      Atomics.store(w, ARRIVED, 0);
      Atomics.add(w, GENERATION, 1);
      Atomics.notify(w, GENERATION);
      return;
    }
    for (let i = 0; i < SPINS; i++) if (Atomics.load(w, GENERATION) !== gen) return this.check();
    const started = Date.now();
    while (Atomics.load(w, GENERATION) === gen) {
      Atomics.wait(w, GENERATION, gen, 50);
      if (Date.now() - started > STALL_MS) {
        this.fail();
        throw new Error(`internal: a worker thread stopped answering for ${STALL_MS / 1000} s`);
      }
    }
    this.check();
  }
  private check(): void {
    if (Atomics.load(this.words, FAILED) !== 0) throw new WorkerFailed();
  }
}

/** Thrown at a barrier when another worker failed (its own error is reported instead). */
export class WorkerFailed extends Error {
  constructor() {
    super("another worker thread of this run failed");
  }
}

/** What one worker needs to know to step its share. */
export interface Partition {
  index: number;
  count: number;
  store: SharedStore;
  barrier: Barrier;
  /** [command tick] written by worker 0 before each run() (negative: stop). */
  control: Float64Array;
}

/** Worker w's neurons of a population of n: [floor(n w / W), floor(n (w + 1) / W)). */
export function neuronRange(n: number, w: number, count: number): [number, number] {
  return [Math.floor((n * w) / count), Math.floor((n * (w + 1)) / count)];
}

/** The synapses (ascending) whose postsynaptic neuron is in [lo, hi). */
export function ownedSynapses(postIndex: Int32Array, lo: number, hi: number): Int32Array {
  let n = 0;
  for (let k = 0; k < postIndex.length; k++) if (postIndex[k]! >= lo && postIndex[k]! < hi) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let k = 0; k < postIndex.length; k++) if (postIndex[k]! >= lo && postIndex[k]! < hi) out[n++] = k;
  return out;
}
