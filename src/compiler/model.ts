/**
 * The resolved model: what the front passes (resolve, check-units) hand to elaboration.
 * Names are resolved, expressions parsed, quantities in SI with their dimensions, and every piece
 * remembers where the user wrote it.
 */
import type { TasksDef } from "../ir/program.ts";
import type { SourceLocation } from "../diagnostics/diagnostic.ts";
import type { Expr } from "../ir/expr.ts";
import type { VarKind } from "../ir/program.ts";
import type { Dimension } from "../model/units.ts";
import type { Stimulus } from "../model/schema.ts";

export interface Located<T> {
  value: T;
  where: SourceLocation;
}

export type { TasksDef };
export type ParamDistribution =
  | { dist: "normal"; mean: number; sd: number; min?: number; max?: number }
  | { dist: "uniform"; low: number; high: number }
  | { dist: "lognormal"; median: number; sigma: number }
  /** Explicit values in element order (SI); their count must equal the group's size. */
  | { dist: "values"; values: Float64Array; file?: { path: string; shape: number[] } }
  /** Gamma(shape k, scale theta): mean k theta, variance k theta^2 (issue 14). */
  | { dist: "gamma"; shape: number; scale: number };

export interface ParamDef {
  name: string;
  where: SourceLocation;
  dimension: Dimension;
  /** SI value when uniform across elements. */
  value?: number;
  distribution?: ParamDistribution;
}

export interface VarDef {
  name: string;
  kind: VarKind;
  unit: string;
  unitScale: number;
  dimension: Dimension;
  where: SourceLocation;
  init?: Located<Expr>;
  ode?: Located<Expr>;
  settle?: number;
  /** Declared fixed-point format (state.X.format): "ufrac" = unsigned fraction uQ0.W. */
  format?: "ufrac";
  holdWhenRefractory: boolean;
}

export interface AssignDef {
  target: string;
  scope: "self" | "pre" | "post";
  op: "=" | "+=" | "-=" | "*=" | "/=";
  value: Expr;
  where: SourceLocation;
}

export interface GroupDef {
  name: string;
  size: number;
  component: string;
  where: SourceLocation;
  params: Map<string, ParamDef>;
  vars: Map<string, VarDef>;
}

export interface PopulationDef extends GroupDef {
  source: boolean;
  threshold?: Located<Expr>;
  reset: AssignDef[];
  refractory?: Located<number>;
  /** Declared short-term plasticity (neuron file short_term_plasticity). */
  stp?: StpDecl;
}

/** Which state variables form a population's short-term plasticity, and what drives them. */
export interface StpDecl {
  resources: string;
  utilisation: string;
  release?: string;
  drive: "spikes" | "rate";
}

export type ConnectDef =
  | { kind: "one_to_one" }
  | { kind: "all_to_all"; autapses: boolean }
  | { kind: "random"; p: number; autapses: boolean }
  | { kind: "pairs"; pairs: [number, number][] };

export interface EventDef {
  delay: Located<number>;
  assigns: AssignDef[];
}

export interface ProjectionDef extends GroupDef {
  pre: string;
  post: string;
  connect: Located<ConnectDef>;
  onPre: EventDef[];
  onPost: EventDef[];
  summed: { target: string; value: Expr; where: SourceLocation; scope?: "pre" }[];
  /** Weight parameter rescaled to a spectral radius (spectral.ts). */
  spectralRadius?: Located<{ param: string; value: number }>;
  /**
   * The weight-dependent multiplier that rewrote the ODE of `var` (passes/multiplier.ts): its parts
   * with their locations in the user's file and the rule as written, so check-units can report a
   * wrong unit at the part that has it instead of inside the rewritten equation.
   */
  multiplier?: { var: string; at: SourceLocation; parts: { key: "a" | "gamma" | "lambda"; value: Expr; where: SourceLocation }[]; rule: Located<Expr> };
}

export interface StimulusDef {
  spec: Stimulus;
  where: SourceLocation;
  locate: (key: string) => SourceLocation;
}

export interface RecordingDef {
  group: string;
  var: string;
  as?: string;
  elements: "all" | number[];
  every: number;
  where: SourceLocation;
}

export interface ResolvedModel {
  name: string;
  file: string;
  files: string[];
  dt: Located<number>;
  duration: Located<number>;
  seed: number;
  populations: PopulationDef[];
  projections: ProjectionDef[];
  stimuli: StimulusDef[];
  recordings: RecordingDef[];
  phases: { name: string; start: number; where: SourceLocation }[];
  spikeRecording: string[];
  numerics: { accelerate: boolean; quietStep: number; lazySynapses: boolean; slowStep: number; stateBits?: number };
  analysis: AssemblyAnalysis | null;
  /** Readout tasks (src/analysis/tasks/), with where each key was written. */
  tasks?: TasksDef | null;
  /** Where the whole network file starts; for model-wide messages. */
  where: SourceLocation;
}

/** The cell-assembly analysis of a network file (times in seconds). */
export interface AssemblyAnalysis {
  projection: string;
  size: number;
  recallFraction: number;
  learn: number;
  recall: number[];
  snapshots: number[];
}

