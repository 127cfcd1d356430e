/**
 * The manifest's `energy` section: the run's activity and, for each energy model (biology, bss2,
 * cmos), the total, its terms and the figures used with their provenance (source or ASSUMPTION).
 * Chip models are measured when the run was on that chip's emulator and estimated from the
 * activity otherwise (then BSS-2's processor time is not known and only analog time counts).
 */
import { facts as bss2Facts } from "../../../targets/bss2/facts.ts";
import { facts as cmosFacts } from "../../../targets/cmos/facts.ts";
import { num, type Fact } from "../../../targets/facts.ts";
import type { Activity } from "./activity.ts";
import { BIOLOGY, biologicalEnergy, type EnergyTerm } from "./biology.ts";
import { bss2Energy, cmosEnergy } from "./chips.ts";

const label = (f: Fact) => ({ value: f.value, unit: f.unit, ...("source" in f ? { source: f.source } : { assumption: f.assumption }) });
const figures = (facts: Record<string, Fact>) => Object.fromEntries(Object.entries(facts).map(([k, f]) => [k, label(f)]));

export interface EnergySection {
  activity: Omit<Activity, "notes">;
  notes: string[];
  models: {
    biology: { atp: number; joules: number; terms: EnergyTerm[]; figures: Record<string, unknown> };
    bss2: { joules: number; basis: string; terms: EnergyTerm[]; figures: Record<string, unknown>; [k: string]: unknown };
    cmos: { joules: number; basis: string; terms: EnergyTerm[]; figures: Record<string, unknown>; [k: string]: unknown };
  };
}

export function energySection(a: Activity, target: string): EnergySection {
  const { notes: given, ...activity } = a;
  const notes = [...given];
  const chipNeurons = bss2Facts.sections.neurons!.count!.value as number;
  if (a.neurons > chipNeurons) notes.push(`bss2: ${a.neurons} neurons do not fit one chip (${chipNeurons}); its energy is that of one chip for the run's time`);
  const bio = biologicalEnergy(a);
  const onBss2 = target === "bss2", onCmos = target === "cmos";
  // Stream cycles on BSS-2's processor: per 64-lane vector of driven neurons, channels x
  // stream_vector_channel_cycles + stream_vector_cycles, every tick (the cost the DRC counts).
  const pp = bss2Facts.sections.plasticity_processor!;
  const lanes = num(pp.lanes_16bit!), perVC = num(pp.stream_vector_channel_cycles!), perV = num(pp.stream_vector_cycles!);
  const streamCycles = (a.streams ?? []).reduce((s, x) => s + Math.ceil(x.neurons / lanes) * (x.channels * perVC + perV) * x.ticks, 0);
  const chipActivity = { ...a, digitalCycles: onBss2 ? a.digitalCycles : undefined, streamCycles: onBss2 ? streamCycles : undefined };
  const b = bss2Energy(chipActivity);
  const c = cmosEnergy(a);
  const measured = "measured: this run on the chip's emulator (its event counts and cycle accounting)";
  const estimated = `estimated from the ${target} run's event counts (not run on this chip's emulator)`;
  return {
    activity,
    notes,
    models: {
      biology: { atp: bio.atp, joules: bio.joules, terms: bio.terms, figures: figures(BIOLOGY) },
      bss2: { ...b, basis: onBss2 ? measured : `${estimated}; processor busy time unknown, analog time only`, figures: figures(bss2Facts.sections.energy!) },
      cmos: { ...c, basis: onCmos ? measured : estimated, figures: figures(cmosFacts.sections.energy!) },
    },
  };
}

/** "1.23e-4 J" style, for tables and console lines. */
export const fmtEnergy = (x: number, unit: string) => `${x.toPrecision(3)} ${unit}`;
