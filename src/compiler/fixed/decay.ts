/**
 * Decays in fixed point: which variables are pure decays (the chip's decay rule applies to them),
 * and the dead zone a rounding rule leaves around a decaying variable's rest, next to the
 * thresholds that variable is compared against.
 *
 * An exponential decay x <- x + (rest - x)(1 - D) per update, its step brought to the state's LSB:
 *  - round to nearest stops once |x - rest| (1 - D) < LSB/2: anywhere within LSB / (2 (1 - D)) of
 *    the rest, on either side (uQ3.9 calcium, D = e^(-0.2 ms / 48.8 ms): 122 LSB = 0.238);
 *  - floor (toward -inf) always steps down by at least one LSB, so it reaches the rest from above
 *    in bounded ticks; below the rest it stops within LSB / (1 - D);
 *  - stochastic rounding moves by the exact step on average and reaches the rest in an expected
 *    bounded time (an absorbing rest at an exact LSB; one LSB of jitter around a rest between LSBs).
 */
import type { Expr } from "../../ir/expr.ts";
import { walk } from "../../ir/expr.ts";
import { evaluate, fold } from "../../ir/interpret.ts";
import type { GroupIR, Program, ProjectionIR } from "../../ir/program.ts";
import type { Rounding } from "./quantise.ts";

/** The residue a decay's rounding leaves, and the thresholds nearby. */
export interface DeadZone {
  /** Rest value (SI), null when it is not a constant (the input term varies). */
  rest: number | null;
  /** Decay factor per update. */
  D: number;
  rule: Rounding;
  /** Kept time-stamped (caps.stampedTraces): read as its stored value x D^n, rounded once, so no rounding is iterated and it reaches 0. */
  stamped?: boolean;
  /** How far above and below the rest the decay may stop (SI; 0: it reaches the rest). */
  above: number;
  below: number;
  /** Values (SI) the variable is compared against in conditions. */
  thresholds: number[];
  /** Margin used for the flag (SI): the largest jump an event gives the variable, else 10 % of the distance to the threshold. */
  margin: number | null;
  /** Set when the residue comes within the margin of a threshold. */
  flag: string | null;
}

/** Variables that only decay toward 0 and jump at events (x' = -x / tau): "group.var". */
export function pureDecays(program: Program): Set<string> {
  const out = new Set<string>();
  for (const g of [...program.populations, ...program.projections]) {
    for (const u of g.odes) {
      const A = fold(u.A);
      const B = fold(u.B);
      if (u.linear && u.autonomous && !u.C && A.op === "const" && A.value === 0 && B.op === "const" && B.value < 0) out.add(`${g.name}.${u.var}`);
    }
  }
  return out;
}

/** Where a stepped decay with rounding `rule` stops, in LSB from the rest: [above, below]. */
export function residueLsb(rule: Rounding, D: number): [number, number] {
  const k = 1 / (1 - D);
  if (rule === "nearest") return [k / 2, k / 2];
  if (rule === "floor") return [0, k];
  return [0, 0];
}

const groupsOf = (p: Program): GroupIR[] => [...p.populations, ...p.projections];

/**
 * Thresholds of each variable ("group.var" -> values, SI): every comparison or Heaviside step
 * whose argument is x - theta (or theta - x) for one variable x, anywhere in the program.
 */
export function thresholdsOf(program: Program): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const visit = (g: GroupIR, e: Expr) =>
    walk(e, (n) => {
      let diff: Expr | null = null;
      if (n.op === "cmp") diff = { op: "sub", a: n.a, b: n.b };
      else if (n.op === "call" && (n.fn === "H" || n.fn === "heaviside")) diff = n.args[0]!;
      if (!diff) return;
      const syms = new Set<string>();
      let other = false;
      walk(diff, (m) => {
        if (m.op === "sym") syms.add(`${m.scope}:${m.name}`);
        if (m.op === "noise") other = true;
      });
      if (other || syms.size !== 1) return;
      const [scope, name] = [...syms][0]!.split(":") as [string, string];
      const owner = scope === "self" ? g.name : scope === "pre" ? (g as ProjectionIR).pre : (g as ProjectionIR).post;
      // linear in the one variable with slope +-1: threshold = -k / a
      const at = (x: number) => evaluate(diff!, () => x);
      const k = at(0);
      const a = at(1) - k;
      if (!Number.isFinite(k) || Math.abs(Math.abs(a) - 1) > 1e-9 || Math.abs(at(2) - (k + 2 * a)) > 1e-9 * (1 + Math.abs(k))) return;
      const key = `${owner}.${name}`;
      if (!out.has(key)) out.set(key, new Set());
      out.get(key)!.add(Number((-k / a).toPrecision(15))); // 15 digits: the two evaluations round in the last bit
    });
  for (const g of groupsOf(program)) {
    for (const u of g.odes) for (const e of [u.A, u.B, ...(u.C ? [u.C] : [])]) visit(g, e);
    const pop = g as Program["populations"][number];
    if (pop.threshold) visit(g, pop.threshold);
    const pr = g as ProjectionIR;
    for (const ev of [...(pr.onPre ?? []), ...(pr.onPost ?? [])]) for (const a of ev.assigns) visit(g, a.value);
  }
  return out;
}

/** The largest constant jump ("+=" or "-=") any event gives each variable ("group.var" -> SI). */
export function largestJumps(program: Program): Map<string, number> {
  const out = new Map<string, number>();
  for (const pr of program.projections) {
    for (const ev of [...pr.onPre, ...pr.onPost]) {
      for (const a of ev.assigns) {
        const v = fold(a.value);
        if ((a.op !== "+=" && a.op !== "-=") || v.op !== "const") continue;
        const owner = a.scope === "self" ? pr.name : a.scope === "pre" ? pr.pre : pr.post;
        const key = `${owner}.${a.target}`;
        out.set(key, Math.max(out.get(key) ?? 0, Math.abs(v.value)));
      }
    }
  }
  return out;
}

/**
 * The dead zone of each decaying variable (linear with a constant negative rate), given its LSB,
 * rounding and update period, and whether its observed range reaches below the rest.
 */
export function deadZone(
  program: Program,
  group: string,
  name: string,
  lsb: number,
  rule: Rounding,
  periodTicks: number,
  observed: [number, number],
  thresholds: Map<string, Set<number>>,
  jumps: Map<string, number>,
  stamped = false,
): DeadZone | null {
  const g = groupsOf(program).find((x) => x.name === group);
  const u = g?.odes.find((x) => x.var === name);
  if (!u || !u.linear) return null;
  const B = fold(u.B);
  if (B.op !== "const" || !(B.value < 0)) return null;
  const A = fold(u.A);
  const rest = A.op === "const" ? -A.value / B.value : null;
  const D = Math.exp(B.value * program.tickSeconds * periodTicks);
  // a stamped trace is one product x D^n rounded once per read: below 1/2 LSB it reads 0, and the table ends at 0
  const [upLsb, downLsb] = stamped ? [0, 0] : residueLsb(rule, D);
  // a side the variable never reaches has no dead zone (both count when the rest moves with the inputs)
  const above = rest === null || observed[1] > rest ? upLsb * lsb : 0;
  const below = rest === null || observed[0] < rest ? downLsb * lsb : 0;
  const key = `${group}.${name}`;
  const ths = [...(thresholds.get(key) ?? [])].sort((x, y) => x - y);
  const jump = jumps.get(key) ?? null;
  let flag: string | null = null;
  if (rest !== null && (above > 0 || below > 0)) {
    for (const th of ths) {
      const margin = jump ?? 0.1 * Math.abs(th - rest);
      const edge = th >= rest ? rest + above : rest - below;
      const gap = Math.abs(th - edge);
      const crossed = th >= rest ? edge >= th : edge <= th;
      if (crossed || gap <= margin) {
        flag = `dead zone: under ${rule} rounding the decay stops up to ${fmt(th >= rest ? above : below)} ${th >= rest ? "above" : "below"} its rest ${fmt(rest)}, ${crossed ? "past" : `within ${jump !== null ? `one event's jump (${fmt(jump)})` : "10 % of the distance"} of`} the threshold ${fmt(th)}`;
        break;
      }
    }
  }
  return { rest, D, rule, ...(stamped ? { stamped } : {}), above, below, thresholds: ths, margin: jump, flag };
}

const fmt = (x: number) => String(Number(x.toPrecision(4)));
