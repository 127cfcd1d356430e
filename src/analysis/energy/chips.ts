/**
 * Chip energy models, figures from the targets' facts (energy section):
 *  - BrainScaleS-2: E = chip power x chip wall time, wall time = max(biological time / acceleration,
 *    plasticity-processor busy time = (charged kernel cycles + stream cycles) / clock); per-event
 *    terms are 0 (not published).
 *  - CMOS: E = static power x real time + per-event terms (synaptic events of spikes, synaptic
 *    transmissions of synapses that carry a value every step, plasticity updates, spikes, stream
 *    inputs), each priced with its own figure, static and dynamic shown apart.
 */
import { facts as bss2Facts } from "../../../targets/bss2/facts.ts";
import { facts as cmosFacts } from "../../../targets/cmos/facts.ts";
import { num, type ChipFacts } from "../../../targets/facts.ts";
import type { EnergyTerm } from "./biology.ts";

export interface ChipActivity {
  seconds: number;
  spikes: number;
  synapticEvents: number;
  /** Of synapticEvents, those of continuously transmitting projections (rate-mapped; the chip pays `transmissions` instead). */
  continuousEvents?: number;
  /** Steps of synapses that transmit every step and learn nothing. */
  transmissions?: number;
  plasticityUpdates: number;
  /** Processor cycles charged by the emulator; undefined when the run was not on the chip's emulator. */
  digitalCycles?: number;
  /** Multiply-adds of stream stimuli into neuron inputs (activity.ts). */
  streamInputs?: number;
  /** Processor cycles of adding the streams (drc.ts streamBudgets, from the facts); counted with digitalCycles. */
  streamCycles?: number;
}

export function bss2Energy(a: ChipActivity, facts: ChipFacts = bss2Facts) {
  const e = facts.sections.energy!, t = facts.sections.time!, p = facts.sections.plasticity_processor!;
  const analogSeconds = a.seconds / num(t.acceleration!);
  const busySeconds = a.digitalCycles === undefined ? undefined : (a.digitalCycles + (a.streamCycles ?? 0)) / num(p.clock!);
  const wall = Math.max(analogSeconds, busySeconds ?? 0);
  const power = num(e.chip_power!);
  const terms: EnergyTerm[] = [
    { name: "chip_power_x_wall_time", value: power * wall, unit: "J" },
    { name: "synaptic_events", value: a.synapticEvents * num(e.energy_per_synaptic_event!), unit: "J" },
    { name: "processor_cycles", value: ((a.digitalCycles ?? 0) + (a.streamCycles ?? 0)) * num(e.energy_per_ppu_cycle!), unit: "J" },
  ];
  return {
    joules: terms.reduce((s, x) => s + x.value, 0), terms,
    wall_s: wall, analog_s: analogSeconds, processor_busy_s: busySeconds ?? null,
    bounded_by: busySeconds !== undefined && busySeconds > analogSeconds ? "processor" : "analog time",
    range_j: [num(e.chip_power_prototype!) * wall, num(e.chip_power_bound!) * wall],
  };
}

export function cmosEnergy(a: ChipActivity, facts: ChipFacts = cmosFacts) {
  const e = facts.sections.energy!, t = facts.sections.time!;
  const real = a.seconds / num(t.acceleration!);
  const staticJ = num(e.static_power!) * real;
  const priced = (name: string, count: number, figure: string): EnergyTerm => ({ name, value: count * num(e[figure]!), unit: "J", count, figure });
  const terms: EnergyTerm[] = [
    { name: "static", value: staticJ, unit: "J" },
    priced("synaptic_events", a.synapticEvents - (a.continuousEvents ?? 0), "energy_per_synaptic_event"),
    priced("synaptic_transmissions", a.transmissions ?? 0, "energy_per_synaptic_transmission"),
    priced("plasticity_updates", a.plasticityUpdates, "energy_per_plasticity_update"),
    priced("spikes", a.spikes, "energy_per_spike"),
    priced("stream_inputs", a.streamInputs ?? 0, "energy_per_stream_input"),
  ];
  const joules = terms.reduce((s, x) => s + x.value, 0);
  return { joules, terms, real_s: real, static_j: staticJ, dynamic_j: joules - staticJ };
}
