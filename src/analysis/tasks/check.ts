/**
 * Checks a model's `tasks` block against its compiled program before anything runs: the states
 * must be recorded every step for every element, the stream must exist, and washout + train + test
 * with the shifts must fit in the stream and the run. Each problem is a located diagnostic.
 */
import { EngramError, type Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Program, StimulusIR, TasksDef } from "../../ir/program.ts";
import { checkWindows } from "./windows-check.ts";

export type StreamIR = Extract<StimulusIR, { kind: "stream" }>;

export interface TaskPlan {
  tasks: TasksDef;
  recording: number;
  stream: StreamIR;
  channels: number[];
  /** Stream rows available from the stream's start. */
  length: number;
}

export function planTasks(program: Program): TaskPlan {
  const t = program.tasks!;
  const d: Diagnostic[] = [];
  const [group, variable] = t.states.split(".") as [string, string];
  const recording = program.recordings.findIndex((r) => r.group === group && r.var === variable);
  const size = [...program.populations, ...program.projections].find((g) => g.name === group)?.size;
  if (recording < 0) {
    d.push({ code: "unknown-recording", message: `tasks.states names "${t.states}", which no recording records`, where: t.where.states, received: t.states, expected: program.recordings.map((r) => `${r.group}.${r.var}`).join(", ") || "(no recordings)", hint: `add { var: ${t.states}, elements: all, every: <dt> } to recordings` });
  } else {
    const r = program.recordings[recording]!;
    if (r.everyTicks !== 1) d.push({ code: "bad-recording", message: `tasks need "${t.states}" recorded every step; it is recorded every ${r.everyTicks} steps`, where: t.where.states, received: String(r.everyTicks) });
    if (size !== undefined && r.elements.length !== size) d.push({ code: "bad-recording", message: `tasks need every element of "${t.states}" (elements: all); ${r.elements.length} of ${size} are recorded`, where: t.where.states, received: String(r.elements.length) });
  }
  const streams = program.stimuli.filter((s): s is StreamIR => s.kind === "stream");
  const stream = streams[t.stream];
  if (!stream) {
    d.push({ code: "unknown-stream", message: `tasks.stream is ${t.stream}, but the model has ${streams.length} stream stimulus(es)`, where: t.where.stream, received: String(t.stream) });
    throw new EngramError(d);
  }
  const channels = t.channels ?? Array.from({ length: stream.channels }, (_, k) => k);
  for (const k of channels) if (k >= stream.channels) d.push({ code: "index-out-of-range", message: `tasks.channels lists channel ${k}; the stream has ${stream.channels} (${stream.names.join(", ")})`, where: t.where.channels, received: String(k) });
  const length = stream.stopTick - stream.startTick;
  const minShift = Math.min(...t.shifts);
  const maxShift = Math.max(...t.shifts);
  if (t.washout + minShift < 0) d.push({ code: "out-of-stream", message: `shift ${minShift} looks back ${-minShift} samples, more than the washout (${t.washout})`, where: t.where.washout, received: String(t.washout), hint: `make washout at least ${-minShift}` });
  // Sample i uses the state at tick start + 1 + i and targets stream row i + shift.
  const used = t.washout + t.train + t.test;
  if (used + Math.max(0, maxShift) > length) d.push({ code: "out-of-stream", message: `washout + train + test = ${used} samples plus the largest shift ${maxShift} need ${used + Math.max(0, maxShift)} stream samples; the stream has ${length}`, where: t.where.test, received: String(t.test), hint: "shorten train/test or lengthen the run" });
  if (stream.startTick + used > program.durationTicks) d.push({ code: "out-of-run", message: `washout + train + test = ${used} samples run past the end of the run`, where: t.where.test, received: String(t.test) });
  if (t.train <= (size ?? 0)) d.push({ code: "too-few-samples", message: `train (${t.train}) must exceed the number of states (${size}) for a meaningful fit`, where: t.where.train, received: String(t.train) });
  d.push(...checkWindows(t, length, program.durationTicks - stream.startTick, size ?? 0, stream.segments ?? []));
  if (d.length > 0) throw new EngramError(d);
  return { tasks: t, recording, stream, channels, length };
}
