/**
 * engram's own settings carried in a NIR file's metadata (written by model-to-nir.ts): dt,
 * duration, seed, stimuli, recordings, numerics, phases and per-projection spike areas. Other
 * tools ignore them; engram import puts them back so that engram -> NIR -> engram gives the same
 * model.
 */
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { parseQuantity } from "../model/units.ts";
import type { NirFile } from "./nir-graph.ts";
import { ENGRAM_METADATA, type EngramMetadata } from "./model-to-nir.ts";

export function engramMetadata(nir: NirFile, file: string): EngramMetadata | undefined {
  const text = nir.graph.metadata.get(ENGRAM_METADATA);
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as EngramMetadata;
    if (typeof m !== "object" || m === null || typeof m.projections !== "object") throw new Error("not an object with projections");
    return m;
  } catch (e) {
    throw new EngramError([{ code: "bad-nir", message: `engram metadata is not valid: ${(e as Error).message}`, where: { file: displayPath(file), path: [`node/metadata/${ENGRAM_METADATA}`] }, received: text.slice(0, 120) }]);
  }
}

export function metadataSeconds(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : parseQuantity(value).si;
}

/**
 * Puts the carried settings back into an imported network (plain YAML data) and returns the
 * synapse files of its plastic projections (file name -> text) to write next to it.
 */
export function applyMetadata(network: Record<string, unknown>, m: EngramMetadata): Map<string, string> {
  for (const key of ["dt", "duration", "seed", "numerics", "phases", "stimuli", "recordings"] as const) {
    if (m[key] !== undefined) network[key] = m[key];
  }
  // Key order as in a hand-written file: stimuli and recordings after the projections.
  for (const key of ["phases", "stimuli", "recordings"]) {
    if (key in network) {
      const v = network[key];
      delete network[key];
      network[key] = v;
    }
  }
  const projections = (network.projections ?? {}) as Record<string, { params?: Record<string, unknown> }>;
  for (const [name, params] of Object.entries(m.projections)) {
    const p = projections[name];
    // An empty mapping would be written as "params:" (null): keep the key absent instead.
    if (p && Object.keys({ ...(p.params ?? {}), ...params }).length > 0) p.params = { ...(p.params ?? {}), ...params };
  }
  const files = new Map<string, string>();
  for (const [name, plastic] of Object.entries(m.plastic ?? {})) {
    const p = projections[name] as Record<string, unknown> | undefined;
    if (!p || !/^[A-Za-z0-9_.-]+\.yaml$/.test(plastic.synapse)) continue;
    // The weights in the NIR file are the plastic synapse's initial w; its own file sets them again.
    p.synapse = plastic.synapse;
    p.connect = plastic.connect;
    if (plastic.params === undefined) delete p.params;
    else p.params = plastic.params;
    files.set(plastic.synapse, plastic.text);
  }
  return files;
}
