/**
 * Stream stimuli (time series, issue 14) for the IR: the range they give an input, and the integer
 * samples and weights of ir.proto's Stream, at the widths the target declares (caps.streams).
 * Formats are chosen like a state's: the widest magnitude of the data sets the fractional bits.
 */
import type { IrStream } from "../../ir/codec.ts";
import type { Program, StimulusIR } from "../../ir/program.ts";
import { STREAM_RAW_LIMIT } from "../../ir/stream.ts";
import type { TargetCaps } from "./caps.ts";
import type { Interval } from "./interval.ts";
import { fracFor, toRaw, type Format } from "./quantise.ts";

export type StreamStimulus = Extract<StimulusIR, { kind: "stream" }>;

export const isStream = (s: StimulusIR): s is StreamStimulus => s.kind === "stream";

/** The IR's widest samples and weights: signed, below 2^19 in magnitude. */
const IR_BITS = Math.log2(STREAM_RAW_LIMIT) + 1;

/** Range of the stream's contribution to one input over its whole window (the data are known). */
export function streamRange(s: StreamStimulus): Interval {
  const K = s.channels, T = s.values.length / K;
  let lo = 0, hi = 0;
  for (let j = 0; j < s.neurons.length; j++) {
    for (let t = 0; t < T; t++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += s.weights[j * K + k]! * s.values[t * K + k]!;
      if (sum < lo) lo = sum;
      if (sum > hi) hi = sum;
    }
  }
  return [lo, hi];
}

/** A signed format of `bits` (at most the IR's) fitting the largest magnitude of `data`. */
function dataFormat(data: Float64Array, bits: number): Format {
  let m = 0;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]!));
  const width = Math.min(bits, IR_BITS);
  return { width, signed: true, frac: Math.max(-64, Math.min(64, fracFor(-m, m, width, true))), rounding: "nearest", overflow: "saturate" };
}

/** The IR Stream of stimulus s into input state `input`. */
export function irStream(s: StreamStimulus, input: number, caps: TargetCaps): IrStream {
  const st = caps.streams!;
  const sf = dataFormat(s.values, st.sampleBits);
  const wf = dataFormat(s.weights, st.weightBits);
  return {
    neurons: Array.from(s.neurons),
    input_state: input,
    start_tick: s.startTick,
    stop_tick: s.startTick + s.values.length / s.channels,
    channels: s.channels,
    sample_frac: sf.frac,
    samples: Array.from(s.values, (v) => toRaw(v, sf)),
    weight_frac: wf.frac,
    weights: Array.from(s.weights, (v) => toRaw(v, wf)),
  };
}

/** Streams the target cannot take, as design-rule violations (no stream input, too many channels). */
export function streamViolations(program: Program, caps: TargetCaps): { code: string; message: string; expected?: string; received?: string; hint: string }[] {
  const streams = program.stimuli.filter(isStream);
  if (streams.length === 0) return [];
  if (!caps.streams) return [{ code: "cannot-lower", message: `stream stimuli (time series into "${streams[0]!.target}") need a stream input, and ${caps.name} declares none (capabilities: streams)`, hint: "run with --target reference or on a target with stream inputs" }];
  const wide = streams.find((s) => s.channels > caps.streams!.maxChannels);
  if (wide) return [{ code: "drc-stream", message: `the stream into "${wide.target}" has ${wide.channels} channels; ${caps.name}'s input takes at most ${caps.streams.maxChannels} (${caps.streams.source})`, expected: `<= ${caps.streams.maxChannels} channels`, received: `${wide.channels} channels`, hint: "use fewer channels (columns) or another target" }];
  return [];
}
