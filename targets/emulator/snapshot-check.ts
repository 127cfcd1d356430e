/**
 * Range checks of an emulator snapshot against the program it is restored into: every field's
 * type, length and values (ticks within the run, raw state values within their formats, element
 * and group indices within their groups, random generators not in their all-zero fixed point,
 * probe samples exactly those the program takes up to the snapshot's tick). A checkpoint that was
 * damaged or edited is refused with the field's path and value, never continued.
 */
import type { IrProgram } from "../../src/ir/codec.ts";
import { rawRange } from "../../src/ir/verify.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";

/** The first problem found: the field's path (e.g. "state[3][17]") and the offending value. */
export class SnapshotError extends Error {
  constructor(readonly field: string, readonly problem: string, readonly received: unknown) {
    super(`${field} ${problem} (found ${quote(received)})`);
    this.name = "SnapshotError";
  }
}

function quote(v: unknown): string {
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Shapes of the emulator's internal tables, which the program alone does not state. */
export interface SnapshotShape {
  /** Slots of the ring of recent spikes (maxDelay + 1). */
  ring: number;
  /** Per kernel, how many state arrays it reads. */
  reads: number[];
  /** Current inputs (states that current stimuli reset every tick). */
  currentInputs: number;
}

const STATS = ["ticks", "kernelRuns", "kernelSkips", "jumpedTicks", "overruns", "maxBacklogCycles", "synapseUpdates", "wallSeconds"] as const;

export function checkSnapshot(s: unknown, p: IrProgram, shape: SnapshotShape): void {
  const fail = (field: string, message: string, v: unknown): never => {
    throw new SnapshotError(field, message, v);
  };
  const obj = (field: string, v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(field, "must be an object", v));
  const arr = (field: string, v: unknown, length?: number): unknown[] => {
    if (!Array.isArray(v)) return fail(field, "must be a list", v);
    if (length !== undefined && v.length !== length) fail(field, `must have ${length} entries, as the program has`, `${v.length} entries`);
    return v;
  };
  const int = (field: string, v: unknown, lo: number, hi: number, what = "an integer"): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) fail(field, `must be ${what} in ${lo}..${hi}`, v);
    return v as number;
  };
  const num = (field: string, v: unknown, lo: number): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo) fail(field, `must be a finite number >= ${lo}`, v);
    return v as number;
  };
  const ints = (field: string, v: unknown, lo: number, hi: number, length?: number): number[] => arr(field, v, length).map((x, i) => int(`${field}[${i}]`, x, lo, hi));
  const rng = (field: string, v: unknown) => {
    const r = arr(field, v, 6);
    const words = r.slice(0, 4).map((x, i) => int(`${field}[${i}]`, x, -(2 ** 31), 2 ** 32 - 1));
    if (words.every((w) => w === 0)) fail(field, "is the all-zero state, which the generator never leaves (it would draw only zeros)", r);
    num(`${field}[4]`, Math.abs(r[4] as number), 0); // the spare normal: any finite number
    int(`${field}[5]`, r[5], 0, 1);
  };

  const snap = obj("checkpoint", s);
  if (snap.format === "engram-emulator-snapshot-1") fail("format", "is a checkpoint of an engram before IR version 4, whose kernels drew stochastic rounding and RAND_NORMAL from sequential streams; this engram (IR version 4) draws them by counter and cannot continue it: start the run again", snap.format);
  if (snap.format !== "engram-emulator-snapshot-2") fail("format", `must be "engram-emulator-snapshot-2"`, snap.format);
  const end = p.header.duration_ticks;
  const tick = int("tick", snap.tick, 0, end, "a tick of the run");
  const sizes = p.groups.map((g) => g.size);
  const state = arr("state", snap.state, p.states.length);
  p.states.forEach((st, i) => {
    const [lo, hi] = rawRange(st.format);
    const a = arr(`state[${i}]`, state[i], sizes[st.group]);
    for (let e = 0; e < a.length; e++) {
      const v = a[e];
      if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) fail(`state[${i}][${e}]`, `must be a raw value of ${st.name} (${st.format.width}-bit ${st.format.signed ? "signed" : "unsigned"}: ${lo}..${hi})`, v);
    }
  });
  const rngs = obj("rngs", snap.rngs);
  arr("rngs.stimuli", rngs.stimuli, p.stimuli.length).forEach((r, i) => rng(`rngs.stimuli[${i}]`, r));
  arr("stimNext", snap.stimNext, p.stimuli.length).forEach((x, i) => {
    if (x !== null) int(`stimNext[${i}]`, x, tick, Number.MAX_SAFE_INTEGER, "a tick at or after the checkpoint's");
  });
  arr("stimPending", snap.stimPending, p.stimuli.length).forEach((x, i) => ints(`stimPending[${i}]`, x, 0, sizes[p.stimuli[i]!.group]! - 1));
  arr("stimCursor", snap.stimCursor, p.stimuli.length).forEach((x, i) => int(`stimCursor[${i}]`, x, 0, p.stimuli[i]!.spikes?.ticks.length ?? 0));
  arr("fired", snap.fired, shape.ring).forEach((slot, i) => arr(`fired[${i}]`, slot, sizes.length).forEach((list, g) => ints(`fired[${i}][${g}]`, list, 0, sizes[g]! - 1)));
  ints("firedTick", snap.firedTick, -1, tick, shape.ring);
  arr("recentSpikes", snap.recentSpikes, sizes.length).forEach((list, g) => ints(`recentSpikes[${g}]`, list, 0, tick));
  ints("idle", snap.idle, 0, 1, p.kernels.length);
  arr("idleAt", snap.idleAt, p.kernels.length).forEach((a, k) => arr(`idleAt[${k}]`, a, shape.reads[k]).forEach((v, j) => num(`idleAt[${k}][${j}]`, v, 0)));
  arr("versions", snap.versions, p.states.length).forEach((v, i) => num(`versions[${i}]`, v, 0));
  arr("activity", snap.activity, 3).forEach((v, i) => num(`activity[${i}]`, v, 0));
  num("backlog", snap.backlog, 0);
  if (snap.currentZeroedAt !== undefined) arr("currentZeroedAt", snap.currentZeroedAt, shape.currentInputs).forEach((v, i) => num(`currentZeroedAt[${i}]`, v, -1));
  // Probes: exactly the samples the program takes at ticks 0, every, 2 every, ... up to the checkpoint.
  arr("probes", snap.probes, p.probes.length).forEach((raw, i) => {
    const pr = p.probes[i]!;
    const f = `probes[${i}]`;
    const probe = obj(f, raw);
    const n = Math.floor(tick / pr.every_ticks) + 1;
    const ticks = arr(`${f}.ticks`, probe.ticks, n);
    ticks.forEach((t, k) => {
      if (t !== k * pr.every_ticks) fail(`${f}.ticks[${k}]`, `must be ${k * pr.every_ticks} (sample ${k} of one every ${pr.every_ticks} ticks)`, t);
    });
    const [lo, hi] = rawRange(p.states[pr.state]!.format);
    const data = arr(`${f}.data`, probe.data, n * pr.elements.length);
    for (let k = 0; k < data.length; k++) {
      const v = data[k];
      if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) fail(`${f}.data[${k}]`, `must be a raw value of ${p.states[pr.state]!.name} (${lo}..${hi})`, v);
    }
  });
  // Spikes: in tick order, at ticks already run, of existing neurons.
  const spikes = obj("spikes", snap.spikes);
  const st = arr("spikes.ticks", spikes.ticks);
  const sg = arr("spikes.groups", spikes.groups, st.length);
  const se = arr("spikes.elements", spikes.elements, st.length);
  // The IR lets any kernel emit SPIKE, a synapse group's too (the interpreter records those spikes).
  const SPIKE = OP_BY_NAME.get("SPIKE")!.code;
  const spiking = new Set(p.groups.flatMap((g, i) => (g.kind === 1 ? [i] : [])).concat(p.kernels.filter((k) => k.ops.some((o) => o.op === SPIKE)).map((k) => k.group)));
  let last = 0;
  for (let k = 0; k < st.length; k++) {
    const t = int(`spikes.ticks[${k}]`, st[k], last, tick, "a tick in order, at or before the checkpoint's,");
    last = t;
    const g = int(`spikes.groups[${k}]`, sg[k], 0, sizes.length - 1);
    if (!spiking.has(g)) fail(`spikes.groups[${k}]`, `must be a neuron group or a group whose kernels emit SPIKE ("${p.groups[g]!.name}" holds synapses and emits none)`, g);
    int(`spikes.elements[${k}]`, se[k], 0, sizes[g]! - 1, `a neuron of "${p.groups[g]!.name}"`);
  }
  const stats = obj("stats", snap.stats);
  for (const k of STATS) num(`stats.${k}`, stats[k], 0);
  // Energy counters (issue 15): absent in checkpoints written before them (they restart at 0 then).
  for (const k of ["eventSynapseUpdates", "transmissionSynapseUpdates", "spikes", "digitalCycles"]) if (stats[k] !== undefined) num(`stats.${k}`, stats[k], 0);
  int("stats.ticks", stats.ticks, 0, tick);
}
