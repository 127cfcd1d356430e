/**
 * The unit rules of pass "check-units" (docs/model-format.md, "Unit checks"), one at a time, with
 * the expected dimensions derived by hand. Dimension vectors are in mathjs' base order
 * [kg, m, s, A, K, cd, mol, rad, bit]: a volt is kg m^2 s^-3 A^-1.
 * Mutations these kill: deleting the unit check on comparisons or on `pow`, returning the
 * operand's unit from a comparison, dropping the exponent from a power.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { exprDimension, DimensionError } from "../../src/compiler/passes/check-units.ts";
import { parseExpr } from "../../src/model/parse-expr.ts";
import { parseUnit } from "../../src/model/units.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";

const VOLT = [1, 2, -3, -1, 0, 0, 0, 0, 0];
const AMPERE = [0, 0, 0, 1, 0, 0, 0, 0, 0];
const SECOND = [0, 0, 1, 0, 0, 0, 0, 0, 0];
const NONE = [0, 0, 0, 0, 0, 0, 0, 0, 0];
const UNITS: Record<string, string> = { V: "mV", V_th: "mV", I: "nA", tau: "ms", n: "1", k: "1" };
const dimOf = (name: string) => parseUnit(UNITS[name]!).dimension;
const dim = (text: string) => Array.from(exprDimension(parseExpr(text), dimOf, text));
const refused = (text: string) => {
  try {
    exprDimension(parseExpr(text), dimOf, text);
  } catch (e) {
    expect(e).toBeInstanceOf(DimensionError);
    return (e as Error).message;
  }
  throw new Error(`"${text}" was accepted`);
};

describe("check-units: comparisons", () => {
  it("a comparison of like units is dimensionless (value 1 or 0)", () => {
    expect(dim("V >= V_th")).toEqual(NONE);
    expect(dim("I < 2 * I")).toEqual(NONE);
    // The comparison's value multiplies as a pure number: (V > V_th) * V is a voltage, not V^2.
    expect(dim("(V > V_th) * V")).toEqual(VOLT);
  });

  it("a comparison of mismatched units is refused, naming both sides and their units", () => {
    const m = refused("V >= I");
    expect(m).toContain("units do not match");
    expect(m).toContain("V is voltage");
    expect(m).toContain("I is current");
    expect(refused("tau < V")).toContain("units do not match");
    // A bare number is dimensionless, so it does not match a voltage either.
    expect(refused("V > 0")).toContain("units do not match");
  });

  it("sums and differences need like units and keep them", () => {
    expect(dim("V - V_th")).toEqual(VOLT);
    expect(dim("I + I")).toEqual(AMPERE);
    expect(refused("V + I")).toContain("units do not match");
    expect(refused("V - tau")).toContain("units do not match");
  });
});

describe("check-units: powers", () => {
  it("a quantity with units raised to a constant power scales its dimension by the exponent", () => {
    expect(dim("V ^ 2")).toEqual(VOLT.map((x) => 2 * x));
    expect(dim("tau ^ 3")).toEqual(SECOND.map((x) => 3 * x));
    expect(dim("V ^ 0.5")).toEqual(VOLT.map((x) => 0.5 * x));
  });

  it("a quantity with units raised to a non-constant power is refused", () => {
    expect(refused("V ^ n")).toContain("can only be raised to a constant power");
    expect(refused("tau ^ (n + 1)")).toContain("can only be raised to a constant power");
  });

  it("a dimensionless base may take any exponent, and the result is dimensionless", () => {
    expect(dim("k ^ n")).toEqual(NONE);
    expect(dim("(V / V_th) ^ n")).toEqual(NONE);
    expect(dim("2 ^ k")).toEqual(NONE);
  });
});

describe("check-units: messages", () => {
  it("quote the equation as written, without surrounding whitespace", () => {
    const quoted = (text: string) => {
      try {
        exprDimension(parseExpr(text), dimOf, `  ${text}\n`);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`"${text}" was accepted`);
    };
    for (const text of ["V + I", "V ^ n", "V > V_th ? V : I", "exp(V)", "min(V, I)"]) expect(quoted(text)).toContain(`(in "${text}")`);
  });
});

describe("check-units: the other rules", () => {
  it("products, quotients, sqrt, abs, negation and xi", () => {
    expect(dim("V * I")).toEqual(VOLT.map((x, i) => x + AMPERE[i]!));
    expect(dim("V / tau")).toEqual(VOLT.map((x, i) => x - SECOND[i]!));
    expect(dim("sqrt(tau)")).toEqual(SECOND.map((x) => x / 2));
    expect(dim("abs(-V)")).toEqual(VOLT);
    expect(dim("xi")).toEqual(SECOND.map((x) => -x / 2));
    expect(dim("not (V > V_th) and n or k")).toEqual(NONE);
    // logical values are pure numbers wherever they are used
    expect(dim("(not (V > V_th)) * V")).toEqual(VOLT);
    expect(dim("(V > V_th and I > I) * I")).toEqual(AMPERE);
    expect(dim("(V > V_th or I > I) * tau")).toEqual(SECOND);
    expect(dim("H(V - V_th)")).toEqual(NONE);
    expect(dim("heaviside(V - V_th)")).toEqual(NONE);
  });

  it("exp and log take dimensionless arguments", () => {
    expect(dim("exp(V / V_th)")).toEqual(NONE);
    expect(dim("log(tau / tau)")).toEqual(NONE);
    expect(refused("exp(V)")).toContain("exp() needs a dimensionless argument, V is voltage");
    expect(refused("log(tau)")).toContain("log() needs a dimensionless argument");
  });

  it("branches of ?: and the arguments of min, max, clip share one unit", () => {
    expect(dim("V > V_th ? V : V_th")).toEqual(VOLT);
    expect(refused("V > V_th ? V : I")).toContain("two branches");
    expect(dim("min(V, V_th)")).toEqual(VOLT);
    expect(dim("clip(I, I, I)")).toEqual(AMPERE);
    expect(refused("max(V, I)")).toContain("the arguments of max() have different units");
    expect(refused("clip(V, V, tau)")).toContain("the arguments of clip() have different units");
  });
});

/** A neuron whose threshold or equation breaks one unit rule, in a one-population network. */
function rejected(neuron: string): Diagnostic[] {
  const dir = mkdtempSync(join(tmpdir(), "engram-units-"));
  writeFileSync(join(dir, "n.yaml"), neuron);
  writeFileSync(join(dir, "net.yaml"), `engram: 1\nkind: network\nname: units\ndt: 0.2 ms\nduration: 10 ms\npopulations:\n  pop: { neuron: n.yaml, size: 1 }\n`);
  try {
    compile(join(dir, "net.yaml"), { target: "reference" });
  } catch (e) {
    if (e instanceof EngramError) return e.diagnostics;
    throw e;
  }
  throw new Error("expected the model to be rejected");
}

const neuron = (ode: string, threshold: string) => `engram: 1
kind: neuron
name: n
params:
  tau: 10 ms
  V_th: -55 mV
  V_rest: -65 mV
  V_reset: -70 mV
  R: 10 Mohm
  n: 2
state:
  V:
    unit: mV
    init: V_rest
    ode: ${ode}
  I:
    unit: nA
    init: 0 nA
    ode: -I / tau
threshold: ${threshold}
reset: [V = V_reset]
`;

describe("check-units in a model file: located wrong-unit errors", () => {
  it("the model with matching units compiles", () => {
    const dir = mkdtempSync(join(tmpdir(), "engram-units-ok-"));
    writeFileSync(join(dir, "n.yaml"), neuron("(-(V - V_rest) + R * I) / tau", "V >= V_th"));
    writeFileSync(join(dir, "net.yaml"), `engram: 1\nkind: network\nname: units\ndt: 0.2 ms\nduration: 10 ms\npopulations:\n  pop: { neuron: n.yaml, size: 1 }\n`);
    expect(() => compile(join(dir, "net.yaml"), { target: "reference" })).not.toThrow();
  });

  it("a threshold comparing a voltage with a current", () => {
    const [d, ...rest] = rejected(neuron("(-(V - V_rest) + R * I) / tau", "V >= I"));
    expect(rest).toHaveLength(0);
    expect(d!.code).toBe("wrong-unit");
    expect(d!.where!.file).toContain("n.yaml");
    expect(d!.where!.path).toEqual(["threshold"]);
    expect(d!.message).toContain("units do not match");
  });

  it("a voltage raised to a parameter's power", () => {
    const [d, ...rest] = rejected(neuron("(-(V - V_rest) + R * I) / tau * (V / V_th) ^ n + V ^ n / (tau * V)", "V >= V_th"));
    expect(rest).toHaveLength(0);
    expect(d!.code).toBe("wrong-unit");
    expect(d!.where!.path).toEqual(["state", "V", "ode"]);
    expect(d!.message).toContain("constant power");
  });

  it("an ODE whose right-hand side is not the variable's unit per second", () => {
    const [d] = rejected(neuron("(-(V - V_rest) + R * I)", "V >= V_th"));
    expect(d!.code).toBe("wrong-unit");
    expect(d!.message).toContain("dV/dt must be in mV/s");
  });

  it("a dimensionless variable's ODE must be in 1/s", () => {
    const text = neuron("(-(V - V_rest) + R * I) / tau", "V >= V_th").replace("  I:\n    unit: nA\n    init: 0 nA\n    ode: -I / tau", "  I:\n    unit: nA\n    init: 0 nA\n    ode: -I / tau\n  u:\n    unit: 1\n    init: 0\n    ode: -u");
    const [d, ...rest] = rejected(text);
    expect(rest).toHaveLength(0);
    expect(d!.message).toContain("du/dt must be in 1/s");
  });

  it("an undefined name is reported once, by resolve, not again as a unit error", () => {
    const [d, ...rest] = rejected(neuron("(-(V - V_rest) + R * I) / tau + V_nope / tau", "V >= V_th"));
    expect(rest).toHaveLength(0);
    expect(d!.code).toBe("undefined-symbol");
  });

  it("resets and initial values keep their variable's unit", () => {
    const badReset = neuron("(-(V - V_rest) + R * I) / tau", "V >= V_th").replace("reset: [V = V_reset]", "reset: [V = I]");
    const [d] = rejected(badReset);
    expect(d!.code).toBe("wrong-unit");
    expect(d!.message).toContain('"=" on V needs a value in voltage');
    const badInit = neuron("(-(V - V_rest) + R * I) / tau", "V >= V_th").replace("init: V_rest", "init: V_th * n / tau");
    const [e] = rejected(badInit);
    expect(e!.code).toBe("wrong-unit");
    expect(e!.message).toContain("initial value of V must be in mV");
  });
});

// The synapse-side rules (summed values, *= on events) on the STC synapse.
describe("check-units on synapses", () => {
  const COMPONENTS = resolve("models/components");
  function synapse(edit: (text: string) => string, neuronPre = false): Diagnostic[] {
    const dir = mkdtempSync(join(tmpdir(), "engram-units-syn-"));
    const base = `engram: 1
kind: synapse
name: s
params:
  w: 1 mV
  tau: 10 ms
state:
  x:
    unit: 1
    init: 0
    ode: -x / tau
on_pre:
  - do: [I_syn_post += w / R_post, x *= 0.5]
summed:
  S_post: abs(w)
`;
    writeFileSync(join(dir, "s.yaml"), edit(base));
    writeFileSync(join(dir, "net.yaml"), `engram: 1\nkind: network\nname: units\ndt: 0.2 ms\nduration: 10 ms\npopulations:\n  a: ${neuronPre ? `{ neuron: ${COMPONENTS}/lif-current-background.yaml, size: 1 }` : "{ source: true, size: 1 }"}\n  b: { neuron: ${COMPONENTS}/lif-stc.yaml, size: 1 }\nprojections:\n  p: { pre: a, post: b, synapse: s.yaml, connect: one_to_one }\n`);
    try {
      compile(join(dir, "net.yaml"), { target: "reference" });
      return [];
    } catch (e) {
      if (e instanceof EngramError) return e.diagnostics;
      throw e;
    }
  }

  it("the synapse with matching units compiles", () => {
    expect(synapse((t) => t)).toEqual([]);
  });

  it("*= and /= on a quantity with units take dimensionless factors", () => {
    expect(synapse((t) => t.replace("x *= 0.5", "x *= 0.5, I_syn_post *= 0.5"))).toEqual([]);
    expect(synapse((t) => t.replace("x *= 0.5", "x *= 0.5, I_syn_post /= 2"))).toEqual([]);
    const [d] = synapse((t) => t.replace("x *= 0.5", "I_syn_post /= w"));
    expect(d!.code).toBe("wrong-unit");
    expect(d!.message).toContain('"/=" on I_syn needs a value in dimensionless');
  });

  it("_pre names take the presynaptic population's units, _post names the postsynaptic one's", () => {
    // I_bg (nA) is an input of the presynaptic lif-current-background only; the postsynaptic
    // lif-stc has none, so it must be looked up in the presynaptic population to be a current.
    expect(synapse((t) => t.replace("I_syn_post += w / R_post", "I_syn_post += w / R_post + I_bg_pre"), true)).toEqual([]);
    const [d] = synapse((t) => t.replace("I_syn_post += w / R_post", "I_syn_post += I_bg_pre * R_post"), true);
    expect(d!.code).toBe("wrong-unit");
    expect(d!.message).toContain('"+=" on I_syn needs a value in current');
  });

  it("*= needs a dimensionless factor; += needs the target's unit", () => {
    const [d] = synapse((t) => t.replace("x *= 0.5", "x *= w"));
    expect(d!.code).toBe("wrong-unit");
    expect(d!.message).toContain('"*=" on x needs a value in dimensionless');
    const [e] = synapse((t) => t.replace("I_syn_post += w / R_post", "I_syn_post += w"));
    expect(e!.code).toBe("wrong-unit");
    expect(e!.message).toContain('"+=" on I_syn needs a value in current');
  });

  it("a summed value must have the unit of its postsynaptic variable", () => {
    const [d] = synapse((t) => t.replace("S_post: abs(w)", "S_post: abs(w) / tau"));
    expect(d!.code).toBe("wrong-unit");
    expect(d!.message).toContain("summed value must have the unit of S_post");
  });
});
