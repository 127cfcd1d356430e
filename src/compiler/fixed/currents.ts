/**
 * Current stimuli (constant and Ornstein-Uhlenbeck) for the IR: the range an input must hold,
 * each OU current's hidden state format, and the integer constants of ir.proto's Current.
 */
import type { IrCurrent } from "../../ir/codec.ts";
import type { Program, StimulusIR } from "../../ir/program.ts";
import { fracFor, RANGE_MARGIN, type Format } from "./quantise.ts";
import type { Interval } from "./interval.ts";
import { isStream, streamRange } from "./streams.ts";

type CurrentStimulus = Extract<StimulusIR, { kind: "current" | "ou_current" }>;

/** Standard deviations an OU current is expected to stay within (P(|N| > 5) = 6e-7; beyond it saturates). */
const SDS = 5;

export const isCurrent = (s: StimulusIR): s is CurrentStimulus => s.kind === "current" || s.kind === "ou_current";

/** Range of one current: its amplitude, or mean +- 5 sd. */
function rangeOf(s: CurrentStimulus): Interval {
  return s.kind === "current" ? [s.amplitude, s.amplitude] : [s.mean - SDS * s.sd, s.mean + SDS * s.sd];
}

/** Range of input `group.input` when every current and stream into it is on at once (windows are not considered: a safe bound). */
export function inputRange(program: Program, group: string, input: string): Interval | null {
  const hits = program.stimuli.filter((s): s is CurrentStimulus => isCurrent(s) && s.target === group && s.input === input);
  const streams = program.stimuli.filter(isStream).filter((s) => s.target === group && s.input === input);
  if (hits.length + streams.length === 0) return null;
  return [...hits.map(rangeOf), ...streams.map(streamRange)].reduce(([a, b], [c, d]) => [a + c, b + d], [0, 0] as Interval);
}

/** Hidden OU state: 32 bits (the IR's widest), signed, fitting mean +- 5 sd with the margin. */
export function ouFormat(s: CurrentStimulus): Format {
  const [lo, hi] = rangeOf(s);
  return { width: 32, signed: true, frac: fracFor(lo * RANGE_MARGIN, hi * RANGE_MARGIN, 32, true), rounding: "nearest", overflow: "saturate" };
}

/** decay_q32 = e^(-dt/tau) in unsigned 0.32, and the kick sd sqrt(1 - decay^2) of the quantised decay (so the stationary SD stays sd). */
export function ouConstants(s: Extract<StimulusIR, { kind: "ou_current" }>, tickSeconds: number): { decayQ32: number; kick: number } {
  const decayQ32 = Math.min(2 ** 32 - 1, Math.round(Math.exp(-tickSeconds / s.tau) * 2 ** 32));
  const d = decayQ32 / 2 ** 32;
  return { decayQ32, kick: s.sd * Math.sqrt(1 - d * d) };
}

/** An OU current needs a state unless its kick rounds to nothing in that state's format (then it is the constant mean). */
export function needsOuState(s: StimulusIR, tickSeconds: number, toRaw: (x: number, f: Format) => number): boolean {
  return s.kind === "ou_current" && toRaw(ouConstants(s, tickSeconds).kick, ouFormat(s)) !== 0;
}

/** The IR Current of stimulus s; `ou` is its hidden state (index and format) when needsOuState. */
export function irCurrent(s: CurrentStimulus, tickSeconds: number, input: { index: number; format: Format }, ou: { index: number; format: Format } | undefined, toRaw: (x: number, f: Format) => number): IrCurrent {
  const base = { neurons: Array.from(s.neurons), input_state: input.index, start_tick: s.startTick, stop_tick: s.stopTick };
  const mean = s.kind === "current" ? s.amplitude : s.mean;
  if (s.kind === "current" || !ou) return { ...base, mean_raw: toRaw(mean, input.format), decay_q32: 0, kick_raw: 0, ou_state: 0 };
  const { decayQ32, kick } = ouConstants(s, tickSeconds);
  return { ...base, mean_raw: toRaw(mean, ou.format), decay_q32: decayQ32, kick_raw: toRaw(kick, ou.format), ou_state: ou.index };
}
