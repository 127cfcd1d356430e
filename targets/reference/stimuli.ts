/**
 * Stimulus runtime: spike trains into source populations (fixed lists, Poisson with optional
 * bursts, regular) as event times, and currents into neuron inputs (constant, Ornstein-Uhlenbeck).
 * Poisson trains draw geometric gaps, which is exactly the distribution of the authors' per-step
 * coin flips (spike with probability f dt each step) at a cost per spike rather than per step.
 */
import type { StimulusIR } from "../../src/ir/program.ts";
import { Rng } from "../../src/util/rng.ts";
import { ElementRng } from "../../src/util/element-rng.ts";

const NEVER = Number.POSITIVE_INFINITY;

/** One spike-train generator per (stimulus, neuron): the tick of its next spike. */
interface Train {
  stim: number;
  neuron: number;
  next: number;
}

export class SpikeStimuli {
  private readonly trains: Train[] = [];
  private readonly rngs: Rng[];
  /** Cursor into each "spikes" stimulus' sorted list. */
  private readonly cursors: number[];

  constructor(
    private readonly stimuli: StimulusIR[],
    readonly targetIndex: number[],
    seed: number,
  ) {
    this.rngs = stimuli.map((_, i) => new Rng(seed, `stimulus:${i}`));
    this.cursors = stimuli.map(() => 0);
    stimuli.forEach((s, i) => {
      if (s.kind === "poisson" || s.kind === "regular") {
        for (const n of s.neurons) this.trains.push({ stim: i, neuron: n, next: this.first(i, n) });
      }
    });
  }

  private first(i: number, _neuron: number): number {
    const s = this.stimuli[i]!;
    if (s.kind === "regular") return s.startTick < s.stopTick ? s.startTick : NEVER;
    return this.poissonFrom(i, s.startTick);
  }

  /** First Poisson spike at or after tick `from`, respecting burst windows and the stop tick. */
  private poissonFrom(i: number, from: number): number {
    const s = this.stimuli[i] as Extract<StimulusIR, { kind: "poisson" }>;
    const rng = this.rngs[i]!;
    let t = from;
    for (;;) {
      if (t >= s.stopTick) return NEVER;
      const phase = (t - s.startTick) % s.burstPeriodTicks;
      const windowEnd = Math.min(t - phase + s.burstOnTicks, s.stopTick);
      if (t >= windowEnd) {
        t = t - phase + s.burstPeriodTicks;
        continue;
      }
      const candidate = t + rng.geometric(s.probPerTick) - 1;
      if (candidate < windowEnd) return candidate;
      t = windowEnd; // next window (memoryless, so restarting the draw is exact)
    }
  }

  private advance(train: Train): void {
    const s = this.stimuli[train.stim]!;
    if (s.kind === "regular") {
      const n = train.next + s.intervalTicks;
      train.next = n < s.stopTick ? n : NEVER;
    } else {
      train.next = this.poissonFrom(train.stim, train.next + 1);
    }
  }

  /** Earliest tick with a stimulus spike, or Infinity. */
  nextTick(): number {
    let t = NEVER;
    for (const tr of this.trains) if (tr.next < t) t = tr.next;
    for (let i = 0; i < this.stimuli.length; i++) {
      const s = this.stimuli[i]!;
      if (s.kind === "spikes" && this.cursors[i]! < s.ticks.length) t = Math.min(t, s.ticks[this.cursors[i]!]!);
    }
    return t;
  }

  /** Appends every stimulus spike at `tick` to lists[population], counting in counts. */
  fire(tick: number, lists: Int32Array[], counts: Int32Array): void {
    for (const tr of this.trains) {
      while (tr.next === tick) {
        emitOnce(lists, counts, this.targetIndex[tr.stim]!, tr.neuron);
        this.advance(tr);
      }
    }
    for (let i = 0; i < this.stimuli.length; i++) {
      const s = this.stimuli[i]!;
      if (s.kind !== "spikes") continue;
      let c = this.cursors[i]!;
      while (c < s.ticks.length && s.ticks[c] === tick) emitOnce(lists, counts, this.targetIndex[i]!, s.which[c++]!);
      this.cursors[i] = c;
    }
  }

}

/** Two stimuli may hit the same neuron in one tick: it spikes once. */
function emitOnce(lists: Int32Array[], counts: Int32Array, pop: number, neuron: number): void {
  const list = lists[pop]!;
  for (let j = 0; j < counts[pop]!; j++) if (list[j] === neuron) return;
  list[counts[pop]!++] = neuron;
}

/**
 * Constant and OU currents summed into neuron input arrays each step. Each OU neuron draws from
 * its own stream (element-rng.ts); a worker of a split run applies the currents of the neurons in
 * its range of the target population only (ranges[i] for stimulus i; all by default).
 */
export class CurrentStimuli {
  private readonly ou: Float64Array[];
  private readonly rngs: ElementRng[];
  readonly active: boolean;
  private readonly ranges: [number, number][];

  constructor(
    private readonly stimuli: StimulusIR[],
    private readonly inputs: (Float64Array | null)[],
    seed: number,
    ranges?: [number, number][],
  ) {
    this.ranges = ranges ?? inputs.map((a) => [0, a?.length ?? 0]);
    this.ou = stimuli.map((s) => new Float64Array(s.kind === "ou_current" ? s.neurons.length : 0).fill(s.kind === "ou_current" ? s.mean : 0));
    this.rngs = stimuli.map((s, i) => new ElementRng(seed, `current:${i}`, s.kind === "ou_current" ? s.neurons.length : 0));
    this.active = stimuli.some((s) => s.kind === "current" || s.kind === "ou_current" || s.kind === "stream");
  }

  /** True if a noisy current is on during [from, to): such stretches must be stepped densely. */
  noisyBetween(from: number, to: number): boolean {
    return this.stimuli.some((s) => (s.kind === "ou_current" || s.kind === "stream") && s.startTick < to && s.stopTick > from);
  }

  /** Next tick at which the set of active currents changes. */
  nextChange(after: number): number {
    let t = NEVER;
    for (const s of this.stimuli) {
      if (s.kind !== "current" && s.kind !== "ou_current" && s.kind !== "stream") continue;
      if (s.startTick > after) t = Math.min(t, s.startTick);
      if (s.stopTick > after) t = Math.min(t, s.stopTick);
    }
    return t;
  }

  /** Writes the summed input currents for the step at `tick` with step length dt (s). */
  apply(tick: number, dt: number): void {
    this.inputs.forEach((a, i) => a?.fill(0, this.ranges[i]![0], this.ranges[i]![1]));
    this.stimuli.forEach((s, i) => {
      if (s.kind !== "current" && s.kind !== "ou_current" && s.kind !== "stream") return;
      if (tick < s.startTick || tick >= s.stopTick) return;
      const input = this.inputs[i]!;
      const [lo, hi] = this.ranges[i]!;
      if (s.kind === "stream") {
        // input[n] += sum_k weights[j][k] u_k(tick): the series changes every step.
        const K = s.channels;
        const row = (tick - s.startTick) * K;
        for (let j = 0; j < s.neurons.length; j++) {
          if (s.neurons[j]! < lo || s.neurons[j]! >= hi) continue;
          let sum = 0;
          for (let k = 0; k < K; k++) sum += s.weights[j * K + k]! * s.values[row + k]!;
          input[s.neurons[j]!]! += sum;
        }
        return;
      }
      if (s.kind === "current") {
        for (const n of s.neurons) if (n >= lo && n < hi) input[n]! += s.amplitude;
        return;
      }
      // Exact OU update over one step: x <- mu + (x - mu) e^(-dt/tau) + sd sqrt(1 - e^(-2 dt/tau)) N(0,1).
      const x = this.ou[i]!;
      const decay = Math.exp(-dt / s.tau);
      const kick = s.sd * Math.sqrt(1 - decay * decay);
      const rng = this.rngs[i]!;
      for (let j = 0; j < s.neurons.length; j++) {
        const n = s.neurons[j]!;
        if (n < lo || n >= hi) continue;
        x[j] = s.mean + (x[j]! - s.mean) * decay + kick * rng.fastNormal(j);
        input[n]! += x[j]!;
      }
    });
  }
}
