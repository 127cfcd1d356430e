/**
 * Runs an IR program on the emulator and presents the results like the float64 executor's
 * (tables of recorded values in display units, spikes numbered across populations), so that
 * `engram run --target bss2|cmos` writes the same files as the reference target.
 */
import type { IrProgram } from "../../src/ir/codec.ts";
import type { RunHandle } from "../target.ts";
import { Emulator } from "./emulator.ts";

export class EmulatorHandle implements RunHandle {
  readonly emulator: Emulator;
  readonly neuronOffset: number[];
  readonly stats = { denseSteps: 0, quietSteps: 0, quietTicks: 0, wallSeconds: 0 };

  /**
   * spikeGroups: names of the neuron groups whose spikes to report (default: all); threads: 2
   * splits kernel runs over a worker (split.ts; close() after the run), same outputs.
   */
  constructor(readonly ir: IrProgram, private readonly spikeGroups?: string[], threads = 1) {
    this.emulator = new Emulator(ir, undefined, { threads });
    let offset = 0;
    this.neuronOffset = ir.groups.map((g) => {
      const here = offset;
      if (g.kind === 1) offset += g.size;
      return here;
    });
  }

  /** Runs to the end (checkpointed runs stop with runTo: src/cli/run.ts). */
  run(progress?: (fraction: number) => void): void {
    this.emulator.run(undefined, progress);
    this.stats.denseSteps = this.emulator.stats.ticks;
    this.stats.wallSeconds = this.emulator.stats.wallSeconds;
  }

  /** Runs up to tick `to` (at most the end). */
  runTo(to: number, progress?: (fraction: number) => void): void {
    const e = this.emulator;
    e.run(Math.max(0, Math.min(to, this.ir.header.duration_ticks) - e.tick), progress);
    this.stats.denseSteps = e.stats.ticks;
    this.stats.wallSeconds = e.stats.wallSeconds;
  }

  /** The real values (SI) of state array "group.name", or undefined if the program has none. */
  values(name: string): Float64Array | undefined {
    const i = this.ir.states.findIndex((s) => s.name === name);
    if (i < 0) return undefined;
    const scale = 2 ** -this.ir.states[i]!.format.frac;
    return Float64Array.from(this.emulator.state[i]!, (x) => x * scale);
  }

  get recorded(): RunHandle["recorded"] {
    const e = this.emulator;
    const tables = e.probes.map((p) => {
      const st = this.ir.states[p.state]!;
      const scale = 2 ** -st.format.frac / (st.unit_scale || 1);
      const n = p.ticks.length;
      const width = this.ir.probes.find((x) => x.column === p.column && x.state === p.state)!.elements.length;
      const names = width === 1 ? [p.column] : Array.from({ length: width }, (_, i) => `${p.column}[${this.ir.probes.find((x) => x.column === p.column)!.elements[i]}]`);
      const columns = names.map((_, c) => Float64Array.from({ length: n }, (_, r) => p.data[r * p.width + c]! * scale));
      return { ticks: Float64Array.from(p.ticks), columns, names, count: n };
    });
    const wanted = this.ir.groups.map((g) => g.kind === 1 && (!this.spikeGroups || this.spikeGroups.includes(g.name)));
    const neuronSpikes = e.spikes.groups.map((g, i) => ({ g, i })).filter(({ g }) => wanted[g]);
    return {
      tables,
      spikes: {
        ticks: Float64Array.from(neuronSpikes, ({ i }) => e.spikes.ticks[i]!),
        neurons: Int32Array.from(neuronSpikes, ({ g, i }) => this.neuronOffset[g]! + e.spikes.elements[i]!),
        count: neuronSpikes.length,
      },
    };
  }
}
