/**
 * Where a population's short-term plasticity (declared in its neuron file: resources x,
 * utilisation u, what drives them) runs on a target: on the target's STP circuits when their form
 * and ranges fit (caps.shortTermPlasticity: what they act on, whether they facilitate, how many,
 * the recovery time-constant range, the utilisation's resolution), else as digital state updated
 * by the digital kernels. Every decision names its reason; nothing here looks at a target's name.
 */
import type { Program, PopulationIR } from "../../ir/program.ts";
import type { TargetCaps } from "./caps.ts";
import { ratesPerElement } from "./rates.ts";

export interface StpDecision {
  population: string;
  /** True when the circuits can hold it. */
  circuits: boolean;
  /** The report line. */
  line: string;
}

const fmt = (x: number) => Number(x.toPrecision(3));
const span = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? `${fmt(xs[0]!)}` : `${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}`);

/** Whether u changes at all: an ODE or an assignment at a spike. */
function facilitates(p: PopulationIR, u: string): boolean {
  return p.odes.some((o) => o.var === u) || p.reset.some((r) => r.target === u);
}

/** Recovery time constants of x per element (s), when x relaxes at a rate fixed per element; null otherwise. */
function recoveryTaus(p: PopulationIR, x: string): number[] | null {
  const o = p.odes.find((u) => u.var === x);
  if (!o) return null;
  const rates = ratesPerElement(p, o);
  if (!rates || !Array.from(rates).every((b) => b < 0)) return null;
  return Array.from(rates, (b) => -1 / b);
}

export function stpPlacement(program: Program, caps: TargetCaps): StpDecision[] {
  const out: StpDecision[] = [];
  const c = caps.shortTermPlasticity ?? null;
  for (const p of program.populations) {
    if (!p.stp) continue;
    const s = p.stp;
    const vars = [s.resources, s.utilisation, ...(s.release ? [s.release] : [])].join(", ");
    if (!c) {
      out.push({ population: p.name, circuits: false, line: `${p.name}: ${vars} digital state (${caps.name} declares no short-term plasticity circuits)` });
      continue;
    }
    const reasons: string[] = [];
    if (s.drive !== c.drive) reasons.push(`driven by the unit's ${s.drive === "rate" ? "rate" : "spikes"}, while the circuits act on ${c.drive === "spikes" ? "spike events" : "rates"}`);
    if (facilitates(p, s.utilisation) && !c.facilitation) reasons.push(`${s.utilisation} facilitates (it has dynamics), while the circuits have no facilitation`);
    const taus = recoveryTaus(p, s.resources);
    if (!taus) reasons.push(`${s.resources} does not recover at a rate fixed per neuron`);
    else {
      const outside = taus.filter((t) => t < c.recoveryTau[0] || t > c.recoveryTau[1]).length;
      if (outside > 0) reasons.push(`recovery tau ${span(taus)} s: ${outside} of ${taus.length} outside the circuits' ${fmt(c.recoveryTau[0])}-${fmt(c.recoveryTau[1])} s`);
    }
    if (p.size > c.circuits) reasons.push(`${p.size} presynaptic neurons need one circuit each, there are ${c.circuits}`);
    if (reasons.length > 0) {
      out.push({ population: p.name, circuits: false, line: `${p.name}: ${vars} on the processor, not the short-term plasticity circuits: ${reasons.join("; ")} (${c.source})` });
      continue;
    }
    // Fits: U (the utilisation, constant here) in the circuits' resolution.
    const init = p.vars.find((v) => v.name === s.utilisation)!.init;
    const step = c.utilisationMax / (2 ** c.utilisationBits - 1);
    const err = Math.max(...Array.from(init, (U) => Math.abs(U - circuitU(U, step, c.utilisationMax))));
    out.push({
      population: p.name,
      circuits: true,
      line: `${p.name}: ${vars} on the short-term plasticity circuits (one per presynaptic neuron, ${p.size} of ${c.circuits}; recovery tau ${span(taus!)} s; U in ${c.utilisationBits}-bit steps of ${fmt(step)}, largest error ${fmt(err)}) (${c.source}); the emulator uses the circuits' ${c.utilisationBits}-bit U and computes their equations in the IR's digital arithmetic`,
    });
  }
  return out;
}

/** Variables that are short-term plasticity state ("group.var"): not neuron membranes, whatever their time constant. */
export function stpVariables(program: Program): Set<string> {
  const out = new Set<string>();
  for (const p of program.populations) {
    if (!p.stp) continue;
    for (const v of [p.stp.resources, p.stp.utilisation, p.stp.release]) if (v) out.add(`${p.name}.${v}`);
  }
  return out;
}

/** U as the circuit's utilisation register holds it: the nearest of its 2^bits steps in [0, max]. */
function circuitU(U: number, step: number, max: number): number {
  return Math.min(max, Math.max(0, Math.round(U / step) * step));
}

/**
 * The program as the circuits run it: for each population placed on them, the utilisation u (the
 * register's value, constant without facilitation) rounded to the circuits' steps, so a chip's run
 * (and `engram compare` against float64) shows the quantisation of U. Other populations, and every
 * target without circuits, are left as they are.
 */
export function withCircuitUtilisation(program: Program, caps: TargetCaps, decisions: StpDecision[]): Program {
  const c = caps.shortTermPlasticity;
  const on = new Set(decisions.filter((d) => d.circuits).map((d) => d.population));
  if (!c || on.size === 0) return program;
  const step = c.utilisationMax / (2 ** c.utilisationBits - 1);
  return {
    ...program,
    populations: program.populations.map((p) =>
      !on.has(p.name) ? p : { ...p, vars: p.vars.map((v) => (v.name !== p.stp!.utilisation ? v : { ...v, init: v.init.map((U) => circuitU(U, step, c.utilisationMax)) })) },
    ),
  };
}
