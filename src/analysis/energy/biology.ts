/**
 * The biological (metabolic) energy model after Attwell & Laughlin 2001 (AL01) and Howarth,
 * Gleeson & Attwell 2012 (H12), figures and labels from energy.md (../shared/reference):
 *   ATP = resting x neurons x time + AP x spikes + vesicles x (postsynaptic + presynaptic + recycling)
 *         + plasticity x updates,
 * vesicles = synaptic events x release probability. With 8000 boutons, p = 0.25 and 4 Hz it gives
 * H12's signalling split and total (tests/analysis/energy).
 */
import { assume, src, type Fact } from "../../../targets/facts.ts";

export const BIOLOGY: Record<string, Fact> = {
  atp_per_spike: src(3.84e8 * (1.24 / 4), "ATP", "derived: 3.84e8 ATP per action potential (AL01, Na/K overlap factor 4) x 1.24 / 4 (H12's overlap factor for cortical pyramidal cells)"),
  atp_per_vesicle: src(1.64e5, "ATP", "published: AL01 (via BioNumbers): all costs of releasing one vesicle"),
  atp_presynaptic_per_vesicle: src(1.2e4, "ATP", "published: AL01, presynaptic Ca2+ entry and extrusion"),
  atp_recycling_per_vesicle: src(1.1e4, "ATP", "published: AL01, glutamate recycling and vesicle refilling"),
  atp_postsynaptic_per_vesicle: src(1.64e5 - 1.2e4 - 1.1e4, "ATP", "derived: 1.64e5 per vesicle (AL01) minus the presynaptic and recycling parts; energy.md lists 1.37e5, which does not add up to the published total (1.37e5 + 1.2e4 + 1.1e4 = 1.60e5)"),
  release_probability: src(0.25, "1", "published: AL01 (8000 boutons x 0.25 = 2000 vesicles per spike)"),
  atp_resting_per_neuron: src(3.42e8 + 1.02e8, "ATP/s", "published: AL01, unchanged in H12: 3.42e8 per neuron plus 1.02e8 for one glial cell per neuron"),
  atp_per_plasticity_update: assume(0, "ATP", "no published per-update cost of plasticity or protein synthesis in these budgets (energy.md)"),
  joule_per_atp: assume(8.3e-20, "J", "about 50 kJ/mol under cellular conditions (the standard 30.5 kJ/mol would give 5.06e-20 J); neither AL01 nor H12 converts"),
  rate_unit_max_hz: assume(8, "Hz", "a rate unit x in [-1, 1] fires (x + 1) / 2 x 8 Hz: 4 Hz, the cortical mean of H12, at x = 0"),
};

export interface BiologyActivity {
  seconds: number;
  /** Model neurons (spike sources and input streams excluded). */
  neurons: number;
  /** Spikes of model neurons (for rate units: integral of the rate). */
  spikes: number;
  /** Presynaptic spikes arriving at synapses (spikes x out-degree), inputs' included. */
  synapticEvents: number;
  plasticityUpdates: number;
}

export interface EnergyTerm {
  name: string;
  value: number;
  unit: string;
  /** For a per-event term: how many events, and the figure (key of the model's figures) each costs. */
  count?: number;
  figure?: string;
}

const v = (f: Fact) => f.value as number;

/** ATP per term and in total, and the same in joules. */
export function biologicalEnergy(a: BiologyActivity, facts: Record<string, Fact> = BIOLOGY) {
  const vesicles = a.synapticEvents * v(facts.release_probability!);
  const terms: EnergyTerm[] = [
    { name: "action_potentials", value: a.spikes * v(facts.atp_per_spike!), unit: "ATP" },
    { name: "postsynaptic", value: vesicles * v(facts.atp_postsynaptic_per_vesicle!), unit: "ATP" },
    { name: "resting", value: a.neurons * a.seconds * v(facts.atp_resting_per_neuron!), unit: "ATP" },
    { name: "presynaptic", value: vesicles * v(facts.atp_presynaptic_per_vesicle!), unit: "ATP" },
    { name: "recycling", value: vesicles * v(facts.atp_recycling_per_vesicle!), unit: "ATP" },
    { name: "plasticity", value: a.plasticityUpdates * v(facts.atp_per_plasticity_update!), unit: "ATP" },
  ];
  const atp = terms.reduce((s, t) => s + t.value, 0);
  return { atp, joules: atp * v(facts.joule_per_atp!), terms, vesicles };
}
