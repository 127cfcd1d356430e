/**
 * Resource limits as data: what a model or image may ask for before anything is allocated. Each
 * limit is checked against an estimate made from the model (src/compiler/check-limits.ts) or the
 * image header (src/ir/verify.ts), so a model asking for 10^9 neurons is refused in milliseconds
 * with the estimate and the limit, not after allocating gigabytes. `--limit NAME=N` on run,
 * compile and compare raises one (docs/reliability.md has the table).
 */

export interface Limits {
  /** Bytes of one model file (YAML parsing runs at roughly 0.25 MB/s). */
  modelFileBytes: number;
  /** Neurons over all populations. */
  neurons: number;
  /** Synapses over all projections (expected count for random connectivity). */
  synapses: number;
  /** Neuron pairs a random connection draws a number for (pre size x post size). */
  connectPairs: number;
  /** Entries of listed spike times (times x neurons) over all "spikes" stimuli. */
  listedSpikes: number;
  /** Simulated ticks (duration / dt). */
  durationTicks: number;
  /** Recorded samples (samples per column x columns), allocated before the run. */
  recordedValues: number;
  /** Expected stimulus spikes of recorded populations (rate x window x neurons). */
  recordedSpikes: number;
  /** Spike history entries (longest delay in ticks + 1) x population size, per population. */
  spikeHistory: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  modelFileBytes: 1 << 20,
  neurons: 10_000_000,
  synapses: 20_000_000,
  connectPairs: 200_000_000,
  listedSpikes: 1_000_000,
  durationTicks: 10_000_000_000,
  recordedValues: 100_000_000,
  recordedSpikes: 100_000_000,
  spikeHistory: 100_000_000,
};

/** The command-line names of the limits (`--limit synapses=5e7`). */
export const LIMIT_NAMES: Record<string, keyof Limits> = {
  "model-file-bytes": "modelFileBytes",
  neurons: "neurons",
  synapses: "synapses",
  "connect-pairs": "connectPairs",
  "listed-spikes": "listedSpikes",
  "duration-ticks": "durationTicks",
  "recorded-values": "recordedValues",
  "recorded-spikes": "recordedSpikes",
  "spike-history": "spikeHistory",
};

export function limitFlagName(key: keyof Limits): string {
  return Object.entries(LIMIT_NAMES).find(([, k]) => k === key)![0];
}

/** Limits no flag can raise: beyond them typed arrays or exact tick counts stop working. */
export const HARD_LIMITS: Readonly<Partial<Limits>> = {
  durationTicks: Number.MAX_SAFE_INTEGER,
  neurons: 2 ** 31 - 1,
  synapses: 2 ** 31 - 1,
};

/**
 * Parses `--limit NAME=N` values ("synapses=5e7"); throws Error with a readable message (the CLI
 * turns it into a usage error).
 */
export function parseLimitFlags(values: readonly string[]): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const v of values) {
    const m = /^([a-z-]+)=(.+)$/.exec(v.trim());
    const key = m ? LIMIT_NAMES[m[1]!] : undefined;
    if (!m || !key) throw new Error(`--limit takes NAME=N with NAME one of ${Object.keys(LIMIT_NAMES).join(", ")}, got "${v}"`);
    const n = Number(m[2]);
    const hard = HARD_LIMITS[key] ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(n) || n < 1 || n > hard) throw new Error(`--limit ${m[1]} takes a whole number from 1 to ${hard}, got "${m[2]}"`);
    out[key] = n;
  }
  return out;
}

export function limitsWith(overrides: Partial<Limits> | undefined): Limits {
  return { ...DEFAULT_LIMITS, ...(overrides ?? {}) };
}
