/**
 * What the fixed-point passes need to know about a target, as data. Targets build this from
 * their description files (targets/<chip>/); passes never look at a target's name.
 */
export interface TargetCaps {
  name: string;
  /** Hardware time = biological time / acceleration. */
  acceleration: number;
  /** Clock of the digital update logic (plasticity processor or datapath), Hz. */
  clockHz: number;
  /** Elements processed by one instruction, by register width in bits (1 = one element at a time). */
  lanes: Record<number, number>;
  /** Widths a state variable may have, in bits. */
  allowedWidths: number[];
  /** Default width of state variables, by owner. */
  stateWidth: { neuron: number; synapse: number };
  /** Bits of the random numbers stochastic rounding adds (0: exact, 53-bit draws). */
  roundingBits: number;
  /**
   * Width of summed inputs (the words synaptic reductions accumulate into, read by the neuron
   * update); their fractional bits come from the reduction's bound like any format.
   */
  accumulatorWidth: number;
  /** Width of intermediate registers. */
  registerWidth: number;
  /** Rounding of intermediate results (hardware shifts floor). */
  registerRounding: "floor" | "nearest";
  /**
   * How the datapath brings a decay step of a pure decay (x' = -x / tau: calcium, synaptic
   * traces and currents) to the state's LSB, whatever rounding the other updates use: the rule
   * decides whether the decay reaches 0 (floor: from above; stochastic: on average) or stops in a
   * dead zone (nearest: within LSB / (2 (1 - D)) of it). src/compiler/fixed/decay.ts.
   */
  decay: { rounding: "floor" | "nearest" | "stochastic"; source: string };
  /** Op costs: key in the op table's cost record. */
  costKey: "bss2" | "cmos";
  /**
   * Continuous-time (analog) circuits: ODEs that are linear with a constant decay rate whose time
   * constant (biological seconds) lies in the range for their kind run there, as do neuron
   * thresholds and resets and synaptic events that only add to such variables. null: all digital.
   */
  analog: {
    /** Time constants (biological s) of neuron state the analog neurons realise (membrane, synaptic input). */
    neuronTau: [number, number];
    /** Time constants of per-synapse decaying traces (correlation sensors); null: none. */
    traceTau: [number, number] | null;
    source: string;
    /**
     * Whether each analog neuron circuit takes its own parameters, so per-neuron time constants
     * (drawn from a distribution) stay on the analog core when all lie in neuronTau.
     */
    perCircuit?: boolean;
    perCircuitSource?: string;
  } | null;
  /**
   * Whether terms not gated by fast variables (relaxations, consolidation) may move to a slow
   * digital kernel updated once per biological second (operator splitting; false for the
   * reference lowering, which stays the closest to the equations).
   */
  splitSlow: boolean;
  /**
   * Whether the digital datapath can run a kernel over only the elements whose gate flag is set
   * (IR Periodic.gated): event-driven synapses (numerics.lazy_synapses, src/compiler/fixed/lazy.ts).
   */
  gatedKernels: boolean;
  /**
   * Whether the datapath keeps each synaptic trace (a pure decay that jumps at events) as its value
   * at the last event and the ticks since, and reads it through a table of decay factors D^n,
   * rounded once per read with registerRounding: the same values whether idle synapses are
   * skipped (gated kernels) or every synapse is stepped every tick (src/compiler/fixed/lazy.ts).
   * false: traces are stepped x <- x D every tick with the decay rule.
   */
  stampedTraces: boolean;
  /** Longest step a digital kernel may take, as a fraction of the fastest time constant it integrates. */
  maxStepOverTau: number;
  /**
   * A crossbar of synapses, if the target has one: postsynaptic neurons are columns, synapses sit
   * on rows, and the presynaptic sources that share a row are told apart by a label of labelBits.
   * Weights are unsigned with weightBits, and all synapses of a row share one sign.
   */
  synapseArray: { arrays: number; rows: number; columns: number; labelBits: number; weightBits: number; source: string } | null;
  /**
   * The analog core's non-idealities (relative standard deviations): fixed-pattern mismatch of
   * time constants and synaptic weights (drawn once per compile from the seed), and trial-to-trial
   * noise on analog state (stationary SD as a fraction of the variable's observed span). null: none.
   */
  variation: { tau: number; weight: number; trial: number; source: string } | null;
  /**
   * Tables for functions that have no op (tanh, logistic: rate activations), read by the IR's
   * LOOKUP op: at most `entries` entries per table, linearly interpolated between entries when
   * `interpolate`. The compiler picks the table's domain and step from the argument's range
   * (src/compiler/fixed/activation.ts). null: no tables, such functions cannot be lowered.
   */
  functionTables: { entries: number; interpolate: boolean; source: string } | null;
  /**
   * Time series into neuron inputs (IR Stream stimuli, one sample per channel per tick): widths
   * of the raw samples and input weights (at most 20, the IR's limit) and the most channels.
   * `cycles`: what adding a stream into its neurons' inputs costs the digital processor every
   * tick, counted in the cycle budget next to the digital kernels (drc.ts streamBudgets): per
   * `lanes` driven neurons, `perVectorChannel` per channel plus `perVector` once. Absent: the
   * stream costs the processor nothing (added outside it).
   * null: the target cannot take a stream.
   */
  streams: { sampleBits: number; weightBits: number; maxChannels: number; cycles?: { perVectorChannel: number; perVector: number; lanes: number }; source: string } | null;
  /**
   * Circuits for short-term plasticity (Tsodyks-Markram) per presynaptic source, if the target has
   * them: what they act on, whether they facilitate, how many there are, the resolution of the
   * utilisation U and the range of the recovery time constant (biological s). The compiler maps a
   * population's declared STP (short_term_plasticity in the neuron file) onto them only where form
   * and ranges fit (stp.ts). Absent or null: x and u are digital state.
   */
  shortTermPlasticity?: {
    drive: "spikes" | "rate";
    facilitation: boolean;
    circuits: number;
    utilisationBits: number;
    utilisationMax: number;
    recoveryTau: [number, number];
    source: string;
  } | null;
  /** Resolution of the readout that digital kernels see analog state through (bits); null: exact. */
  readoutBits: number | null;
  /** Resource limits for the design-rule checks. */
  limits: {
    neurons: number;
    synapses: number;
    fanIn: number;
    /** Bytes of memory for kernel state beyond the synapse array (0 = no limit declared). */
    memoryBytes: number;
  };
  /** Where each limit comes from (for DRC messages). */
  sources: Record<string, string>;
}
