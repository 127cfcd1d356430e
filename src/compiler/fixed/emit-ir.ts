/**
 * Pass "emit-ir": assembles the protobuf IR program (state arrays with formats and raw initial
 * values, connectivity, kernels, stimuli, probes) from the discretised model, the quantised
 * formats and the lowered kernels.
 */
import type { IrProgram } from "../../ir/codec.ts";
import { IR_VERSION } from "../../ir/codec.ts";
import type { Program } from "../../ir/program.ts";
import type { TargetCaps } from "./caps.ts";
import { extent, interval, type Interval } from "./interval.ts";
import { analogVariables, lowerKernels, toIrFormat, type StateSlot } from "./lower.ts";
import { addStampStates, lazyProjections, seenName } from "./lazy.ts";
import { kernelCycles } from "./drc.ts";
import { constantArray, fracFor, toRaw, type Format, type QuantisedVar, RANGE_MARGIN } from "./quantise.ts";

import type { Placement } from "./map.ts";
import type { ParameterArray } from "./variation.ts";
import { inputRange, irCurrent, isCurrent, needsOuState, ouFormat } from "./currents.ts";
import { irStream, streamViolations } from "./streams.ts";

/** The analog core's non-idealities as data (variation.ts). */
export interface VariationData {
  arrays: ParameterArray[];
  /** One coefficient per variable, or one per circuit when its tau is drawn per circuit. */
  noise: Map<string, number | Float64Array>;
  /** Ticks between noise draws (lower.ts, noise-step.ts; 1: every tick in the analog kernel). */
  noisePeriod?: number;
}

export function buildStates(program: Program, quantised: QuantisedVar[], caps: TargetCaps): Map<string, StateSlot & { init: number[]; unit: string; unitScale: number; groupIndex: number }> {
  const byKey = new Map(quantised.map((q) => [`${q.group}.${q.name}`, q]));
  const groups = [...program.populations, ...program.projections];
  const states = new Map<string, StateSlot & { init: number[]; unit: string; unitScale: number; groupIndex: number }>();
  const add = (group: string, groupIndex: number, name: string, format: Format, range: Interval, init: ArrayLike<number>, unit: string, unitScale: number) => {
    const values = Array.from(init, (x) => toRaw(x, format));
    const same = values.every((v) => v === values[0]);
    states.set(`${group}.${name}`, { index: states.size, group, name, format, range, init: same && values.length > 0 ? [values[0]!] : values, unit, unitScale, groupIndex });
  };
  const widthFor = (owner: "neuron" | "synapse") => caps.stateWidth[owner];
  groups.forEach((g, gi) => {
    const owner = program.populations.includes(g as never) ? "neuron" : "synapse";
    for (const v of g.vars) {
      const q = byKey.get(`${g.name}.${v.name}`);
      if (q) {
        const range: Interval = [-(2 ** (q.format.width - q.format.frac)), 2 ** (q.format.width - q.format.frac)];
        add(g.name, gi, v.name, q.format, q.format.signed ? range : [0, range[1]], v.init, v.unit, v.unitScale);
        continue;
      }
      // Parameters, inputs and summed values: formats from their values' range (inputs: also their currents').
      let [lo, hi] = extent(v.init, [0, 0]);
      const currents = inputRange(program, g.name, v.name);
      if (currents) [lo, hi] = [Math.min(lo, currents[0]), Math.max(hi, currents[1])];
      if (v.kind === "summed") {
        for (const pr of program.projections) {
          for (const s of pr.summed) {
            if ((s.scope === "pre" ? pr.pre : pr.post) !== g.name || s.target !== v.name) continue;
            const iv = interval(s.value, (n, scope) => rangeOfVar(program, quantised, scope === "self" ? pr.name : scope === "pre" ? pr.pre : pr.post, n));
            const fanIn = maxFanIn(s.scope === "pre" ? pr.preIndex : pr.postIndex);
            lo = Math.min(lo, iv[0] * fanIn);
            hi = Math.max(hi, iv[1] * fanIn);
          }
        }
      }
      const w = v.kind === "summed" ? caps.accumulatorWidth : widthFor(owner);
      const ufrac = v.format === "ufrac"; // declared unsigned fraction in [0, 1]: uQ0.W (quantise.ts)
      const signed = !ufrac && lo < 0;
      const frac = ufrac ? w : lo === 0 && hi === 0 ? fracFor(0, v.unitScale, w, false) : fracFor(lo * RANGE_MARGIN, hi * RANGE_MARGIN, w, signed);
      add(g.name, gi, v.name, { width: w, signed, frac, rounding: "nearest", overflow: "saturate" }, [lo, hi], v.init, v.unit, v.unitScale);
    }
    if ("refractoryTicks" in g && g.refractoryTicks > 0) {
      const bits = Math.max(1, Math.ceil(Math.log2(g.refractoryTicks + 1)));
      add(g.name, gi, "__refractory", { width: bits, signed: false, frac: 0, rounding: "floor", overflow: "saturate" }, [0, g.refractoryTicks], new Float64Array(g.size), "ticks", 1);
    }
  });
  return states;
}

function maxFanIn(post: Int32Array): number {
  const counts = new Map<number, number>();
  let worst = 0;
  for (const j of post) {
    const n = (counts.get(j) ?? 0) + 1;
    counts.set(j, n);
    if (n > worst) worst = n;
  }
  return worst;
}

function rangeOfVar(program: Program, quantised: QuantisedVar[], group: string, name: string): Interval {
  const q = quantised.find((x) => x.group === group && x.name === name);
  if (q) {
    const m = 2 ** (q.format.width - q.format.frac - (q.format.signed ? 1 : 0));
    return [q.format.signed ? -m : 0, m];
  }
  const g = [...program.populations, ...program.projections].find((x) => x.name === group);
  const v = g?.vars.find((x) => x.name === name);
  if (!v) return [-Infinity, Infinity];
  return extent(v.init, [0, 0]);
}

export function emitIr(program: Program, quantised: QuantisedVar[], caps: TargetCaps, engramVersion: string, digitalPeriod = 1, placements: Map<string, Placement> = new Map(), slowPeriod = digitalPeriod, variation?: VariationData): IrProgram {
  const states = buildStates(program, quantised, caps);
  const groupOrder = [...program.populations, ...program.projections].map((g) => g.name);
  for (const a of variation?.arrays ?? []) {
    // Per-element constants (mismatched circuits), at the owner's state width.
    const owner = program.populations.some((p) => p.name === a.group) ? "neuron" : "synapse";
    states.set(`${a.group}.${a.name}`, { index: states.size, group: a.group, name: a.name, ...constantArray(a.values, caps.stateWidth[owner]), unit: "1", unitScale: 1, groupIndex: groupOrder.indexOf(a.group) });
  }
  // Each OU current keeps its x per neuron in a hidden state array, starting at the mean.
  program.stimuli.forEach((s, i) => {
    if (!isCurrent(s) || !needsOuState(s, program.tickSeconds, toRaw)) return;
    const input = states.get(`${s.target}.${s.input}`)!;
    const format = ouFormat(s);
    const mean = s.kind === "ou_current" ? s.mean : s.amplitude;
    states.set(`${s.target}.__ou${i}`, { index: states.size, group: s.target, name: `__ou${i}`, format, range: [mean, mean], init: [toRaw(mean, format)], unit: input.unit, unitScale: input.unitScale, groupIndex: groupOrder.indexOf(s.target) });
  });
  const groups = [...program.populations.map((p) => ({ name: p.name, kind: 1, size: p.size })), ...program.projections.map((p) => ({ name: p.name, kind: 2, size: p.size }))];
  const groupIndex = new Map(groups.map((g, i) => [g.name, i]));
  // Stamped traces (event-driven or dense) keep a time stamp and gate, or their elapsed ticks, per synapse.
  const lazy = lazyProjections(program, caps, digitalPeriod, analogVariables(program, caps).analog);
  addStampStates(states, program, caps, lazy.plans, lazy.gated, groupOrder);
  const kernels = lowerKernels({ program, caps, states, digitalPeriod, slowPeriod, noise: variation?.noise, noisePeriod: variation?.noisePeriod, lazy: lazy.plans, gated: lazy.gated });
  const stateList = [...states.values()].sort((a, b) => a.index - b.index);
  const sizes = new Map([...program.populations, ...program.projections].map((g) => [g.name, g.size]));
  const groupNames = [...program.populations, ...program.projections].map((g) => g.name);
  for (const k of kernels) if (k.unit === 1) k.cycles = kernelCycles(k, sizes.get(groupNames[k.group]!)!, caps);
  return {
    header: {
      ir_version: IR_VERSION,
      engram_version: engramVersion,
      target: caps.name,
      seed: program.seed,
      tick_seconds: program.tickSeconds,
      duration_ticks: program.durationTicks,
      model_name: program.name,
      model_sha256: program.modelHash,
      acceleration: caps.acceleration,
      clock_hz: Number.isFinite(caps.clockHz) ? caps.clockHz : 0,
      rounding_bits: caps.roundingBits,
    },
    groups,
    states: stateList.map((s) => ({ name: `${s.group}.${s.name}`, group: s.groupIndex, format: toIrFormat(s.format), init: s.init, unit: s.unit, unit_scale: s.unitScale })),
    connectivity: program.projections.map((p) => {
      const pl = placements.get(p.name);
      return {
        synapses: groupIndex.get(p.name)!,
        pre: groupIndex.get(p.pre)!,
        post: groupIndex.get(p.post)!,
        pre_index: Array.from(p.preIndex),
        post_index: Array.from(p.postIndex),
        array: pl ? Array.from(pl.array) : [],
        row: pl ? Array.from(pl.row) : [],
        column: pl ? Array.from(pl.column) : [],
        label: pl ? Array.from(pl.label) : [],
      };
    }),
    kernels,
    stimuli: program.stimuli.flatMap((s, i): IrProgram["stimuli"] => {
      const group = groupIndex.get(s.target)!;
      if (s.kind === "spikes") return [{ group, spikes: { ticks: Array.from(s.ticks), neurons: Array.from(s.which) } }];
      if (s.kind === "poisson") return [{ group, poisson: { neurons: Array.from(s.neurons), prob_per_tick_q32: Math.min(2 ** 32 - 1, Math.round(s.probPerTick * 2 ** 32)), start_tick: s.startTick, stop_tick: s.stopTick, burst_on_ticks: s.burstOnTicks, burst_period_ticks: s.burstPeriodTicks } }];
      if (s.kind === "regular") return [{ group, regular: { neurons: Array.from(s.neurons), start_tick: s.startTick, stop_tick: s.stopTick, interval_ticks: s.intervalTicks } }];
      const input = states.get(`${s.target}.${s.input}`);
      if (!input) return []; // reported by unsupportedStimuli
      if (s.kind === "stream") return caps.streams ? [{ group, stream: irStream(s, input.index, caps) }] : []; // else refused by unsupportedStimuli
      return [{ group, current: irCurrent(s, program.tickSeconds, input, states.get(`${s.target}.__ou${i}`), toRaw) }];
    }),
    probes: program.recordings.flatMap((r) => {
      // a stamped trace is recorded as read at the sample (decayed to it), not as stored at its last event
      const st = states.get(`${r.group}.${seenName(r.var)}`) ?? states.get(`${r.group}.${r.var}`)!;
      return [{ state: st.index, elements: Array.from(r.elements), every_ticks: r.everyTicks, column: r.columns.length === 1 ? r.columns[0]! : probeBase(r.columns[0]!) }];
    }),
  };
}

/** Stimuli the IR cannot carry, as violations reported next to the resource checks: currents into an input that is no state of the population. */
export function unsupportedStimuli(program: Program, caps: TargetCaps): { code: string; message: string; hint: string }[] {
  const streams = streamViolations(program, caps);
  if (streams.length > 0) return streams;
  const unsupported = program.stimuli.filter((s) => (isCurrent(s) || s.kind === "stream") && !program.populations.find((p) => p.name === s.target)?.vars.some((v) => v.name === s.input));
  if (unsupported.length === 0) return [];
  const u = unsupported[0]!;
  return [{ code: "unsupported-stimulus", message: `${u.kind} stimuli (${unsupported.length}, the first on "${u.target}") drive an input the population does not declare, so the IR has no state to add them to`, hint: "name one of the population's inputs in the stimulus' input key" }];
}

/** A multi-element recording's probe column: the reference target's column name without its
 *  `[element]` suffix (the alias given with `as:`, else `group.var`), so the emulators name the
 *  recorded columns exactly as the float64 reference does. */
function probeBase(firstColumn: string): string {
  return firstColumn.replace(/\[\d+\]$/, "");
}
