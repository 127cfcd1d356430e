/**
 * The analog core's non-idealities as IR data, so that the emulator and the IR interpreter stay
 * bit-identical whatever is switched on:
 *  - fixed-pattern mismatch: every analog time constant and every synaptic weight of a circuit
 *    differs from its nominal value by a relative error drawn once, from the seed (a time
 *    constant changes the whole rate, dx/dt = (A + B x) tau / tau_i, so calibrated rest points
 *    stay where they are). The draws
 *    become constant per-element state arrays (decay factor and inflow gain per neuron, gain per
 *    synapse) that the analog kernels load instead of a shared constant;
 *  - trial-to-trial noise: white noise on each analog state variable, sized so that its
 *    stationary SD is the target's relative SD times the variable's observed span. It is a
 *    RAND_NORMAL term in the kernel, drawn from the program's noise stream.
 * Both are off unless asked for: off, the IR is byte-identical to an ideal chip's.
 */
import type { Program } from "../../ir/program.ts";
import { Rng } from "../../util/rng.ts";
import type { TargetCaps } from "./caps.ts";
import type { QuantisedVar } from "./quantise.ts";

export interface VariationOptions {
  mismatch: boolean;
  noise: boolean;
}

export const IDEAL: VariationOptions = { mismatch: false, noise: false };

/** Per-element state names: the mismatched decay factor and inflow gain of analog variable v. */
export const decayName = (v: string): string => `__decay_${v}`;
export const inflowName = (v: string): string => `__inflow_${v}`;
/** Per-synapse gain of the current a synapse circuit delivers. */
export const GAIN = "__gain";

/** Whether a state ("group.var") is a circuit's mismatch: physical, not in any processor's memory. */
export const isCircuitParameter = (state: string): boolean => /\.(__decay_|__inflow_|__gain$)/.test(state);

export interface ParameterArray {
  group: string;
  name: string;
  values: Float64Array;
}

/** Largest factor a mismatched circuit may deviate by (and 2 - MAX_FACTOR the smallest). */
export const MAX_FACTOR = 1.5;

/** A relative error 1 + sd N(0,1), kept within [0.5, 1.5]: a circuit does not change sign or vanish. */
function factor(rng: Rng, sd: number): number {
  return Math.min(MAX_FACTOR, Math.max(2 - MAX_FACTOR, 1 + sd * rng.normal()));
}

const constantRate = (u: Program["populations"][number]["odes"][number]): number | null => (u.linear && u.B.op === "const" && u.B.value < 0 ? u.B.value : null);

/**
 * The fixed-pattern draws for the analog variables, as per-element parameter arrays.
 * Streams are labelled by variable, so adding one never shifts another's draws.
 */
export function mismatchArrays(program: Program, caps: TargetCaps, analog: Set<string>, seed: number): ParameterArray[] {
  const v = caps.variation;
  if (!v) return [];
  const dt = program.tickSeconds;
  const out: ParameterArray[] = [];
  for (const g of [...program.populations, ...program.projections]) {
    for (const u of g.odes) {
      const b = constantRate(u);
      if (!analog.has(`${g.name}.${u.var}`) || b === null) continue;
      const rng = new Rng(seed, `mismatch:${g.name}.${u.var}`);
      const decay = new Float64Array(g.size);
      const inflow = new Float64Array(g.size);
      for (let i = 0; i < g.size; i++) {
        const bi = b / factor(rng, v.tau); // rate = -1 / tau
        decay[i] = Math.exp(bi * dt);
        // dx/dt = (A + B x) tau / tau_i: the time constant changes, the calibrated rest point does not.
        inflow[i] = Math.expm1(bi * dt) / Math.expm1(b * dt);
      }
      out.push({ group: g.name, name: decayName(u.var), values: decay }, { group: g.name, name: inflowName(u.var), values: inflow });
    }
  }
  for (const pr of program.projections) {
    const drivesAnalog = [...pr.onPre, ...pr.onPost].some((e) => e.assigns.some((a) => a.scope !== "self" && analog.has(`${a.scope === "pre" ? pr.pre : pr.post}.${a.target}`)));
    if (!drivesAnalog) continue;
    const rng = new Rng(seed, `mismatch:${pr.name}.weight`);
    out.push({ group: pr.name, name: GAIN, values: Float64Array.from({ length: pr.size }, () => factor(rng, v.weight)) });
  }
  return out;
}

/**
 * Noise coefficient C (dx/dt = ... + C xi) per analog neuron variable: an Ornstein-Uhlenbeck
 * process with time constant tau has stationary SD C sqrt(tau / 2), which is set to the target's
 * trial-to-trial relative SD times the span the variable covered in the float64 analysis run.
 */
export function noiseCoefficients(program: Program, caps: TargetCaps, analog: Set<string>, quantised: QuantisedVar[]): Map<string, number> {
  const out = new Map<string, number>();
  const v = caps.variation;
  if (!v || v.trial <= 0) return out;
  for (const p of program.populations) {
    for (const u of p.odes) {
      const b = constantRate(u);
      const q = quantised.find((x) => x.group === p.name && x.name === u.var);
      if (!analog.has(`${p.name}.${u.var}`) || b === null || !q || u.C) continue;
      const span = q.observed[1] - q.observed[0];
      if (span > 0) out.set(`${p.name}.${u.var}`, v.trial * span * Math.sqrt(-2 * b));
    }
  }
  return out;
}
