/**
 * The activity the energy models need, from a run's counters and the program's connectivity:
 * model neurons, their spikes, synaptic events (presynaptic spikes x out-degree, inputs' included),
 * synaptic transmissions (a projection that carries w * f(x) every step without spikes: one per
 * synapse per step) and plasticity updates (periodic and spike-triggered), plus the processor
 * cycles of an emulated chip, and the stream inputs (one multiply-add per driven neuron, channel and
 * tick of a `stream` stimulus). Rate units count as firing (x + 1) / 2 x rate_unit_max_hz (an
 * assumption, biology.ts): those rate-mapped events are biology's; a chip pays the transmissions.
 */
import type { Program } from "../../ir/program.ts";
import { BIOLOGY } from "./biology.ts";

export interface RunCounts {
  /** Spikes counted per population (spiking populations and spike sources). */
  spikesByPopulation: Map<string, number>;
  /** Recorded tables of the run (rate populations' activity is read from them). */
  tables?: { columns: Float64Array[]; count: number }[];
  /** Counters of an emulated chip: periodic work on synapses is measured there. */
  emulator?: { synapseUpdates: number; eventSynapseUpdates: number; transmissionSynapseUpdates: number; digitalCycles: number };
}

export interface Activity {
  seconds: number;
  neurons: number;
  spikes: number;
  synapticEvents: number;
  /** Of synapticEvents, those of projections that transmit every step (rate-mapped; biology only). */
  continuousEvents: number;
  /** Per-step transmissions of synapses that carry a value every step and write no synapse state. */
  transmissions: number;
  plasticityUpdates: number;
  periodicUpdates: number;
  eventUpdates: number;
  digitalCycles?: number;
  /** Multiply-adds of stream stimuli into neuron inputs: driven neurons x channels x ticks, summed. */
  streamInputs: number;
  /** Per stream stimulus: driven neurons, channels and ticks within the run (a chip prices its own cost). */
  streams: { neurons: number; channels: number; ticks: number }[];
  /** How each number was obtained (what rests on assumptions). */
  notes: string[];
}

export function activityOf(program: Program, counts: RunCounts): Activity {
  const seconds = program.durationTicks * program.tickSeconds;
  const notes: string[] = [];
  const rateHz = BIOLOGY.rate_unit_max_hz!.value as number;
  // presynaptic activity (spikes, or rate integrals) per population
  const act = new Map<string, number>();
  let neurons = 0, spikes = 0;
  for (const pop of program.populations) {
    const counted = counts.spikesByPopulation.get(pop.name) ?? 0;
    if (pop.source) {
      act.set(pop.name, counted);
      continue;
    }
    neurons += pop.size;
    if (pop.threshold !== null) {
      act.set(pop.name, counted);
      spikes += counted;
      continue;
    }
    const i = program.recordings.findIndex((r) => r.group === pop.name && r.elements.length === pop.size && r.everyTicks === 1);
    const table = i >= 0 ? counts.tables?.[i] : undefined;
    if (!table) {
      notes.push(`rate population ${pop.name}: no state recorded every step, its activity counts as 0`);
      act.set(pop.name, 0);
      continue;
    }
    let s = 0;
    for (const col of table.columns) for (let k = 1; k < table.count; k++) s += Math.min(1, Math.max(0, (col[k]! + 1) / 2));
    const r = s * rateHz * program.tickSeconds;
    notes.push(`rate population ${pop.name}: ${program.recordings[i]!.var} in [-1, 1] read as (x + 1) / 2 x ${rateHz} Hz (assumption)`);
    act.set(pop.name, r);
    spikes += r;
  }
  const sizes = new Map(program.populations.map((p) => [p.name, p.size]));
  let synapticEvents = 0, continuousEvents = 0, transmissions = 0, eventUpdates = 0, periodicUpdates = 0;
  for (const pr of program.projections) {
    const perPre = pr.size / Math.max(1, sizes.get(pr.pre)!), perPost = pr.size / Math.max(1, sizes.get(pr.post)!);
    const pre = act.get(pr.pre)! * perPre;
    synapticEvents += pre;
    // A projection without spike handlers that sums every step transmits continuously: on a chip
    // each synapse carries its value every step (plastic ones within their update).
    const continuous = pr.summed.length > 0 && pr.onPre.length === 0 && pr.onPost.length === 0;
    if (continuous) continuousEvents += pre;
    if (continuous && pr.odes.length === 0) transmissions += pr.size * program.durationTicks;
    const own = new Set(pr.vars.filter((v) => v.kind === "state").map((v) => v.name));
    const plastic = (handlers: { assigns: { target: string }[] }[]) => handlers.some((h) => h.assigns.some((a) => own.has(a.target)));
    if (plastic(pr.onPre)) eventUpdates += pre;
    if (plastic(pr.onPost)) eventUpdates += act.get(pr.post)! * perPost;
    if (pr.odes.length > 0) periodicUpdates += pr.size * program.durationTicks;
  }
  notes.push("synaptic events: presynaptic spikes x the projection's mean out-degree");
  if (counts.emulator) {
    transmissions = counts.emulator.transmissionSynapseUpdates;
    periodicUpdates = counts.emulator.synapseUpdates - counts.emulator.eventSynapseUpdates - transmissions;
    notes.push("periodic plasticity updates, synaptic transmissions and processor cycles: counted by the chip's emulator (a synapse-kernel run is a plasticity update if it writes synapse state, else a transmission)");
  } else {
    if (periodicUpdates > 0) notes.push("periodic plasticity updates: every plastic synapse once per dt (a float64 run has no chip schedule)");
    if (transmissions > 0) notes.push("synaptic transmissions: every synapse of a static projection that sums every step, once per dt");
  }
  const streams = (program.stimuli ?? []).flatMap((s) => (s.kind === "stream" ? [{ neurons: s.neurons.length, channels: s.channels, ticks: Math.max(0, Math.min(s.stopTick, program.durationTicks) - s.startTick) }] : []));
  const streamInputs = streams.reduce((sum, s) => sum + s.neurons * s.channels * s.ticks, 0);
  if (streams.length > 0) notes.push("stream inputs: one multiply-add per driven neuron, channel and tick");
  return {
    seconds, neurons, spikes, synapticEvents, continuousEvents, transmissions, plasticityUpdates: periodicUpdates + eventUpdates, periodicUpdates, eventUpdates, streamInputs, streams,
    ...(counts.emulator ? { digitalCycles: counts.emulator.digitalCycles } : {}), notes,
  };
}
