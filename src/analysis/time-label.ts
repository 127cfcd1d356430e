/**
 * engram's time labels: a trace row (traces.csv, recorded tables) at tick k holds the state after
 * k steps, labelled t = k dt, the END of the step from (k - 1) dt to k dt; row 0 is the initial
 * state. Simulators that label a step by its START (the authors' STC code: the value after the
 * step from t to t + dt at time t) give the same state one dt earlier. `--time-label start`
 * (engram run, engram compare) writes engram's rows that way: every time one dt earlier, and no
 * row for the initial state, which such a simulator does not write. Spikes are labelled with the
 * tick of the step in which the neuron crossed threshold, the same in both conventions.
 */
export type TimeLabel = "end" | "start";

export const TIME_LABEL = "end of step: a row at time_s holds the state after the step from time_s - dt_s to time_s (row 0: the initial state); a simulator that labels the start of the step gives the same state at time_s - dt_s";

/** What traces.csv's time_s means under each convention (manifest.json, traces_csv.time_s). */
export const TIME_LABELS: Record<TimeLabel, string> = {
  end: TIME_LABEL,
  start: "start of step (--time-label start): a row at time_s holds the state after the step from time_s to time_s + dt_s, as simulators that label the start of the step write it; engram's own label is time_s + dt_s; the initial state has no row",
};

/** The time a start-of-step simulator gives the state engram labels `t` (one-line shift: t - dt). */
export function toStepStart(t: number, dt: number): number {
  return t - dt;
}

/** The tick a state sampled after `tick` steps is labelled with, or null when the convention writes no row for it. */
export function labelTick(tick: number, label: TimeLabel): number | null {
  if (label === "end") return tick;
  return tick === 0 ? null : tick - 1;
}

/** Reads a --time-label value; null when it is not one of the conventions. */
export function parseTimeLabel(text: string): TimeLabel | null {
  return text === "end" || text === "start" ? text : null;
}
