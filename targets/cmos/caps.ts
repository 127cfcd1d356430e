import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";

/**
 * What the compiler needs of our CMOS multi-timescale plasticity chip. No public specification
 * exists (targets.md section 4); every value is an assumption sized for the Luboeinski-Tetzlaff
 * memory network and marked "A".
 */
export const caps: TargetCaps = {
  name: "cmos",
  acceleration: 1, // A: real-time operation by default (targets.md 5.2 suggests 1..1000)
  clockHz: 100e6, // A: digital update clock
  // A: near-memory update units, one per 64-synapse memory segment (4096 units for 262144
  // synapses), each executing the same op stream on its own segment: 4096 elements per instruction
  lanes: { 8: 4096, 16: 4096, 32: 4096 },
  allowedWidths: [8, 10, 12, 14, 16], // A: configurable 8-16 bit state
  stateWidth: { neuron: 16, synapse: 12 }, // A: 12-bit synaptic state (h, z, Ca), 16-bit neuron state
  registerWidth: 24, // A: 24-bit datapath registers
  registerRounding: "nearest", // A
  costKey: "cmos",
  analog: null, // A: calcium, early and late state all in the digital datapath
  maxStepOverTau: 0.1,
  limits: {
    neurons: 2048, // A
    synapses: 262144, // A: 2048 x 128 synapse memory
    fanIn: 1024, // A
    memoryBytes: 0, // state lives in the synapse and neuron memories counted above
  },
  sources: {
    neurons: "assumption: 2048 neurons (targets/cmos/caps.ts)",
    synapses: "assumption: 262144 synapse slots",
    fanIn: "assumption: 1024 inputs per neuron",
  },
};
