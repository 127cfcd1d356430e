/**
 * Small leaky-ESN model files for the reservoir tests: 10 units of models/reservoir's leaky ESN
 * unit driven by one stream, their states recorded every tick, and a `tasks:` block given by the
 * test. Files are written into one temporary folder per writer, named by a counter (no random
 * names), with the unit and synapse files they reference copied beside them.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A writer of ESN model files: (duration in ms, the stream's source as YAML, the tasks block as YAML) -> path. */
export function esnModelWriter(prefix: string): (durationMs: number, source: string, tasks: string) => string {
  const dir = mkdtempSync(join(tmpdir(), `engram-${prefix}-`));
  for (const f of ["leaky-esn-unit.yaml", "rate-synapse.yaml"]) copyFileSync(join("models/reservoir", f), join(dir, f));
  let n = 0;
  return (durationMs, source, tasks) => {
    const f = join(dir, `m${n++}.yaml`);
    writeFileSync(f, `engram: 1
kind: network
dt: 1 ms
duration: ${durationMs} ms
populations:
  res: { neuron: leaky-esn-unit.yaml, size: 10 }
stimuli:
  - { kind: stream, target: res, input: I_in, source: ${source}, weights: 1 }
recordings:
  - { var: res.x, elements: all, every: 1 ms }
tasks:${tasks}
`);
    return f;
  };
}
