/**
 * Pass "discretise": chooses the integer time base and writes every time as a tick count;
 * decomposes each ODE into dx/dt = A + B x + C xi for the exponential-Euler update; checks that
 * decays decay (a negative time constant makes B positive) and that stimuli, delays, recordings and
 * phases fit the tick grid and the run.
 */
import { show, symbols, type Expr } from "../../ir/expr.ts";
import { evaluate, linearize, splitNoise } from "../../ir/interpret.ts";
import type { OdeUpdate, PopulationIR, Program, ProjectionIR, RecordingIR, StimulusIR, VarDecl } from "../../ir/program.ts";
import { checkNumber, parseQuantity, parseUnit, sameDimension, UnitParseError, type Quantity } from "../../model/units.ts";
import type { SourceLocation } from "../../diagnostics/diagnostic.ts";
import type { Collector } from "./resolve.ts";
import type { ElaboratedGroup, ElaboratedModel } from "./elaborate.ts";
import type { GroupDef } from "../model.ts";
import { streamStimulus } from "../rate/stream-stimulus.ts";

/** The program's time-discrete parts, which emit completes with the model's identity. */
export type DiscreteModel = Pick<Program, "tickSeconds" | "durationTicks" | "populations" | "projections" | "stimuli" | "recordings" | "phases"> & { quietStepTicks: number; slowStepTicks: number };

const isConst = (e: Expr | null) => e === null || e.op === "const";

const SECOND = parseUnit("s").dimension;
const unitCache = new Map<string, Quantity>();
/**
 * A listed spike time: "12.5 ms" without a trip through mathjs' parser for each of thousands of
 * entries (the unit is parsed once per spelling); anything else goes the usual way. Only ticks
 * (rounded) are taken from it, so the last bit of the product does not matter.
 */
function spikeTime(t: string | number): Quantity {
  const m = typeof t === "string" ? /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)\s*$/.exec(t) : null;
  if (!m) return parseQuantity(t);
  let unit = unitCache.get(m[2]!);
  if (!unit) {
    unit = parseUnit(m[2]!);
    unitCache.set(m[2]!, unit);
  }
  return { si: checkNumber(Number(m[1]) * unit.si, t), dimension: unit.dimension };
}

export function toTicks(seconds: number, dt: number): number {
  return Math.round(seconds / dt);
}

function onGrid(seconds: number, dt: number): boolean {
  const t = seconds / dt;
  return Math.abs(t - Math.round(t)) <= 1e-6 * Math.max(1, Math.abs(t));
}

function decompose(g: ElaboratedGroup, c: Collector): OdeUpdate[] {
  const initOf = new Map(g.vars.map((v) => [v.name, v.init]));
  return g.odes.map((o) => {
    const split = splitNoise(o.rhs);
    if (!split) {
      c.add({ code: "nonlinear-noise", message: `d${o.var}/dt uses the noise xi non-linearly; write it as (drift) + (coefficient) * xi`, where: o.where });
      return { var: o.var, rhs: o.rhs, linear: false, A: o.rhs, B: { op: "const", value: 0 }, C: null, holdWhenRefractory: o.hold, autonomous: false };
    }
    const lin = linearize(split.drift, o.var);
    const update: OdeUpdate = lin
      ? { var: o.var, rhs: o.rhs, linear: true, A: lin.A, B: lin.B, C: split.C, holdWhenRefractory: o.hold, autonomous: isConst(lin.A) && isConst(lin.B) && isConst(split.C), where: o.where, ...(o.rewrittenBy ? { rewrittenBy: o.rewrittenBy } : {}) }
      : { var: o.var, rhs: o.rhs, linear: false, A: split.drift, B: { op: "const", value: 0 }, C: split.C, holdWhenRefractory: o.hold, autonomous: false, where: o.where, ...(o.rewrittenBy ? { rewrittenBy: o.rewrittenBy } : {}) };
    if (lin && g.size > 0) {
      // A positive decay rate at the initial state means exponential growth: almost always a sign error.
      const b = evaluate(lin.B, (name) => initOf.get(name)?.[0] ?? NaN);
      if (b > 0) {
        const negatives = [...g.def.params.values()].filter((p) => p.value !== undefined && p.value < 0 && mentions(g.def, o.where, p.name));
        c.add({
          code: "unstable-ode",
          message: `d${o.var}/dt = ${show(o.rhs)} makes ${o.var} grow exponentially (rate +${b.toPrecision(4)} /s at the initial state)`,
          where: negatives[0]?.where ?? o.where,
          received: negatives.map((p) => `${p.name} = ${p.value} (SI)`).join(", ") || undefined,
          hint: "time constants must be positive; check the signs of the parameters in this equation",
        });
      }
    }
    return update;
  });
}

/** Does the equation written at `where` mention parameter `name`? (Read from the original text.) */
function mentions(g: GroupDef, where: SourceLocation, name: string): boolean {
  for (const v of g.vars.values()) {
    if (v.ode && v.ode.where === where) return symbols(v.ode.value).some((s) => s.name === name);
  }
  return false;
}

export function discretise(m: ElaboratedModel, c: Collector): DiscreteModel {
  const r = m.resolved;
  const dt = r.dt.value;
  const durationTicks = toTicks(r.duration.value, dt);
  if (!onGrid(r.duration.value, dt)) c.add({ code: "off-grid", message: `duration ${r.duration.value} s is not a whole number of steps of dt = ${dt} s`, where: r.duration.where });

  const ticks = (seconds: number, where: SourceLocation, what: string): number => {
    if (!onGrid(seconds, dt)) c.add({ code: "off-grid", message: `${what} (${seconds} s) is not a multiple of dt (${dt} s)`, where });
    return toTicks(seconds, dt);
  };

  const populations: PopulationIR[] = m.populations.map((p) => ({
    name: p.def.name,
    size: p.size,
    vars: p.vars,
    odes: decompose(p, c),
    source: p.def.source,
    threshold: p.threshold,
    reset: p.reset.map(({ target, scope, op, value }) => ({ target, scope, op, value })),
    refractoryTicks: p.def.refractory ? ticks(p.def.refractory.value, p.def.refractory.where, "refractory period") : 0,
    ...(p.def.stp ? { stp: p.def.stp } : {}),
  }));

  const projections: ProjectionIR[] = m.projections.map((pr) => ({
    name: pr.def.name,
    size: pr.size,
    vars: pr.vars,
    odes: decompose(pr, c),
    pre: pr.def.pre,
    post: pr.def.post,
    preIndex: pr.preIndex,
    postIndex: pr.postIndex,
    onPre: pr.onPre.map((e) => ({ delayTicks: ticks(e.delay, e.where, "delay"), assigns: e.assigns.map(({ target, scope, op, value }) => ({ target, scope, op, value })) })),
    onPost: pr.onPost.map((e) => ({ delayTicks: ticks(e.delay, e.where, "delay"), assigns: e.assigns.map(({ target, scope, op, value }) => ({ target, scope, op, value })) })),
    summed: pr.summed,
  }));

  const popByName = new Map(populations.map((p) => [p.name, p]));
  const stimuli: StimulusIR[] = [];
  for (const s of r.stimuli) {
    const spec = s.spec;
    const pop = popByName.get(spec.target);
    if (!pop) continue;
    const q = (key: string, text: string | number, unit: string): number | undefined =>
      c.attempt(s.locate(key), () => {
        const v = parseQuantity(text);
        if (!sameDimension(v.dimension, parseUnit(unit).dimension)) throw new UnitParseError(`${key} must be in ${unit === "s" ? "time units (e.g. \"10 ms\")" : unit}, got "${text}"`);
        return v.si;
      }, "wrong-unit");
    const neurons = Int32Array.from(spec.neurons ?? Array.from({ length: pop.size }, (_, i) => i));
    for (const n of neurons) {
      if (n >= pop.size) c.add({ code: "index-out-of-range", message: `neuron ${n} does not exist: "${pop.name}" has ${pop.size} neuron(s)`, where: s.locate("neurons"), received: String(n) });
    }
    const isSpikeKind = spec.kind === "spikes" || spec.kind === "poisson" || spec.kind === "regular";
    if (isSpikeKind && !pop.source) {
      c.add({ code: "wrong-target", message: `${spec.kind} stimuli drive spike sources; "${pop.name}" is a neuron population (give it a current stimulus, or make it "source: true")`, where: s.locate("target") });
      continue;
    }
    if (!isSpikeKind) {
      const input = (spec as { input: string }).input;
      const v = pop.vars.find((x) => x.name === input);
      if (!v || v.kind !== "input") {
        c.add({ code: "unknown-input", message: `"${pop.name}" has no input "${input}" for a current stimulus`, where: s.locate("input"), expected: pop.vars.filter((x) => x.kind === "input").map((x) => x.name).join(", ") || "(none declared)", received: input });
        continue;
      }
    }
    const duration = r.duration.value;
    const window = (): { start: number; stop: number } | undefined => {
      const w = spec as { start?: string | number; stop?: string | number };
      const start = w.start === undefined ? 0 : q("start", w.start, "s");
      const stop = w.stop === undefined ? duration : q("stop", w.stop, "s");
      if (start === undefined || stop === undefined) return undefined;
      if (start < 0) c.add({ code: "out-of-run", message: `stimulus starts before t = 0`, where: s.locate("start"), received: String(w.start) });
      if (stop > duration * (1 + 1e-12)) {
        c.add({ code: "out-of-run", message: `stimulus ends after the end of the run (duration ${duration} s)`, where: s.locate("stop"), received: String(w.stop), hint: "shorten the stimulus or lengthen \"duration\"" });
      }
      if (stop <= start) c.add({ code: "empty-window", message: `stimulus stop (${stop} s) is not after its start (${start} s)`, where: s.locate("stop") });
      return { start, stop };
    };
    if (spec.kind === "spikes") {
      const pairs: [number, number][] = [];
      spec.times.forEach((t, i) => {
        const sec = c.attempt(s.locate("times"), () => {
          const v = spikeTime(t);
          if (!sameDimension(v.dimension, SECOND)) throw new UnitParseError(`spike time ${i} must be a time, got "${t}"`);
          return v.si;
        }, "wrong-unit");
        if (sec === undefined) return;
        if (sec < 0 || sec >= duration) {
          c.add({ code: "out-of-run", message: `spike time ${i} (${t}) is outside the run [0, ${duration} s)`, where: s.locate("times"), received: String(t) });
          return;
        }
        const tick = ticks(sec, s.locate("times"), `spike time ${t}`);
        for (const n of neurons) pairs.push([tick, n]);
      });
      pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      stimuli.push({ kind: "spikes", target: pop.name, neurons, startTick: pairs[0]?.[0] ?? 0, stopTick: (pairs[pairs.length - 1]?.[0] ?? 0) + 1, ticks: Int32Array.from(pairs.map((p) => p[0])), which: Int32Array.from(pairs.map((p) => p[1])) });
      continue;
    }
    const w = window();
    if (!w) continue;
    const startTick = ticks(w.start, s.locate("start"), "stimulus start");
    const stopTick = ticks(w.stop, s.locate("stop"), "stimulus stop");
    if (spec.kind === "poisson") {
      const rate = q("rate", spec.rate, "Hz");
      if (rate === undefined) continue;
      if (rate < 0) c.add({ code: "negative", message: "rate must not be negative", where: s.locate("rate"), received: String(spec.rate) });
      const p = rate * dt;
      if (p > 1) c.add({ code: "rate-too-high", message: `rate ${spec.rate} exceeds one spike per step (1/dt = ${1 / dt} Hz)`, where: s.locate("rate") });
      let on = stopTick - startTick;
      let period = on;
      if (spec.bursts) {
        const bd = q("bursts", spec.bursts.duration, "s");
        const bp = q("bursts", spec.bursts.period, "s");
        if (bd === undefined || bp === undefined) continue;
        on = ticks(bd, s.locate("bursts"), "burst duration");
        period = ticks(bp, s.locate("bursts"), "burst period");
        if (on <= 0 || period < on) c.add({ code: "bad-bursts", message: `bursts need 0 < duration <= period, got duration ${spec.bursts.duration} and period ${spec.bursts.period}`, where: s.locate("bursts") });
      }
      stimuli.push({ kind: "poisson", target: pop.name, neurons, startTick, stopTick, probPerTick: p, burstOnTicks: on, burstPeriodTicks: Math.max(1, period) });
    } else if (spec.kind === "regular") {
      const interval = q("interval", spec.interval, "s");
      if (interval === undefined) continue;
      const it = ticks(interval, s.locate("interval"), "interval");
      if (it < 1) c.add({ code: "non-positive", message: "interval must be at least one step", where: s.locate("interval"), received: String(spec.interval) });
      stimuli.push({ kind: "regular", target: pop.name, neurons, startTick, stopTick, intervalTicks: Math.max(1, it) });
    } else if (spec.kind === "current") {
      const v = pop.vars.find((x) => x.name === spec.input)!;
      const amp = q("amplitude", spec.amplitude, v.unit);
      if (amp === undefined) continue;
      stimuli.push({ kind: "current", target: pop.name, neurons, startTick, stopTick, input: spec.input, amplitude: amp });
    } else if (spec.kind === "stream") {
      const v = pop.vars.find((x) => x.name === spec.input)!;
      const gain = spec.gain === undefined ? parseUnit(v.unit).si : q("gain", spec.gain, v.unit);
      if (gain === undefined) continue;
      const st = streamStimulus(spec, stimuli.length, pop.name, neurons, { startTick, stopTick }, gain, r.seed, s.where, s.locate, c);
      if (st) stimuli.push(st);
    } else {
      const v = pop.vars.find((x) => x.name === spec.input)!;
      const mean = q("mean", spec.mean, v.unit);
      const sd = q("sd", spec.sd, v.unit);
      const tau = q("tau", spec.tau, "s");
      if (mean === undefined || sd === undefined || tau === undefined) continue;
      if (tau <= 0) c.add({ code: "non-positive", message: "OU time constant must be positive", where: s.locate("tau"), received: String(spec.tau) });
      if (sd < 0) c.add({ code: "negative", message: "OU standard deviation must not be negative", where: s.locate("sd"), received: String(spec.sd) });
      stimuli.push({ kind: "ou_current", target: pop.name, neurons, startTick, stopTick, input: spec.input, mean, sd, tau });
    }
  }

  const groups = new Map<string, { size: number; vars: VarDecl[] }>([...populations, ...projections].map((g) => [g.name, g]));
  const recordings: RecordingIR[] = [];
  for (const rec of r.recordings) {
    const g = groups.get(rec.group)!;
    const v = g.vars.find((x) => x.name === rec.var)!;
    const every = ticks(rec.every, rec.where, "recording interval");
    if (every < 1) c.add({ code: "non-positive", message: "recording interval must be at least one step", where: rec.where });
    const elements = rec.elements === "all" ? Array.from({ length: g.size }, (_, i) => i) : rec.elements;
    const bad = elements.filter((e) => e >= g.size);
    if (bad.length > 0) c.add({ code: "index-out-of-range", message: `"${rec.group}" has ${g.size} element(s); cannot record element ${bad[0]}`, where: rec.where });
    const base = rec.as ?? `${rec.group}.${rec.var}`;
    const columns = elements.length === 1 && rec.elements !== "all" ? [base] : elements.map((e) => `${base}[${e}]`);
    recordings.push({ group: rec.group, var: rec.var, elements: Int32Array.from(elements), everyTicks: Math.max(1, every), columns, unit: v.unit, unitScale: v.unitScale });
  }
  const names = recordings.flatMap((x) => x.columns);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) c.add({ code: "duplicate-column", message: `two recordings write the column "${dup}"; give one of them another "as" name`, where: r.where });

  const phases = r.phases.map((p) => ({ name: p.name, startTick: ticks(p.start, p.where, `start of phase "${p.name}"`) }));
  phases.forEach((p, i) => {
    if (p.startTick > durationTicks) c.add({ code: "out-of-run", message: `phase "${p.name}" starts after the end of the run`, where: r.phases[i]!.where });
    if (i > 0 && p.startTick <= phases[i - 1]!.startTick) c.add({ code: "phase-order", message: `phase "${p.name}" must start after phase "${phases[i - 1]!.name}"`, where: r.phases[i]!.where });
  });

  return {
    tickSeconds: dt,
    durationTicks,
    populations,
    projections,
    stimuli,
    recordings,
    phases,
    quietStepTicks: Math.max(1, toTicks(r.numerics.quietStep, dt)),
    slowStepTicks: Math.max(1, toTicks(r.numerics.slowStep, dt)),
  };
}
