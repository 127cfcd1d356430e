/**
 * Stream stimuli on JS numbers: the fast twin of src/ir/stream.ts. Exact: samples and weights are
 * below 2^19 in magnitude and there are at most 256 channels (the verifier checks both), so every
 * sum of products stays below 2^46; the rounding into the input is inputAdder's (current.ts).
 */
import type { IrProgram, IrStream } from "../../src/ir/codec.ts";
import { rawRange } from "../../src/ir/verify.ts";
import { inputAdder } from "./current.ts";

export interface PreparedStream {
  /** Index of the stimulus in the program. */
  stim: number;
  q: IrStream;
  input: Float64Array;
  neurons: Int32Array;
  samples: Float64Array;
  weights: Float64Array;
  add: (input: number, value: number) => number;
}

export function prepareStreams(p: IrProgram, state: Float64Array[]): PreparedStream[] {
  return p.stimuli.flatMap((s, stim) => {
    const q = s.stream;
    if (!q) return [];
    const f = p.states[q.input_state]!.format;
    const [lo, hi] = rawRange(f);
    return [{ stim, q, input: state[q.input_state]!, neurons: Int32Array.from(q.neurons), samples: Float64Array.from(q.samples), weights: Float64Array.from(q.weights), add: inputAdder(q.sample_frac + q.weight_frac - f.frac, lo, hi) }];
  });
}

/** Adds stream s's tick-t contribution (the caller checks that t is in its window). */
export function applyStreamNumber(s: PreparedStream, t: number): void {
  const K = s.q.channels, row = (t - s.q.start_tick) * K;
  const { neurons, samples, weights, input, add } = s;
  for (let j = 0; j < neurons.length; j++) {
    let acc = 0;
    for (let k = 0; k < K; k++) acc += weights[j * K + k]! * samples[row + k]!;
    const n = neurons[j]!;
    input[n] = add(input[n]!, acc);
  }
}
