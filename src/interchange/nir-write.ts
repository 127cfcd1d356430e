/**
 * Writes a NirGraph as a NIR HDF5 file in the layout NIR's own reader expects (and the fixtures
 * show): root string dataset `version`, group `node` with `type` "NIRGraph", `nodes/<name>/...`,
 * `edges` as an N x 2 string dataset, and `metadata/<key>` string datasets. Numbers keep their
 * element type (float64 unless a node says otherwise). The file is written to a temporary name
 * and renamed, so a failed export leaves nothing half-written.
 */
import { renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import h5wasm from "h5wasm/node";
import type { NirArray, NirFile, NirGraph } from "./nir-graph.ts";

/** The NIR format version engram writes (the node types and fields used are those of NIR 1.0). */
export const NIR_VERSION = "1.0.0";

type H5Group = InstanceType<typeof h5wasm.Group>;

export async function writeNir(file: string, nir: NirFile): Promise<void> {
  await h5wasm.ready;
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`);
  try {
    const h5 = new h5wasm.File(tmp, "w");
    try {
      h5.create_dataset({ name: "version", data: nir.version });
      writeGraph(h5.create_group("node"), nir.graph);
    } finally {
      h5.close();
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function writeGraph(g: H5Group, graph: NirGraph): void {
  g.create_dataset({ name: "type", data: "NIRGraph" });
  const nodes = g.create_group("nodes");
  for (const [name, node] of graph.nodes) {
    const ng = nodes.create_group(name);
    if (node.graph) {
      writeGraph(ng, node.graph);
      continue;
    }
    ng.create_dataset({ name: "type", data: node.type });
    for (const [key, a] of node.params) writeArray(ng, key, a);
    for (const [key, s] of node.strings) ng.create_dataset({ name: key, data: s });
  }
  if (graph.edges.length > 0) g.create_dataset({ name: "edges", data: graph.edges.flat(), shape: [graph.edges.length, 2] });
  if (graph.metadata.size > 0) {
    const m = g.create_group("metadata");
    for (const [k, v] of graph.metadata) m.create_dataset({ name: k, data: v });
  }
}

function writeArray(g: H5Group, name: string, a: NirArray): void {
  const data = a.dtype === "i64" ? BigInt64Array.from(a.data, (x) => BigInt(Math.round(x))) : a.dtype === "f32" ? Float32Array.from(a.data) : Float64Array.from(a.data);
  g.create_dataset({ name, data, shape: a.shape });
}
