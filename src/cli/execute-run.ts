/**
 * The part of a run that `engram run` and a study's runs share: the program on its target (the
 * float64 executor, or the chip's fixed-point IR on its emulator) and the manifest's hardware
 * block, set before and completed after the run. One place, so that a study's runs are the runs
 * `engram run` makes.
 */
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import type { Rounding } from "../compiler/fixed/quantise.ts";
import type { VariationOptions } from "../compiler/fixed/variation.ts";
import type { Program } from "../ir/program.ts";
import { encodeImage } from "../ir/image.ts";
import type { RunHandle, Target } from "../../targets/target.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { analyseByRun } from "./analyse-by-run.ts";

export interface PreparedRun {
  handle: RunHandle;
  /** Chips only: the manifest's hardware block (completed by recordHardware) and the image bytes. */
  hardware?: Record<string, unknown>;
  image?: Uint8Array;
  stateBits?: number | string;
}

export function prepareRun(program: Program, target: Target, o: { rounding: Rounding; bits?: number; variation: VariationOptions; engramVersion: string; threads?: number }): PreparedRun {
  if (target.execute) return { handle: target.execute(program) };
  // A chip: lower to its fixed-point IR and run that on the emulator, bit-exact with the IR's definition.
  const fixed = compileFixed(program, target.caps, { rounding: o.rounding, bits: o.bits, variation: o.variation, engramVersion: o.engramVersion, analyse: analyseByRun });
  const handle = new EmulatorHandle(fixed.ir, program.spikeRecording, o.threads);
  const simulated = program.durationTicks * program.tickSeconds;
  const image = encodeImage(fixed.ir);
  const stateBits = o.bits ?? program.numerics.stateBits ?? "target default";
  const hardware = { acceleration: target.caps.acceleration, hardware_s: simulated / target.caps.acceleration, rounding: o.rounding, state_bits: stateBits, mismatch: o.variation.mismatch, noise: o.variation.noise, ...(o.variation.noise ? { noise_every_ticks: noiseEvery(fixed.ir) } : {}), ir_bytes: image.length };
  return { handle, hardware, image, stateBits };
}

/** After the run: the emulator's counters into the hardware block. */
export function recordHardware(handle: RunHandle, hardware: Record<string, unknown> | undefined): void {
  if (!(handle instanceof EmulatorHandle) || !hardware) return;
  const s = handle.emulator.stats;
  Object.assign(hardware, { digital_overruns: s.overruns, max_backlog_cycles: s.maxBacklogCycles, saturations: s.saturations, stepped_ticks: s.ticks, jumped_ticks: s.jumpedTicks, synapse_updates: s.synapseUpdates });
}

/** Ticks between trial-to-trial noise draws in a compiled program: its noise kernels' period, else 1 (drawn in the analog kernels). */
function noiseEvery(ir: { kernels: { name: string; periodic?: { period_ticks: number } }[] }): number {
  const k = ir.kernels.find((x) => x.name.endsWith(".noise") && x.periodic);
  return k ? Number(k.periodic!.period_ticks) : 1;
}
