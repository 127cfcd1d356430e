/**
 * The in-memory IR program: what the compiler emits and executors run. Every number is in SI
 * base units and every time is an integer count of ticks; units return only at the edges.
 * (The protobuf encoding of this structure, with fixed-point formats, is the IR issue's work.)
 */
import type { SourceLocation } from "../diagnostics/diagnostic.ts";
import type { Expr, Scope } from "./expr.ts";

export type VarKind = "state" | "param" | "input" | "summed";

export interface VarDecl {
  name: string;
  kind: VarKind;
  /** Display unit as written by the user ("mV", "1"). */
  unit: string;
  /** SI value of one display unit (mV -> 1e-3). */
  unitScale: number;
  /** Initial value per element, SI. */
  init: Float64Array;
  /** Quiet-detection tolerance (SI) for fast variables; undefined = none declared. */
  settle?: number;
  /** Declared fixed-point format (model state.X.format): "ufrac" = unsigned fraction uQ0.W. */
  format?: "ufrac";
}

/**
 * dx/dt = A + B x + C xi, with A, B, C free of x; xi is unit white noise.
 * Linear ODEs advance with the exponential-Euler update (exact when A, B, C are constant over the
 * step); others with forward Euler on `rhs`.
 */
export interface OdeUpdate {
  var: string;
  rhs: Expr;
  linear: boolean;
  A: Expr;
  B: Expr;
  C: Expr | null;
  /** Held (not integrated) while the neuron is refractory. */
  holdWhenRefractory: boolean;
  /** True when A, B and C are constants: the update is exact for any step length. */
  autonomous: boolean;
  /** Where the equation is written (for errors of later passes); absent for generated updates. */
  where?: SourceLocation;
  /** "file:line:column" of the weight-dependent multiplier that rewrote this equation, if one did. */
  rewrittenBy?: string;
}

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=";

export interface EventAssign {
  target: string;
  scope: Scope;
  op: AssignOp;
  value: Expr;
}

export interface GroupIR {
  name: string;
  size: number;
  vars: VarDecl[];
  odes: OdeUpdate[];
}

export interface PopulationIR extends GroupIR {
  source: boolean;
  threshold: Expr | null;
  reset: EventAssign[];
  refractoryTicks: number;
  /** Declared short-term plasticity: its state variables and drive (model short_term_plasticity). */
  stp?: { resources: string; utilisation: string; release?: string; drive: "spikes" | "rate" };
}

export interface SynapticEventIR {
  delayTicks: number;
  assigns: EventAssign[];
}

export interface ProjectionIR extends GroupIR {
  pre: string;
  post: string;
  preIndex: Int32Array;
  postIndex: Int32Array;
  onPre: SynapticEventIR[];
  onPost: SynapticEventIR[];
  /**
   * post-neuron variable <- sum over this projection's synapses of `value`, every step; with
   * scope "pre", the presynaptic neuron's variable instead (a reverse traversal of the projection:
   * feedback B^T e through a fixed random projection, issue 17).
   */
  summed: { target: string; value: Expr; scope?: "pre" }[];
}

interface StimulusBase {
  target: string;
  neurons: Int32Array;
  startTick: number;
  stopTick: number;
}
export type StimulusIR =
  | (StimulusBase & { kind: "spikes"; /** sorted by tick */ ticks: Int32Array; which: Int32Array })
  | (StimulusBase & { kind: "poisson"; probPerTick: number; burstOnTicks: number; burstPeriodTicks: number })
  | (StimulusBase & { kind: "regular"; intervalTicks: number })
  | (StimulusBase & { kind: "current"; input: string; amplitude: number })
  | (StimulusBase & { kind: "ou_current"; input: string; mean: number; sd: number; tau: number })
  /**
   * A time series (issue 14): `values` holds `channels` numbers per tick from startTick (row-major),
   * `weights` one row of `channels` per listed neuron (gain included). Input += weights . values.
   */
  | (StimulusBase & {
      kind: "stream";
      input: string;
      channels: number;
      names: string[];
      values: Float64Array;
      weights: Float64Array;
      /** Host-side only (not in the IR file): rows where a `sequence` source's next segment begins, ascending, in (0, rows); task windows are checked against them. */
      segments?: number[];
    });

export interface RecordingIR {
  group: string;
  var: string;
  elements: Int32Array;
  everyTicks: number;
  columns: string[];
  unit: string;
  unitScale: number;
}

export interface Program {
  name: string;
  /** sha256 of the model files that produced this program. */
  modelHash: string;
  /** The model files read, as the user can find them (main file first). */
  modelFiles: string[];
  target: string;
  seed: number;
  tickSeconds: number;
  durationTicks: number;
  populations: PopulationIR[];
  projections: ProjectionIR[];
  stimuli: StimulusIR[];
  recordings: RecordingIR[];
  phases: { name: string; startTick: number }[];
  /** The cell-assembly analysis engram run writes (null: none). Times in seconds. */
  analysis?: { projection: string; size: number; recallFraction: number; learn: number; recall: number[]; snapshots: number[] } | null;
  /** Readout tasks on recorded states (issue 14). */
  tasks?: TasksDef | null;
  /** Populations whose spikes are kept for spikes.csv. */
  spikeRecording: string[];
  /** lazySynapses: event-driven synapses (targets/reference/lazy.ts), slow terms every slowStepTicks. */
  /** stateBits: width of state on fixed-point targets (numerics.state_bits; undefined: the target's). */
  numerics: { accelerate: boolean; quietStepTicks: number; lazySynapses: boolean; slowStepTicks: number; stateBits?: number };
}

/** The `tasks` block of a network file, shifts expanded, with the location of each key. */
export interface TasksDef {
  states: string;
  stream: number;
  washout: number;
  train: number;
  test: number;
  ridge: number;
  channels?: number[];
  shifts: number[];
  powers: number[];
  /** Extra fits on stream windows [from, to) in samples (src/analysis/tasks/windows.ts). */
  windows?: TaskWindow[];
  where: Record<string, SourceLocation>;
}

export interface TaskWindow {
  name: string;
  train: [number, number];
  test: [number, number];
  /** A later window on which the readout fitted on `train` is scored again (forgetting). */
  retest?: [number, number];
  where: SourceLocation;
}
