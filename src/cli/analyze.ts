/**
 * engram analyze DIR: the cell-assembly measures (stc-model.md section 8) of a finished run.
 * Reads DIR/spikes.csv and DIR/manifest.json (and DIR/weights.json when present), writes
 * analysis.json, analysis.md, raster.svg and rates.svg. spikes.csv may hold tens of millions of
 * rows, so it is read in fixed-size chunks and parsed byte by byte; only spikes inside the
 * windows that are analysed or plotted are kept.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { binnedRates, mutualInformation, rateWindow, rates, recallQuality, weightStats, type ClassStats } from "../analysis/assembly.ts";
import { renderAssemblyRasterSvg, renderAssemblyRatesSvg, type NeuronGroups } from "../analysis/assembly-plots.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { lockOutDir } from "./out-dir.ts";

export interface AnalyseOptions {
  /** The first `assembly` excitatory neurons form the assembly. */
  assembly: number;
  /** Fraction of the assembly stimulated at recall (its first neurons). */
  recallFraction: number;
  /** Onset of the last learning pulse (s). */
  learn: number;
  /** Recall onsets (s). */
  recall: number[];
  /** Early-phase resting weight and tag threshold for weights.json (mV; stc-model.md sections 3-4). */
  h0: number;
  thetaTag: number;
  /** Weight statistics taken during the run (engram run); otherwise read from DIR/weights.json. */
  weights?: { t: number; classes: ClassStats[] }[];
  /** The run's manifest when it is not on disk yet (engram run writes it last); otherwise DIR/manifest.json. */
  manifest?: unknown;
}

export const DEFAULT_ANALYSE_OPTIONS: AnalyseOptions = { assembly: 150, recallFraction: 0.5, learn: 11.0, recall: [20, 28810], h0: 4.20075, thetaTag: 0.84015 };

/** Plots show each window from 1.5 s before to 1 s after its onset (all three learning pulses). */
export const PLOT_SPAN: [number, number] = [-1.5, 1.0];
const BIN_S = 0.01;

interface Population { population: string; first: number; count: number }

export interface RecallResult {
  t: number;
  window: [number, number];
  /** Why the recall was not analysed (window beyond the simulated time). */
  skipped?: string;
  Q?: number;
  nu_as?: number;
  nu_ans?: number;
  nu_ctrl?: number;
  nu_inh?: number;
  mi_bits?: number;
}

export interface AnalysisResult {
  dir: string;
  options: AnalyseOptions & { recalled: number };
  excitatory: Population;
  inhibitory: Population[];
  spikes_total: number;
  learning: { t: number; window: [number, number]; nu_as: number; nu_ans: number; nu_ctrl: number; nu_inh: number };
  recalls: RecallResult[];
  weights?: { t: number; classes: ClassStats[] }[];
  outputs: string[];
}

const fail = (code: string, message: string, file: string, line?: number, received?: string): never => {
  throw new EngramError([{ code, message, where: { file, path: [], line }, received }]);
};

// ---------------------------------------------------------------------------
// manifest.json
// ---------------------------------------------------------------------------

function readManifest(file: string, given?: unknown): { pops: Population[]; simulated: number } {
  let data: unknown = given;
  if (data === undefined) {
    if (!existsSync(file)) fail("file-not-found", "no manifest.json (the directory should be an \"engram run\" output)", file);
    try {
      data = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      fail("bad-manifest", `not valid JSON: ${(e as Error).message}`, file);
    }
  }
  const neurons = (data as { neurons?: unknown }).neurons;
  if (!Array.isArray(neurons) || neurons.length === 0) fail("bad-manifest", "manifest has no \"neurons\" list of populations", file, undefined, JSON.stringify(neurons));
  const pops = (neurons as unknown[]).map((p, i) => {
    const q = p as Population;
    const ok = typeof q?.population === "string" && Number.isInteger(q.first) && q.first >= 0 && Number.isInteger(q.count) && q.count > 0;
    if (!ok) throw new EngramError([{ code: "bad-manifest", message: "each population needs {population, first, count}", where: { file, path: ["neurons", i] }, received: JSON.stringify(p) }]);
    return { population: q.population, first: q.first, count: q.count };
  });
  const sim = (data as { simulated_s?: unknown }).simulated_s;
  return { pops, simulated: typeof sim === "number" && sim > 0 ? sim : Infinity };
}

// ---------------------------------------------------------------------------
// spikes.csv
// ---------------------------------------------------------------------------

export interface Spikes { times: Float64Array; neurons: Int32Array; count: number; total: number }

const CHUNK = 1 << 22;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Reads time_s,neuron rows, keeping those whose time lies in one of `keep` ([t0, t1) each).
 * Fast path for plain decimals: integer mantissa / 10^k is correctly rounded (both exact
 * doubles), so it equals Number(text); anything else (exponents, long mantissas) goes through
 * Number. Neurons must be integers in [0, nNeurons).
 */
export function readSpikesCsv(file: string, nNeurons: number, keep: [number, number][], chunkBytes = CHUNK): Spikes {
  if (!existsSync(file)) fail("file-not-found", "no spikes.csv (the run recorded no spikes?)", file);
  let times = new Float64Array(1 << 16);
  let neurons = new Int32Array(1 << 16);
  let count = 0;
  let total = 0;
  const fd = openSync(file, "r");
  const buf = Buffer.allocUnsafe(chunkBytes);
  let have = 0; // bytes in buf
  let lineNo = 0;
  let eof = false;
  const text = (s: number, e: number) => buf.toString("utf8", s, Math.min(e, s + 200));
  try {
    while (!eof) {
      const got = readSync(fd, buf, have, chunkBytes - have, null);
      if (got === 0) eof = true;
      have += got;
      let s = 0;
      for (;;) {
        let e = buf.indexOf(10, s);
        if (e < 0 || e >= have) {
          if (!eof || s >= have) break;
          e = have; // last line without a newline
        }
        lineNo++;
        let end = e;
        if (end > s && buf[end - 1] === 13) end--;
        if (lineNo === 1) {
          if (buf.toString("utf8", s, end) !== "time_s,neuron") fail("bad-spikes-csv", "header must be \"time_s,neuron\"", file, 1, text(s, end));
        } else if (end > s) {
          // time: [-]digits[.digits]
          let i = s;
          const neg = buf[i] === 45;
          if (neg) i++;
          let m = 0;
          let digits = 0;
          let decimals = 0;
          let dot = false;
          for (; i < end; i++) {
            const c = buf[i]!;
            if (c >= 48 && c <= 57) {
              m = m * 10 + (c - 48);
              digits++;
              if (dot) decimals++;
            } else if (c === 46 && !dot) dot = true;
            else break;
          }
          let t: number;
          if (i < end && buf[i] === 44 && digits > 0 && digits <= 15 && decimals <= 22) {
            t = (neg ? -m : m) / POW10[decimals]!;
          } else {
            // Not a plain short decimal: let Number decide (exponents, long mantissas).
            const comma = buf.indexOf(44, s);
            i = comma >= 0 && comma < end ? comma : end;
            const field = buf.toString("utf8", s, i).trim();
            t = field === "" ? NaN : Number(field);
            if (!Number.isFinite(t) || i >= end) fail("bad-spikes-csv", i >= end ? "row needs two fields: time_s,neuron" : `time_s is not a number: "${field}"`, file, lineNo, text(s, end));
          }
          // neuron: digits to the end of the line
          i++;
          let n = 0;
          let nd = 0;
          for (; i < end; i++) {
            const c = buf[i]!;
            if (c < 48 || c > 57 || nd >= 10) break;
            n = n * 10 + (c - 48);
            nd++;
          }
          if (nd === 0 || i !== end) fail("bad-spikes-csv", "neuron must be a non-negative integer (and the row has two fields)", file, lineNo, text(s, end));
          if (n >= nNeurons) fail("bad-spikes-csv", `neuron ${n} is outside the manifest's ${nNeurons} neurons`, file, lineNo, text(s, end));
          total++;
          let kept = false;
          for (let w = 0; w < keep.length; w++) if (t >= keep[w]![0] && t < keep[w]![1]) kept = true;
          if (kept) {
            if (count === times.length) {
              const t2 = new Float64Array(count * 2);
              t2.set(times);
              times = t2;
              const n2 = new Int32Array(count * 2);
              n2.set(neurons);
              neurons = n2;
            }
            times[count] = t;
            neurons[count] = n;
            count++;
          }
        }
        s = e + 1;
        if (s >= have) break;
      }
      if (s < have) {
        if (s === 0 && have === chunkBytes) fail("bad-spikes-csv", `a line longer than ${chunkBytes} bytes`, file, lineNo + 1, text(0, 200));
        buf.copy(buf, 0, s, have);
        have -= s;
      } else have = 0;
    }
  } finally {
    closeSync(fd);
  }
  if (lineNo === 0) fail("bad-spikes-csv", "empty file (expected the header time_s,neuron)", file);
  return { times: times.subarray(0, count), neurons: neurons.subarray(0, count), count, total };
}

// ---------------------------------------------------------------------------
// weights.json
// ---------------------------------------------------------------------------

interface Snapshot { t: number; pre: Int32Array; post: Int32Array; h: Float64Array; z: Float64Array }

function readWeights(file: string): Snapshot[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    fail("bad-weights", `not valid JSON: ${(e as Error).message}`, file);
  }
  if (!Array.isArray(data)) fail("bad-weights", "weights.json must be an array of snapshots {t, pre, post, h, z}", file);
  return (data as unknown[]).map((snap, i) => {
    const bad = (message: string, key?: string): never => {
      throw new EngramError([{ code: "bad-weights", message, where: { file, path: key ? [i, key] : [i] } }]);
    };
    const o = snap as Record<string, unknown>;
    if (typeof o?.t !== "number") bad("snapshot needs a numeric t", "t");
    const arr = (key: string) => {
      const a = o[key];
      if (!Array.isArray(a) || !a.every((x) => typeof x === "number" && Number.isFinite(x))) bad(`"${key}" must be an array of finite numbers`, key);
      return a as number[];
    };
    const pre = arr("pre"), post = arr("post"), h = arr("h"), z = arr("z");
    if (post.length !== pre.length || h.length !== pre.length || z.length !== pre.length) bad(`pre, post, h, z differ in length (${pre.length}, ${post.length}, ${h.length}, ${z.length})`);
    return { t: o.t as number, pre: Int32Array.from(pre), post: Int32Array.from(post), h: Float64Array.from(h), z: Float64Array.from(z) };
  });
}

// ---------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------

const mean = (xs: Float64Array, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return to > from ? s / (to - from) : NaN;
};

/** Analyses a run directory and writes analysis.json, analysis.md, raster.svg and rates.svg. */
export async function analyseRun(dir: string, options: Partial<AnalyseOptions> = {}): Promise<AnalysisResult> {
  const o: AnalyseOptions = { ...DEFAULT_ANALYSE_OPTIONS, ...options };
  const manifestFile = join(dir, "manifest.json");
  const { pops, simulated } = readManifest(manifestFile, o.manifest);
  const exc = pops.find((p) => p.population === "exc") ?? pops[0]!;
  const inh = pops.filter((p) => p !== exc);
  const nNeurons = Math.max(...pops.map((p) => p.first + p.count));
  const recalled = Math.round(o.recallFraction * o.assembly);
  if (!(Number.isInteger(o.assembly) && o.assembly >= 2 && o.assembly <= exc.count)) {
    fail("bad-assembly", `--assembly ${o.assembly} must be an integer from 2 to the ${exc.count} neurons of "${exc.population}"`, manifestFile);
  }
  if (!(recalled >= 1 && recalled < o.assembly)) fail("bad-assembly", `--recall-fraction ${o.recallFraction} of ${o.assembly} stimulates ${recalled} neurons; need 1 to ${o.assembly - 1}`, manifestFile);

  const learnWindow = rateWindow(o.learn);
  if (learnWindow[1] > simulated) fail("run-too-short", `the learning window [${learnWindow[0]}, ${learnWindow[1]}) s ends after the run (${simulated} s)`, manifestFile);
  const onsets = [o.learn, ...o.recall];
  const plotWindows = onsets.map((t) => [t + PLOT_SPAN[0], t + PLOT_SPAN[1]] as [number, number]);
  const spikes = readSpikesCsv(join(dir, "spikes.csv"), nNeurons, [...plotWindows, learnWindow, ...o.recall.map(rateWindow)]);

  // Rates of all neurons; excitatory ones are a contiguous block starting at exc.first.
  const windowRates = (w: [number, number]) => rates(spikes.times, spikes.neurons, nNeurons, w[0], w[1]);
  const excOf = (r: Float64Array) => r.subarray(exc.first, exc.first + exc.count);
  const inhRate = (r: Float64Array) => {
    const n = inh.reduce((a, p) => a + p.count, 0);
    return n > 0 ? inh.reduce((a, p) => a + mean(r, p.first, p.first + p.count) * p.count, 0) / n : NaN;
  };
  const learnRates = windowRates(learnWindow);
  const learnQ = recallQuality(excOf(learnRates), o.assembly, recalled, exc.count);
  const learnExc = Float64Array.from(excOf(learnRates));

  const recalls: RecallResult[] = o.recall.map((t) => {
    const window = rateWindow(t);
    if (window[1] > simulated) return { t, window, skipped: `window ends after the run (${simulated} s)` };
    const r = windowRates(window);
    const q = recallQuality(excOf(r), o.assembly, recalled, exc.count);
    return { t, window, ...q, nu_inh: inhRate(r), mi_bits: mutualInformation(learnExc, Float64Array.from(excOf(r))) };
  });

  const weightsFile = join(dir, "weights.json");
  const weights = o.weights ?? (existsSync(weightsFile)
    ? readWeights(weightsFile).map((s) => {
        // Indices are spikes.csv numbers; the assembly is counted from the excitatory first.
        const shift = (a: Int32Array) => a.map((x) => x - exc.first);
        return { t: s.t, classes: weightStats(shift(s.pre), shift(s.post), s.h, s.z, o.assembly, o.h0, o.thetaTag) };
      })
    : previousWeights(dir, o.assembly));

  const result: AnalysisResult = {
    dir,
    options: { ...o, weights: undefined, manifest: undefined, recalled },
    excitatory: exc,
    inhibitory: inh,
    spikes_total: spikes.total,
    learning: { t: o.learn, window: learnWindow, nu_as: learnQ.nu_as, nu_ans: learnQ.nu_ans, nu_ctrl: learnQ.nu_ctrl, nu_inh: inhRate(learnRates) },
    recalls,
    ...(weights ? { weights } : {}),
    outputs: ["analysis.json", "analysis.md", "raster.svg", "rates.svg"],
  };

  await writePlots(dir, result, spikes, onsets);
  writeFileAtomic(join(dir, "analysis.md"), markdown(result));
  // NaN (e.g. Q of a silent stimulated part) is written as null.
  writeFileAtomic(join(dir, "analysis.json"), JSON.stringify(result, null, 2) + "\n");
  return result;
}

async function writePlots(dir: string, r: AnalysisResult, spikes: Spikes, onsets: number[]): Promise<void> {
  const e = r.excitatory;
  const m = r.options.recalled;
  const groups: NeuronGroups = {
    groups: [
      { name: "as", from: e.first, to: e.first + m },
      { name: "ans", from: e.first + m, to: e.first + r.options.assembly },
      { name: "ctrl", from: e.first + r.options.assembly, to: e.first + e.count },
      ...r.inhibitory.map((p) => ({ name: "inh", from: p.first, to: p.first + p.count })),
    ],
  };
  const labels = onsets.map((t, i) => (i === 0 ? `learning (last pulse ${t} s)` : `recall at ${t} s`));
  const panels = onsets.map((t, i) => {
    const [a, b] = [t + PLOT_SPAN[0], t + PLOT_SPAN[1]];
    const idx: number[] = [];
    for (let k = 0; k < spikes.count; k++) if (spikes.times[k]! >= a && spikes.times[k]! < b) idx.push(k);
    return { label: labels[i]!, onset: t, times: idx.map((k) => spikes.times[k]!), neurons: idx.map((k) => spikes.neurons[k]!) };
  });
  const title = `Cell assembly of ${r.options.assembly} (recall stimulates ${m})`;
  writeFileAtomic(join(dir, "raster.svg"), await renderAssemblyRasterSvg(`${title}: spikes`, panels, groups, PLOT_SPAN));

  // Binned rates per window on a shared axis of time from onset; all inhibitory populations pooled.
  const inhRange: [number, number][] = r.inhibitory.length > 0 ? [[Math.min(...r.inhibitory.map((p) => p.first)), Math.max(...r.inhibitory.map((p) => p.first + p.count))]] : [];
  const ranges = [...groups.groups.slice(0, 3).map((g) => [g.from, g.to] as [number, number]), ...inhRange];
  const names = ["as", "ans", "ctrl", ...(inhRange.length ? ["inh"] : [])];
  let time: Float64Array = new Float64Array(0);
  const ratePanels = onsets.map((t, i) => {
    const b = binnedRates(spikes.times, spikes.neurons, ranges, t + PLOT_SPAN[0], t + PLOT_SPAN[1], BIN_S);
    time = b.time.map((x) => x - t);
    return { label: labels[i]!, lines: b.values.map((v, j) => ({ label: names[j]!, values: v })) };
  });
  writeFileAtomic(join(dir, "rates.svg"), await renderAssemblyRatesSvg(`${title}: population rates (${BIN_S * 1000} ms bins), time from onset`, time, ratePanels));
}

const fmt = (x: number | undefined, digits = 4) => (x === undefined || !Number.isFinite(x) ? "–" : Number(x.toPrecision(digits)).toString());

export function markdown(r: AnalysisResult): string {
  const o = r.options;
  const lines = [
    `# Cell-assembly analysis of ${r.dir}`,
    "",
    `Assembly: first ${o.assembly} neurons of "${r.excitatory.population}" (${r.excitatory.count}); recall stimulates the first ${o.recalled}. Rates in [t - 0.15, t + 0.35) s; MI between the excitatory rate vectors at learning (${o.learn} s) and at recall, exact values as symbols.`,
    "",
    `Learning window [${fmt(r.learning.window[0])}, ${fmt(r.learning.window[1])}) s: nu_as ${fmt(r.learning.nu_as)} Hz, nu_ans ${fmt(r.learning.nu_ans)} Hz, nu_ctrl ${fmt(r.learning.nu_ctrl)} Hz.`,
    "",
    "| recall (s) | Q | nu_as (Hz) | nu_ans (Hz) | nu_ctrl (Hz) | MI (bits) |",
    "|---:|---:|---:|---:|---:|---:|",
    ...r.recalls.map((c) => (c.skipped ? `| ${c.t} | ${c.skipped} | | | | |` : `| ${c.t} | ${fmt(c.Q)} | ${fmt(c.nu_as)} | ${fmt(c.nu_ans)} | ${fmt(c.nu_ctrl)} | ${fmt(c.mi_bits)} |`)),
  ];
  if (r.weights) {
    lines.push("", `## Weights (h0 = ${o.h0} mV, tagged: |h - h0| >= ${o.thetaTag} mV)`, "", "| t (s) | class | count | mean h | mean z | mean w = h + h0 z | tagged |", "|---:|---|---:|---:|---:|---:|---:|");
    for (const s of r.weights) for (const c of s.classes) lines.push(`| ${s.t} | ${c.class} | ${c.count} | ${fmt(c.mean_h)} | ${fmt(c.mean_z)} | ${fmt(c.mean_w)} | ${fmt(c.tagged_fraction, 3)} |`);
  }
  return lines.join("\n") + "\n";
}

export async function analyzeCommand(dir: string, options: Partial<AnalyseOptions>): Promise<number> {
  if (existsSync(join(dir, "manifest.json"))) lockOutDir(dir, "analyze"); // not while a run writes there; a missing run is reported by analyseRun
  const r = await analyseRun(dir, options);
  process.stdout.write(markdown(r));
  for (const c of r.recalls) if (c.skipped) process.stderr.write(`engram: warning: recall at ${c.t} s skipped: ${c.skipped}\n`);
  process.stdout.write(`\nwrote ${r.outputs.map((f) => join(dir, f)).join(", ")}\n`);
  return 0;
}

/**
 * Weight statistics that engram run took during the run (it summarises instead of saving every
 * synapse), kept when the analysis is recomputed for the same assembly.
 */
function previousWeights(dir: string, assembly: number): { t: number; classes: ClassStats[] }[] | undefined {
  const file = join(dir, "analysis.json");
  if (!existsSync(file)) return undefined;
  try {
    const previous = JSON.parse(readFileSync(file, "utf8")) as { options?: { assembly?: number }; weights?: { t: number; classes: ClassStats[] }[] };
    return previous.options?.assembly === assembly ? previous.weights : undefined;
  } catch {
    return undefined; // a damaged earlier analysis is simply recomputed without weights
  }
}
