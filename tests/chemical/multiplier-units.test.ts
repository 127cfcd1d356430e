/**
 * Issue 17: a wrong unit in a weight-dependent multiplier is reported at the multiplier's own key
 * (file, line, column of the user's synapse file), naming the file and line of the rule it
 * rewrites, and not as a unit error inside the compiler's rewritten equation.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const STC = resolve(import.meta.dirname, "../../models/components/stc-synapse.yaml");
const NET = resolve(import.meta.dirname, "../../models/stc/basic-early.yaml");

/** Diagnostics of compiling basic-early.yaml with the STC synapse carrying the given multiplier params. */
function diagnostics(a: string, gamma: string, lambda: string): EngramError["diagnostics"] {
  const dir = mkdtempSync(join(tmpdir(), "engram-mult-"));
  writeFileSync(join(dir, "syn.yaml"), `engram: 1
kind: synapse
extends: ${STC}
name: stc-sticky-bad
params:
  a_h: ${a}
  gamma_h: ${gamma}
  lambda_h: ${lambda}
multiplier: { var: h, a: a_h, gamma: gamma_h, lambda: lambda_h }
`);
  writeFileSync(join(dir, "net.yaml"), `engram: 1
kind: network
extends: ${NET}
name: bad
projections:
  syn: { synapse: syn.yaml }
`);
  try {
    compile(join(dir, "net.yaml"), { target: "reference" });
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics;
    throw e;
  }
  return [];
}

describe("multiplier: unit errors located at the multiplier", () => {
  it("units that fit compile", () => {
    expect(diagnostics("h0", "1 mV^-2", "1")).toEqual([]);
  });

  it("gamma without the inverse square of h's unit: one error at multiplier.gamma naming the STC rule's line", () => {
    const d = diagnostics("h0", "1", "1");
    expect(d).toHaveLength(1);
    expect(d[0]!.code).toBe("wrong-unit");
    expect(d[0]!.where!.path).toEqual(["multiplier", "gamma"]);
    expect(d[0]!.where!.file).toMatch(/syn\.yaml$/);
    expect(d[0]!.where!.line).toBe(9);
    expect(d[0]!.message).toContain('multiplier on "h" (it rewrites the rule dh/dt at models/components/stc-synapse.yaml:34:');
    expect(d[0]!.message).toContain("gamma must be in mV^-2");
    expect(d[0]!.message).toContain("gamma_h is dimensionless");
  });

  it("lambda with a unit and a in the wrong unit: each at its own key", () => {
    const d = diagnostics("1 s", "1 mV^-2", "2 mV");
    expect(d.map((x) => x.where!.path.join("."))).toEqual(["multiplier.a", "multiplier.lambda"]);
    expect(d[0]!.message).toContain("a must be in the unit of h, mV, but a_h is time");
    expect(d[1]!.message).toContain("lambda must be in 1 (dimensionless)");
    // Not the rewritten equation: no message quotes exp(...) of the rewrite.
    for (const x of d) expect(x.message).not.toContain("exp(");
  });
});

describe("multiplier: lowering errors located at the rule it rewrites", () => {
  it("a target without function tables cannot lower m(w)'s exp: the error is at the STC rule's line and names the multiplier", { timeout: 60_000 }, () => {
    const caps = { ...getTarget("cmos").caps, functionTables: null };
    let err: unknown;
    try {
      compileFixed(compile("tests/fixtures/sticky/basic-early-sticky.yaml", { target: "cmos" }), caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngramError);
    const d = (err as EngramError).diagnostics[0]!;
    expect(d.code).toBe("cannot-lower");
    expect(d.where).toMatchObject({ file: "models/components/stc-synapse.yaml", line: 34, path: ["state", "h", "ode"] });
    expect(d.message).toMatch(/^dh\/dt of syn \(as rewritten by the weight-dependent multiplier at tests\/fixtures\/sticky\/stc-sticky-synapse\.yaml:\d+:\d+\): /);
    expect(d.message).toContain("declares no function tables");
  });
});
