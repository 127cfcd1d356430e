import type { Target } from "../target.ts";
import { caps } from "./caps.ts";

export const target: Target = {
  name: "bss2",
  doc: "BrainScaleS-2 (HICANN-X v3): 512 neurons, 2 x 256 x 256 synapses, 1000x accelerated, plasticity on two 250 MHz SIMD processors",
  caps,
};
