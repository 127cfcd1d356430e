/**
 * Writes what a run produced: traces.csv (time_s, then one column per recorded element, in the
 * variable's own unit), spikes.csv (time_s, neuron), manifest.json and SVG plots. Numbers are
 * printed in their shortest round-trip form and times from integer ticks, so the same run gives
 * the same bytes. Each file is replaced atomically, and manifest.json is written last: a folder
 * with a manifest holds a complete run, one without it an incomplete one.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Program } from "../ir/program.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { labelTick, TIME_LABELS, type TimeLabel } from "./time-label.ts";

export interface RunResult {
  program: Program;
  tables: { ticks: Float64Array; columns: Float64Array[]; names: string[]; count: number }[];
  spikes: { ticks: Float64Array; neurons: Int32Array; count: number };
  neuronOffset: number[];
  stats: { denseSteps: number; quietSteps: number; quietTicks: number; wallSeconds: number };
}

export interface ManifestExtras {
  engramVersion: string;
  modelFile: string;
  modelFiles: string[];
  wallTotalSeconds: number;
  /** For runs on an emulated chip: acceleration, hardware seconds, rounding, IR size. */
  hardware?: Record<string, unknown>;
  /** Energy of the run by model (biology, bss2, cmos): src/analysis/energy/energy.ts. */
  energy?: unknown;
  /** How traces.csv labels its rows (time-label.ts; default end of step, engram's own). */
  timeLabel?: TimeLabel;
  /** false: write no SVG plots (engram run --no-plots). */
  plots?: boolean;
}

/** Digits after the point that represent every multiple of dt exactly (0.2 ms -> 4). */
export function timeDecimals(dt: number): number {
  for (let d = 0; d < 12; d++) {
    const scaled = dt * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * scaled) return d;
  }
  return 12;
}

export function formatTime(tick: number, dt: number, decimals: number): string {
  return (tick * dt).toFixed(decimals);
}

/**
 * Merges all recordings into rows at the union of their sample ticks (blank where one has no
 * sample), each labelled by `label` (time-label.ts: start drops the initial state's row).
 */
/** Rows per chunk of the CSV writers: one string per chunk, so that no output is one string (V8 caps a string at 2^29 characters). */
const CSV_CHUNK_ROWS = 10000;

export function tracesCsv(result: RunResult, label: TimeLabel = "end"): string {
  return [...tracesCsvChunks(result, label)].join("");
}

/** traces.csv in pieces of CSV_CHUNK_ROWS rows, for writers that stream (a long recording exceeds one string). */
export function* tracesCsvChunks(result: RunResult, label: TimeLabel = "end"): Generator<string> {
  const { program, tables } = result;
  const dt = program.tickSeconds;
  const decimals = timeDecimals(dt);
  const header = ["time_s", ...tables.flatMap((t) => t.names)];
  let lines: string[] = [header.join(",")];
  const cursor = tables.map(() => 0);
  for (;;) {
    let tick = Infinity;
    tables.forEach((t, i) => {
      if (cursor[i]! < t.count) tick = Math.min(tick, t.ticks[cursor[i]!]!);
    });
    if (tick === Infinity) break;
    const at = labelTick(tick, label);
    const cells: string[] = [at === null ? "" : formatTime(at, dt, decimals)];
    tables.forEach((t, i) => {
      const row = cursor[i]!;
      const has = row < t.count && t.ticks[row] === tick;
      for (const col of t.columns) cells.push(has ? String(col[row]) : "");
      if (has) cursor[i] = row + 1;
    });
    if (at !== null) lines.push(cells.join(","));
    if (lines.length >= CSV_CHUNK_ROWS) {
      yield lines.join("\n") + "\n";
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join("\n") + "\n";
}

export function spikesCsv(result: RunResult): string {
  return [...spikesCsvChunks(result)].join("");
}

/** spikes.csv in pieces of CSV_CHUNK_ROWS rows (see tracesCsvChunks). */
export function* spikesCsvChunks(result: RunResult): Generator<string> {
  const dt = result.program.tickSeconds;
  const decimals = timeDecimals(dt);
  const { ticks, neurons, count } = result.spikes;
  let lines = ["time_s,neuron"];
  for (let i = 0; i < count; i++) {
    lines.push(`${formatTime(ticks[i]!, dt, decimals)},${neurons[i]}`);
    if (lines.length >= CSV_CHUNK_ROWS) {
      yield lines.join("\n") + "\n";
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join("\n") + "\n";
}

export function manifest(result: RunResult, extras: ManifestExtras): Record<string, unknown> {
  const p = result.program;
  const simulated = p.durationTicks * p.tickSeconds;
  return {
    engram_version: extras.engramVersion,
    model: { name: p.name, file: extras.modelFile, files: extras.modelFiles, sha256: p.modelHash },
    target: p.target,
    seed: p.seed,
    dt_s: p.tickSeconds,
    simulated_s: simulated,
    wall_s: round(result.stats.wallSeconds),
    wall_total_s: round(extras.wallTotalSeconds),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), // of the whole process, up to writing the outputs
    biological_s_per_wall_s: round(simulated / result.stats.wallSeconds),
    ...(extras.hardware ? { hardware: extras.hardware } : {}),
    ...(extras.energy ? { energy: extras.energy } : {}),
    integration: {
      accelerated: p.numerics.accelerate,
      dense_steps: result.stats.denseSteps,
      quiet_steps: result.stats.quietSteps,
      quiet_fraction_of_time: round(result.stats.quietTicks / p.durationTicks),
      max_quiet_step_s: p.numerics.quietStepTicks * p.tickSeconds,
    },
    phases: p.phases.map((ph) => ({ name: ph.name, start_s: ph.startTick * p.tickSeconds })),
    neurons: p.populations.map((pop, i) => ({ population: pop.name, first: result.neuronOffset[i], count: pop.size })),
    recordings: p.recordings.map((r) => ({ variable: `${r.group}.${r.var}`, unit: r.unit, columns: r.columns, every_s: r.everyTicks * p.tickSeconds })),
    traces_csv: { time_s: TIME_LABELS[extras.timeLabel ?? "end"], time_label: extras.timeLabel ?? "end" },
    spikes: result.spikes.count,
    outputs: ["traces.csv", "spikes.csv", "traces.svg", ...(result.spikes.count > 0 ? ["spikes.svg"] : []), "manifest.json"],
  };
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

/** Above this many spikes the raster gives way to population rates. */
export const MAX_RASTER_SPIKES = 20_000;

/** Mean firing rate per neuron of each recorded population, in `bins` equal time bins. */
export function populationRates(result: RunResult, bins: number): { time: Float64Array; series: { name: string; unit: string; values: Float64Array }[] } {
  const p = result.program;
  const binTicks = Math.max(1, Math.ceil(p.durationTicks / bins));
  const n = Math.ceil(p.durationTicks / binTicks);
  const binSeconds = binTicks * p.tickSeconds;
  const time = Float64Array.from({ length: n }, (_, i) => (i + 0.5) * binSeconds);
  const pops = p.populations.map((pop, i) => ({ pop, first: result.neuronOffset[i]!, counts: new Float64Array(n) })).filter((x) => p.spikeRecording.includes(x.pop.name));
  const { ticks, neurons, count } = result.spikes;
  for (let k = 0; k < count; k++) {
    const owner = pops.find((x) => neurons[k]! >= x.first && neurons[k]! < x.first + x.pop.size);
    if (owner) owner.counts[Math.min(n - 1, Math.floor(ticks[k]! / binTicks))]!++;
  }
  return { time, series: pops.map((x) => ({ name: `${x.pop.name} rate`, unit: "Hz", values: x.counts.map((c) => c / (x.pop.size * binSeconds)) })) };
}

/**
 * Writes the run's files, then whatever `beforeManifest` adds (e.g. the analysis, which reads the
 * manifest's fields; it returns the names it wrote), then manifest.json, listing them all.
 */
export async function writeRunOutputs(dir: string, result: RunResult, extras: ManifestExtras, beforeManifest?: (manifest: Record<string, unknown>) => Promise<string[]>): Promise<string[]> {
  // Loaded here, not at the top: the plotting stack (vega) costs a second of start-up that
  // callers using only the CSV and manifest writers (study workers) should not pay.
  const plots = extras.plots !== false;
  const { renderRasterSvg, renderTracesSvg } = plots ? await import("./plot.ts") : ({} as typeof import("./plot.ts"));
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  const write = (name: string, text: string | Iterable<string>) => {
    writeFileAtomic(join(dir, name), text);
    names.push(name);
  };
  const label = extras.timeLabel ?? "end";
  write("traces.csv", tracesCsvChunks(result, label));
  write("spikes.csv", spikesCsvChunks(result));
  const dt = result.program.tickSeconds;
  const series = result.tables.flatMap((t, i) => {
    const r = result.program.recordings[i]!;
    // the plot's axis follows the same labels (start: one dt earlier, without the initial state)
    const skip = label === "start" && t.count > 0 && t.ticks[0] === 0 ? 1 : 0;
    const time = Float64Array.from(t.ticks.subarray(skip, t.count), (k) => labelTick(k, label)! * dt);
    return t.columns.map((c, j) => ({ time, name: t.names[j]!, unit: r.unit, values: c.subarray(skip, t.count) }));
  });
  if (plots && series.length > 0) {
    // One shared time axis per plot: series from recordings with other intervals are plotted on their own.
    const time = series[0]!.time;
    const same = series.filter((s) => s.time.length === time.length);
    write("traces.svg", await renderTracesSvg({ title: `${result.program.name}: recorded variables (${result.program.target}, seed ${result.program.seed})`, time_s: time, series: same }));
  }
  if (plots && result.spikes.count > 0) {
    const { ticks, neurons, count } = result.spikes;
    if (count <= MAX_RASTER_SPIKES) {
      write("spikes.svg", await renderRasterSvg({ title: `${result.program.name}: spikes`, times_s: Float64Array.from(ticks.subarray(0, count), (k) => k * dt), neurons: neurons.subarray(0, count) }));
    } else {
      // Too many dots to draw usefully: show each population's mean firing rate instead.
      const rates = populationRates(result, 1000);
      write("spikes.svg", await renderTracesSvg({ title: `${result.program.name}: ${count} spikes, shown as population rates`, time_s: rates.time, series: rates.series }));
    }
  }
  const m = manifest(result, extras);
  if (beforeManifest) names.push(...(await beforeManifest(m)));
  m.outputs = [...names, "manifest.json"]; // what was written, in order
  write("manifest.json", JSON.stringify(m, null, 2) + "\n");
  return names.map((f) => join(dir, f));
}
