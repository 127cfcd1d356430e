import type { TargetCaps } from "../../src/compiler/fixed/caps.ts";

/**
 * What the compiler needs of BrainScaleS-2 (HICANN-X v3). Sources: ../shared/reference/targets.md
 * (section numbers below); "A" marks an assumption.
 */
export const caps: TargetCaps = {
  name: "bss2",
  acceleration: 1000, // 1.3: 1000x faster than biological time
  clockHz: 250e6, // 1.7: PPU clock 250 MHz
  lanes: { 8: 128, 16: 64, 32: 64 }, // 1.7: 128-byte vectors, 128 x 8-bit or 64 x 16-bit lanes (32-bit: A, as two 16-bit halves)
  allowedWidths: [8, 16], // 1.7: 8- and 16-bit fractional lanes
  stateWidth: { neuron: 16, synapse: 16 }, // A: plastic state kept in 16-bit PPU vectors
  registerWidth: 16, // 1.7: 16-bit fractional saturating lanes
  registerRounding: "floor", // 1.7: fractional multiply (a*b) >> 15 with arithmetic (floor) shift
  costKey: "bss2",
  // 1.3: membrane and synaptic time constants of roughly 1-100 us hardware time, i.e. 1-100 ms
  // biological at 1000x (A: exact bounds per circuit); 1.6: correlation sensors give per-synapse traces
  analog: {
    neuronTau: [0.3e-3, 60e-3], // 1.3: tau_mem 0.5-60 us, tau_syn 0.3-30 us hardware = ms biological
    traceTau: [2e-3, 30e-3], // 1.3: correlation sensor 2-30 us hardware
    source: "targets.md 1.3 (calibration ranges, x1000)",
  },
  maxStepOverTau: 0.1,
  limits: {
    neurons: 512, // 1.1
    synapses: 2 * 256 * 256, // 1.1: two synapse arrays of 256 x 256
    fanIn: 256, // 1.1: 256 synapse rows per neuron column and hemisphere (A: no compartment merging)
    memoryBytes: 16384 - 4096, // 1.7: 16 KiB PPU SRAM, 4 KiB reserved as mailbox
  },
  sources: {
    neurons: "targets.md 1.1: 512 neurons",
    synapses: "targets.md 1.1: 2 x 256 x 256 synapses",
    fanIn: "targets.md 1.1: 256 rows per hemisphere",
    memoryBytes: "targets.md 1.7: 16 KiB PPU memory less the 4 KiB mailbox",
  },
};
