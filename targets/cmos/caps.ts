import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";
import { num, rounding } from "../facts.ts";
import { facts } from "./facts.ts";

const f = facts.sections;
const units = num(f.datapath!.update_units!);

/** What the compiler needs of our CMOS chip, derived from its facts (all assumptions, facts.ts). */
export const caps: TargetCaps = {
  name: "cmos",
  acceleration: num(f.time!.acceleration!),
  clockHz: num(f.datapath!.clock!),
  lanes: { 8: units, 16: units, 32: units },
  allowedWidths: [8, 10, 12, 14, 16],
  stateWidth: { neuron: num(f.state!.neuron_state_width!), synapse: num(f.state!.synapse_state_width!) },
  registerWidth: num(f.state!.register_width!),
  accumulatorWidth: num(f.state!.accumulator_width!),
  roundingBits: 0, // the LFSR width of its stochastic rounding is not specified (facts: state.rounding): exact draws
  registerRounding: "nearest",
  decay: { rounding: rounding(f.datapath!.decay_rounding!), source: "assumption (targets/cmos/facts.ts datapath.decay_rounding)" },
  costKey: "cmos",
  analog: null,
  variation: null, // no analog core
  functionTables: { entries: num(f.datapath!.function_table!), interpolate: true, source: "assumption (targets/cmos/facts.ts datapath.function_table)" },
  streams: { sampleBits: num(f.inputs!.stream_sample_width!), weightBits: num(f.inputs!.stream_weight_width!), maxChannels: num(f.inputs!.stream_channels!), cycles: { perVectorChannel: num(f.inputs!.stream_vector_channel_cycles!), perVector: num(f.inputs!.stream_vector_cycles!), lanes: units }, source: "assumption (targets/cmos/facts.ts inputs)" },
  shortTermPlasticity: null, // no STP circuit: x and u are digital state in the datapath
  readoutBits: null, // calcium, early and late state all live in the digital datapath
  splitSlow: true,
  gatedKernels: true, // assumption: a gate bit per synapse word lets the update units skip idle synapses
  stampedTraces: f.datapath!.trace_decay!.value === "stamped", // assumption (facts: datapath.trace_decay)
  maxStepOverTau: 0.1,
  synapseArray: null, // synapses are addressed memory words, not a crossbar
  limits: { neurons: num(f.resources!.neurons!), synapses: num(f.resources!.synapses!), fanIn: num(f.resources!.fan_in!), memoryBytes: 0 },
  sources: {
    neurons: "assumption (targets/cmos/facts.ts)",
    synapses: "assumption (targets/cmos/facts.ts)",
    fanIn: "assumption (targets/cmos/facts.ts)",
  },
};
