/**
 * zod schemas for model files: the boundary where YAML becomes typed data. Objects are strict, so
 * a misspelt key is an error that names it, never a silently ignored setting.
 */
import { z } from "zod";

/** A number with a unit as text ("48.8 ms"), a bare number, or a parameter expression ("0.2 * h0"). */
/** Names become symbols in equations: letters, digits and underscores, not starting with a digit. */
const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "names must be letters, digits and underscores, not starting with a digit");

export const QuantityText = z.union([z.string().min(1), z.number()]);

export const Distribution = z.union([
  z.strictObject({ dist: z.literal("normal"), mean: QuantityText, sd: QuantityText, min: QuantityText.optional(), max: QuantityText.optional() }),
  z.strictObject({ dist: z.literal("uniform"), low: QuantityText, high: QuantityText }),
  z.strictObject({ dist: z.literal("lognormal"), median: QuantityText, sigma: z.number().nonnegative() }),
  /** Explicit per-element values (imported weights, per-neuron constants), in element order; `unit` applies to every value. */
  z.strictObject({ values: z.array(z.number()).min(1), unit: z.union([z.string(), z.number()]).transform(String).optional() }),
  /**
   * Values from a file (issue 17: trained parameters): .npy, .csv (a numeric table; `column`
   * names a column under a header row), or one FLOAT/DOUBLE initializer of an .onnx model
   * (`initializer` names it). Per neuron: a vector of the population's size; per synapse:
   * a [n_post, n_pre] matrix W[post][pre] (PyTorch's weight[out][in]) or a vector in connection
   * order. `unit` applies to every value (default: dimensionless). Path relative to this file.
   */
  z.strictObject({ file: z.string().min(1), unit: z.union([z.string(), z.number()]).transform(String).optional(), column: z.string().min(1).optional(), initializer: z.string().min(1).optional() }),
  // Heterogeneity by mean and variance (issue 14; variance in the unit squared, 0 = homogeneous).
  z.strictObject({ dist: z.literal("gamma"), mean: QuantityText, variance: QuantityText }),
  z.strictObject({ dist: z.literal("lognormal"), mean: QuantityText, variance: QuantityText }),
  z.strictObject({ dist: z.literal("normal"), mean: QuantityText, variance: QuantityText, min: QuantityText.optional(), max: QuantityText.optional() }),
]);
export const ParamValue = z.union([QuantityText, Distribution]);
const Params = z.record(Name, ParamValue);

const StateVar = z.strictObject({
  unit: z.union([z.string(), z.number()]).transform(String),
  init: QuantityText,
  ode: z.string().optional(),
  settle: QuantityText.optional(),
  /**
   * Fixed-point format on chip targets. `ufrac`: an unsigned fraction (uQ0.W, saturating), for
   * quantities that live in [0, 1] (short-term plasticity's x and u); the compiler sizes every
   * other variable from its observed range.
   */
  format: z.literal("ufrac").optional(),
});

const Header = {
  engram: z.literal(1),
  name: z.string().optional(),
  doc: z.string().optional(),
  extends: z.string().optional(),
};

export const NeuronFile = z.strictObject({
  ...Header,
  kind: z.literal("neuron"),
  params: Params.optional(),
  inputs: z.record(Name, z.union([z.string(), z.number()]).transform(String)).optional(),
  summed: z.record(Name, z.union([z.string(), z.number()]).transform(String)).optional(),
  state: z.record(Name, StateVar).optional(),
  threshold: z.string().optional(),
  reset: z.array(z.string()).optional(),
  refractory: z.strictObject({ duration: QuantityText, hold: z.array(z.string()).default([]) }).optional(),
  /**
   * Names the state variables that form short-term plasticity of this neuron's outgoing synapses
   * (Tsodyks-Markram: resources x, utilisation u, optionally the released fraction of the last
   * spike) and what drives them (spikes or the unit's rate). The equations stay the definition; this
   * lets a chip with STP circuits recognise them (src/compiler/fixed/stp.ts).
   */
  short_term_plasticity: z
    .strictObject({ resources: Name, utilisation: Name, release: Name.optional(), drive: z.enum(["spikes", "rate"]) })
    .optional(),
});
export type NeuronFile = z.infer<typeof NeuronFile>;

const EventHandler = z.strictObject({ delay: QuantityText.optional(), do: z.array(z.string()).min(1) });

export const SynapseFile = z.strictObject({
  ...Header,
  kind: z.literal("synapse"),
  params: Params.optional(),
  state: z.record(Name, StateVar).optional(),
  on_pre: z.array(EventHandler).optional(),
  on_post: z.array(EventHandler).optional(),
  summed: z.record(z.string(), z.string()).optional(),
  /**
   * Weight-dependent learning-rate multiplier on one state variable (issue 17, seed-models.md D):
   * updates moving `var` away from the attractor `a` are scaled by lambda (1 - exp(-gamma (var - a)^2)).
   * Each of a, gamma, lambda is an expression of the synapse's parameters (override them per projection).
   */
  multiplier: z.strictObject({ var: Name, a: z.union([z.string(), z.number()]).transform(String), gamma: z.union([z.string(), z.number()]).transform(String), lambda: z.union([z.string(), z.number()]).transform(String) }).optional(),
});
export type SynapseFile = z.infer<typeof SynapseFile>;

const Population = z.strictObject({
  size: z.number().int().positive(),
  neuron: z.string().optional(),
  source: z.boolean().optional(),
  params: Params.optional(),
});

const Connect = z.union([
  z.enum(["one_to_one", "all_to_all"]),
  z.strictObject({ kind: z.literal("all_to_all"), autapses: z.boolean().default(true) }),
  z.strictObject({ kind: z.literal("random"), p: z.number().min(0).max(1), autapses: z.boolean().default(false) }),
  z.strictObject({ kind: z.literal("pairs"), pairs: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).min(1) }),
]);

const Projection = z.strictObject({
  pre: z.string(),
  post: z.string(),
  synapse: z.string(),
  connect: Connect,
  params: Params.optional(),
  /**
   * Rescales a per-synapse weight parameter (drawn from a distribution) so that the recurrent
   * matrix W[post][pre] has this spectral radius (pre and post the same population).
   */
  spectral_radius: z.strictObject({ param: Name, value: z.number().positive() }).optional(),
});

const Neurons = z.array(z.number().int().nonnegative()).min(1).optional();
const Window = { start: QuantityText.optional(), stop: QuantityText.optional() };

/** Stream sources that generate or read one series (a `sequence` concatenates segments of these). */
const BasicStreamSources = [
  // Bounded so that a typo cannot ask for billions of integration steps.
  z.strictObject({ mackey_glass: z.strictObject({ tau: z.number().positive().max(1e4).default(17), beta: z.number().finite().default(0.2), gamma: z.number().finite().default(0.1), n: z.number().finite().default(10), x0: z.number().finite().default(1.2), step: z.number().min(0.001).max(1).default(0.1), drop: z.number().int().nonnegative().max(1e6).default(300) }) }),
  z.strictObject({ channels: z.strictObject({ count: z.number().int().positive().max(64), rho: z.array(z.number().min(0).lt(1)).optional(), seed: z.number().int().nonnegative().optional() }) }),
  z.strictObject({ csv: z.string(), columns: z.array(z.string()).min(1).optional() }),
  // A sum of sines, periods in samples (src/compiler/rate/periodic.ts).
  z.strictObject({
    periodic: z.strictObject({
      periods: z.array(z.number().gt(1).max(1e7)).min(1).max(64),
      amplitudes: z.array(z.number().finite()).optional(),
      phases: z.array(z.number().finite()).optional(),
      noise: z.number().nonnegative().max(1e3).optional(),
      seed: z.number().int().nonnegative().optional(),
    }),
  }),
] as const;

export const Stimulus = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("spikes"), target: z.string(), neurons: Neurons, times: z.array(QuantityText).min(1) }),
  z.strictObject({
    kind: z.literal("poisson"),
    target: z.string(),
    neurons: Neurons,
    rate: QuantityText,
    ...Window,
    bursts: z.strictObject({ duration: QuantityText, period: QuantityText }).optional(),
  }),
  z.strictObject({ kind: z.literal("regular"), target: z.string(), neurons: Neurons, interval: QuantityText, ...Window }),
  z.strictObject({ kind: z.literal("current"), target: z.string(), neurons: Neurons, input: z.string().default("I_stim"), amplitude: QuantityText, ...Window }),
  z.strictObject({
    kind: z.literal("ou_current"),
    target: z.string(),
    neurons: Neurons,
    input: z.string().default("I_stim"),
    mean: QuantityText,
    sd: QuantityText,
    tau: QuantityText,
    ...Window,
  }),
  // A time series, one sample per step, into an input: channel k reaches neuron i with weight
  // weights[i][k] (issue 14; src/compiler/rate/streams.ts).
  z.strictObject({
    kind: z.literal("stream"),
    target: z.string(),
    neurons: Neurons,
    input: z.string().default("I_stim"),
    source: z.union([
      ...BasicStreamSources,
      // Segments of basic sources one after the other (e.g. Mackey-Glass subtasks in sequence):
      // segment i is rows [from, from + samples) of its source; segments with the same source
      // share one generated (and scaled) series (src/compiler/rate/streams.ts).
      z.strictObject({
        sequence: z
          .array(z.strictObject({ source: z.union(BasicStreamSources), samples: z.number().int().positive().max(1e7), from: z.number().int().nonnegative().max(1e7).default(0) }))
          .min(1),
      }),
    ]),
    /** Amplitude of one stream unit, in the input's unit (default 1). */
    gain: QuantityText.optional(),
    /** Input weights per (neuron, channel); default: channel k drives neuron k (needs as many neurons as channels). */
    weights: ParamValue.optional(),
    seed: z.number().int().nonnegative().optional(),
    ...Window,
  }),
]);
export type Stimulus = z.infer<typeof Stimulus>;

const Recording = z.strictObject({
  var: z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'write "group.variable", e.g. "syn.h"'),
  as: z.string().optional(),
  elements: z.union([z.literal("all"), z.array(z.number().int().nonnegative()).min(1)]).default([0]),
  every: QuantityText,
});

export const NetworkFile = z.strictObject({
  ...Header,
  kind: z.literal("network"),
  dt: QuantityText.optional(),
  duration: QuantityText.optional(),
  seed: z.number().int().nonnegative().optional(),
  populations: z.record(Name, Population).optional(),
  projections: z.record(Name, Projection).optional(),
  stimuli: z.array(Stimulus).optional(),
  recordings: z.array(Recording).optional(),
  /** Populations whose spikes go to spikes.csv (default: all). */
  record_spikes: z.array(z.string()).optional(),
  phases: z.array(z.strictObject({ name: z.string(), start: QuantityText })).optional(),
  /**
   * The cell-assembly analysis that engram run writes (recall quality, mutual information, weight
   * statistics by class, raster and rate plots): src/cli/analyze.ts.
   */
  analysis: z
    .strictObject({
      assembly: z.strictObject({
        /** The plastic projection whose weights are summarised. */
        projection: z.string(),
        /** The first `size` neurons of its presynaptic population form the assembly. */
        size: z.number().int().positive(),
        recall_fraction: z.number().positive().lt(1),
        /** Onset of the last learning pulse. */
        learn: QuantityText,
        recall: z.array(QuantityText).min(1),
        /** Times at which the weights are summarised. */
        snapshots: z.array(QuantityText).optional(),
      }),
    })
    .optional(),
  /**
   * Readout tasks on recorded states (issue 14, src/analysis/tasks/): targets u_k(t - 1 + shift)^power
   * of a stream stimulus' channels, fitted by ridge regression with bias; counts in steps.
   */
  tasks: z
    .strictObject({
      /** "group.variable" recorded every step with elements: all. */
      states: z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'write "group.variable", e.g. "res.x"'),
      /** Which stream stimulus (0 = the first) supplies the targets. */
      stream: z.number().int().nonnegative().default(0),
      washout: z.number().int().nonnegative(),
      train: z.number().int().positive(),
      test: z.number().int().positive(),
      ridge: z.number().nonnegative().default(1e-6),
      /** Channels (default: all), shifts (negative = memory, positive = prediction), powers. */
      channels: z.array(z.number().int().nonnegative()).min(1).optional(),
      shifts: z.union([z.array(z.number().int()).min(1), z.strictObject({ from: z.number().int(), to: z.number().int() })]),
      powers: z.array(z.number().int().positive().max(9)).min(1).default([1]),
      /**
       * Extra fits on sample windows [from, to) of the stream (e.g. one per subtask of a sequence
       * stream): a readout fitted on `train`, scored on `test` and, frozen, on `retest` (a later
       * window); forgetting = R²(test) - R²(retest), per task (src/analysis/tasks/windows.ts).
       */
      windows: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[A-Za-z_][\w-]*$/, "a name of letters, digits, _ and -"),
            train: z.tuple([z.number().int().nonnegative(), z.number().int().positive()]),
            test: z.tuple([z.number().int().nonnegative(), z.number().int().positive()]),
            retest: z.tuple([z.number().int().nonnegative(), z.number().int().positive()]).optional(),
          }),
        )
        .min(1)
        .optional(),
    })
    .optional(),
  numerics: z
    .strictObject({
      /** Longest step taken while the network is quiet (no events, fast variables settled). */
      quiet_step: QuantityText.optional(),
      /** false: plain dt stepping everywhere (the faithful baseline every acceleration is measured against). */
      accelerate: z.boolean().optional(),
      /**
       * Event-driven synapses: a synapse is stepped every dt only while a condition on its
       * decaying traces holds; otherwise its traces decay in closed form at its next event and its
       * other terms are applied every `slow_step` (default 0.1 s). For large networks.
       */
      lazy_synapses: z.boolean().optional(),
      slow_step: QuantityText.optional(),
      /**
       * Width of the state variables on fixed-point targets whose width is configurable (default:
       * the target's); `--bits` on the command line overrides it.
       */
      state_bits: z.number().int().min(2).max(32).optional(),
    })
    .optional(),
});
export type NetworkFile = z.infer<typeof NetworkFile>;
