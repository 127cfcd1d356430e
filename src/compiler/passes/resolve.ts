/**
 * Pass "resolve": reads the network file and the neuron/synapse files it names, parses every
 * quantity and equation, and resolves every symbol to a variable or parameter of the element
 * itself (`x`), of its presynaptic neuron (`x_pre`) or of its postsynaptic neuron (`x_post`).
 * Collects all problems before failing.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { EngramError, didYouMean, type Diagnostic, type SourceLocation } from "../../diagnostics/diagnostic.ts";
import { loadModelFile, displayPath, type LoadedDoc, type ModelOverride } from "../../model/load.ts";
import { NetworkFile, NeuronFile, SynapseFile } from "../../model/schema.ts";
import { readParamFile } from "../../model/param-file.ts";
import { parseQuantity, parseUnit, UnitParseError, NumberRangeError, checkNumber, type Quantity, DIMENSIONLESS_DIM, formatDimension, sameDimension } from "../../model/units.ts";
import { parseExpr, parseAssignment, ExprSyntaxError } from "../../model/parse-expr.ts";
import { rewrite, symbols, type Expr, type Scope } from "../../ir/expr.ts";
import { evaluate } from "../../ir/interpret.ts";
import { applyMultiplier } from "./multiplier.ts";
import { exprDimension, DimensionError } from "./check-units.ts";
import type {
  AssignDef, ConnectDef, EventDef, GroupDef, ParamDef, PopulationDef, ProjectionDef, ResolvedModel, TasksDef, VarDef,
} from "../model.ts";

type Path = (string | number)[];

/** Diagnostics shown at most; the rest are counted. */
const MAX_DIAGNOSTICS = 50;

/** Collects diagnostics; `attempt` turns thrown parse errors into located records. */
export class Collector {
  readonly diagnostics: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.diagnostics.push(d);
  }
  attempt<T>(where: SourceLocation, f: () => T, code = "invalid-value"): T | undefined {
    try {
      return f();
    } catch (e) {
      if (e instanceof EngramError) {
        this.diagnostics.push(...e.diagnostics);
        return undefined;
      }
      if (e instanceof UnitParseError || e instanceof ExprSyntaxError || e instanceof DimensionError) {
        this.diagnostics.push({ code, message: e.message, where });
        return undefined;
      }
      throw e;
    }
  }
  throwIfAny(): void {
    const d = this.diagnostics;
    if (d.length > MAX_DIAGNOSTICS) {
      // 50 000 wrong spike times are one mistake: show the first ones and how many more.
      throw new EngramError([...d.slice(0, MAX_DIAGNOSTICS), { code: "more", message: `... and ${d.length - MAX_DIAGNOSTICS} more problems`, where: d[MAX_DIAGNOSTICS]!.where }]);
    }
    if (d.length > 0) throw new EngramError(d);
  }
}

export interface ResolveResult {
  model: ResolvedModel;
  /** sha256 over the text of every file read, in order. */
  modelHash: string;
}

export function resolveModel(file: string, overrides: ModelOverride[] = [], maxFileBytes?: number): ResolveResult {
  const net = loadModelFile(file, NetworkFile, undefined, overrides, maxFileBytes);
  const c = new Collector();
  const d = net.data;
  const filesRead: string[] = [...net.files];
  const top: SourceLocation = net.locate([]);

  const quantity = (path: Path, text: string | number, expectUnit: string): number | undefined =>
    c.attempt(net.locate(path), () => {
      const q = parseQuantity(text);
      const want = parseUnit(expectUnit);
      if (!sameDim(q, want)) {
        throw new UnitParseError(`expected a ${describeUnit(expectUnit)}, got "${text}"`);
      }
      return q.si;
    }, "wrong-unit");

  const dt = quantity(["dt"], d.dt ?? "0.2 ms", "s");
  const duration = d.duration === undefined ? undefined : quantity(["duration"], d.duration, "s");
  if (d.duration === undefined) c.add({ code: "missing", message: "the network needs a duration, e.g. \"duration: 8 h\"", where: top });
  if (dt !== undefined && dt <= 0) c.add({ code: "non-positive", message: "dt must be positive", where: net.locate(["dt"]), received: String(d.dt) });
  if (duration !== undefined && duration <= 0) c.add({ code: "non-positive", message: "duration must be positive", where: net.locate(["duration"]), received: String(d.duration) });

  // Populations first: projections refer to their variables.
  const populations: PopulationDef[] = [];
  for (const [name, p] of Object.entries(d.populations ?? {})) {
    const path = ["populations", name];
    if (p.source && p.neuron) c.add({ code: "conflict", message: `population "${name}" is a spike source and also names a neuron model; choose one`, where: net.locate(path) });
    if (!p.source && !p.neuron) c.add({ code: "missing", message: `population "${name}" needs "neuron: FILE" or "source: true"`, where: net.locate(path) });
    if (p.source || !p.neuron) {
      populations.push({ name, size: p.size, component: "spike source", where: net.locate(path), params: new Map(), vars: new Map(), source: true, reset: [] });
      continue;
    }
    const compFile = resolvePath(dirname(net.fileOf([...path, "neuron"])), p.neuron);
    const comp = c.attempt(net.locate([...path, "neuron"]), () => loadModelFile(compFile, NeuronFile, net.locate([...path, "neuron"]), [], maxFileBytes));
    if (!comp) continue;
    filesRead.push(...comp.files);
    populations.push(resolveNeuron(c, name, p.size, comp, net, [...path, "params"], p.params ?? {}));
  }
  const popByName = new Map(populations.map((p) => [p.name, p]));
  if (populations.length === 0) c.add({ code: "missing", message: "the network has no populations", where: top });

  const projections: ProjectionDef[] = [];
  for (const [name, pr] of Object.entries(d.projections ?? {})) {
    const path = ["projections", name];
    const pre = popByName.get(pr.pre);
    const post = popByName.get(pr.post);
    for (const [key, pop] of [["pre", pre], ["post", post]] as const) {
      if (!pop) {
        const hint = didYouMean(pr[key], popByName.keys());
        c.add({ code: "unknown-population", message: `projection "${name}" names ${key}synaptic population "${pr[key]}", which does not exist`, where: net.locate([...path, key]), expected: `one of ${[...popByName.keys()].join(", ")}`, received: pr[key], hint: hint && `did you mean "${hint}"?` });
      }
    }
    const compFile = resolvePath(dirname(net.fileOf([...path, "synapse"])), pr.synapse);
    const comp = c.attempt(net.locate([...path, "synapse"]), () => loadModelFile(compFile, SynapseFile, net.locate([...path, "synapse"]), [], maxFileBytes));
    if (!comp || !pre || !post) continue;
    filesRead.push(...comp.files);
    projections.push(resolveSynapse(c, name, comp, net, path, pr, pre, post));
  }

  const groups = new Map<string, GroupDef>([...populations, ...projections].map((g) => [g.name, g]));

  const stimuli = (d.stimuli ?? []).map((spec, i) => ({
    spec,
    where: net.locate(["stimuli", i]),
    locate: (key: string) => net.locate(["stimuli", i, key]),
  }));
  for (const s of stimuli) {
    if (!popByName.has(s.spec.target)) {
      const hint = didYouMean(s.spec.target, popByName.keys());
      c.add({ code: "unknown-population", message: `stimulus targets population "${s.spec.target}", which does not exist`, where: s.locate("target"), expected: `one of ${[...popByName.keys()].join(", ")}`, received: s.spec.target, hint: hint && `did you mean "${hint}"?` });
    }
  }

  const recordings = (d.recordings ?? []).map((r, i) => {
    const [groupName, varName] = r.var.split(".") as [string, string];
    const where = net.locate(["recordings", i, "var"]);
    const g = groups.get(groupName);
    if (!g) {
      c.add({ code: "unknown-group", message: `recording names "${groupName}", which is neither a population nor a projection`, where, received: r.var, hint: hintFor(groupName, groups.keys()) });
    } else if (!g.vars.has(varName)) {
      c.add({ code: "unknown-variable", message: `"${groupName}" has no variable "${varName}"`, where, expected: `one of ${[...g.vars.keys()].join(", ") || "(none)"}`, received: varName, hint: hintFor(varName, g.vars.keys()) });
    }
    const every = quantity(["recordings", i, "every"], r.every, "s") ?? 1;
    if (every <= 0) c.add({ code: "non-positive", message: "a recording interval must be positive", where: net.locate(["recordings", i, "every"]), received: String(r.every) });
    return { group: groupName, var: varName, as: r.as, elements: r.elements, every, where };
  });

  const spikeRecording = d.record_spikes ?? populations.map((p) => p.name);
  (d.record_spikes ?? []).forEach((name, i) => {
    if (!popByName.has(name)) c.add({ code: "unknown-population", message: `record_spikes names "${name}", which is not a population`, where: net.locate(["record_spikes", i]), received: name, hint: hintFor(name, popByName.keys()) });
  });
  const phases = (d.phases ?? []).map((ph, i) => ({ name: ph.name, start: quantity(["phases", i, "start"], ph.start, "s") ?? 0, where: net.locate(["phases", i]) }));
  const quietStep = d.numerics?.quiet_step === undefined ? 1 : quantity(["numerics", "quiet_step"], d.numerics.quiet_step, "s") ?? 1;
  const aa = d.analysis?.assembly;
  const seconds = (path: (string | number)[], text: string | number) => quantity(["analysis", "assembly", ...path], text, "s") ?? 0;
  const analysis = aa
    ? { projection: aa.projection, size: aa.size, recallFraction: aa.recall_fraction, learn: seconds(["learn"], aa.learn), recall: aa.recall.map((t, i) => seconds(["recall", i], t)), snapshots: (aa.snapshots ?? []).map((t, i) => seconds(["snapshots", i], t)) }
    : null;
  if (aa && !d.projections?.[aa.projection]) c.add({ code: "unknown-projection", message: `analysis.assembly.projection names "${aa.projection}", which is not a projection`, where: net.locate(["analysis", "assembly", "projection"]), received: aa.projection });
  if (d.tasks && d.analysis) c.add({ code: "conflict", message: "a network has either an assembly analysis or readout tasks, not both", where: net.locate(["tasks"]) });
  const tasks = d.tasks ? resolveTasks(d.tasks, (key) => net.locate(key === "" ? ["tasks"] : ["tasks", key]), (i) => net.locate(["tasks", "windows", i])) : null;
  const slowStep = d.numerics?.slow_step === undefined ? 0.1 : quantity(["numerics", "slow_step"], d.numerics.slow_step, "s") ?? 0.1;

  c.throwIfAny();
  const hash = createHash("sha256");
  for (const f of filesRead) hash.update(readFileSync(f));
  // A study's grid point changes the model without changing its files.
  if (overrides.length > 0) hash.update(JSON.stringify(overrides.map((o) => [o.path, o.value])));
  return {
    modelHash: hash.digest("hex"),
    model: {
      name: d.name ?? "model",
      file: displayPath(resolvePath(file)),
      files: filesRead.map(displayPath),
      dt: { value: dt!, where: net.locate(["dt"]) },
      duration: { value: duration!, where: net.locate(["duration"]) },
      seed: d.seed ?? 0,
      populations,
      projections,
      stimuli,
      recordings,
      phases,
      spikeRecording,
      numerics: { accelerate: d.numerics?.accelerate ?? true, quietStep, lazySynapses: d.numerics?.lazy_synapses ?? false, slowStep, stateBits: d.numerics?.state_bits },
      analysis,
      tasks,
      where: top,
    },
  };
}

/** The tasks block with its shifts expanded; checked against the program in src/analysis/tasks/check.ts. */
function resolveTasks(t: NonNullable<NetworkFile["tasks"]>, locate: (key: string) => SourceLocation, locateWindow: (i: number) => SourceLocation): TasksDef {
  const shifts = Array.isArray(t.shifts) ? t.shifts : Array.from({ length: Math.max(0, t.shifts.to - t.shifts.from + 1) }, (_, i) => (t.shifts as { from: number }).from + i);
  const keys = ["", "states", "stream", "washout", "train", "test", "ridge", "channels", "shifts", "powers"];
  return { states: t.states, stream: t.stream, washout: t.washout, train: t.train, test: t.test, ridge: t.ridge, channels: t.channels, shifts, powers: t.powers, windows: t.windows?.map((w, i) => ({ ...w, where: locateWindow(i) })), where: Object.fromEntries(keys.map((k) => [k || "tasks", locate(k)])) };
}

function isTime(d: readonly number[]): boolean {
  return sameDimension(d, parseUnit("s").dimension);
}

function hintFor(word: string, options: Iterable<string>): string | undefined {
  const h = didYouMean(word, options);
  return h && `did you mean "${h}"?`;
}

function sameDim(a: Quantity, b: Quantity): boolean {
  return a.dimension.every((x, i) => Math.abs(x - (b.dimension[i] ?? 0)) < 1e-12);
}

function describeUnit(u: string): string {
  return u === "s" ? "time (e.g. \"10 ms\")" : u === "Hz" ? "rate (e.g. \"100 Hz\")" : `quantity in ${u}`;
}

/** Parameters of a component, overridden by the network file, each parsed or evaluated to SI. */
function resolveParams(
  c: Collector,
  comp: LoadedDoc<{ params?: Record<string, unknown> }>,
  net: LoadedDoc<unknown>,
  overridePath: Path,
  overrides: Record<string, unknown>,
  groupName: string,
): Map<string, ParamDef> {
  const raw = new Map<string, { value: unknown; where: SourceLocation; override?: boolean }>();
  const defaults = new Map<string, unknown>(Object.entries(comp.data.params ?? {}));
  for (const [k, v] of Object.entries(comp.data.params ?? {})) raw.set(k, { value: v, where: comp.locate(["params", k]) });
  for (const [k, v] of Object.entries(overrides)) {
    if (!raw.has(k)) {
      c.add({ code: "unknown-parameter", message: `"${groupName}" has no parameter "${k}" to override`, where: net.locate([...overridePath, k]), expected: `one of ${[...raw.keys()].join(", ")}`, received: k, hint: hintFor(k, raw.keys()) });
      continue;
    }
    raw.set(k, { value: v, where: net.locate([...overridePath, k]), override: true });
  }
  const out = new Map<string, ParamDef>();
  const visiting = new Set<string>();
  // Parameters already reported as wrong: asked again (by a dependent), they fail silently.
  const failed = new Set<string>();
  const define = (name: string): ParamDef | undefined => {
    const done = out.get(name);
    if (done) return done;
    if (failed.has(name)) return undefined;
    const r = raw.get(name)!;
    if (visiting.has(name)) {
      c.add({ code: "parameter-cycle", message: `parameter "${name}" is defined in terms of itself`, where: r.where });
      return undefined;
    }
    visiting.add(name);
    const def = c.attempt(r.where, () => parseParam(name, r.value, r.where, (dep) => {
      if (!raw.has(dep)) {
        throw new ExprSyntaxError(`parameter "${name}" uses "${dep}", which is not a parameter of this model${hintFor(dep, raw.keys()) ? ` (${hintFor(dep, raw.keys())})` : ""}`);
      }
      const p = define(dep);
      if (!p) throw new ExprSyntaxError(`parameter "${name}" depends on "${dep}", which has an error`);
      if (p.value === undefined) throw new ExprSyntaxError(`parameter "${name}" depends on "${dep}", which is a distribution; only fixed values can be used in parameter expressions`);
      return p;
    }));
    visiting.delete(name);
    if (def && r.override) {
      // An override must keep the unit kind of the component's own value.
      const base = c.attempt(r.where, () => parseParam(name, defaults.get(name), r.where, (dep) => out.get(dep) ?? define(dep)!));
      if (base && !sameDim({ si: 0, dimension: def.dimension }, { si: 0, dimension: base.dimension })) {
        c.add({ code: "wrong-unit", message: `parameter "${name}" of "${groupName}" must be a ${formatDimension(base.dimension)}, like its default ${JSON.stringify(defaults.get(name))}`, where: r.where, received: JSON.stringify(r.value) });
        // Keep the default so that equations using the parameter do not report it as missing too.
        out.set(name, base);
        return base;
      }
    }
    if (def && isTime(def.dimension) && ((def.value ?? 0) < 0 || (def.distribution && "low" in def.distribution && def.distribution.low < 0) || (def.distribution?.dist === "values" && def.distribution.values.some((x) => x < 0)))) {
      c.add({ code: "negative-time", message: `parameter "${name}" of "${groupName}" is a time and must not be negative`, where: r.where, received: JSON.stringify(r.value), hint: "time constants, delays and durations are positive" });
    }
    if (def) out.set(name, def);
    else failed.add(name);
    return def;
  };
  for (const name of raw.keys()) define(name);
  // A wrong parameter is still a parameter: equations using it must not report it as undefined.
  // (resolve fails before anything reads these placeholders.)
  for (const name of failed) out.set(name, { name, where: raw.get(name)!.where, dimension: DIMENSIONLESS_DIM, value: NaN });
  return out;
}

function parseParam(name: string, value: unknown, where: SourceLocation, dep: (n: string) => ParamDef): ParamDef {
  if (typeof value === "number" || typeof value === "string") {
    try {
      const q = parseQuantity(value);
      return { name, where, dimension: q.dimension, value: q.si };
    } catch (unitError) {
      if (typeof value === "number" || unitError instanceof NumberRangeError) throw unitError;
      // Not a plain quantity: a parameter expression such as "0.2 * h0".
      let expr: Expr;
      try {
        expr = parseExpr(value);
      } catch {
        throw unitError;
      }
      const dims = new Map<string, ParamDef>();
      const v = evaluate(expr, (n) => {
        const p = dep(n);
        dims.set(n, p);
        return p.value!;
      });
      const dimension = exprDimension(expr, (n) => dims.get(n)!.dimension, value);
      try {
        checkNumber(v, value);
      } catch (e) {
        throw new NumberRangeError(`parameter "${name}" = ${(e as Error).message}`);
      }
      return { name, where, dimension, value: v };
    }
  }
  const dist = value as Record<string, unknown> & { dist: string };
  if (Array.isArray(dist.values)) return parseValues(name, where, dist.values as number[], dist.unit as string | undefined);
  if (typeof dist.file === "string") {
    const arr = readParamFile(dist.file, where, { column: dist.column as string | undefined, initializer: dist.initializer as string | undefined });
    const def = parseValues(name, where, Array.from(arr.values), dist.unit as string | undefined);
    return { ...def, distribution: { dist: "values", values: (def.distribution as { values: Float64Array }).values, file: { path: arr.file, shape: arr.shape } } };
  }
  const q = (k: string) => parseQuantity(dist[k] as string | number);
  if ("variance" in dist) return fromMeanVariance(name, where, dist, q);
  if (dist.dist === "normal") {
    const mean = q("mean");
    const sd = q("sd");
    checkSame(mean, sd, "sd");
    const min = dist.min !== undefined ? q("min") : undefined;
    const max = dist.max !== undefined ? q("max") : undefined;
    if (min) checkSame(mean, min, "min");
    if (max) checkSame(mean, max, "max");
    if (sd.si < 0) throw new UnitParseError(`sd must not be negative, got ${String(dist.sd)}`);
    return { name, where, dimension: mean.dimension, distribution: { dist: "normal", mean: mean.si, sd: sd.si, min: min?.si, max: max?.si } };
  }
  if (dist.dist === "uniform") {
    const low = q("low");
    const high = q("high");
    checkSame(low, high, "high");
    if (high.si < low.si) throw new UnitParseError(`uniform: high (${String(dist.high)}) is below low (${String(dist.low)})`);
    return { name, where, dimension: low.dimension, distribution: { dist: "uniform", low: low.si, high: high.si } };
  }
  const median = q("median");
  return { name, where, dimension: median.dimension, distribution: { dist: "lognormal", median: median.si, sigma: dist.sigma as number } };
}

/** `{ values: [...], unit }`: one value per element, all in one unit. */
function parseValues(name: string, where: SourceLocation, values: number[], unit: string | undefined): ParamDef {
  const u = unit === undefined || unit === "1" ? { si: 1, dimension: DIMENSIONLESS_DIM } : parseUnit(unit);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new UnitParseError(`values[${i}] of "${name}" must be a finite number, got ${String(values[i])}`);
    out[i] = values[i]! * u.si;
  }
  return { name, where, dimension: u.dimension, distribution: { dist: "values", values: out } };
}

/**
 * gamma / lognormal / normal given by mean and variance (the poster's network ID). Variance 0 is
 * the homogeneous network: a fixed value, no draw. The normal's mean and variance are those before
 * truncation by min/max.
 */
function fromMeanVariance(name: string, where: SourceLocation, dist: Record<string, unknown> & { dist: string }, q: (k: string) => Quantity): ParamDef {
  const mean = q("mean");
  const variance = q("variance");
  const squared = mean.dimension.map((x) => 2 * x);
  if (!variance.dimension.every((x, i) => Math.abs(x - (squared[i] ?? 0)) < 1e-12)) {
    throw new UnitParseError(`"variance" must have the square of the mean's unit (e.g. "4 ms^2" for a mean in ms), got "${String(dist.variance)}"`);
  }
  if (variance.si < 0) throw new UnitParseError(`variance must not be negative, got ${String(dist.variance)}`);
  if (variance.si === 0) return { name, where, dimension: mean.dimension, value: mean.si };
  if (dist.dist === "normal") {
    const min = dist.min !== undefined ? q("min") : undefined;
    const max = dist.max !== undefined ? q("max") : undefined;
    if (min) checkSame(mean, min, "min");
    if (max) checkSame(mean, max, "max");
    return { name, where, dimension: mean.dimension, distribution: { dist: "normal", mean: mean.si, sd: Math.sqrt(variance.si), min: min?.si, max: max?.si } };
  }
  if (mean.si <= 0) throw new UnitParseError(`${dist.dist} needs a positive mean, got ${String(dist.mean)}`);
  if (dist.dist === "gamma") {
    // mean = k theta, variance = k theta^2.
    return { name, where, dimension: mean.dimension, distribution: { dist: "gamma", shape: (mean.si * mean.si) / variance.si, scale: variance.si / mean.si } };
  }
  // lognormal: sigma^2 = ln(1 + var/mean^2), median = mean / sqrt(1 + var/mean^2).
  const r = 1 + variance.si / (mean.si * mean.si);
  return { name, where, dimension: mean.dimension, distribution: { dist: "lognormal", median: mean.si / Math.sqrt(r), sigma: Math.sqrt(Math.log(r)) } };
}

function checkSame(a: Quantity, b: Quantity, key: string): void {
  if (!a.dimension.every((x, i) => Math.abs(x - (b.dimension[i] ?? 0)) < 1e-12)) {
    throw new UnitParseError(`"${key}" has different units from the distribution's centre`);
  }
}

function resolveVars(c: Collector, comp: LoadedDoc<{ state?: Record<string, any>; inputs?: Record<string, string>; summed?: Record<string, string> }>, kindOfSummed: "summed" | null): Map<string, VarDef> {
  const vars = new Map<string, VarDef>();
  const unitOf = (path: Path, text: string) =>
    c.attempt(comp.locate(path), () => parseUnit(text), "wrong-unit") ?? { si: 1, dimension: DIMENSIONLESS_DIM };
  for (const [name, unit] of Object.entries(comp.data.inputs ?? {})) {
    const u = unitOf(["inputs", name], unit);
    vars.set(name, { name, kind: "input", unit, unitScale: u.si, dimension: u.dimension, where: comp.locate(["inputs", name]), holdWhenRefractory: false });
  }
  if (kindOfSummed) {
    for (const [name, unit] of Object.entries(comp.data.summed ?? {})) {
      const u = unitOf(["summed", name], unit);
      vars.set(name, { name, kind: "summed", unit, unitScale: u.si, dimension: u.dimension, where: comp.locate(["summed", name]), holdWhenRefractory: false });
    }
  }
  for (const [name, sv] of Object.entries(comp.data.state ?? {})) {
    const path = ["state", name];
    const u = unitOf([...path, "unit"], sv.unit);
    const where = comp.locate(path);
    const v: VarDef = { name, kind: "state", unit: sv.unit, unitScale: u.si, dimension: u.dimension, where, holdWhenRefractory: false };
    if (sv.format) v.format = sv.format;
    const initText = String(sv.init);
    const init = c.attempt(comp.locate([...path, "init"]), () => {
      try {
        const q = parseQuantity(sv.init);
        if (!sameDim(q, u)) throw new UnitParseError(`initial value "${initText}" does not have the unit of ${name} (${sv.unit})`);
        return { op: "const", value: q.si } as Expr;
      } catch (e) {
        if (typeof sv.init === "number") throw e;
        try {
          return parseExpr(initText);
        } catch {
          throw e;
        }
      }
    }, "wrong-unit");
    if (init) v.init = { value: init, where: comp.locate([...path, "init"]) };
    if (sv.ode !== undefined) {
      const ode = c.attempt(comp.locate([...path, "ode"]), () => parseExpr(String(sv.ode)), "syntax");
      if (ode) v.ode = { value: ode, where: comp.locate([...path, "ode"]) };
    }
    if (sv.settle !== undefined) {
      const s = c.attempt(comp.locate([...path, "settle"]), () => {
        const q = parseQuantity(sv.settle);
        if (!sameDim(q, u)) throw new UnitParseError(`settle tolerance "${String(sv.settle)}" does not have the unit of ${name} (${sv.unit})`);
        if (q.si <= 0) throw new UnitParseError(`settle tolerance must be positive, got "${String(sv.settle)}"`);
        return q.si;
      }, "wrong-unit");
      if (s !== undefined) v.settle = s;
    }
    vars.set(name, v);
  }
  return vars;
}

/** Resolves symbol scopes in an expression; reports names that are nowhere defined. */
function bindSymbols(
  c: Collector,
  e: Expr,
  where: SourceLocation,
  self: GroupDef,
  pre?: GroupDef,
  post?: GroupDef,
): Expr {
  return rewrite(e, (n) => {
    if (n.op !== "sym") return n;
    const scoped = scopeOf(n.name, self, pre, post);
    if (scoped) return { op: "sym", name: scoped.name, scope: scoped.scope };
    const known = [...self.vars.keys(), ...self.params.keys()];
    if (pre) known.push(...[...pre.vars.keys(), ...pre.params.keys()].map((k) => `${k}_pre`));
    if (post) known.push(...[...post.vars.keys(), ...post.params.keys()].map((k) => `${k}_post`));
    c.add({
      code: "undefined-symbol",
      message: `"${n.name}" is not defined: it is not a variable or parameter of ${self.component}${pre ? " or of its pre/post neurons" : ""}`,
      where,
      received: n.name,
      hint: hintFor(n.name, known) ?? (pre ? `use a suffix for the neurons' values, e.g. "V_post"` : undefined),
    });
    return n;
  });
}

function scopeOf(name: string, self: GroupDef, pre?: GroupDef, post?: GroupDef): { name: string; scope: Scope } | undefined {
  if (self.vars.has(name) || self.params.has(name)) return { name, scope: "self" };
  for (const [suffix, g] of [["_pre", pre], ["_post", post]] as const) {
    if (g && name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (g.vars.has(base) || g.params.has(base)) return { name: base, scope: suffix === "_pre" ? "pre" : "post" };
    }
  }
  return undefined;
}

function resolveAssign(c: Collector, text: string, where: SourceLocation, self: GroupDef, pre?: GroupDef, post?: GroupDef): AssignDef | undefined {
  const a = c.attempt(where, () => parseAssignment(text), "syntax");
  if (!a) return undefined;
  const target = scopeOf(a.target, self, pre, post);
  const group = target?.scope === "pre" ? pre : target?.scope === "post" ? post : self;
  if (!target || !group!.vars.has(target.name)) {
    c.add({ code: "undefined-symbol", message: `cannot assign to "${a.target}": it is not a variable${target ? " (it is a parameter)" : ""}`, where, received: a.target, hint: hintFor(a.target, self.vars.keys()) });
    return undefined;
  }
  return { target: target.name, scope: target.scope, op: a.op, value: bindSymbols(c, a.value, where, self, pre, post), where };
}

function resolveNeuron(c: Collector, name: string, size: number, comp: LoadedDoc<NeuronFile>, net: LoadedDoc<unknown>, overridePath: Path, overrides: Record<string, unknown>): PopulationDef {
  const data = comp.data;
  const pop: PopulationDef = {
    name,
    size,
    component: `neuron model ${data.name ?? displayPath(comp.files[0]!)}`,
    where: net.locate(overridePath.slice(0, -1)),
    params: resolveParams(c, comp, net, overridePath, overrides, name),
    vars: resolveVars(c, comp, "summed"),
    source: false,
    reset: [],
  };
  for (const v of pop.vars.values()) {
    if (v.ode) v.ode.value = bindSymbols(c, v.ode.value, v.ode.where, pop);
    if (v.init) v.init.value = bindSymbols(c, v.init.value, v.init.where, pop);
  }
  if (data.threshold) {
    const where = comp.locate(["threshold"]);
    const t = c.attempt(where, () => parseExpr(data.threshold!), "syntax");
    if (t) pop.threshold = { value: bindSymbols(c, t, where, pop), where };
  }
  pop.reset = (data.reset ?? []).flatMap((text, i) => resolveAssign(c, text, comp.locate(["reset", i]), pop) ?? []);
  if (data.short_term_plasticity) {
    const stp = data.short_term_plasticity;
    let ok = true;
    for (const key of ["resources", "utilisation", "release"] as const) {
      const n = stp[key];
      if (n === undefined || pop.vars.get(n)?.kind === "state") continue;
      ok = false;
      c.add({ code: "undefined-symbol", message: `short_term_plasticity.${key} names "${n}", which is not a state variable of ${pop.component}`, where: comp.locate(["short_term_plasticity", key]), received: n, expected: [...pop.vars.values()].filter((v) => v.kind === "state").map((v) => v.name).join(", ") });
    }
    if (ok) pop.stp = { resources: stp.resources, utilisation: stp.utilisation, drive: stp.drive, ...(stp.release ? { release: stp.release } : {}) };
  }
  if (data.refractory) {
    const where = comp.locate(["refractory", "duration"]);
    const q = c.attempt(where, () => {
      const q = parseQuantity(data.refractory!.duration);
      if (!sameDim(q, parseUnit("s"))) throw new UnitParseError(`refractory duration must be a time, got "${String(data.refractory!.duration)}"`);
      if (q.si < 0) throw new UnitParseError(`refractory duration must not be negative, got "${String(data.refractory!.duration)}"`);
      return q.si;
    }, "wrong-unit");
    if (q !== undefined) pop.refractory = { value: q, where };
    data.refractory.hold.forEach((h, i) => {
      const v = pop.vars.get(h);
      if (!v || v.kind !== "state") c.add({ code: "undefined-symbol", message: `refractory hold names "${h}", which is not a state variable`, where: comp.locate(["refractory", "hold", i]), received: h });
      else v.holdWhenRefractory = true;
    });
  }
  return pop;
}

function resolveSynapse(c: Collector, name: string, comp: LoadedDoc<SynapseFile>, net: LoadedDoc<NetworkFile>, path: Path, pr: NonNullable<NetworkFile["projections"]>[string], pre: PopulationDef, post: PopulationDef): ProjectionDef {
  const data = comp.data;
  const proj: ProjectionDef = {
    name,
    size: 0,
    component: `synapse model ${data.name ?? displayPath(comp.files[0]!)}`,
    where: net.locate(path),
    params: resolveParams(c, comp, net, [...path, "params"], pr.params ?? {}, name),
    vars: resolveVars(c, comp, null),
    pre: pre.name,
    post: post.name,
    connect: { value: normaliseConnect(pr.connect), where: net.locate([...path, "connect"]) },
    spectralRadius: pr.spectral_radius && { value: pr.spectral_radius, where: net.locate([...path, "spectral_radius"]) },
    onPre: [],
    onPost: [],
    summed: [],
  };
  for (const v of proj.vars.values()) {
    if (v.ode) v.ode.value = bindSymbols(c, v.ode.value, v.ode.where, proj, pre, post);
    if (v.init) v.init.value = bindSymbols(c, v.init.value, v.init.where, proj, pre, post);
  }
  const events = (key: "on_pre" | "on_post"): EventDef[] =>
    (data[key] ?? []).map((h, i) => {
      const where = comp.locate([key, i, "delay"]);
      let delay = 0;
      if (h.delay !== undefined) {
        const d = c.attempt(where, () => {
          let q: Quantity;
          try {
            q = parseQuantity(h.delay!);
          } catch (e) {
            const p = proj.params.get(String(h.delay));
            if (p && p.value === undefined) throw new UnitParseError(`delay "${String(h.delay)}" is a parameter drawn from a distribution (${p.where.file}${p.where.line !== undefined ? `:${p.where.line}` : ""}); delays must be fixed values`);
            if (!p || p.value === undefined) throw e;
            q = { si: p.value, dimension: p.dimension };
          }
          if (!sameDim(q, parseUnit("s"))) throw new UnitParseError(`delay must be a time, got "${String(h.delay)}"`);
          if (q.si < 0) throw new UnitParseError(`delay must not be negative, got "${String(h.delay)}"`);
          return q.si;
        }, "wrong-unit");
        if (d !== undefined) delay = d;
      }
      const assigns = h.do.flatMap((text, j) => resolveAssign(c, text, comp.locate([key, i, "do", j]), proj, pre, post) ?? []);
      return { delay: { value: delay, where }, assigns };
    });
  proj.onPre = events("on_pre");
  proj.onPost = events("on_post");
  for (const [target, text] of Object.entries(data.summed ?? {})) {
    const where = comp.locate(["summed", target]);
    // NAME_post: the usual reduction onto the postsynaptic neuron; NAME_pre: the reverse traversal,
    // a reduction onto the presynaptic neuron (feedback through a fixed projection, issue 17).
    const toPre = target.endsWith("_pre");
    const base = target.endsWith("_post") ? target.slice(0, -5) : toPre ? target.slice(0, -4) : undefined;
    const v = base !== undefined ? (toPre ? pre : post).vars.get(base) : undefined;
    if (!v || v.kind !== "summed") {
      const names = [...post.vars.values()].filter((x) => x.kind === "summed").map((x) => `${x.name}_post`).concat([...pre.vars.values()].filter((x) => x.kind === "summed").map((x) => `${x.name}_pre`));
      c.add({ code: "undefined-symbol", message: `summed target "${target}" must name a "summed" variable of the postsynaptic neuron (NAME_post) or of the presynaptic neuron (NAME_pre)`, where, received: target, expected: names.join(", ") || "(neither neuron declares one)" });
      continue;
    }
    const e = c.attempt(where, () => parseExpr(text), "syntax");
    if (e) proj.summed.push({ target: base!, value: bindSymbols(c, e, where, proj, pre, post), where, ...(toPre ? { scope: "pre" as const } : {}) });
  }
  rejectSummedReads(c, proj, pre, post);
  if (data.multiplier) resolveMultiplier(c, proj, comp, data.multiplier, pre, post);
  return proj;
}

/** Rewrites the ODE of the multiplier's variable (multiplier.ts); errors located at the block. */
function resolveMultiplier(c: Collector, proj: ProjectionDef, comp: LoadedDoc<SynapseFile>, m: NonNullable<SynapseFile["multiplier"]>, pre: PopulationDef, post: PopulationDef): void {
  const where = comp.locate(["multiplier", "var"]);
  const v = proj.vars.get(m.var);
  if (!v || v.kind !== "state" || !v.ode) {
    c.add({ code: "undefined-symbol", message: `multiplier.var "${m.var}" must name a state variable of ${proj.component} that has an ode`, where, received: m.var, expected: [...proj.vars.values()].filter((x) => x.kind === "state" && x.ode).map((x) => x.name).join(", ") || "(none)" });
    return;
  }
  const parts: NonNullable<ProjectionDef["multiplier"]>["parts"] = [];
  const part = (key: "a" | "gamma" | "lambda"): Expr | undefined => {
    const at = comp.locate(["multiplier", key]);
    const e = c.attempt(at, () => parseExpr(m[key]), "syntax");
    const bound = e && bindSymbols(c, e, at, proj, pre, post);
    if (bound) parts.push({ key, value: bound, where: at });
    return bound;
  };
  const a = part("a"), gamma = part("gamma"), lambda = part("lambda");
  if (!a || !gamma || !lambda) return;
  const rule = { value: v.ode.value, where: v.ode.where };
  const out = applyMultiplier(v.ode.value, { op: "sym", name: m.var, scope: "self" }, { a, gamma, lambda });
  if (typeof out === "string") c.add({ code: "bad-multiplier", message: `multiplier on "${m.var}": ${out}`, where, received: m.var });
  else {
    v.ode.value = out;
    proj.multiplier = { var: m.var, at: comp.locate(["multiplier"]), parts, rule };
  }
}

/**
 * A synapse that reads a `summed` variable of its pre or post neuron would see a partial sum (the
 * sum is zeroed and refilled synapse by synapse within the step), so it is refused. Rate
 * projections read the presynaptic state (f(v_pre) * w), which is complete after the neuron update.
 */
function rejectSummedReads(c: Collector, proj: ProjectionDef, pre: PopulationDef, post: PopulationDef): void {
  const check = (e: Expr, where: SourceLocation) => {
    for (const s of symbols(e)) {
      if (s.scope === "self") continue;
      const v = (s.scope === "pre" ? pre : post).vars.get(s.name);
      if (v?.kind === "summed") {
        c.add({ code: "summed-read", message: `synapse "${proj.name}" reads "${s.name}_${s.scope}", a summed variable: within a step it holds only a partial sum`, where, received: `${s.name}_${s.scope}`, hint: "read a state variable of the neuron instead (e.g. integrate the sum into a state variable there)" });
      }
    }
  };
  for (const v of proj.vars.values()) if (v.ode) check(v.ode.value, v.ode.where);
  for (const s of proj.summed) check(s.value, s.where);
  for (const ev of [...proj.onPre, ...proj.onPost]) for (const a of ev.assigns) check(a.value, a.where);
}

function normaliseConnect(c: NetworkFile["projections"] extends Record<string, infer P> | undefined ? P extends { connect: infer C } ? C : never : never): ConnectDef {
  if (c === "one_to_one") return { kind: "one_to_one" };
  if (c === "all_to_all") return { kind: "all_to_all", autapses: true };
  return c as ConnectDef;
}
