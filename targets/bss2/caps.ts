import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";
import { num, range, rounding } from "../facts.ts";
import { facts } from "./facts.ts";

const f = facts.sections;
const acceleration = num(f.time!.acceleration!);
const toBiological = (r: [number, number]): [number, number] => [r[0] * acceleration, r[1] * acceleration];

/** What the compiler needs of BrainScaleS-2, derived from its facts (facts.ts). */
export const caps: TargetCaps = {
  name: "bss2",
  acceleration,
  clockHz: num(f.plasticity_processor!.clock!),
  lanes: { 8: num(f.plasticity_processor!.lanes_8bit!), 16: num(f.plasticity_processor!.lanes_16bit!), 32: num(f.plasticity_processor!.lanes_16bit!) },
  allowedWidths: [8, 16],
  stateWidth: { neuron: num(f.plasticity_processor!.plasticity_state_width!), synapse: num(f.plasticity_processor!.plasticity_state_width!) },
  registerWidth: 16,
  accumulatorWidth: 16, // summed inputs are 16-bit vectors in PPU memory, like plastic state (facts: plasticity_state_width)
  roundingBits: 8, // facts: plasticity_processor.rng, 8-bit LFSR outputs
  registerRounding: "floor", // fractional multiply shifts with floor (facts: plasticity_processor.fractional_multiply)
  decay: { rounding: rounding(f.plasticity_processor!.decay_rounding!), source: "targets.md 1.7 (fractional multiply floors)" },
  costKey: "bss2",
  analog: {
    neuronTau: [toBiological(range(f.time!.tau_syn!))[0], toBiological(range(f.time!.tau_mem!))[1]],
    traceTau: toBiological(range(f.time!.tau_correlation!)),
    source: "targets.md 1.3 (calibration ranges, x1000)",
    perCircuit: true, // facts: neurons.analog_parameters
    perCircuitSource: "targets.md 1.1: 24 analog parameters per neuron circuit (i_bias_leak sets tau_mem, i_bias_synin_*_tau tau_syn), calibrated per circuit",
  },
  variation: {
    tau: num(f.noise_and_mismatch!.fixed_pattern_tau!),
    weight: num(f.noise_and_mismatch!.fixed_pattern_weight!),
    trial: num(f.noise_and_mismatch!.trial_to_trial_relative!),
    source: "targets.md 1.5 (no published distributions: relative SDs assumed, see facts.ts)",
  },
  functionTables: { entries: num(f.plasticity_processor!.function_table!), interpolate: true, source: "assumption (targets/bss2/facts.ts plasticity_processor.function_table)" },
  streams: { sampleBits: num(f.plasticity_processor!.stream_sample_width!), weightBits: num(f.plasticity_processor!.stream_weight_width!), maxChannels: num(f.plasticity_processor!.stream_channels!), cycles: { perVectorChannel: num(f.plasticity_processor!.stream_vector_channel_cycles!), perVector: num(f.plasticity_processor!.stream_vector_cycles!), lanes: num(f.plasticity_processor!.lanes_16bit!) }, source: "assumption (targets/bss2/facts.ts plasticity_processor.stream_*)" },
  shortTermPlasticity: {
    drive: "spikes", // facts: short_term_plasticity.acts_on
    facilitation: false, // facts: short_term_plasticity.facilitation
    circuits: num(f.short_term_plasticity!.circuits!),
    utilisationBits: num(f.short_term_plasticity!.utilization_bits!),
    utilisationMax: num(f.short_term_plasticity!.utilization_max!),
    recoveryTau: toBiological(range(f.short_term_plasticity!.recovery_tau!)),
    source: "targets/bss2/facts.ts short_term_plasticity (haldls synapse_driver.h, calix; form and ranges assumed)",
  },
  readoutBits: num(f.readout!.cadc_bits!), // digital kernels read analog state through the 8-bit CADC
  splitSlow: true,
  stampedTraces: false, // its programs step each trace with a fractional multiply every update (targets.md 1.7)
  gatedKernels: false, // the PPU updates whole synapse rows as vectors: skipping single synapses saves no work
  maxStepOverTau: 0.1,
  synapseArray: {
    arrays: num(f.synapses!.arrays!),
    rows: num(f.synapses!.rows!),
    columns: num(f.synapses!.columns!),
    labelBits: num(f.synapses!.label_bits!),
    weightBits: num(f.synapses!.weight_bits!),
    source: "targets.md 1.1: 2 arrays of 256 x 256, 6-bit weights and labels, sign per row",
  },
  limits: {
    neurons: num(f.neurons!.count!),
    synapses: num(f.synapses!.total!),
    fanIn: num(f.synapses!.fan_in!),
    memoryBytes: num(f.plasticity_processor!.memory!) - num(f.plasticity_processor!.mailbox!),
  },
  sources: {
    neurons: (f.neurons!.count! as { source: string }).source,
    synapses: (f.synapses!.total! as { source: string }).source,
    fanIn: (f.synapses!.fan_in! as { source: string }).source,
    memoryBytes: "targets.md 1.7: 16 KiB PPU memory less the 4 KiB mailbox",
  },
};
