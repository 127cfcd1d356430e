/**
 * Drives a compiled model with i.i.d. U[-1, 1] input for IPC (seed-models.md E step 1) on the
 * float64 reference executor and returns the input and the states it leaves.
 *  - input: one scalar u(k) per sample, held for `hold` ticks, into POP.INPUT of every neuron of
 *    POP with weight w_i (the model's first stream stimulus' weights of its first channel, or
 *    U[-1, 1] drawn from the seed when the model has none), times `scale`. The model's other
 *    stimuli (e.g. a background current) stay; a stream stimulus into the same input is replaced.
 *  - states, rate population: the variable POP.VAR sampled at the end of every sample;
 *  - states, spiking population: each neuron's spike train filtered by an exponential kernel
 *    y <- y exp(-dt / tau) + 1 per spike (tau named by the user), sampled likewise.
 * Row k of the states is the state after the input u(k) (the state sampled at the end of its hold).
 */
import type { Program, RecordingIR, StimulusIR } from "../../ir/program.ts";
import { Executor } from "../../../targets/reference/executor.ts";
import { Rng } from "../../util/rng.ts";

export interface DriveSpec {
  /** Population driven and its input variable. */
  input: { population: string; variable: string };
  /** Rate states: a variable; spiking: filtered spikes with time constant tau (s). */
  states: { population: string; variable: string } | { population: string; spikes: { tau: number } };
  samples: number;
  /** Ticks each input sample is held for. */
  hold: number;
  scale: number;
  seed: number;
}

export interface Driven {
  u: Float64Array;
  /** (samples) rows of (units) values. */
  states: Float64Array;
  units: number;
  wallSeconds: number;
}

export function driveUniform(base: Program, spec: DriveSpec, progress?: (fraction: number) => void): Driven {
  const pop = base.populations.find((p) => p.name === spec.input.population)!;
  const S = spec.samples, hold = spec.hold;
  const rng = new Rng(spec.seed, "ipc-input");
  const u = Float64Array.from({ length: S }, () => 2 * rng.uniform() - 1);
  const values = new Float64Array(S * hold);
  for (let t = 0; t < values.length; t++) values[t] = u[Math.floor(t / hold)]!;
  const existing = base.stimuli.find((s): s is Extract<StimulusIR, { kind: "stream" }> => s.kind === "stream" && s.target === pop.name && s.input === spec.input.variable);
  const all = Int32Array.from({ length: pop.size }, (_, i) => i);
  const w = new Float64Array(pop.size);
  if (existing) existing.neurons.forEach((n, j) => (w[n] = existing.weights[j * existing.channels]!));
  else {
    const wr = new Rng(spec.seed, "ipc-input-weights");
    for (let i = 0; i < pop.size; i++) w[i] = 2 * wr.uniform() - 1;
  }
  for (let i = 0; i < w.length; i++) w[i]! *= spec.scale;
  const stream: StimulusIR = { kind: "stream", target: pop.name, neurons: all, startTick: 0, stopTick: values.length, input: spec.input.variable, channels: 1, names: ["u"], values, weights: w };
  const statePop = base.populations.find((p) => p.name === spec.states.population)!;
  const recordings: RecordingIR[] = [];
  if ("variable" in spec.states) {
    const v = statePop.vars.find((x) => x.name === (spec.states as { variable: string }).variable)!;
    recordings.push({ group: statePop.name, var: v.name, elements: Int32Array.from({ length: statePop.size }, (_, i) => i), everyTicks: hold, columns: Array.from({ length: statePop.size }, (_, i) => `${v.name}[${i}]`), unit: v.unit, unitScale: v.unitScale });
  }
  const program: Program = {
    ...base,
    durationTicks: values.length,
    stimuli: [...base.stimuli.filter((s) => s !== existing), stream],
    recordings,
    spikeRecording: "spikes" in spec.states ? [statePop.name] : [],
    analysis: null,
    tasks: null,
  };
  const ex = new Executor(program);
  ex.run(progress);
  const N = statePop.size;
  const states = new Float64Array(S * N);
  if ("variable" in spec.states) {
    // table row k + 1 (tick (k + 1) hold) follows u(k)
    const table = ex.recorded.tables[0]!;
    for (let j = 0; j < N; j++) {
      const col = table.columns[j]!;
      for (let k = 0; k < S; k++) states[k * N + j] = col[k + 1]!;
    }
  } else {
    const decay = Math.exp(-base.tickSeconds / spec.states.spikes.tau);
    const offset = ex.neuronOffset[base.populations.indexOf(statePop)]!;
    const sp = ex.recorded.spikes;
    const y = new Float64Array(N);
    let next = 0, t = 0;
    // spike at tick s is counted in the sample whose hold contains it: sample k covers ticks [k hold, (k + 1) hold)
    for (let k = 0; k < S; k++) {
      const end = (k + 1) * hold;
      for (; t < end; t++) {
        for (let i = 0; i < N; i++) y[i]! *= decay;
        while (next < sp.count && sp.ticks[next]! <= t) {
          const n = sp.neurons[next++]! - offset;
          if (n >= 0 && n < N) y[n]! += 1;
        }
      }
      states.set(y, k * N);
    }
  }
  return { u, states, units: N, wallSeconds: ex.stats.wallSeconds };
}
