/**
 * Struct-of-arrays state of a running program: one Float64Array per variable per group, spike
 * ring buffers per population, and CSR tables from neurons to their synapses. Allocated once.
 */
import type { GroupIR, Program, ProjectionIR } from "../../src/ir/program.ts";
import type { SharedStore } from "./partition.ts";

export interface GroupState {
  size: number;
  arrays: Map<string, Float64Array>;
}

/**
 * Spikes of one population for the last `slots` ticks, flat: the spikes of tick t are
 * list[(t % slots) * size ...] with counts[t % slots] entries, valid while slotTick says t.
 */
export class SpikeRing {
  readonly slots: number;
  readonly list: Int32Array;
  readonly counts: Int32Array;
  readonly slotTick: Float64Array;

  constructor(readonly size: number, maxDelay: number) {
    this.slots = maxDelay + 1;
    this.list = new Int32Array(this.slots * Math.max(1, size));
    this.counts = new Int32Array(this.slots);
    this.slotTick = new Float64Array(this.slots).fill(-1);
  }
}

/** Synapses grouped by presynaptic (or postsynaptic) neuron. */
export interface Csr {
  start: Int32Array;
  order: Int32Array;
}

/** own: only these synapses (ascending), for a worker's share of a split run; null: all. */
export function buildCsr(index: Int32Array, n: number, own: Int32Array | null = null): Csr {
  const count = own ? own.length : index.length;
  const at = (j: number) => (own ? own[j]! : j);
  const start = new Int32Array(n + 1);
  for (let j = 0; j < count; j++) start[index[at(j)]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const order = new Int32Array(count);
  for (let j = 0; j < count; j++) order[fill[index[at(j)]!]!++] = at(j);
  return { start, order };
}

/** store: shared buffers when the run is split over worker threads. */
export function allocateGroup(g: GroupIR, store?: SharedStore): GroupState {
  const arrays = new Map<string, Float64Array>();
  for (const v of g.vars) {
    if (!store) arrays.set(v.name, Float64Array.from(v.init));
    else {
      const a = store.f64(v.init.length);
      a.set(v.init);
      arrays.set(v.name, a);
    }
  }
  return { size: g.size, arrays };
}

export function maxDelayFrom(program: Program, population: string): number {
  let d = 0;
  for (const pr of program.projections) {
    if (pr.pre === population) for (const e of pr.onPre) d = Math.max(d, e.delayTicks);
    if (pr.post === population) for (const e of pr.onPost) d = Math.max(d, e.delayTicks);
  }
  return d;
}

/** Variables of a projection that receive `+=`/`-=` jumps from its own events. */
export function pendingTargets(pr: ProjectionIR): string[] {
  const names = new Set<string>();
  for (const e of [...pr.onPre, ...pr.onPost]) {
    for (const a of e.assigns) if (a.scope === "self" && (a.op === "+=" || a.op === "-=")) names.add(a.target);
  }
  return [...names];
}
