/**
 * Design-rule checks: a list of small named checks of a lowered program against the target's
 * limits. A network that does not fit fails with every violation, each with the limit, the
 * actual number and a remedy.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { IrProgram } from "../../ir/codec.ts";
import { OP_BY_CODE } from "../../ir/ops.ts";
import type { Program } from "../../ir/program.ts";
import type { TargetCaps } from "./caps.ts";
import { isCircuitParameter } from "./variation.ts";
import { evaluate } from "../../ir/interpret.ts";

export interface KernelBudget {
  kernel: string;
  cyclesPerRun: number;
  cyclesAvailable: number;
  periodTicks: number;
}

/** Cycles one run of a kernel costs: op cost per instruction times the instructions needed for all elements. */
export function kernelCycles(k: IrProgram["kernels"][number], elements: number, caps: TargetCaps): number {
  let cycles = 0;
  for (const o of k.ops) {
    const info = OP_BY_CODE.get(o.op)!;
    const width = o.dst < k.registers.length ? k.registers[o.dst]!.format.width : caps.registerWidth;
    const lanes = caps.lanes[width <= 8 ? 8 : width <= 16 ? 16 : 32] ?? caps.lanes[caps.registerWidth] ?? 1;
    cycles += info.cost[caps.costKey] * Math.ceil(elements / lanes);
  }
  return cycles;
}

export function budgets(ir: IrProgram, caps: TargetCaps): KernelBudget[] {
  const h = ir.header;
  return ir.kernels.filter((k) => k.periodic && k.unit === 1).map((k) => {
    const period = k.periodic!.period_ticks;
    const hardwareSeconds = (period * h.tick_seconds) / caps.acceleration;
    return { kernel: k.name, cyclesPerRun: kernelCycles(k, ir.groups[k.group]!.size, caps), cyclesAvailable: Math.floor(hardwareSeconds * caps.clockHz), periodTicks: period };
  });
}

export interface StreamBudget {
  /** e.g. `stream into "res" (1 channel, 4 vectors)`. */
  stream: string;
  cyclesPerTick: number;
}

/**
 * Cycles per tick the processor spends adding each stream stimulus into its neurons' inputs (one
 * multiply-add per driven neuron and channel): per vector of `lanes` driven neurons,
 * channels x perVectorChannel + perVector, the costs the target declares as data
 * (caps.streams.cycles). A stream runs every tick, so over a period of P ticks it takes P times that.
 */
export function streamBudgets(ir: IrProgram, caps: TargetCaps): StreamBudget[] {
  const cost = caps.streams?.cycles;
  if (!cost) return [];
  return ir.stimuli.flatMap((s) => {
    if (!s.stream) return [];
    const vectors = Math.ceil(s.stream.neurons.length / cost.lanes);
    const k = s.stream.channels;
    return [{ stream: `stream into "${ir.groups[s.group]!.name}" (${k} channel${k === 1 ? "" : "s"}, ${vectors} vector${vectors === 1 ? "" : "s"})`, cyclesPerTick: vectors * (k * cost.perVectorChannel + cost.perVector) }];
  });
}

/** Processor cycles in `period` ticks at the target's acceleration and clock. */
const cyclesIn = (ir: IrProgram, caps: TargetCaps, period: number) => Math.floor(((period * ir.header.tick_seconds) / caps.acceleration) * caps.clockHz);

interface Check {
  name: string;
  run(ir: IrProgram, program: Program, caps: TargetCaps): Diagnostic[];
}

const d = (code: string, message: string, expected: string, received: string, hint: string): Diagnostic => ({ code, message, expected, received, hint });

export const CHECKS: Check[] = [
  {
    name: "neurons",
    run(_ir, p, caps) {
      const n = p.populations.filter((x) => !x.source).reduce((s, x) => s + x.size, 0);
      return n > caps.limits.neurons ? [d("drc-neurons", `the network has ${n} neurons; ${caps.name} has ${caps.limits.neurons} (${caps.sources.neurons ?? "target description"})`, `<= ${caps.limits.neurons}`, String(n), `scale the populations down by ${(n / caps.limits.neurons).toFixed(1)}x or split the network over ${Math.ceil(n / caps.limits.neurons)} chips`)] : [];
    },
  },
  {
    name: "synapses",
    run(_ir, p, caps) {
      const n = p.projections.reduce((s, x) => s + x.size, 0);
      return n > caps.limits.synapses ? [d("drc-synapses", `the network has ${n} synapses; ${caps.name} has ${caps.limits.synapses} (${caps.sources.synapses ?? "target description"})`, `<= ${caps.limits.synapses}`, String(n), "reduce the connection probability or the population sizes")] : [];
    },
  },
  {
    name: "fan-in",
    run(_ir, p, caps) {
      const out: Diagnostic[] = [];
      for (const pr of p.projections) {
        const counts = new Map<number, number>();
        for (const j of pr.postIndex) counts.set(j, (counts.get(j) ?? 0) + 1);
        const worst = Math.max(0, ...counts.values());
        if (worst > caps.limits.fanIn) out.push(d("drc-fan-in", `a neuron of "${pr.post}" receives ${worst} synapses through "${pr.name}"; ${caps.name} allows ${caps.limits.fanIn} inputs per neuron (${caps.sources.fanIn ?? "target description"})`, `<= ${caps.limits.fanIn}`, String(worst), "lower the connection probability or combine inputs"));
      }
      return out;
    },
  },
  {
    name: "kernel-cycles",
    run(ir, _p, caps) {
      // Digital kernels with the same period share the processor within that period, with the
      // streams, which take their cycles every tick.
      const byPeriod = new Map<number, KernelBudget[]>();
      for (const b of budgets(ir, caps)) byPeriod.set(b.periodTicks, [...(byPeriod.get(b.periodTicks) ?? []), b]);
      const streams = streamBudgets(ir, caps);
      const streamTick = streams.reduce((s, b) => s + b.cyclesPerTick, 0);
      if (streamTick > 0 && !byPeriod.has(1)) byPeriod.set(1, []);
      return [...byPeriod].flatMap(([period, list]) => {
        const used = list.reduce((s, b) => s + b.cyclesPerRun, 0) + period * streamTick;
        const available = cyclesIn(ir, caps, period);
        if (used <= available) return [];
        const named = streams.map((b) => `the ${b.stream.replace(/\)$/, `: ${b.cyclesPerTick} cycles per tick)`)}`);
        const what = list.length === 0 ? named.join(" and ") : `the digital kernels ${list.map((b) => `"${b.kernel}"`).join(", ")}${named.length ? ` and ${named.join(" and ")}` : ""}`;
        return [d("drc-kernel-cycles", `${what} need${list.length === 0 && streams.length === 1 ? "s" : ""} ${used} cycles every ${period} tick(s), but only ${available} fit in that time at ${caps.acceleration}x acceleration and ${caps.clockHz / 1e6} MHz`, `<= ${available} cycles per period`, `${used} cycles`, list.length === 0 ? "drive fewer neurons or channels from the stream, or run at a lower acceleration" : `update the slow variables less often (a longer period), split the network over more processors, or run at a lower acceleration`)];
      });
    },
  },
  {
    name: "weights",
    run(_ir, p, caps) {
      const xb = caps.synapseArray;
      if (!xb) return [];
      const out: Diagnostic[] = [];
      for (const pr of p.projections) {
        const w = initialWeights(p, pr);
        if (!w) continue;
        let pos = 0, neg = 0, smallest = Infinity, largest = 0;
        for (const x of w) {
          if (x > 0) pos++;
          if (x < 0) neg++;
          if (x !== 0) smallest = Math.min(smallest, Math.abs(x));
          largest = Math.max(largest, Math.abs(x));
        }
        if (pos > 0 && neg > 0) out.push(d("drc-weight-sign", `projection "${pr.name}" has ${pos} excitatory and ${neg} inhibitory weights, but all synapses of a row share one sign (${xb.source})`, "one sign per projection", `${pos} positive, ${neg} negative`, "split the projection into an excitatory and an inhibitory one"));
        const levels = 2 ** xb.weightBits - 1;
        if (largest > 0 && largest / smallest > levels) out.push(d("drc-weight-range", `the weights of "${pr.name}" span a ratio of ${(largest / smallest).toPrecision(3)}, more than the ${levels} steps of a ${xb.weightBits}-bit weight: the smallest would round to zero`, `max/min <= ${levels}`, (largest / smallest).toPrecision(3), "narrow the weight distribution or drop the weakest synapses"));
      }
      return out;
    },
  },
  {
    name: "memory",
    run(ir, _p, caps) {
      if (caps.limits.memoryBytes <= 0) return [];
      const bytes = ir.states.reduce((s, st) => (isCircuitParameter(st.name) ? s : s + Math.ceil(st.format.width / 8) * ir.groups[st.group]!.size), 0);
      return bytes > caps.limits.memoryBytes ? [d("drc-memory", `the state arrays need ${bytes} bytes; ${caps.name} has ${caps.limits.memoryBytes} (${caps.sources.memoryBytes ?? "target description"})`, `<= ${caps.limits.memoryBytes} bytes`, `${bytes} bytes`, "narrow the formats (--bits) or reduce the network")] : [];
    },
  },
];

/**
 * Each synapse's weight at the start: the value its on_pre handler adds to the postsynaptic
 * neuron's input (the PSC), evaluated with the synapse's initial state. null if there is none.
 */
function initialWeights(p: Program, pr: Program["projections"][number]): Float64Array | null {
  const a = pr.onPre.flatMap((e) => e.assigns).find((x) => x.scope === "post" && (x.op === "+=" || x.op === "-="));
  if (!a) return null;
  const self = new Map(pr.vars.map((v) => [v.name, v.init]));
  const post = new Map((p.populations.find((x) => x.name === pr.post)?.vars ?? []).map((v) => [v.name, v.init]));
  const pre = new Map((p.populations.find((x) => x.name === pr.pre)?.vars ?? []).map((v) => [v.name, v.init]));
  const out = new Float64Array(pr.size);
  for (let k = 0; k < pr.size; k++) {
    const v = evaluate(a.value, (name, scope) => {
      const m = scope === "self" ? self : scope === "post" ? post : pre;
      const arr = m.get(name);
      const i = scope === "self" ? k : scope === "post" ? pr.postIndex[k]! : pr.preIndex[k]!;
      return arr ? arr[arr.length === 1 ? 0 : i]! : NaN;
    });
    out[k] = a.op === "-=" ? -v : v;
  }
  return out;
}

export function designRuleChecks(ir: IrProgram, program: Program, caps: TargetCaps): Diagnostic[] {
  return CHECKS.flatMap((c) => c.run(ir, program, caps));
}
