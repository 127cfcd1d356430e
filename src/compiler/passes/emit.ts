/**
 * Pass "emit": assembles the IR program. (The protobuf encoding and fixed-point formats arrive
 * with the IR issue; for the float64 reference target the in-memory program is the IR.)
 */
import type { Program } from "../../ir/program.ts";
import type { ResolvedModel } from "../model.ts";
import type { DiscreteModel } from "./discretise.ts";

export function emit(model: ResolvedModel, d: DiscreteModel, modelHash: string, target: string): Program {
  return {
    name: model.name,
    modelHash,
    modelFiles: model.files,
    target,
    seed: model.seed,
    tickSeconds: d.tickSeconds,
    durationTicks: d.durationTicks,
    populations: d.populations,
    projections: d.projections,
    stimuli: d.stimuli,
    recordings: d.recordings,
    phases: d.phases,
    analysis: model.analysis,
    tasks: model.tasks ?? null,
    spikeRecording: model.spikeRecording,
    numerics: { accelerate: model.numerics.accelerate, quietStepTicks: d.quietStepTicks, lazySynapses: model.numerics.lazySynapses && model.numerics.accelerate, slowStepTicks: d.slowStepTicks, stateBits: model.numerics.stateBits },
  };
}
