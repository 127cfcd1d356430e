/**
 * A NIR graph as an engram network: Input nodes become spike sources, neuron nodes populations of
 * the matching models/components/nir/ neuron, and every chain of weight nodes between two of them
 * one or more projections (shared-weight labels become one projection per kernel element).
 * Outputs record the population that feeds them, or, when weights feed them, an nir-output
 * population that integrates the signal. A Delay on a continuous signal becomes a chain of one-step
 * nir-delay-relay populations (summed inputs carry no delay). What engram cannot express is refused with the node's
 * name; nothing here writes files (import.ts does, atomically).
 */
import { EngramError, didYouMean, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { elementCount, type NirArray, type NirFile, type NirGraph, type NirNode } from "./nir-graph.ts";
import { applyToVector, compose, concat, emptyOp, identityOp, type LinearOp } from "./linear-op.ts";
import { buildMap, broadcast, FieldError, MAP_TYPES } from "./nir-maps.ts";

/** Neuron node types: engram component, parameters (name, is-a-time, default when absent). */
export const NEURONS: Record<string, { component: string; synapse: string; spiking: boolean; params: [string, boolean, number | undefined][] }> = {
  LIF: { component: "nir-lif", synapse: "nir-input-leaky", spiking: true, params: [["tau", true, undefined], ["r", false, undefined], ["v_leak", false, undefined], ["v_threshold", false, undefined], ["v_reset", false, 0]] },
  LI: { component: "nir-li", synapse: "nir-input-leaky", spiking: false, params: [["tau", true, undefined], ["r", false, undefined], ["v_leak", false, undefined]] },
  CubaLIF: { component: "nir-cubalif", synapse: "nir-input-cuba", spiking: true, params: [["tau_syn", true, undefined], ["tau_mem", true, undefined], ["r", false, undefined], ["v_leak", false, undefined], ["v_threshold", false, undefined], ["v_reset", false, 0], ["w_in", false, 1]] },
  CubaLI: { component: "nir-cubali", synapse: "nir-input-cuba", spiking: false, params: [["tau_syn", true, undefined], ["tau_mem", true, undefined], ["r", false, undefined], ["v_leak", false, undefined], ["w_in", false, 1]] },
  IF: { component: "nir-if", synapse: "nir-input-if", spiking: true, params: [["r", false, undefined], ["v_threshold", false, undefined], ["v_reset", false, 0]] },
  I: { component: "nir-integrator", synapse: "nir-input-if", spiking: false, params: [["r", false, undefined]] },
  // Heaviside of its input of the step: spikes (area spike_area over one step) and continuous signals.
  Threshold: { component: "nir-threshold", synapse: "nir-input-threshold", spiking: true, params: [["threshold", false, undefined]] },
};
NEURONS.Integrator = NEURONS.I!;

const REFUSED: Record<string, string> = {};
/** Longest Delay on a continuous signal, in steps dt: one relay population per step (nir-delay-relay). */
export const MAX_CONTINUOUS_DELAY_TICKS = 64;
/** Neuron components with a continuous input I_c (models/components/nir/*-continuous.yaml); Threshold always has one. */
const continuousComponent = (type: string) => (type === "Threshold" ? "nir-threshold" : `${NEURONS[type]!.component}-continuous`);
const KNOWN = ["Input", "Output", "NIRGraph", ...MAP_TYPES, ...Object.keys(NEURONS)];

export interface ImportOptions {
  /** Step in seconds (default 1e-4). */
  dt: number;
  /** Run length in seconds (default 1). */
  duration: number;
  /**
   * Area of one spike in seconds: the step dt (the default: a spike is an input of 1 held for one
   * step, as snnTorch, Norse and Rockpool simulate NIR graphs) or 1 (unit-area Dirac deltas).
   */
  spikeArea?: number;
  /** Network name (default: the file's base name). */
  name: string;
  /** The NIR file, for messages. */
  file: string;
}

export interface ImportedModel {
  /** The network YAML document (plain data, in key order). */
  network: Record<string, unknown>;
  /** Component files the network refers to (nir-*.yaml). */
  components: string[];
  /** Engram's own plasticity, if the file carries it (see nir-write.ts). */
  metadata: Map<string, string>;
}

interface FlatNode {
  name: string;
  node: NirNode;
  kind: "input" | "output" | "port" | "map" | "neuron";
  preds: string[];
  succs: string[];
}

export function nirToModel(nir: NirFile, opt: ImportOptions): ImportedModel {
  const fail = (node: FlatNode | { name: string; node: NirNode }, field: string, message: string, extra: Partial<Diagnostic> = {}): never => {
    throw new EngramError([{ code: "bad-nir", message: `node "${node.name}" (${node.node.type}): ${message}`, where: { file: displayPath(opt.file), path: [`${node.node.path}/${field}`] }, ...extra }]);
  };
  const nodes = flatten(nir.graph, "", opt.file, true);

  // Types engram can and cannot express.
  for (const n of nodes.values()) {
    if (REFUSED[n.node.type]) fail(n, "type", `NIR ${n.node.type} is not supported: ${REFUSED[n.node.type]}`, { code: "unsupported-node" });
    if (!KNOWN.includes(n.node.type)) fail(n, "type", `unknown NIR node type "${n.node.type}"`, { code: "unknown-node", expected: `one of ${KNOWN.join(", ")}`, received: n.node.type, hint: didYouMean(n.node.type, KNOWN) ? `did you mean "${didYouMean(n.node.type, KNOWN)}"?` : undefined });
    if (n.kind === "input" && n.preds.length > 0) fail(n, "type", `an Input receives edges (from ${n.preds.join(", ")})`);
    if (n.kind === "output" && n.succs.length > 0) fail(n, "type", `an Output sends edges (to ${n.succs.join(", ")})`);
  }

  // Shapes, forward from Inputs and from neuron parameters, until nothing changes (cycles pass through neurons).
  const shapes = new Map<string, number[]>();
  const maps = new Map<string, { op: LinearOp; bias: Float64Array }>();
  const sizeOfParams = (n: FlatNode): number | undefined => {
    let size: number | undefined;
    for (const [field] of NEURONS[n.node.type]!.params) {
      const a = n.node.params.get(field);
      if (a && a.data.length > 1) {
        if (size !== undefined && a.data.length !== size) fail(n, field, `"${field}" has ${a.data.length} values but other parameters have ${size}`);
        size = a.data.length;
      }
    }
    return size;
  };
  for (const n of nodes.values()) {
    if (n.kind === "input") shapes.set(n.name, Array.from(need(n, "shape", fail).data));
    if (n.kind === "neuron") {
      const s = sizeOfParams(n);
      if (s !== undefined) shapes.set(n.name, [s]);
    }
  }
  const inShape = (n: FlatNode): number[] | undefined => {
    const known = n.preds.map((p) => shapes.get(p));
    if (known.some((s) => s === undefined) || known.length === 0) return undefined;
    const sizes = known.map((s) => elementCount(s!));
    if (sizes.some((s) => s !== sizes[0])) fail(n, "type", `its inputs have different sizes: ${n.preds.map((p, i) => `${p} ${sizes[i]}`).join(", ")}`, { code: "shape-mismatch" });
    return known[0]!;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of nodes.values()) {
      if (shapes.has(n.name) && n.kind !== "neuron") continue;
      const s = inShape(n);
      if (!s) continue;
      if (n.kind === "neuron") {
        const own = shapes.get(n.name);
        if (own && elementCount(own) !== elementCount(s)) fail(n, NEURONS[n.node.type]!.params.find(([f]) => (n.node.params.get(f)?.data.length ?? 1) > 1)?.[0] ?? "type", `has ${elementCount(own)} neurons but receives ${elementCount(s)} values (from ${n.preds.join(", ")})`, { code: "shape-mismatch" });
        if (!own) (shapes.set(n.name, [elementCount(s)]), (changed = true));
        continue;
      }
      if (n.kind === "map") {
        try {
          const m = buildMap(n.node, s);
          maps.set(n.name, m);
          shapes.set(n.name, m.outShape);
        } catch (e) {
          if (e instanceof FieldError) fail(n, e.field, e.message, { code: "shape-mismatch", expected: e.expected, received: e.received });
          throw e;
        }
      } else shapes.set(n.name, s);
      changed = true;
    }
  }
  for (const n of nodes.values()) {
    if (!shapes.has(n.name)) fail(n, "type", "its size cannot be determined: it has no input from an Input node and no parameter arrays", { code: "shape-unknown" });
    if (n.kind === "output" && n.node.params.has("shape")) {
      const declared = elementCount(Array.from(n.node.params.get("shape")!.data));
      if (declared !== elementCount(shapes.get(n.name)!)) fail(n, "shape", `declares ${declared} values but receives ${elementCount(shapes.get(n.name)!)}`, { code: "shape-mismatch", expected: String(elementCount(shapes.get(n.name)!)), received: JSON.stringify(Array.from(n.node.params.get("shape")!.data)) });
    }
  }

  // Populations: sources, neurons, and Outputs fed through weights.
  const isPopulation = (n: FlatNode) => n.kind === "input" || n.kind === "neuron";
  interface Incoming {
    sources: Map<string, LinearOp>;
    bias: Float64Array;
    /** Per source: the last weight node on its way in (names the projection). */
    via: Map<string, string>;
  }
  const memo = new Map<string, Incoming>();
  const visiting = new Set<string>();
  /** The summed input of node n, as maps from source populations plus a constant. */
  const incoming = (n: FlatNode): Incoming => {
    const size = elementCount(shapes.get(n.preds[0] ?? n.name) ?? shapes.get(n.name)!);
    const acc: Incoming = { sources: new Map(), bias: new Float64Array(size), via: new Map() };
    for (const p of n.preds) {
      const pn = nodes.get(p)!;
      let part: Incoming;
      if (isPopulation(pn)) {
        part = { sources: new Map([[p, identityOp(elementCount(shapes.get(p)!))]]), bias: new Float64Array(size), via: new Map([[p, `${p}_to_${n.name}`]]) };
      } else part = outputOf(pn);
      for (const [s, op] of part.sources) {
        acc.sources.set(s, acc.sources.has(s) ? concat(acc.sources.get(s)!, op) : op);
        if (!acc.via.has(s)) acc.via.set(s, maps.has(p) ? p : part.via.get(s)!);
      }
      for (let i = 0; i < size; i++) acc.bias[i]! += part.bias[i]!;
    }
    return acc;
  };
  const outputOf = (n: FlatNode): Incoming => {
    const done = memo.get(n.name);
    if (done) return done;
    if (visiting.has(n.name)) fail(n, "type", "it lies on a cycle of weight nodes with no neuron on it; engram needs a population on every loop", { code: "cycle-without-neuron" });
    visiting.add(n.name);
    const inc = incoming(n);
    let out = inc;
    const m = maps.get(n.name);
    if (m) {
      const sources = new Map<string, LinearOp>();
      for (const [s, op] of inc.sources) sources.set(s, compose(m.op, op));
      const bias = applyToVector(m.op, inc.bias);
      for (let i = 0; i < bias.length; i++) bias[i]! += m.bias[i]!;
      out = { sources, bias, via: inc.via };
    }
    visiting.delete(n.name);
    memo.set(n.name, out);
    return out;
  };

  const used = new Set<string>();
  const ident = (raw: string) => {
    let s = raw.replace(/[^A-Za-z0-9_]/g, "_");
    if (!/^[A-Za-z_]/.test(s)) s = `n${s}`;
    let t = s;
    for (let k = 2; used.has(t); k++) t = `${s}_${k}`;
    used.add(t);
    return t;
  };
  const popName = new Map<string, string>();
  const relayPops = new Set<string>();
  const populations: Record<string, unknown> = {};
  const projections: Record<string, unknown> = {};
  const recordings: Record<string, unknown>[] = [];
  const components = new Set<string>();
  const everyDt = `${fmt(opt.dt)} s`;

  /** A neuron whose output is the continuous v (LI, CubaLI, Integrator): its projections are nir-continuous. */
  const neuronInputs = new Map<string, Incoming>();
  const isContinuous = (name: string) => {
    const x = nodes.get(name)!;
    return x.kind === "neuron" && !NEURONS[x.node.type]!.spiking;
  };
  for (const n of nodes.values()) {
    if (n.kind === "input") {
      popName.set(n.name, ident(n.name));
      populations[popName.get(n.name)!] = { source: true, size: elementCount(shapes.get(n.name)!) };
    }
    if (n.kind === "neuron") {
      const spec = NEURONS[n.node.type]!;
      const size = elementCount(shapes.get(n.name)!);
      const params: Record<string, unknown> = {};
      for (const [field, isTime, fallback] of spec.params) {
        const a = n.node.params.get(field);
        if (!a && fallback === undefined) fail(n, field, `missing parameter "${field}"`, { code: "missing-field", expected: `${spec.params.map(([f]) => f).join(", ")}` });
        const values = a ? broadcastOrFail(n, a, size, field, fail) : new Float64Array(size).fill(fallback!);
        if (isTime) for (let i = 0; i < size; i++) if (!(values[i]! > 0)) fail(n, field, `time constant ${field}[${i}] must be positive (seconds)`, { received: String(values[i]) });
        params[field] = paramValue(values, a?.dtype ?? "f64", isTime ? "s" : undefined);
      }
      // The Threshold's step-long input: its time constant follows dt (nir-threshold.yaml).
      if (n.node.type === "Threshold") Object.assign(params, { dt_sample: `${fmt(opt.dt)} s`, tau_step: `${fmt(opt.dt / 64)} s` });
      popName.set(n.name, ident(n.name));
      const inc = incoming(n);
      neuronInputs.set(n.name, inc); // used again for the projections
      const continuousIn = n.node.type === "Threshold" || [...inc.sources.keys()].some(isContinuous);
      const component = continuousIn ? continuousComponent(n.node.type) : spec.component;
      populations[popName.get(n.name)!] = { neuron: `${component}.yaml`, size, params };
      components.add(component);
      if (continuousIn && component !== spec.component && spec.component !== "") components.add(spec.component); // the file it extends
    }
  }
  // Outputs: record what feeds them directly, or integrate a weighted signal in an nir-output population.
  for (const n of nodes.values()) {
    if (n.kind !== "output") continue;
    const inc = incoming(n);
    const direct = inc.sources.size === 1 && inc.bias.every((b) => b === 0) && [...inc.sources.values()].every((op) => isPlainIdentity(op));
    const as = ident(n.name);
    used.delete(as);
    if (direct) {
      const src = nodes.get([...inc.sources.keys()][0]!)!;
      if (src.kind === "neuron" && !NEURONS[src.node.type]!.spiking) recordings.push({ var: `${popName.get(src.name)}.v`, as, elements: "all", every: everyDt });
      // Spiking sources are in spikes.csv (record_spikes defaults to every population).
      continue;
    }
    popName.set(n.name, ident(n.name));
    const size = elementCount(shapes.get(n.name)!);
    populations[popName.get(n.name)!] = { neuron: "nir-output.yaml", size, ...(inc.bias.some((b) => b !== 0) ? { params: { i_bias: paramValue(inc.bias, "f64") } } : {}) };
    components.add("nir-output");
    recordings.push({ var: `${popName.get(n.name)}.q`, as: `${as}_integral`, elements: "all", every: everyDt });
  }

  // Projections into every neuron population and nir-output population.
  for (const n of nodes.values()) {
    const post = popName.get(n.name);
    if (!post || n.kind === "input") continue;
    const inc = neuronInputs.get(n.name) ?? incoming(n);
    if (n.kind === "neuron" && inc.bias.some((b) => b !== 0)) ((populations[post] as { params: Record<string, unknown> }).params.i_bias = paramValue(inc.bias, "f64"));
    for (const [src, op] of inc.sources) {
      const pre = popName.get(src)!;
      const lastMap = inc.via.get(src)!;
      const continuous = isContinuous(src);
      const srcType = nodes.get(src)!.node.type;
      if (continuous && n.kind === "output") fail(n, "type", `it receives the continuous v of "${src}" (${srcType}) through weights; engram's nir-output integrates spikes, so only a direct edge records a continuous signal`, { code: "continuous-signal", hint: `connect the Output to "${src}" directly to record its v` });
      const synapse = continuous ? "nir-continuous" : n.kind === "output" ? "nir-input-output" : NEURONS[n.node.type]!.synapse;
      const failAt = (code: string) => (field: string, msg: string, extra: Partial<Diagnostic> = {}) => fail(nodes.get(lastMap) ?? n, field, msg, { code, ...extra });
      // A delayed continuous signal travels through a chain of one-step relays; each tap is a delay-free projection.
      const taps = continuous && op.d.some((d) => d !== 0) ? relayChain(op, src, srcType, lastMap, pre) : [{ pre, op, prefix: lastMap }];
      for (const tap of taps) {
        for (const proj of projectionsOf(tap.op, opt.dt, opt.spikeArea ?? opt.dt, failAt("off-grid-delay"))) {
          if (continuous) delete proj.params.spike_area;
          const name = ident(`${tap.prefix}${proj.suffix}`);
          projections[name] = { pre: tap.pre, post, synapse: `${synapse}.yaml`, connect: proj.connect, ...(Object.keys(proj.params).length ? { params: proj.params } : {}) };
          components.add(synapse);
        }
      }
    }
  }

  /**
   * NIR's Delay on a continuous v: summed inputs have no delay, so the signal is relayed through
   * k populations of nir-delay-relay units (one step each, v <- I_c) for a delay of k steps, and
   * the Delay's entries of k steps read the k-th relay. A chain longer than MAX_CONTINUOUS_DELAY_TICKS
   * is refused at the Delay's field, quoting the value.
   */
  function relayChain(op: LinearOp, src: string, srcType: string, lastMap: string, pre: string): { pre: string; op: LinearOp; prefix: string }[] {
    const at = nodes.get(lastMap) ?? nodes.get(src)!;
    const byTicks = new Map<number, LinearOp>();
    for (let k = 0; k < op.pre.length; k++) {
      const d = op.d[k]!;
      const ticks = Math.round(d / opt.dt);
      if (Math.abs(ticks * opt.dt - d) > 1e-9 * Math.max(1, d)) fail(at, "delay", `delay ${d} s is not a multiple of the step dt = ${opt.dt} s (import with --dt that divides it)`, { code: "off-grid-delay" });
      if (ticks > MAX_CONTINUOUS_DELAY_TICKS) fail(at, "delay", `delays the continuous v of "${src}" (${srcType}) by ${d} s = ${ticks} steps of dt = ${opt.dt} s; a delayed continuous signal is relayed through one population per step, at most ${MAX_CONTINUOUS_DELAY_TICKS}`, { code: "continuous-delay", expected: `at most ${MAX_CONTINUOUS_DELAY_TICKS} steps (${fmt(MAX_CONTINUOUS_DELAY_TICKS * opt.dt)} s)`, received: `${d} s`, hint: `import with a larger --dt (at least ${fmt(d / MAX_CONTINUOUS_DELAY_TICKS)} s)` });
      let g = byTicks.get(ticks);
      if (!g) byTicks.set(ticks, (g = { ...emptyOp(op.nIn, op.nOut), labels: op.labels, f32: op.f32 }));
      g.pre.push(op.pre[k]!), g.post.push(op.post[k]!), g.w.push(op.w[k]!), g.d.push(0), g.label.push(op.label[k]!);
    }
    const longest = Math.max(...byTicks.keys());
    const relays: string[] = [pre];
    for (let i = 1; i <= longest; i++) {
      const r = ident(`${lastMap}_delay_${i}`);
      relayPops.add(r);
      populations[r] = { neuron: "nir-delay-relay.yaml", size: op.nIn, params: { tau_step: `${fmt(opt.dt / 64)} s` } };
      projections[ident(`${lastMap}_to_delay_${i}`)] = { pre: relays[i - 1]!, post: r, synapse: "nir-continuous.yaml", connect: "one_to_one" };
      relays.push(r);
    }
    components.add("nir-delay-relay");
    components.add("nir-continuous");
    const multi = byTicks.size > 1;
    return [...byTicks].sort(([a], [b]) => a - b).map(([ticks, g]) => ({ pre: relays[ticks]!, op: g, prefix: multi ? `${lastMap}_d${ticks}` : lastMap }));
  }

  // Name order, sources first, then neurons, then Outputs: independent of the file's node order
  // (HDF5 lists groups by name), so an exported and re-imported model numbers its neurons alike.
  const rank = (pop: string) => {
    if (relayPops.has(pop)) return 1;
    const src = [...popName].find(([, v]) => v === pop)![0];
    return nodes.get(src)!.kind === "input" ? 0 : nodes.get(src)!.kind === "neuron" ? 1 : 2;
  };
  const sortedPops = Object.fromEntries(Object.entries(populations).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)));
  const sortedProjs = Object.fromEntries(Object.entries(projections).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const network: Record<string, unknown> = {
    engram: 1,
    kind: "network",
    name: opt.name,
    doc: `Imported from ${displayPath(opt.file)} (NIR ${nir.version}) by engram import. NIR's continuous-time equations with time in seconds; each input spike has area spike_area (docs/interchange.md). Add stimuli to the source populations (${[...nodes.values()].filter((x) => x.kind === "input").map((x) => popName.get(x.name)).join(", ")}) to drive it.`,
    dt: `${fmt(opt.dt)} s`,
    duration: `${fmt(opt.duration)} s`,
    seed: 0,
    populations: sortedPops,
    ...(Object.keys(projections).length ? { projections: sortedProjs } : {}),
    ...(recordings.length ? { recordings } : {}),
  };
  return { network, components: [...components].sort(), metadata: nir.graph.metadata };
}

function need(n: FlatNode, field: string, fail: (n: FlatNode, f: string, m: string, e?: Partial<Diagnostic>) => never): NirArray {
  return n.node.params.get(field) ?? fail(n, field, `missing "${field}"`, { code: "missing-field" });
}

function broadcastOrFail(n: FlatNode, a: NirArray, size: number, field: string, fail: (n: FlatNode, f: string, m: string, e?: Partial<Diagnostic>) => never): Float64Array {
  try {
    return broadcast(a, size, field);
  } catch (e) {
    if (e instanceof FieldError) return fail(n, field, e.message, { code: "shape-mismatch", expected: e.expected, received: e.received });
    throw e;
  }
}

/** n -> n in order, weight 1, no delay: the Output is the source's own signal. */
function isPlainIdentity(op: LinearOp): boolean {
  if (op.nIn !== op.nOut || op.pre.length !== op.nIn) return false;
  for (let k = 0; k < op.pre.length; k++) if (op.pre[k] !== k || op.post[k] !== k || op.w[k] !== 1 || op.d[k] !== 0) return false;
  return true;
}

interface ProjectionSpec {
  suffix: string;
  connect: unknown;
  params: Record<string, unknown>;
}

/** One projection per shared weight and delay; unshared weights as per-synapse values. */
function projectionsOf(op: LinearOp, dt: number, spikeArea: number, fail: (field: string, msg: string) => never): ProjectionSpec[] {
  const groups = new Map<string, number[]>();
  let lastKey = "", last: number[] = [];
  for (let k = 0; k < op.pre.length; k++) {
    const d = op.d[k]!;
    const ticks = Math.round(d / dt);
    if (Math.abs(ticks * dt - d) > 1e-9 * Math.max(1, d)) fail("delay", `delay ${d} s is not a multiple of the step dt = ${dt} s (import with --dt that divides it)`);
    // Runs of entries share a group (a dense matrix is one run): look the key up only when it changes.
    if (k > 0 && op.label[k] === op.label[k - 1] && op.d[k] === op.d[k - 1]) {
      last.push(k);
      continue;
    }
    const key = `${op.label[k]}|${ticks}`;
    if (key !== lastKey) {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      (last = g), (lastKey = key);
    }
    last.push(k);
  }
  const specs: ProjectionSpec[] = [];
  const multi = groups.size > 1;
  for (const [key, ks] of groups) {
    const [labelText, ticksText] = key.split("|") as [string, string];
    const label = Number(labelText), ticks = Number(ticksText);
    const params: Record<string, unknown> = { spike_area: `${fmt(spikeArea)} s` };
    if (ticks !== 0) params.delay = `${fmt(ticks * dt)} s`;
    const w = ks.map((k) => op.w[k]!);
    const allSame = w.every((x) => x === w[0]);
    const dense = ks.length === op.nIn * op.nOut && ks.every((k, i) => op.post[k] === Math.floor(i / op.nIn) && op.pre[k] === i % op.nIn);
    const diagonal = op.nIn === op.nOut && ks.length === op.nIn && ks.every((k, i) => op.pre[k] === i && op.post[k] === i);
    const connect = dense ? "all_to_all" : diagonal ? "one_to_one" : { kind: "pairs", pairs: ks.map((k) => [op.pre[k]!, op.post[k]!]) };
    const f = op.f32 ? fmt32 : fmt;
    if (!(allSame && w[0] === 1)) params.w = allSame ? Number(f(w[0]!)) : { values: w.map((x) => Number(f(x))) };
    const suffix = !multi ? "" : label >= 0 ? `_${op.labels[label]}${ticks ? `_d${ticks}` : ""}` : `_d${ticks}`;
    specs.push({ suffix, connect, params });
  }
  return specs;
}

/** Shortest decimal that reads back as the same number. */
export function fmt(x: number): string {
  return String(x);
}

/** float32 values are written as the shortest decimal that is the same float32 (0.0025, not 0.0024999999441206455). */
function fmt32(x: number): string {
  if (Math.fround(x) !== x) return String(x);
  // Round-tripping is monotone in the digit count, so the shortest is found by bisection over 1..9.
  let lo = 1, hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(x.toPrecision(mid))) === x) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(x.toPrecision(lo)));
}

function paramValue(values: Float64Array, dtype: NirArray["dtype"], unit?: string): unknown {
  const f = dtype === "f32" ? fmt32 : fmt;
  if (values.every((v) => v === values[0])) return unit ? `${f(values[0]!)} ${unit}` : Number(f(values[0]!));
  return { values: Array.from(values, (v) => Number(f(v))), ...(unit ? { unit } : {}) };
}

/**
 * Flattens nested graphs: inner nodes are named "outer.inner"; a subgraph's Input and Output
 * nodes become ports (index-only pass-throughs). Checks that every edge names existing nodes.
 */
function flatten(graph: NirGraph, prefix: string, file: string, top: boolean): Map<string, FlatNode> {
  const out = new Map<string, FlatNode>();
  const fullName = (n: string) => (prefix ? `${prefix}.${n}` : n);
  const entry = new Map<string, string>(); // node name as an edge target -> flat name
  const exit = new Map<string, string>();
  for (const [name, node] of graph.nodes) {
    if (node.type === "NIRGraph") {
      const inner = flatten(node.graph!, fullName(name), file, false);
      for (const [k, v] of inner) out.set(k, v);
      const ins = [...node.graph!.nodes].filter(([, x]) => x.type === "Input").map(([k]) => fullName(`${name}.${k}`));
      const outs = [...node.graph!.nodes].filter(([, x]) => x.type === "Output").map(([k]) => fullName(`${name}.${k}`));
      if (ins.length === 1) entry.set(name, ins[0]!);
      if (outs.length === 1) exit.set(name, outs[0]!);
      for (const x of ins) entry.set(x.slice(prefix ? prefix.length + 1 : 0), x);
      for (const x of outs) exit.set(x.slice(prefix ? prefix.length + 1 : 0), x);
      continue;
    }
    const kind: FlatNode["kind"] = node.type === "Input" ? (top ? "input" : "port") : node.type === "Output" ? (top ? "output" : "port") : NEURONS[node.type] ? "neuron" : (MAP_TYPES as readonly string[]).includes(node.type) ? "map" : "neuron";
    out.set(fullName(name), { name: fullName(name), node, kind, preds: [], succs: [] });
    entry.set(name, fullName(name));
    exit.set(name, fullName(name));
  }
  graph.edges.forEach(([from, to], i) => {
    const a = exit.get(from), b = entry.get(to);
    const bad = a === undefined ? from : b === undefined ? to : undefined;
    if (bad !== undefined) {
      const names = [...graph.nodes.keys()];
      const hint = didYouMean(bad, names);
      throw new EngramError([{ code: "missing-node", message: `edge ${i} (${from} -> ${to}) of graph "${prefix || "node"}" names node "${bad}", which does not exist`, where: { file: displayPath(file), path: [`${graph.path}/edges[${i}]`] }, expected: `one of ${names.join(", ")}`, received: bad, hint: hint ? `did you mean "${hint}"?` : undefined }]);
    }
    out.get(a!)!.succs.push(b!);
    out.get(b!)!.preds.push(a!);
  });
  if (top) {
    // Ports inside subgraphs are folded away: a port's predecessors feed its successors directly.
    for (const n of [...out.values()].filter((x) => x.kind === "port")) {
      for (const s of n.succs) {
        const sn = out.get(s)!;
        sn.preds = sn.preds.flatMap((p) => (p === n.name ? n.preds : [p]));
      }
      for (const p of n.preds) {
        const pn = out.get(p)!;
        pn.succs = pn.succs.flatMap((s) => (s === n.name ? n.succs : [s]));
      }
      out.delete(n.name);
    }
  }
  return out;
}

export { emptyOp };
