/**
 * engram ipc MODEL.yaml: information processing capacity (Dambre et al. 2012) of a model's
 * population, on the float64 reference target (src/analysis/ipc/). Writes DIR/ipc.csv,
 * ipc-terms.csv, ipc.md, ipc.svg and manifest.json (last).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compile } from "../compiler/pipeline.ts";
import { EngramError, didYouMean } from "../diagnostics/diagnostic.ts";
import { parseQuantity } from "../model/units.ts";
import type { Program } from "../ir/program.ts";
import { driveUniform, type DriveSpec } from "../analysis/ipc/drive.ts";
import { informationProcessingCapacity, IPC_DEFAULTS } from "../analysis/ipc/search.ts";
import { writeIpcOutputs } from "../analysis/ipc/write.ts";
import { prepareOutDir, releasingOutDirs } from "./out-dir.ts";
import { progressBar, countBar } from "./progress.ts";
import { safeName } from "../util/safe-name.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { VERSION, UsageError } from "./main.ts";

export interface IpcOptions {
  model: string;
  states?: string;
  input?: string;
  inputScale: string;
  samples: number;
  washout: number;
  maxDegree: number;
  maxDelay: number;
  sampleEvery?: string;
  filterTau: string;
  /** Sub-threshold first delays tolerated (default 1 for rate states, 3 for spiking ones). */
  leadIn?: number;
  seed?: number;
  out?: string;
  force: boolean;
}

export function parseIpc(args: string[]): IpcOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        states: { type: "string" }, input: { type: "string" }, "input-scale": { type: "string", default: "1" },
        samples: { type: "string", default: "20000" }, washout: { type: "string" }, "max-degree": { type: "string", default: "3" },
        "max-delay": { type: "string", default: "100" }, "sample-every": { type: "string" }, "filter-tau": { type: "string", default: "20 ms" }, "lead-in": { type: "string" },
        seed: { type: "string" }, out: { type: "string" }, force: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`ipc needs exactly one model file, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const int = (name: string, text: string | undefined, min: number, max: number) => {
    const x = Number(text);
    if (text === undefined || text.trim() === "" || !Number.isInteger(x) || x < min || x > max) throw new UsageError(`--${name} takes an integer ${min}..${max}, got "${text}"`);
    return x;
  };
  const maxDelay = int("max-delay", v["max-delay"], 0, 10_000);
  const washout = v.washout === undefined ? Math.max(200, maxDelay) : int("washout", v.washout, 0, 1e6);
  if (washout < maxDelay) throw new UsageError(`--washout (${washout}) must be at least --max-delay (${maxDelay}): every delayed input needs a value`);
  return {
    model: positionals[0]!, states: v.states, input: v.input, inputScale: v["input-scale"]!,
    samples: int("samples", v.samples, 100, 10_000_000), washout, maxDegree: int("max-degree", v["max-degree"], 1, 9), maxDelay,
    sampleEvery: v["sample-every"], filterTau: v["filter-tau"]!, leadIn: v["lead-in"] === undefined ? undefined : int("lead-in", v["lead-in"], 1, 100), seed: v.seed === undefined ? undefined : int("seed", v.seed, 0, 2 ** 32 - 1), out: v.out, force: v.force === true,
  };
}

const bad = (code: string, message: string, hint?: string, received?: string): never => {
  throw new EngramError([{ code, message, ...(hint ? { hint } : {}), ...(received !== undefined ? { received } : {}) }]);
};

/** "POP.VAR" against the program: the population and the variable, or a located error. */
function groupVar(program: Program, text: string, option: string, kinds: string[]): { population: string; variable: string } {
  const m = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(text);
  if (!m) return bad("bad-option", `${option} takes POPULATION.VARIABLE, e.g. res.x`, undefined, text);
  const pop = program.populations.find((p) => p.name === m[1]);
  if (!pop) return bad("unknown-population", `${option}: the model has no population "${m[1]}"`, didYouMean(m[1]!, program.populations.map((p) => p.name)), text);
  const v = pop.vars.find((x) => x.name === m[2] && kinds.includes(x.kind));
  if (!v) return bad("unknown-variable", `${option}: population "${pop.name}" has no ${kinds.join(" or ")} variable "${m[2]}"`, `it has: ${pop.vars.filter((x) => kinds.includes(x.kind)).map((x) => x.name).join(", ") || "none"}`, text);
  return { population: pop.name, variable: v.name };
}

function quantity(text: string, option: string): number {
  try {
    return parseQuantity(text).si;
  } catch (e) {
    return bad("bad-option", `${option}: ${(e as Error).message}`, undefined, text);
  }
}

export function ipcCommand(o: IpcOptions): Promise<number> {
  return releasingOutDirs(async () => {
    const base = compile(o.model, { target: "reference", seed: o.seed });
    const stream = base.stimuli.find((s) => s.kind === "stream");
    // The input: --input, else the model's first stream stimulus.
    const input = o.input !== undefined ? groupVar(base, o.input, "--input", ["input"]) : stream && stream.kind === "stream" ? { population: stream.target, variable: stream.input } : bad("no-input", `${o.model} has no stream stimulus to drive`, "name the input with --input POPULATION.INPUT, e.g. --input exc.I_stim");
    // The states: --states POP.VAR (rate) or POP (spiking), else the tasks' states, else the driven population.
    const spec = o.states ?? base.tasks?.states ?? input.population;
    let states: DriveSpec["states"];
    if (spec.includes(".")) states = groupVar(base, spec, "--states", ["state"]);
    else {
      const pop = base.populations.find((p) => p.name === spec) ?? bad("unknown-population", `--states: the model has no population "${spec}"`, didYouMean(spec, base.populations.map((p) => p.name)), spec);
      if (pop.threshold === null) {
        const first = pop.vars.find((v) => v.kind === "state") ?? bad("no-state", `population "${pop.name}" has no state variable`);
        states = { population: pop.name, variable: first.name };
      } else states = { population: pop.name, spikes: { tau: quantity(o.filterTau, "--filter-tau") } };
    }
    const hold = o.sampleEvery === undefined ? 1 : Math.round(quantity(o.sampleEvery, "--sample-every") / base.tickSeconds);
    if (!(hold >= 1)) bad("bad-option", `--sample-every must be at least one step (${base.tickSeconds} s)`, undefined, o.sampleEvery);
    const scale = quantity(o.inputScale, "--input-scale");
    const total = o.washout + o.samples;
    const out = o.out ?? join("out", safeName(`${base.name}.ipc`));
    prepareOutDir(out, { force: o.force, command: "ipc" });
    const bar = progressBar(`${base.name} (i.i.d. input)`, total * hold * base.tickSeconds);
    const driven = driveUniform(base, { input, states, samples: total, hold, scale, seed: base.seed }, (f) => bar.update(f));
    bar.done();
    const search = countBar(`${base.name} IPC`, o.maxDegree);
    const stateRows = driven.states.subarray(o.washout * driven.units);
    const result = informationProcessingCapacity(driven.u, o.washout, stateRows, o.samples, driven.units, { ...IPC_DEFAULTS, maxDegree: o.maxDegree, maxDelay: o.maxDelay, leadIn: o.leadIn ?? ("spikes" in states ? 3 : 1) }, (d, n) => search.update(d - 1, `${n} targets`));
    search.done();
    const stateText = "variable" in states ? `${states.population}.${states.variable} (rate)` : `spikes of ${states.population} filtered by exp(-t / ${o.filterTau})`;
    const notes = [
      `input: u ~ U[-1, 1] i.i.d., seed ${base.seed}, held ${hold} step(s) of ${base.tickSeconds} s, into ${input.population}.${input.variable} with ${stream && !o.input ? "the model's stream weights" : "weights U[-1, 1]"} × ${o.inputScale}`,
      `states: ${stateText}; washout ${o.washout} samples; delays 0..${o.maxDelay}; degrees up to ${o.maxDegree} (searched ${result.degreesSearched})`,
    ];
    const written = await writeIpcOutputs(out, base.name, result, notes);
    const manifest = {
      engram_version: VERSION, command: "ipc", model: o.model, model_sha256: base.modelHash, seed: base.seed,
      input: { target: `${input.population}.${input.variable}`, scale: o.inputScale, hold_steps: hold, distribution: "uniform [-1, 1], i.i.d." },
      states: "variable" in states ? { variable: `${states.population}.${states.variable}` } : { spikes: states.population, filter: "exponential", tau_s: states.spikes.tau },
      lead_in: o.leadIn ?? ("spikes" in states ? 3 : 1), samples: o.samples, washout: o.washout, max_degree: o.maxDegree, max_delay: o.maxDelay,
      threshold: { value: result.threshold, orth_factor: IPC_DEFAULTS.orthFactor, p: IPC_DEFAULTS.pThreshold, formula: "orth_factor * chi2.isf(p, rank) / T" },
      rank: result.rank, units: result.units, capacity_by_degree: result.byDegree, total: result.total, targets_evaluated: result.evaluated,
      seconds: { simulate: driven.wallSeconds, factorise: result.seconds.factorise, search: result.seconds.search },
      outputs: written,
    };
    writeFileAtomic(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    process.stdout.write(`${base.name}: IPC ${result.byDegree.map((c, d) => `deg ${d + 1} ${c.toFixed(3)}`).join(", ")}; total ${result.total.toFixed(3)} of rank ${result.rank} (${result.evaluated} targets)\n` + [...written, "manifest.json"].map((w) => `  wrote ${join(out, w)}`).join("\n") + "\n");
    return 0;
  });
}
