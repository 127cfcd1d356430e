/**
 * The float64 reference target's run-time guard (targets/reference/guard.ts): state that turns NaN
 * or infinite stops the run with a located user error naming the variable, the element and the
 * time. Before the guard such runs ended normally with wrong results (a neuron that never fires,
 * V = -Infinity in traces.csv).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { EngramError, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-guard-"));

/**
 * x falls linearly from 1 and crosses 0 at t = tau = 10 ms; y integrates sqrt(x), which is NaN from
 * then on. Nothing here is known to be wrong before the run: x is a state variable.
 */
function model(name: string, recordings: string): string {
  const neuron = join(dir, `${name}-neuron.yaml`);
  writeFileSync(neuron, "engram: 1\nkind: neuron\nparams: { tau: 10 ms }\nstate:\n  x: { unit: 1, init: 1, ode: -1 / tau }\n  y: { unit: 1, init: 0, ode: sqrt(x) / tau }\n");
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `engram: 1\nkind: network\ndt: 0.1 ms\nduration: 50 ms\nnumerics: { accelerate: false }\npopulations:\n  pop: { neuron: ${neuron}, size: 3 }\n${recordings}`);
  return file;
}

function runError(file: string): Diagnostic {
  const ex = new Executor(compile(file, { target: "reference" }));
  try {
    ex.run();
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics[0]!;
    throw e;
  }
  throw new Error("expected the run to be stopped");
}

describe("non-finite guard on the reference target", () => {
  it("a recorded variable that turns NaN stops the run at that sample, naming variable, element and time", () => {
    const d = runError(model("recorded", "recordings:\n  - { var: pop.y, elements: all, every: 1 ms }\n"));
    expect(d.code).toBe("non-finite-state");
    expect(d.message).toMatch(/^pop\.y\[0\] became NaN at t = 0\.01 s \(tick 100\)/);
    expect(d.where!.file).toContain("recorded.yaml");
    expect(d.where!.path).toEqual(["populations", "pop", "y"]);
  });

  it("an unrecorded variable that turns NaN is found by the state scan before the run ends", () => {
    const d = runError(model("unrecorded", "recordings: []\n"));
    expect(d.code).toBe("non-finite-state");
    expect(d.message).toMatch(/^pop\.y\[0\] became NaN by t = /);
    // without recordings the 500 dense steps are one stretch: the scan at its end finds y
    expect(d.message).toContain("by t = 0.05 s (tick 500; it was finite at t = 0 s)");
  });

  it("a finite run is not disturbed", () => {
    const file = model("finite", "recordings:\n  - { var: pop.x, elements: all, every: 1 ms }\n");
    const ok = join(dir, "finite-ok.yaml");
    writeFileSync(ok, `engram: 1\nkind: network\nextends: ${file}\nduration: 5 ms\n`);
    const ex = new Executor(compile(ok, { target: "reference" }));
    ex.run();
    expect(ex.recorded.tables[0]!.count).toBe(6);
  });
});
