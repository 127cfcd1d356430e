import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";

/**
 * The reference target runs models in float64; its IR image is the widest fixed-point lowering
 * (32-bit state and registers, round-to-nearest), a target-independent baseline for comparisons.
 * No clock or resource limits apply.
 */
export const caps: TargetCaps = {
  name: "reference",
  acceleration: 1,
  clockHz: Infinity,
  lanes: { 8: 1, 16: 1, 32: 1 },
  allowedWidths: [8, 16, 32],
  stateWidth: { neuron: 32, synapse: 32 },
  registerWidth: 32,
  accumulatorWidth: 32,
  roundingBits: 0,
  registerRounding: "nearest",
  decay: { rounding: "nearest", source: "the reference IR image is the widest round-to-nearest lowering" },
  costKey: "cmos",
  analog: null,
  variation: null, // no analog core
  functionTables: { entries: 4096, interpolate: true, source: "the reference IR image's widest tables" },
  streams: { sampleBits: 19, weightBits: 19, maxChannels: 256, source: "the IR's limits (src/ir/stream.ts)" },
  readoutBits: null,
  splitSlow: false,
  stampedTraces: false, // traces stepped every tick, rounded to nearest
  gatedKernels: false, // the float64 reference has its own event-driven synapses (targets/reference/lazy.ts)
  maxStepOverTau: 0.1,
  synapseArray: null,
  limits: { neurons: Infinity, synapses: Infinity, fanIn: Infinity, memoryBytes: 0 },
  sources: {},
};
