import type { Target } from "../target.ts";
import { caps } from "./caps.ts";

export const target: Target = {
  name: "cmos",
  doc: "our CMOS multi-timescale plasticity chip (every figure an assumption; see targets/cmos/caps.ts)",
  caps,
};
