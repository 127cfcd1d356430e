/**
 * Reads a NIR file (HDF5, through h5wasm) into a NirGraph. Format facts (checked against the
 * fixtures in ../shared/fixtures/nir): the version is a root string dataset `version`; the graph
 * is group `node` with `type` "NIRGraph", `nodes/<name>/...` and `edges` (N x 2 strings). Numeric
 * datasets may be float32, float64 or int64, 0-d, gzip-compressed. Every failure is an EngramError
 * that names the file and the HDF5 path.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import h5wasm from "h5wasm/node";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import type { NirArray, NirFile, NirGraph, NirNode } from "./nir-graph.ts";

type H5Group = InstanceType<typeof h5wasm.Group>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

export function nirError(file: string, path: string, message: string, extra: { code?: string; expected?: string; received?: string; hint?: string } = {}): EngramError {
  return new EngramError([{ code: extra.code ?? "bad-nir", message, where: { file: displayPath(file), path: path === "" ? [] : [path] }, expected: extra.expected, received: extra.received, hint: extra.hint }]);
}

export async function readNir(file: string): Promise<NirFile> {
  if (!existsSync(file)) throw new EngramError([{ code: "file-not-found", message: `NIR file not found: ${displayPath(file)}` }]);
  // h5wasm opens anything without complaint and fails later (printing HDF5's diagnostics), so the
  // HDF5 signature is checked first: at offset 0, 512, 1024, 2048, ... (after a user block).
  if (!hasHdf5Signature(file)) throw nirError(file, "", "not a readable HDF5 file: no HDF5 signature", { code: "not-hdf5", hint: "NIR files are HDF5, as written by nir.write()" });
  await h5wasm.ready;
  let h5: InstanceType<typeof h5wasm.File>;
  try {
    h5 = new h5wasm.File(file, "r");
  } catch (e) {
    throw nirError(file, "", `not a readable HDF5 file: ${(e as Error).message}`, { code: "not-hdf5", hint: "NIR files are HDF5, as written by nir.write()" });
  }
  try {
    const version = h5.get("version");
    const root = h5.get("node");
    if (!(root instanceof h5wasm.Group)) throw nirError(file, "node", 'no group "node": not a NIR file', { expected: "a root group node (NIRGraph)", received: `root keys ${JSON.stringify(h5.keys())}` });
    const v = version instanceof h5wasm.Dataset ? String(version.value) : "(none)";
    return { version: v, graph: readGraph(file, root, "node") };
  } catch (e) {
    if (e instanceof EngramError) throw e;
    throw nirError(file, "", `cannot read the HDF5 structure: ${(e as Error).message}`, { code: "not-hdf5" });
  } finally {
    h5.close();
  }
}

function readGraph(file: string, g: H5Group, path: string): NirGraph {
  const nodesGroup = g.get("nodes");
  if (!(nodesGroup instanceof h5wasm.Group)) throw nirError(file, `${path}/nodes`, "a NIRGraph needs a group nodes");
  const nodes = new Map<string, NirNode>();
  for (const name of nodesGroup.keys()) {
    const n = nodesGroup.get(name);
    if (!(n instanceof h5wasm.Group)) throw nirError(file, `${path}/nodes/${name}`, `node "${name}" is not a group`);
    nodes.set(name, readNode(file, n, `${path}/nodes/${name}`));
  }
  const edges: [string, string][] = [];
  const e = g.get("edges");
  if (e instanceof h5wasm.Dataset) {
    const flat = e.value as unknown;
    const list = Array.isArray(flat) ? flat : typeof flat === "string" ? [flat] : [];
    if (list.length % 2 !== 0 || list.some((x) => typeof x !== "string")) throw nirError(file, `${path}/edges`, "edges must be an N x 2 array of node names", { received: JSON.stringify(list).slice(0, 200) });
    for (let i = 0; i < list.length; i += 2) edges.push([list[i] as string, list[i + 1] as string]);
  }
  const metadata = new Map<string, string>();
  const m = g.get("metadata");
  if (m instanceof h5wasm.Group) {
    for (const k of m.keys()) {
      const d = m.get(k);
      if (d instanceof h5wasm.Dataset && typeof d.value === "string") metadata.set(k, d.value);
    }
  }
  return { nodes, edges, path, metadata };
}

function readNode(file: string, g: H5Group, path: string): NirNode {
  const t = g.get("type");
  if (!(t instanceof h5wasm.Dataset) || typeof t.value !== "string") throw nirError(file, `${path}/type`, "a node needs a string dataset type", { code: "missing-field" });
  const type = t.value;
  const node: NirNode = { type, params: new Map(), strings: new Map(), path };
  if (type === "NIRGraph") {
    node.graph = readGraph(file, g, path);
    return node;
  }
  for (const key of g.keys()) {
    if (key === "type") continue;
    const d = g.get(key);
    if (!(d instanceof h5wasm.Dataset)) continue;
    const arr = readArray(d);
    if (arr) node.params.set(key, arr);
    else if (typeof d.value === "string") node.strings.set(key, d.value);
  }
  return node;
}

/** A numeric dataset as float64 values (int64 through Number: NIR's integers are shapes and sizes). */
function readArray(d: H5Dataset): NirArray | undefined {
  const v = d.value as unknown;
  const shape = (d.shape ?? []).map(Number);
  const meta = d.metadata;
  const dtype: NirArray["dtype"] = meta.type === 1 ? (meta.size === 4 ? "f32" : "f64") : "i64";
  if (typeof v === "number" || typeof v === "bigint") return { data: Float64Array.of(Number(v)), shape, dtype };
  if (ArrayBuffer.isView(v)) {
    const src = v as unknown as ArrayLike<number | bigint>;
    const data = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) data[i] = Number(src[i]);
    return { data, shape, dtype };
  }
  return undefined; // strings (e.g. a writer's notes) are not parameters
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasHdf5Signature(file: string): boolean {
  const size = statSync(file).size;
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      readSync(fd, buf, 0, 8, offset);
      if (SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
