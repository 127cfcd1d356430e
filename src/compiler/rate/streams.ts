/**
 * Input streams for rate networks (issue 14): a series of `channels` values per step, row-major.
 *  - mackey_glass: mackey-glass.ts, `drop` samples discarded, then min-max scaled to [-1, 1];
 *  - channels: K independent Gaussian AR(1) channels u_k(t) = rho_k u_k(t-1) + sqrt(1 - rho_k^2) N(0,1),
 *    stationary with unit variance. rho_k = 0 is unpredictable noise (memory tasks only); larger
 *    rho_k makes the channel partly predictable, u_k(t + D) having the fraction rho_k^(2D) of its
 *    variance explained by u_k(t). Default rho_k = 0.95 k / (K - 1);
 *  - csv: a numeric CSV file with a header row, one column per channel;
 *  - periodic: one channel, a sum of sines u(t) = sum_i a_i sin(2 pi t / P_i + phi_i) / sum_i |a_i|
 *    (so |u| <= 1 whatever the length), periods P_i in samples; phases given or drawn
 *    U[0, 2 pi) from the stream's seed; optional white noise N(0, noise^2) added after scaling,
 *    drawn from the same seed (periodic.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { Rng } from "../../util/rng.ts";
import { mackeyGlass, scaleToUnit } from "./mackey-glass.ts";
import { periodicSeries, type PeriodicParams } from "./periodic.ts";

import { StreamError } from "./stream-error.ts";

export { StreamError };

export interface Stream {
  channels: number;
  names: string[];
  /** `length` rows of `channels` values. */
  values: Float64Array;
  length: number;
  /** A `sequence`'s switches: the rows where its segments 1, 2, ... begin (those inside the run). */
  segments?: number[];
}

type Basic =
  | { mackey_glass: { tau: number; beta: number; gamma: number; n: number; x0: number; step: number; drop: number } }
  | { channels: { count: number; rho?: number[]; seed?: number } }
  | { csv: string; columns?: string[] }
  | { periodic: PeriodicParams };

export interface SequenceSegment {
  source: BasicStreamSource;
  samples: number;
  from: number;
}

type BasicStreamSource = Basic;
export type StreamSource = BasicStreamSource | { sequence: SequenceSegment[] };

/** csvPath resolves a `csv` source's file (relative to the model file). */
export function makeStream(source: StreamSource, length: number, seed: number, csvPath?: string | ((file: string) => string)): Stream {
  const path = (file: string) => (typeof csvPath === "function" ? csvPath(file) : csvPath ?? file);
  if ("sequence" in source) return sequenceStream(source.sequence, length, seed, path);
  return basicStream(source, length, seed, path);
}

/**
 * Segments one after the other: segment i is rows [from, from + samples) of its source. Segments
 * with the same source (same parameters) read one series generated once, long enough for all of
 * them, so a later segment continues the earlier one's series under the same scaling (e.g. a
 * subtask seen again after others). The run's first `length` rows are used.
 */
export function sequenceStream(segments: SequenceSegment[], length: number, seed: number, csvPath: (file: string) => string): Stream {
  const total = segments.reduce((s, g) => s + g.samples, 0);
  if (total < length) throw new StreamError(`the sequence's segments have ${total} samples in all, the run needs ${length} (one per step)`, "lengthen the segments' samples or shorten the run", String(total));
  const series = new Map<string, Stream>();
  for (const g of segments) {
    const key = JSON.stringify(g.source);
    const need = g.from + g.samples;
    const have = series.get(key);
    if (!have || have.length < need) series.set(key, basicStream(g.source, need, seed, csvPath));
  }
  const first = series.get(JSON.stringify(segments[0]!.source))!;
  const K = first.channels;
  const values = new Float64Array(length * K);
  let row = 0;
  const starts: number[] = [];
  segments.forEach((g, i) => {
    if (i > 0 && row < length) starts.push(row);
    const s = series.get(JSON.stringify(g.source))!;
    if (s.channels !== K) throw new StreamError(`sequence segment ${i} has ${s.channels} channel(s), segment 0 has ${K}`, "every segment needs the same number of channels", String(s.channels));
    const take = Math.min(g.samples, length - row);
    if (take > 0) values.set(s.values.subarray(g.from * K, (g.from + take) * K), row * K);
    row += Math.max(0, take);
  });
  return { channels: K, names: first.names, values, length, segments: starts };
}

function basicStream(source: BasicStreamSource, length: number, seed: number, csvPath: (file: string) => string): Stream {
  if ("mackey_glass" in source) {
    const p = source.mackey_glass;
    const raw = mackeyGlass(p, p.drop + length);
    return { channels: 1, names: ["mg"], values: scaleToUnit(raw.subarray(p.drop)), length };
  }
  if ("periodic" in source) return { channels: 1, names: ["sin"], values: periodicSeries(source.periodic, length, seed), length };
  if ("channels" in source) return arChannels(source.channels.count, source.channels.rho, source.channels.seed ?? seed, length);
  return readCsvStream(csvPath(source.csv), source.columns, length);
}

export function defaultRho(count: number): number[] {
  return Array.from({ length: count }, (_, k) => (count === 1 ? 0.9 : (0.95 * k) / (count - 1)));
}

export function arChannels(count: number, rhoGiven: number[] | undefined, seed: number, length: number): Stream {
  const rho = rhoGiven ?? defaultRho(count);
  if (rho.length !== count) throw new StreamError(`channels.rho lists ${rho.length} value(s) for ${count} channel(s)`, "give one rho per channel", String(rho.length));
  const rng = new Rng(seed, "stream:channels");
  const values = new Float64Array(length * count);
  for (let k = 0; k < count; k++) values[k] = rng.normal();
  for (let t = 1; t < length; t++) {
    for (let k = 0; k < count; k++) {
      const r = rho[k]!;
      values[t * count + k] = r * values[(t - 1) * count + k]! + Math.sqrt(1 - r * r) * rng.normal();
    }
  }
  return { channels: count, names: rho.map((_, k) => `u${k}`), values, length };
}

/**
 * Plain numeric CSV (comma-separated, header row, no quoted fields). Parsed here because no CSV
 * package is a dependency and the format needed is this small; every cell is checked.
 */
export function readCsvStream(path: string, columns: string[] | undefined, length: number): Stream {
  let text: string;
  try {
    if (statSync(path).size > 256 * 1024 * 1024) throw new StreamError(`CSV file ${path} is larger than 256 MiB`);
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof StreamError) throw e;
    throw new StreamError(`cannot read CSV file ${path}: ${(e as Error).message}`, "the path is relative to the model file");
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  if (lines.length === 0) throw new StreamError(`CSV file ${path} is empty`);
  const header = lines[0]!.split(",").map((h) => h.trim());
  const pick = columns ?? header;
  const index = pick.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new StreamError(`CSV file ${path} has no column "${name}"`, `columns are: ${header.join(", ")}`, name);
    return i;
  });
  const rows = lines.length - 1;
  if (rows < length) throw new StreamError(`CSV file ${path} has ${rows} data row(s), the run needs ${length} (one per step)`, "shorten duration or supply more rows", String(rows));
  const values = new Float64Array(length * pick.length);
  for (let t = 0; t < length; t++) {
    const cells = lines[t + 1]!.split(",");
    index.forEach((col, k) => {
      const cell = (cells[col] ?? "").trim();
      const v = cell === "" ? NaN : Number(cell);
      if (!Number.isFinite(v)) throw new StreamError(`${path}:${t + 2}: column "${header[col]}" holds "${cell}", not a finite number`, undefined, cell);
      values[t * pick.length + k] = v;
    });
  }
  return { channels: pick.length, names: pick, values, length };
}
