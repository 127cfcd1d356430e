/**
 * Stream stimuli (ir.proto, message Stream; IR version 3): a time series into a neuron input, the
 * exact integer semantics on BigInt, shared by the reference interpreter. The emulator's number
 * path (targets/emulator/stream.ts) must agree bit for bit.
 */
import type { IrFixedFormat, IrStream } from "./codec.ts";
import { addToInput } from "./current.ts";

/** Most channels a stream may have. */
export const STREAM_MAX_CHANNELS = 256;
/** Samples and weights are below this in magnitude: a sum of 256 products stays below 2^46. */
export const STREAM_RAW_LIMIT = 2 ** 19;

/** Whether the stream drives its input at tick t. */
export const streamActive = (q: IrStream, t: number): boolean => t >= q.start_tick && t < q.stop_tick;

/** Adds the stream's tick-t contribution to each listed neuron's input (raw values, in the input's format). */
export function applyStream(q: IrStream, t: number, input: bigint[], inFmt: IrFixedFormat): void {
  const K = q.channels;
  const row = (t - q.start_tick) * K;
  q.neurons.forEach((n, j) => {
    let acc = 0n;
    for (let k = 0; k < K; k++) acc += BigInt(q.weights[j * K + k]!) * BigInt(q.samples[row + k]!);
    input[n] = addToInput(input[n]!, inFmt, acc, q.sample_frac + q.weight_frac);
  });
}
