/**
 * What every target provides: a description as data (number formats, resources, clocks) and a
 * way to execute an IR program. Compiler passes read the description; nothing branches on a name.
 */
import type { Program } from "../src/ir/program.ts";

export interface TargetSpec {
  name: string;
  doc: string;
  /** Arithmetic of state variables. */
  numbers: { kind: "float64" } | { kind: "fixed"; widths: number[] };
  /** Hardware time = biological time / acceleration. */
  acceleration: number;
  /** Every value that is not a plain fact, labelled. */
  assumptions: string[];
}

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
  spec: TargetSpec;
  execute(program: Program): RunHandle;
}
