/**
 * Benchmark of NIR import (engram bench --interchange): a generated NIR graph with 101,376 weights
 * (Input 300 -> Affine 300x256 -> LIF 256 -> Linear 256x96 -> CubaLIF 96), written with h5wasm,
 * imported to model files: HDF5 read, graph to model, YAML written. Weights from a seeded stream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../util/rng.ts";
import { importNir } from "./import.ts";
import { arrayOf, type NirNode } from "../interchange/nir-graph.ts";
import { writeNir } from "../interchange/nir-write.ts";
import { readNir } from "../interchange/nir-read.ts";
import { nirToModel } from "../interchange/nir-to-model.ts";

const node = (type: string, params: Record<string, ReturnType<typeof arrayOf>>): NirNode => ({ type, params: new Map(Object.entries(params)), strings: new Map(), path: "" });

export async function interchangeBench(): Promise<string[]> {
  const rng = new Rng(7, "bench:nir");
  const weights = (rows: number, cols: number) => arrayOf(Float32Array.from({ length: rows * cols }, () => rng.normal() * 0.1), [rows, cols], "f32");
  const fill = (n: number, x: number) => arrayOf(new Array(n).fill(x), [n], "f32");
  const nodes = new Map<string, NirNode>([
    ["input", node("Input", { shape: arrayOf([300], [1], "i64") })],
    ["fc1", node("Affine", { weight: weights(256, 300), bias: arrayOf(Float32Array.from({ length: 256 }, () => rng.normal() * 0.01), [256], "f32") })],
    ["lif1", node("LIF", { tau: fill(256, 0.01), r: fill(256, 1), v_leak: fill(256, 0), v_threshold: fill(256, 1), v_reset: fill(256, 0) })],
    ["fc2", node("Linear", { weight: weights(96, 256) })],
    ["lif2", node("CubaLIF", { tau_syn: fill(96, 0.005), tau_mem: fill(96, 0.01), r: fill(96, 1), v_leak: fill(96, 0), v_threshold: fill(96, 1), v_reset: fill(96, 0), w_in: fill(96, 1) })],
    ["output", node("Output", { shape: arrayOf([96], [1], "i64") })],
  ]);
  const edges: [string, string][] = [["input", "fc1"], ["fc1", "lif1"], ["lif1", "fc2"], ["fc2", "lif2"], ["lif2", "output"]];
  const dir = mkdtempSync(join(tmpdir(), "engram-bench-nir-"));
  const file = join(dir, "net.nir");
  await writeNir(file, { version: "1.0.0", graph: { nodes, edges, path: "node", metadata: new Map() } });
  const parameters = [...nodes.values()].reduce((a, n) => a + [...n.params.values()].reduce((b, p) => b + p.data.length, 0), 0);
  const runs: { read: number; convert: number; total: number; cpu: number }[] = [];
  for (let k = 0; k < 6; k++) {
    const t0 = performance.now();
    const nir = await readNir(file);
    const t1 = performance.now();
    nirToModel(nir, { dt: 1e-4, duration: 1, name: "net", file });
    const t2 = performance.now();
    rmSync(join(dir, "m"), { recursive: true, force: true });
    const t3 = performance.now();
    const c0 = process.cpuUsage();
    await importNir({ file, out: join(dir, "m") });
    const c = process.cpuUsage(c0);
    runs.push({ read: (t1 - t0) / 1000, convert: (t2 - t1) / 1000, total: (performance.now() - t3) / 1000, cpu: (c.user + c.system) / 1e6 });
  }
  rmSync(dir, { recursive: true, force: true });
  const warm = runs.slice(1);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return [
    `NIR import of a generated graph with ${parameters} parameters (Input 300 -> Affine 300x256 -> LIF 256 -> Linear 256x96 -> CubaLIF 96); node ${process.version}; median of 5 warm runs (first run separately)`,
    "",
    "| step | first run (s) | warm, median (s) |",
    "| --- | --- | --- |",
    `| read HDF5 (h5wasm) | ${runs[0]!.read.toFixed(3)} | ${median(warm.map((r) => r.read)).toFixed(3)} |`,
    `| graph to model | ${runs[0]!.convert.toFixed(3)} | ${median(warm.map((r) => r.convert)).toFixed(3)} |`,
    `| whole import (read, convert, write YAML, rename) | ${runs[0]!.total.toFixed(3)} | ${median(warm.map((r) => r.total)).toFixed(3)} |`,
    `| whole import, CPU time of this process (user + system) | ${runs[0]!.cpu.toFixed(3)} | ${median(warm.map((r) => r.cpu)).toFixed(3)} |`,
    "",
    `load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(", ")} (1, 5, 15 min) on ${cpus().length} cores`,
  ];
}
