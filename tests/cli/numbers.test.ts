/**
 * User errors in the model path exit 1 with a located message, never 70 with a stack trace
 * (issue 11): huge duration, tiny dt, huge delay, a directory as model or extends, YAML alias
 * bombs, state that turns NaN during a reference run; --limit is a usage error when malformed.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve("bin/engram.js");
const tmp = mkdtempSync(join(tmpdir(), "engram-cli-numbers-"));
const EARLY = resolve("models/stc/basic-early.yaml");

function engram(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, CI: "true" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
}

const net = (name: string, body: string) => file(name, `engram: 1\nkind: network\nextends: ${EARLY}\n${body}`);

describe("model-path user errors exit 1, located, without a stack trace", () => {
  const cases: [string, () => string, RegExp][] = [
    ["huge duration", () => net("dur.yaml", "duration: 1e30 s\n"), /dur\.yaml:4:\d+ at duration: the model asks for 5\.00e\+33 ticks/],
    ["tiny dt", () => net("dt.yaml", "dt: 1e-300 s\n"), /dt\.yaml:4:\d+ at dt: "1e-300 s" is 1\.000e-300 in SI units/],
    ["huge delay", () => {
      const syn = file("syn.yaml", `engram: 1\nkind: synapse\nextends: ${resolve("models/components/stc-synapse.yaml")}\nparams: { t_syn_delay: 1e7 s }\n`);
      return net("delay.yaml", `projections:\n  syn: { synapse: ${syn} }\n`);
    }, /entries of spike history for "pre"/],
    ["a directory as the model", () => {
      const d = join(tmp, "model-dir");
      mkdirSync(d, { recursive: true });
      return d;
    }, /model-dir is a directory, not a model file \[not-a-file\]/],
    ["a directory as extends", () => file("ext.yaml", `engram: 1\nkind: network\nextends: ${tmp}\n`), /ext\.yaml:3:\d+ at extends: .* is a directory/],
  ];
  for (const [name, make, expected] of cases) {
    it(name, () => {
      const r = engram("run", make(), "--out", join(tmp, "out"));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).not.toContain("internal error");
      expect(r.stderr).toMatch(expected);
    });
  }

  it("a reference run whose state turns NaN exits 1 naming variable, element and time, and writes no results", () => {
    const neuron = file("nan-neuron.yaml", "engram: 1\nkind: neuron\nparams: { tau: 10 ms }\nstate:\n  x: { unit: 1, init: 1, ode: -1 / tau }\n  y: { unit: 1, init: 0, ode: sqrt(x) / tau }\n");
    // (quiet-stretch acceleration, the default, takes x below 0 at tick 110; see tests/model/run-guard.test.ts for plain stepping)
    const model = file("nan.yaml", `engram: 1\nkind: network\ndt: 0.1 ms\nduration: 50 ms\npopulations:\n  pop: { neuron: ${neuron}, size: 1 }\nrecordings:\n  - { var: pop.y, every: 1 ms }\n`);
    const out = join(tmp, "nan-out");
    const r = engram("run", model, "--out", out);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/nan\.yaml at populations\.pop\.y: pop\.y\[0\] became NaN at t = 0\.011 s \(tick 110\)/);
    expect(existsSync(join(out, "traces.csv"))).toBe(false);
  });

  it("--limit raises or lowers a limit; a malformed one is a usage error", () => {
    const low = engram("compile", EARLY, "--target", "reference", "--limit", "neurons=1");
    expect(low.code, low.stderr).toBe(1);
    expect(low.stderr).toContain("the model asks for 2 neurons over all populations, more than the limit of 1");
    const bad = engram("compile", EARLY, "--target", "reference", "--limit", "neuronz=5");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--limit takes NAME=N with NAME one of model-file-bytes, neurons");
  });
});
