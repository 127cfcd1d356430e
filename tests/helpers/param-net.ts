/**
 * The small network the parameter-file tests bind files into (.npy/.csv in param-file.test.ts,
 * ONNX initializers in param-file-onnx.test.ts): 3 LIF neurons onto 2, tau_mem (line 11) per
 * neuron of post and w (line 19) per synapse, each given as YAML text.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import type { compile } from "../../src/compiler/pipeline.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const COMPONENTS = resolve(import.meta.dirname, "../../models/components");

/** Writes the network into `dir` with the given tau_mem and w texts; returns its path. */
export function paramNet(dir: string, tau: string, w: string, connect = "all_to_all"): string {
  const file = join(dir, `net-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `engram: 1
kind: network
duration: 10 ms
seed: 3
populations:
  pre: { neuron: ${COMPONENTS}/lif-current.yaml, size: 3 }
  post:
    neuron: ${COMPONENTS}/lif-current.yaml
    size: 2
    params:
      tau_mem: ${tau}
projections:
  syn:
    pre: pre
    post: post
    synapse: ${COMPONENTS}/static-synapse.yaml
    connect: ${connect}
    params:
      w: ${w}
`);
  return file;
}

/** The initial values of variable `name` of population or projection `group`. */
export const param = (p: ReturnType<typeof compile>, group: string, name: string) =>
  Array.from([...p.populations, ...p.projections].find((g) => g.name === group)!.vars.find((v) => v.name === name)!.init);

/** The first diagnostic of the EngramError that f throws (fails the test if f throws anything else or nothing). */
export function errorOf(f: () => unknown): EngramError["diagnostics"][number] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EngramError);
    return (e as EngramError).diagnostics[0]!;
  }
  throw new Error("no error");
}
