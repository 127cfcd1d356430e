/**
 * An engram network as a NIR graph: spike sources become Input nodes, populations of the nir-*
 * neurons their NIR type, each projection an Affine node (dense weight matrix [post, pre], the
 * current per-synapse weights; a Scale node for a one_to_one projection without a bias to carry;
 * a Delay node before it when the projection has a delay or reads a chain of nir-delay-relay
 * populations, which is folded back into that Delay), each
 * nir-output population and each recorded non-spiking population an Output. Settings NIR has no
 * place for (dt, duration, seed, stimuli, recordings, spike areas) ride in the graph's metadata
 * under "engram", which other tools ignore and engram import re-applies. Anything else is refused
 * with the population or projection that has no NIR equivalent.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, resolve as resolvePath } from "node:path";
import { EngramError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { loadModelFile } from "../model/load.ts";
import { NetworkFile } from "../model/schema.ts";
import { elaborateModel } from "../compiler/pipeline.ts";
import { drawParam } from "../compiler/passes/elaborate.ts";
import type { GroupDef } from "../compiler/model.ts";
import { arrayOf, type NirFile, type NirNode } from "./nir-graph.ts";
import { NEURONS } from "./nir-to-model.ts";
import { NIR_VERSION } from "./nir-write.ts";

/** Metadata key of engram's own settings. */
export const ENGRAM_METADATA = "engram";

export interface EngramMetadata {
  dt?: string | number;
  duration?: string | number;
  seed?: number;
  stimuli?: unknown[];
  recordings?: unknown[];
  numerics?: unknown;
  phases?: unknown[];
  /** Per projection: parameters other than the weights and delay (spike_area). */
  projections: Record<string, Record<string, unknown>>;
  /**
   * Plastic projections: their synapse file (name and text), parameters and connectivity as
   * written in the model; import restores them, so the plasticity rule survives the round trip.
   */
  plastic?: Record<string, { synapse: string; text: string; params?: unknown; connect: unknown }>;
}

const SYNAPSES = new Set(["nir-input-leaky", "nir-input-cuba", "nir-input-if", "nir-input-output", "nir-continuous", "nir-input-threshold"]);

export function modelToNir(file: string): NirFile {
  const raw = loadModelFile(file, NetworkFile);
  const { model, elaborated: el } = elaborateModel(file);
  const problems: Diagnostic[] = [];
  const typeOf = new Map<string, string>(); // population -> NIR type
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  const node = (type: string, params: [string, number[] | Float64Array, number[]?, ("f64" | "i64")?][]): NirNode => ({
    type,
    params: new Map(params.map(([k, v, shape, dtype]) => [k, arrayOf(v, shape ?? [v.length], dtype ?? "f64")])),
    strings: new Map(),
    path: "",
  });
  const values = (g: GroupDef, name: string, size: number) => drawParam(g.params.get(name)!, size, model.seed, g.name);
  const biases = new Map<string, Float64Array>();
  const relays = new Set<string>();

  for (const p of el.populations) {
    const def = p.def;
    if (def.source) {
      typeOf.set(def.name, "Input");
      nodes.set(def.name, node("Input", [["shape", [p.size], [1], "i64"]]));
      continue;
    }
    const component = def.component.replace(/^neuron model /, "");
    // One step of a Delay on a continuous signal (nir-to-model.ts): folded back into a Delay node below.
    if (component === "nir-delay-relay") {
      relays.add(def.name);
      continue;
    }
    if (component === "nir-output") {
      typeOf.set(def.name, "Output");
      nodes.set(def.name, node("Output", [["shape", [p.size], [1], "i64"]]));
      biases.set(def.name, values(def, "i_bias", p.size));
      continue;
    }
    // nir-lif-continuous etc. are the same NIR node with a continuous input (nir-to-model.ts).
    const base = component.replace(/-continuous$/, "");
    const type = Object.entries(NEURONS).find(([t, s]) => s.component === base && t !== "Integrator")?.[0];
    if (!type) {
      problems.push({ code: "no-nir-equivalent", message: `population "${def.name}" uses neuron model "${component}", which has no NIR equivalent; NIR export takes the nir-* neurons of models/components/nir (LIF, LI, CubaLIF, CubaLI, IF, Integrator, Threshold)`, where: def.where, hint: "engram's own neurons (refractory periods, summed variables, protein pools) have no NIR node type" });
      continue;
    }
    typeOf.set(def.name, type);
    nodes.set(def.name, node(type, NEURONS[type]!.params.map(([field]) => [field, values(def, field, p.size)])));
    biases.set(def.name, values(def, "i_bias", p.size));
  }

  const meta: EngramMetadata = { projections: {} };
  const sizes = new Map(el.populations.map((p) => [p.def.name, p.size]));
  const firstInto = new Set<string>();
  // A relay chain pre -> relay 1 -> ... -> relay k is a Delay of k steps on pre's continuous v.
  const relayFrom = new Map<string, string>();
  for (const pr of el.projections) {
    const def = pr.def;
    if (!relays.has(def.post)) continue;
    const synapse = def.component.replace(/^synapse model /, "");
    const ok = synapse === "nir-continuous" && pr.size === sizes.get(def.post) && sizes.get(def.pre) === sizes.get(def.post) && !relayFrom.has(def.post) && Array.from(pr.preIndex).every((x, k) => x === pr.postIndex[k]) && values(def, "w", pr.size).every((x) => x === 1);
    if (!ok) problems.push({ code: "no-nir-equivalent", message: `projection "${def.name}" feeds the delay relay "${def.post}" otherwise than one nir-continuous one_to_one projection of weight 1; only such chains export as a NIR Delay`, where: def.where });
    relayFrom.set(def.post, def.pre);
  }
  const relayRoot = (pop: string): { root: string; steps: number } => {
    let steps = 0;
    for (let p = pop; ; p = relayFrom.get(p)!, steps++) {
      if (!relays.has(p)) return { root: p, steps };
      if (!relayFrom.has(p) || steps > relays.size) return { root: p, steps: -1 };
    }
  };
  for (const pr of el.projections) {
    const def = pr.def;
    const synapse = def.component.replace(/^synapse model /, "");
    if (relays.has(def.post)) continue;
    const chain = relayRoot(def.pre);
    const rootType = typeOf.get(chain.root);
    if (chain.steps < 0 || (chain.steps > 0 && (!rootType || rootType === "Input" || NEURONS[rootType]!.spiking))) {
      problems.push({ code: "no-nir-equivalent", message: `projection "${def.name}" reads the delay relay "${def.pre}", which is not fed by a chain of relays from a population with a continuous v (LI, CubaLI, Integrator)`, where: def.where });
      continue;
    }
    const pre = chain.root;
    const nPre = sizes.get(pre)!, nPost = sizes.get(def.post)!;
    let w: Float64Array;
    if (SYNAPSES.has(synapse)) w = values(def, "w", pr.size);
    else {
      // A plastic synapse exports its current weight: its state variable (or parameter) w, as the
      // model file sets it; the rule itself rides in the metadata.
      const rawProj = raw.data.projections?.[def.name];
      const file = rawProj ? resolveSynapseFile(raw.fileOf(["projections", def.name, "synapse"]), rawProj.synapse) : undefined;
      const text = file ? readFileSync(file, "utf8") : "";
      const state = pr.vars.find((v) => v.name === "w" && v.kind !== "input");
      if (!rawProj || (!state && !def.params.has("w")) || /^extends:/m.test(text)) {
        problems.push({ code: "no-nir-equivalent", message: `projection "${def.name}" uses synapse model "${synapse}", which has no weight "w" to export${/^extends:/m.test(text) ? " (or extends another file, which the NIR metadata cannot carry)" : ""}`, where: def.where, hint: "NIR export takes the nir-input-* synapses, and plastic synapses with a weight w (a state variable or parameter) onto nir-* neurons" });
        continue;
      }
      w = state ? Float64Array.from(state.init) : values(def, "w", pr.size);
      meta.plastic ??= {};
      meta.plastic[def.name] = { synapse: basename(file!), text, params: rawProj.params, connect: rawProj.connect };
    }
    const weight = new Float64Array(nPost * nPre);
    for (let k = 0; k < pr.size; k++) weight[pr.postIndex[k]! * nPre + pr.preIndex[k]!]! += w[k]!;
    // The post population's constant input travels as the bias of its first incoming Affine.
    const bias = firstInto.has(def.post) ? new Float64Array(nPost) : (biases.get(def.post) ?? new Float64Array(nPost));
    firstInto.add(def.post);
    // A one_to_one projection with no bias to carry is NIR's Scale, which imports as one_to_one again.
    const oneToOne = nPre === nPost && pr.size === nPre && Array.from(pr.preIndex).every((x, k) => x === k && pr.postIndex[k] === k);
    if (oneToOne && bias.every((b) => b === 0)) nodes.set(def.name, node("Scale", [["scale", Array.from({ length: nPre }, (_, i) => weight[i * nPre + i]!)]]));
    else nodes.set(def.name, node("Affine", [["weight", weight, [nPost, nPre]], ["bias", bias]]));
    const delay = (def.params.get("delay")?.value ?? 0) + chain.steps * model.dt.value;
    if (delay > 0) {
      const dn = `${def.name}_delay`;
      nodes.set(dn, node("Delay", [["delay", new Float64Array(nPre).fill(delay)]]));
      edges.push([pre, dn], [dn, def.name]);
    } else edges.push([pre, def.name]);
    edges.push([def.name, def.post]);
    const spikeArea = raw.data.projections?.[def.name]?.params?.spike_area;
    meta.projections[def.name] = spikeArea !== undefined ? { spike_area: spikeArea } : {};
  }
  for (const [pop, b] of biases) {
    if (!firstInto.has(pop) && b.some((x) => x !== 0)) {
      const where = el.populations.find((p) => p.def.name === pop)!.def.where;
      problems.push({ code: "no-nir-equivalent", message: `population "${pop}" has a constant input i_bias but no incoming projection; NIR carries biases only on Affine nodes`, where });
    }
  }
  // Recorded non-spiking populations become Outputs named like their recording.
  for (const r of raw.data.recordings ?? []) {
    const [pop, v] = r.var.split(".") as [string, string];
    const type = typeOf.get(pop);
    if (v === "v" && type && !NEURONS[type]!.spiking) {
      const name = r.as ?? r.var.replace(".", "_");
      nodes.set(name, node("Output", [["shape", [sizes.get(pop)!], [1], "i64"]]));
      edges.push([pop, name]);
    }
  }
  if (problems.length > 0) throw new EngramError(problems);
  const d = raw.data;
  Object.assign(meta, { dt: d.dt, duration: d.duration, seed: d.seed, stimuli: d.stimuli, recordings: d.recordings, numerics: d.numerics, phases: d.phases });
  return { version: NIR_VERSION, graph: { nodes, edges, path: "node", metadata: new Map([[ENGRAM_METADATA, JSON.stringify(meta)]]) } };
}

function resolveSynapseFile(networkFile: string, synapse: string): string {
  return resolvePath(dirname(networkFile), synapse);
}

/**
 * The weight matrix of one projection as a dense layer ([post][pre], summed where pairs repeat;
 * the post population's i_bias as the bias), for ONNX export.
 */
export function projectionAsDense(file: string, projection: string): { weight: Float64Array; bias: Float64Array; nIn: number; nOut: number } {
  const { model, elaborated: el } = elaborateModel(file);
  const pr = el.projections.find((p) => p.def.name === projection);
  if (!pr) throw new EngramError([{ code: "unknown-projection", message: `the model has no projection "${projection}"`, expected: `one of ${el.projections.map((p) => p.def.name).join(", ") || "(none)"}`, received: projection }]);
  const def = pr.def;
  const nPre = el.populations.find((p) => p.def.name === def.pre)!.size;
  const post = el.populations.find((p) => p.def.name === def.post)!;
  const state = pr.vars.find((v) => v.name === "w" && v.kind !== "input");
  if (!state && !def.params.has("w")) throw new EngramError([{ code: "no-weight", message: `projection "${projection}" has no weight w (a parameter or state variable of its synapse)`, where: def.where }]);
  const w = state ? state.init : drawParam(def.params.get("w")!, pr.size, model.seed, def.name);
  const weight = new Float64Array(post.size * nPre);
  for (let k = 0; k < pr.size; k++) weight[pr.postIndex[k]! * nPre + pr.preIndex[k]!]! += w[k]!;
  const b = post.def.params.get("i_bias");
  const bias = b ? drawParam(b, post.size, model.seed, post.def.name) : new Float64Array(post.size);
  return { weight, bias, nIn: nPre, nOut: post.size };
}
