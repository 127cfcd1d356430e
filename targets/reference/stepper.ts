/**
 * Generates the dense step of a whole program as one function: the population kernels, ring
 * buffer bookkeeping, event deliveries with their delays, summed resets and projection kernels,
 * unrolled per population and projection with every size and delay as a literal. One call
 * advances one tick and allocates nothing.
 */
import type { EventKernel, PopulationKernel, ProjectionKernel } from "./kernels.ts";
import type { SpikeRing } from "./layout.ts";
import { instantiate } from "./codegen.ts";
import type { Barrier } from "./partition.ts";

/** A run split over worker threads (partition.ts): this worker's share and the meeting points. */
export interface StepperThreads {
  index: number;
  count: number;
  barrier: Barrier;
  /** Per population: the shared spike scratch (worker w writes its spikes from starts[w]). */
  scratch: Int32Array[];
  /** Per population: worker w's first neuron, starts[count] = size. */
  starts: Int32Array[];
  /** Spikes per (population, worker) this tick: counts[population * count + worker]. */
  counts: Int32Array;
}

export interface StepperParts {
  rings: SpikeRing[];
  /** null for spike sources. */
  popKernels: (PopulationKernel | null)[];
  /** Where each population kernel leaves this tick's spikes. */
  scratch: Int32Array[];
  /** Stimulus spikes waiting for this tick, per population (list and count). */
  stimLists: Int32Array[];
  stimCounts: Int32Array;
  /** Last tick with a spike, per population. */
  lastSpike: Float64Array;
  /** Populations whose spikes go to spikes.csv. */
  recordSpikes: boolean[];
  onSpikes: (tick: number, population: number, list: Int32Array, offset: number, count: number) => void;
  /** Spikes per population, stimulus spikes included (the energy models' activity). */
  spikeCounts: Float64Array;
  events: { population: number; delay: number; deliver: EventKernel }[];
  summedTargets: Float64Array[];
  /** The part of each summed target this worker resets ([0, length) single-threaded). */
  summedRanges: [number, number][];
  threads?: StepperThreads;
  projKernels: ProjectionKernel[];
  /** now[0] = the tick being stepped (read by event-driven synapse kernels). */
  now: Float64Array;
}

/** Runs dense steps for ticks from .. to-1. */
export type DenseRun = (from: number, to: number) => void;

export function buildStepper(parts: StepperParts): DenseRun {
  const args: unknown[] = [];
  const ref = (v: unknown): string => {
    args.push(v);
    return `p${args.length - 1}`;
  };
  const lines: string[] = [];
  const stimCounts = ref(parts.stimCounts);
  lines.push(`${ref(parts.now)}[0] = t;`);
  const lastSpike = ref(parts.lastSpike);
  const onSpikes = ref(parts.onSpikes);
  const spikeCounts = ref(parts.spikeCounts);
  const th = parts.threads;
  if (th) {
    // Every worker steps its neurons, publishes its spike count, and after the barrier merges the
    // workers' spikes in worker order: ascending, as one thread would list them.
    const counts = ref(th.counts), barrier = ref(th.barrier);
    parts.popKernels.forEach((kernel, i) => {
      if (kernel) lines.push(`${counts}[${i * th.count + th.index}] = ${ref(kernel)}();`);
    });
    lines.push(`${barrier}.wait();`);
    parts.rings.forEach((ring, i) => {
      const list = ref(ring.list), ringCounts = ref(ring.counts), slotTick = ref(ring.slotTick), stim = ref(parts.stimLists[i]);
      const size = Math.max(1, ring.size);
      const merge = parts.popKernels[i]
        ? `{ const sc = ${ref(th.scratch[i])}, st = ${ref(th.starts[i])};
  for (let w = 0; w < ${th.count}; w++) { const n = ${counts}[${i * th.count} + w], from = st[w]; for (let j = 0; j < n; j++) ${list}[base + c + j] = sc[from + j]; c += n; } }`
        : "";
      lines.push(`{ // population ${i}
  const slot = t % ${ring.slots}, base = slot * ${size};
  ${slotTick}[slot] = t;
  let c = ${stimCounts}[${i}];
  if (c > 0) { for (let j = 0; j < c; j++) ${list}[base + j] = ${stim}[j]; ${stimCounts}[${i}] = 0; }
  ${merge}
  ${ringCounts}[slot] = c;
  if (c > 0) { ${lastSpike}[${i}] = t; ${spikeCounts}[${i}] += c; ${parts.recordSpikes[i] ? `${onSpikes}(t, ${i}, ${list}, base, c);` : ""} }
}`);
    });
  }
  if (!th) parts.rings.forEach((ring, i) => {
    const list = ref(ring.list);
    const counts = ref(ring.counts);
    const slotTick = ref(ring.slotTick);
    const stim = ref(parts.stimLists[i]);
    const size = Math.max(1, ring.size);
    lines.push(`{ // population ${i}
  const slot = t % ${ring.slots}, base = slot * ${size};
  ${slotTick}[slot] = t;
  let c = ${stimCounts}[${i}];
  if (c > 0) { for (let j = 0; j < c; j++) ${list}[base + j] = ${stim}[j]; ${stimCounts}[${i}] = 0; }`);
    const kernel = parts.popKernels[i];
    if (kernel) {
      const k = ref(kernel);
      const scratch = ref(parts.scratch[i]);
      lines.push(`  const n = ${k}();
  for (let j = 0; j < n; j++) ${list}[base + c + j] = ${scratch}[j];
  c += n;`);
    }
    lines.push(`  ${counts}[slot] = c;
  if (c > 0) { ${lastSpike}[${i}] = t; ${spikeCounts}[${i}] += c; ${parts.recordSpikes[i] ? `${onSpikes}(t, ${i}, ${list}, base, c);` : ""} }
}`);
  });
  for (const e of parts.events) {
    const ring = parts.rings[e.population]!;
    const size = Math.max(1, ring.size);
    const deliver = ref(e.deliver);
    const list = ref(ring.list);
    const counts = ref(ring.counts);
    const slotTick = ref(ring.slotTick);
    lines.push(`{ const w = t - ${e.delay};
  if (w >= 0) { const s = w % ${ring.slots}; if (${slotTick}[s] === w) { const c = ${counts}[s]; if (c > 0) ${deliver}(${list}, s * ${size}, c); } } }`);
  }
  parts.summedTargets.forEach((a, i) => lines.push(`for (let j = ${parts.summedRanges[i]![0]}; j < ${parts.summedRanges[i]![1]}; j++) ${ref(a)}[j] = 0;`));
  for (const k of parts.projKernels) lines.push(`${ref(k)}();`);
  // nobody starts the next tick (or reads the state) before everyone has finished this one
  if (th) lines.push(`${ref(th.barrier)}.wait();`);
  const body = `return function runDense(from, to) {\nfor (let t = from; t < to; t++) {\n${lines.join("\n")}\n}\n};`;
  return instantiate<DenseRun>(args.map((_, i) => `p${i}`), body, args);
}
