/**
 * Lowers a `kind: stream` stimulus to the float64 program (issue 14): the series (streams.ts) for
 * the stimulus window and the input weights per (neuron, channel), gain included. The weights are
 * drawn from the network seed, the series from the stream's own seed (default: the network seed).
 */
import { dirname, resolve as resolvePath } from "node:path";
import type { Stimulus } from "../../model/schema.ts";
import type { StimulusIR } from "../../ir/program.ts";
import { Rng } from "../../util/rng.ts";
import { makeStream, StreamError } from "./streams.ts";
import { EngramError, type SourceLocation } from "../../diagnostics/diagnostic.ts";
import { readParamFile } from "../../model/param-file.ts";
import type { Collector } from "../passes/resolve.ts";

type StreamSpec = Extract<Stimulus, { kind: "stream" }>;

export function streamStimulus(
  spec: StreamSpec,
  index: number,
  target: string,
  neurons: Int32Array,
  window: { startTick: number; stopTick: number },
  gain: number,
  seed: number,
  where: SourceLocation,
  locate: (key: string) => SourceLocation,
  c: Collector,
): StimulusIR | undefined {
  const length = window.stopTick - window.startTick;
  let stream;
  try {
    stream = makeStream(spec.source, length, spec.seed ?? seed, (file) => resolvePath(dirname(where.file), file));
  } catch (e) {
    if (!(e instanceof StreamError || e instanceof RangeError)) throw e;
    c.add({ code: "bad-stream", message: e.message, where: locate("source"), hint: (e as StreamError).hint, received: (e as StreamError).received });
    return undefined;
  }
  const K = stream.channels;
  const weights = new Float64Array(neurons.length * K);
  const w = spec.weights;
  if (w === undefined) {
    if (neurons.length !== K) {
      c.add({ code: "size-mismatch", message: `stream has ${K} channel(s) and drives ${neurons.length} neuron(s); without "weights" channel k drives neuron k, so the numbers must match`, where: locate("source"), hint: 'add "weights: { dist: uniform, low: -1, high: 1 }" for dense random input weights' });
      return undefined;
    }
    for (let j = 0; j < K; j++) weights[j * K + j] = gain;
  } else if (typeof w === "number") {
    weights.fill(w * gain);
  } else if (typeof w === "object" && "dist" in w && (w.dist === "uniform" || (w.dist === "normal" && "sd" in w))) {
    const num = (v: unknown, key: string) => {
      const x = typeof v === "number" ? v : Number(v);
      if (!Number.isFinite(x)) c.add({ code: "invalid-value", message: `stream weights: "${key}" must be a bare number (the gain carries the unit)`, where: locate("weights"), received: String(v) });
      return x;
    };
    const rng = new Rng(seed, `stream-weights:${index}`);
    if (w.dist === "uniform" && "low" in w) {
      const lo = num(w.low, "low");
      const hi = num(w.high, "high");
      for (let i = 0; i < weights.length; i++) weights[i] = gain * (lo + (hi - lo) * rng.uniform());
    } else {
      const m = num((w as { mean: unknown }).mean, "mean");
      const sd = num((w as { sd: unknown }).sd, "sd");
      for (let i = 0; i < weights.length; i++) weights[i] = gain * (m + sd * rng.normal());
    }
  } else if (typeof w === "object" && "file" in w && typeof w.file === "string") {
    // Trained input weights (issue 17): a [neurons, channels] matrix Win[i][k] (PyTorch's weight[out][in]).
    const at = locate("weights");
    let arr;
    try {
      arr = readParamFile(w.file, at, { column: (w as { column?: string }).column, initializer: (w as { initializer?: string }).initializer });
    } catch (e) {
      if (!(e instanceof EngramError)) throw e;
      c.add(e.diagnostics[0]!);
      return undefined;
    }
    if (arr.shape.length !== 2 || arr.shape[0] !== neurons.length || arr.shape[1] !== K) {
      c.add({ code: "shape-mismatch", message: `stream weights from "${w.file}": expected shape [${neurons.length}, ${K}] (one row per driven neuron, one column per channel), found [${arr.shape.join(", ")}]`, where: at, expected: `[${neurons.length}, ${K}]`, received: `[${arr.shape.join(", ")}]` });
      return undefined;
    }
    for (let i = 0; i < weights.length; i++) weights[i] = gain * arr.values[i]!;
  } else {
    c.add({ code: "invalid-value", message: "stream weights must be a bare number, { dist: uniform, low, high } / { dist: normal, mean, sd } with bare numbers, or { file } (a [neurons, channels] matrix)", where: locate("weights"), received: JSON.stringify(w) });
    return undefined;
  }
  return { kind: "stream", target, neurons, startTick: window.startTick, stopTick: window.stopTick, input: spec.input, channels: K, names: stream.names, values: stream.values, weights, ...(stream.segments ? { segments: stream.segments } : {}) };
}
