/**
 * What every target provides: its capabilities as data (read by the compiler's fixed-point passes;
 * nothing branches on a target's name) and, where it exists, an executor for programs.
 */
import type { Program } from "../src/ir/program.ts";
import type { TargetCaps } from "../src/compiler/fixed/caps.ts";

export interface RunHandle {
  run(progress?: (fraction: number) => void): void;
  readonly recorded: {
    tables: { ticks: Float64Array; columns: Float64Array[]; names: string[]; count: number }[];
    spikes: { ticks: Float64Array; neurons: Int32Array; count: number };
  };
  readonly neuronOffset: number[];
  readonly stats: { denseSteps: number; quietSteps: number; quietTicks: number; wallSeconds: number };
}

export interface Target {
  name: string;
  doc: string;
  caps: TargetCaps;
  /** Runs a model program; absent where the target's emulator does not exist yet. */
  execute?: (program: Program) => RunHandle;
}
