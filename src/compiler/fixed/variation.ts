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
import { ratesPerElement } from "./rates.ts";
import type { Program } from "../../ir/program.ts";
import { Rng } from "../../util/rng.ts";
import type { TargetCaps } from "./caps.ts";
import type { QuantisedVar } from "./quantise.ts";

export interface VariationOptions {
  mismatch: boolean;
  noise: boolean;
  /**
   * Ticks between trial-to-trial noise draws: 1 draws every tick (dense stepping); longer draws one
   * lump per period (noise-step.ts) so quiet stretches stay jumps. Default: the slow kernel's period
   * if the model has digital (plasticity) state, else 1 (pipeline.ts defaultNoisePeriod).
   */
  noisePeriodTicks?: number;
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
      // A constant rate, or one per circuit (time constants drawn per neuron): each circuit's own.
      const rates = ratesPerElement(g, u);
      if (!analog.has(`${g.name}.${u.var}`) || rates === null || !rates.every((x) => x < 0)) continue;
      const rng = new Rng(seed, `mismatch:${g.name}.${u.var}`);
      const decay = new Float64Array(g.size);
      const inflow = new Float64Array(g.size);
      for (let i = 0; i < g.size; i++) {
        const b = rates[rates.length === 1 ? 0 : i]!;
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
 * A variable whose tau differs per circuit (drawn per neuron) gets one C per circuit,
 * C_i = SD sqrt(2 / tau_i), so every circuit has the same stationary SD.
 */
export function noiseCoefficients(program: Program, caps: TargetCaps, analog: Set<string>, quantised: QuantisedVar[]): Map<string, number | Float64Array> {
  const out = new Map<string, number | Float64Array>();
  const v = caps.variation;
  if (!v || v.trial <= 0) return out;
  for (const p of program.populations) {
    for (const u of p.odes) {
      const b = constantRate(u);
      const q = quantised.find((x) => x.group === p.name && x.name === u.var);
      if (!analog.has(`${p.name}.${u.var}`) || !q || u.C) continue;
      const span = q.observed[1] - q.observed[0];
      if (!(span > 0)) continue;
      if (b !== null) {
        out.set(`${p.name}.${u.var}`, v.trial * span * Math.sqrt(-2 * b));
        continue;
      }
      const rates = ratesPerElement(p, u);
      if (rates && rates.length === p.size && rates.every((x) => x < 0)) out.set(`${p.name}.${u.var}`, rates.map((x) => v.trial * span * Math.sqrt(-2 * x)));
    }
  }
  return out;
}

/** Mean and coefficient of variation of a list of values. */
function meanCv(xs: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const m = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - m) ** 2;
  return [m, xs.length > 1 ? Math.sqrt(v / (xs.length - 1)) / m : 0];
}

/**
 * The heterogeneity of the analog time constants, per variable: as the model draws them, and as
 * the circuits realise them with the chip's fixed-pattern mismatch (the heterogeneity the chip
 * brings for free). Lines for the compile report; empty when no analog variable has a decay.
 */
export function tauHeterogeneity(program: Program, analog: Set<string>, arrays: ParameterArray[]): string[] {
  const dt = program.tickSeconds;
  const lines: string[] = [];
  const ms = (s: number) => `${(s * 1e3).toPrecision(3)} ms`;
  for (const g of program.populations) {
    for (const u of g.odes) {
      const rates = ratesPerElement(g, u);
      if (!analog.has(`${g.name}.${u.var}`) || !rates || !rates.every((b) => b < 0)) continue;
      const model = Float64Array.from({ length: g.size }, (_, i) => -1 / rates[rates.length === 1 ? 0 : i]!);
      const [m0, cv0] = meanCv(model);
      const decay = arrays.find((a) => a.group === g.name && a.name === decayName(u.var));
      if (!decay) {
        lines.push(`  ${g.name}.${u.var}: model tau mean ${ms(m0)}, CV ${cv0.toFixed(3)} (no mismatch: --mismatch adds the chip's own)`);
        continue;
      }
      const chip = Float64Array.from(decay.values, (d) => -dt / Math.log(d));
      const [m1, cv1] = meanCv(chip);
      const [, cvAlone] = meanCv(Float64Array.from(chip, (t, i) => t / model[i]!));
      lines.push(`  ${g.name}.${u.var}: model tau mean ${ms(m0)}, CV ${cv0.toFixed(3)}; on the chip with mismatch mean ${ms(m1)}, CV ${cv1.toFixed(3)} (mismatch alone CV ${cvAlone.toFixed(3)}: heterogeneity for free)`);
    }
  }
  return lines.length ? ["heterogeneity of analog time constants (per circuit):", ...lines] : [];
}
