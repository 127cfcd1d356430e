/**
 * The benchmark's full-chip synapse kernel: basic-early compiled for bss2 (its syn.update passes
 * the DRC for one synapse), with the IR's groups, states and connectivity resized to a full
 * BrainScaleS-2 chip, 256 inputs x 512 neurons = 131072 plastic synapses. The full-chip model
 * itself (models/examples/bss2-full-chip.yaml) does not fit the chip's DRC, so it is not compiled.
 */
import type { IrProgram } from "../../../src/ir/codec.ts";
import { compile } from "../../../src/compiler/pipeline.ts";
import { compileFixed } from "../../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../../src/cli/compile.ts";
import { getTarget } from "../../../targets/registry.ts";
import { bounds } from "../../../src/ir/reference.ts";
import { Rng } from "../../../src/util/rng.ts";

export const INPUTS = 256, NEURONS = 512, SYNAPSES = INPUTS * NEURONS;

/** The resized program, with random initial synapse states (in range), and its syn.update kernel. */
export function fullChipProgram(rounding: "nearest" | "floor" | "stochastic" = "nearest", seed = 1): { ir: IrProgram; kernel: IrProgram["kernels"][number] } {
  const program = compile("models/stc/basic-early.yaml", { target: "bss2" });
  const { ir } = compileFixed(program, getTarget("bss2").caps, { rounding, engramVersion: "bench", analyse: analyseByRun });
  const conn = ir.connectivity[0]!;
  const sizes = new Map([[conn.pre, INPUTS], [conn.post, NEURONS], [conn.synapses, SYNAPSES]]);
  ir.groups.forEach((g, i) => (g.size = sizes.get(i) ?? g.size));
  conn.pre_index = Array.from({ length: SYNAPSES }, (_, s) => s % INPUTS);
  conn.post_index = Array.from({ length: SYNAPSES }, (_, s) => Math.floor(s / INPUTS));
  const rng = new Rng(seed, "bench:simd");
  for (const s of ir.states) {
    if (s.group !== conn.synapses) continue;
    const [lo, hi] = bounds(s.format).map(Number) as [number, number];
    s.init = Array.from({ length: SYNAPSES }, () => lo + Math.floor(rng.uniform() * (hi - lo + 1)));
  }
  return { ir, kernel: ir.kernels.find((k) => k.name === "syn.update")! };
}
