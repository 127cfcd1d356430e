/**
 * Estimates what a resolved model will allocate and how long it asks to run, before elaboration
 * allocates anything, and refuses what exceeds the limits (src/ir/limits.ts) with the estimate,
 * the limit and the flag that raises it. Cheap: arithmetic on sizes, no arrays.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics/diagnostic.ts";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { limitFlagName, HARD_LIMITS, type Limits } from "../ir/limits.ts";
import { parseQuantity } from "../model/units.ts";
import type { ProjectionDef, ResolvedModel } from "./model.ts";

/** Expected number of synapses of a projection, and the pairs a random connection draws for. */
export function synapseEstimate(pr: ProjectionDef, nPre: number, nPost: number): { synapses: number; pairs: number } {
  const c = pr.connect.value;
  const same = pr.pre === pr.post;
  if (c.kind === "one_to_one") return { synapses: Math.min(nPre, nPost), pairs: 0 };
  if (c.kind === "pairs") return { synapses: c.pairs.length, pairs: 0 };
  const all = nPre * nPost - (same && !c.autapses ? Math.min(nPre, nPost) : 0);
  return c.kind === "random" ? { synapses: Math.ceil(all * c.p), pairs: nPre * nPost } : { synapses: all, pairs: 0 };
}

/** SI value of a quantity, or undefined when it does not parse (the passes report that). */
function si(text: string | number | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseQuantity(text).si;
  } catch {
    return undefined;
  }
}

const fmt = (x: number) => (x >= 1e6 ? x.toExponential(2) : String(Math.round(x)));

export function checkLimits(m: ResolvedModel, limits: Limits): void {
  const out: Diagnostic[] = [];
  const over = (key: keyof Limits, estimate: number, what: string, where: SourceLocation) => {
    if (!(estimate > limits[key])) return;
    const hard = HARD_LIMITS[key];
    const raisable = hard === undefined || estimate <= hard;
    out.push({
      code: "limit",
      message: `the model asks for ${fmt(estimate)} ${what}, more than the limit of ${fmt(limits[key])}`,
      where,
      received: fmt(estimate),
      expected: `at most ${fmt(limits[key])}`,
      hint: raisable ? `if the machine has the memory and time for it, raise the limit with --limit ${limitFlagName(key)}=${Math.ceil(estimate)}` : `${what} beyond ${fmt(hard!)} cannot be represented`,
    });
  };
  const dt = m.dt.value;
  const durationTicks = m.duration.value / dt;
  over("durationTicks", durationTicks, `ticks (duration ${m.duration.value} s / dt ${dt} s)`, m.duration.where);

  const sizes = new Map(m.populations.map((p) => [p.name, p.size]));
  const neurons = m.populations.reduce((s, p) => s + p.size, 0);
  const largest = m.populations.reduce((a, p) => (p.size > a.size ? p : a), m.populations[0]!);
  over("neurons", neurons, "neurons over all populations", largest.where);

  const synapseCount = new Map<string, number>();
  let synapses = 0;
  for (const pr of m.projections) {
    const e = synapseEstimate(pr, sizes.get(pr.pre) ?? 0, sizes.get(pr.post) ?? 0);
    synapseCount.set(pr.name, e.synapses);
    synapses += e.synapses;
    over("connectPairs", e.pairs, `neuron pairs to draw random connections for in "${pr.name}"`, pr.connect.where);
    over("synapses", e.synapses, `synapses in projection "${pr.name}"`, pr.connect.where);
  }
  if (m.projections.length > 1) over("synapses", synapses, "synapses over all projections", m.where);

  // Spike history: every population keeps (longest delay of the events it triggers + 1) ticks of spikes.
  for (const p of m.populations) {
    let delay = 0;
    for (const pr of m.projections) {
      if (pr.pre === p.name) for (const e of pr.onPre) delay = Math.max(delay, e.delay.value);
      if (pr.post === p.name) for (const e of pr.onPost) delay = Math.max(delay, e.delay.value);
    }
    over("spikeHistory", (Math.round(delay / dt) + 1) * Math.max(1, p.size), `entries of spike history for "${p.name}" (longest delay ${delay} s / dt x ${p.size} neurons)`, p.where);
  }

  let recorded = 0;
  for (const r of m.recordings) {
    const size = sizes.get(r.group) ?? synapseCount.get(r.group) ?? 0;
    const columns = r.elements === "all" ? size : r.elements.length;
    const every = Math.max(1, Math.round(r.every / dt));
    recorded += (Math.floor(durationTicks / every) + 1) * columns;
  }
  over("recordedValues", recorded, "recorded samples (samples x columns over all recordings)", m.recordings[0]?.where ?? m.where);

  let listed = 0;
  let spikes = 0;
  const recordedPops = new Set(m.spikeRecording);
  for (const s of m.stimuli) {
    const spec = s.spec;
    const n = spec.neurons?.length ?? sizes.get(spec.target) ?? 0;
    if (spec.kind === "spikes") {
      listed += spec.times.length * n;
      continue;
    }
    if (spec.kind !== "poisson" && spec.kind !== "regular") continue;
    const start = si(spec.start) ?? 0;
    const stop = si(spec.stop) ?? m.duration.value;
    const window = Math.max(0, Math.min(stop, m.duration.value) - Math.max(0, start));
    const rate = spec.kind === "poisson" ? si(spec.rate) ?? 0 : 1 / Math.max(dt, si(spec.interval) ?? Infinity);
    if (recordedPops.has(spec.target)) spikes += rate * window * n;
  }
  over("listedSpikes", listed, "listed spike times (times x neurons over all spikes stimuli)", m.stimuli.find((s) => s.spec.kind === "spikes")?.locate("times") ?? m.where);
  over("recordedSpikes", spikes, "recorded stimulus spikes (rate x window x neurons, expected)", m.stimuli[0]?.where ?? m.where);
  if (out.length > 0) throw new EngramError(out);
}
