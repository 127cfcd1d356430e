/**
 * engram's time labels: a trace row (traces.csv, recorded tables) at tick k holds the state after
 * k steps, labelled t = k dt, the END of the step from (k - 1) dt to k dt; row 0 is the initial
 * state. Simulators that label a step by its START (the authors' STC code: the value after the
 * step from t to t + dt at time t) give the same state one dt earlier. Spikes are labelled with
 * the tick of the step in which the neuron crossed threshold, the same in both conventions.
 */
export const TIME_LABEL = "end of step: a row at time_s holds the state after the step from time_s - dt_s to time_s (row 0: the initial state); a simulator that labels the start of the step gives the same state at time_s - dt_s";

/** The time a start-of-step simulator gives the state engram labels `t` (one-line shift: t - dt). */
export function toStepStart(t: number, dt: number): number {
  return t - dt;
}
