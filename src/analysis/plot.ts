/**
 * Headless SVG plotting: vega-lite spec -> vega spec -> vega View (renderer "none") -> SVG string.
 *
 * No canvas, no network, no external resources: all data is inlined in the spec and the
 * view gets a loader that refuses every load. Text widths fall back to vega's estimate
 * because the optional `canvas` package is not installed; that only affects label layout
 * slightly.
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export interface TraceSeries {
  name: string;
  unit: string;
  values: ArrayLike<number>;
}

export interface TracePlotInput {
  title: string;
  time_s: ArrayLike<number>;
  series: TraceSeries[];
}

export interface SpikeRasterInput {
  title: string;
  times_s: ArrayLike<number>;
  neurons: ArrayLike<number>;
}

/** Maximum points per series handed to vega after decimation. */
export const MAX_POINTS_PER_SERIES = 2000;

const PANEL_WIDTH = 640; // plot area; with the y axis the whole SVG is ~720 px wide
const PANEL_HEIGHT = 120;
const RASTER_HEIGHT = 240;
const FONT = 'Helvetica, Arial, sans-serif';

// ---------------------------------------------------------------------------
// Decimation
// ---------------------------------------------------------------------------

/**
 * Min/max decimation. Pairs where time or value is non-finite are dropped first. If the
 * remaining count exceeds `maxPoints`, the samples are split (by index) into
 * floor(maxPoints / 2) contiguous buckets and each bucket contributes its minimum and its
 * maximum sample, in their original order (one sample when they coincide). The global
 * minimum and maximum therefore always survive, and the output has at most `maxPoints`
 * points. Pure: the inputs are not modified.
 */
export function decimateMinMax(
  time: ArrayLike<number>,
  values: ArrayLike<number>,
  maxPoints: number,
): { time: number[]; values: number[] } {
  if (!(maxPoints >= 2)) {
    throw new RangeError(`decimateMinMax: maxPoints must be >= 2, got ${maxPoints}`);
  }
  const cap = Math.floor(maxPoints);
  const len = Math.min(time.length, values.length);

  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < len; i++) {
    const ti = time[i];
    const vi = values[i];
    if (Number.isFinite(ti) && Number.isFinite(vi)) {
      t.push(ti);
      v.push(vi);
    }
  }
  const n = t.length;
  if (n <= cap) return { time: t, values: v };

  const buckets = Math.floor(cap / 2);
  const outT: number[] = [];
  const outV: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    if (end <= start) continue;
    let iMin = start;
    let iMax = start;
    for (let i = start + 1; i < end; i++) {
      if (v[i] < v[iMin]) iMin = i;
      if (v[i] > v[iMax]) iMax = i;
    }
    const first = Math.min(iMin, iMax);
    const second = Math.max(iMin, iMax);
    outT.push(t[first]);
    outV.push(v[first]);
    if (second !== first) {
      outT.push(t[second]);
      outV.push(v[second]);
    }
  }
  return { time: outT, values: outV };
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

interface TimeAxis {
  /** Divide seconds by this to get display units. */
  divisor: number;
  title: string;
  /** Domain in display units. */
  domain: [number, number];
}

/** Hours when the span exceeds 2 h, minutes when it exceeds 2 min, else seconds. */
function timeAxisFor(minS: number, maxS: number): TimeAxis {
  if (!(Number.isFinite(minS) && Number.isFinite(maxS))) {
    return { divisor: 1, title: 'Time (s)', domain: [0, 1] };
  }
  const span = maxS - minS;
  let divisor = 1;
  let title = 'Time (s)';
  if (span > 7200) {
    divisor = 3600;
    title = 'Time (h)';
  } else if (span > 120) {
    divisor = 60;
    title = 'Time (min)';
  }
  let lo = minS / divisor;
  let hi = maxS / divisor;
  if (hi <= lo) {
    // Single instant: give the axis some width around it.
    lo -= 0.5;
    hi += 0.5;
  }
  return { divisor, title, domain: [lo, hi] };
}

function finiteRange(xs: ArrayLike<number>, len = xs.length): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < len; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

function yTitle(s: TraceSeries): string {
  const unit = (s.unit ?? '').trim();
  return unit === '' || unit === '1' ? s.name : `${s.name} (${unit})`;
}

export const baseConfig = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: '#bbbbbb' },
  title: { fontSize: 15, fontWeight: 'bold' as const, anchor: 'start' as const, offset: 10 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal' as const,
    labelColor: '#333333',
    titleColor: '#222222',
    gridColor: '#e6e6e6',
  },
  line: { strokeWidth: 1.2, color: '#1f77b4' },
};

/** A loader that refuses every external resource, so vega never touches disk or network. */
const offlineLoader: vega.Loader = {
  load: async (uri: string) => {
    throw new Error(`plot: external resource loading is disabled (${uri})`);
  },
  sanitize: async (uri: string) => {
    throw new Error(`plot: external resource loading is disabled (${uri})`);
  },
  http: async (uri: string) => {
    throw new Error(`plot: network access is disabled (${uri})`);
  },
  file: async (filename: string) => {
    throw new Error(`plot: file access is disabled (${filename})`);
  },
};

/** Logger that drops warnings/info (vega-lite chatters about empty data) but keeps errors. */
function quietLogger(): vega.LoggerInterface {
  let lvl = 1;
  const logger: vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return lvl;
      lvl = l;
      return logger;
    },
    error(...args: unknown[]) {
      if (lvl >= 1) console.error('[plot]', ...args);
      return logger;
    },
    warn() {
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

// SVG clip/gradient ids come from module-level counters in vega-scenegraph. Renders are
// serialized and the counters reset before each one so the output is deterministic.
let renderQueue: Promise<unknown> = Promise.resolve();

/** Renders a vega-lite spec to SVG offline, one render at a time (deterministic ids). */
export async function renderSpec(spec: TopLevelSpec): Promise<string> {
  const job = renderQueue.then(async () => {
    const vgSpec = compile(spec, { logger: quietLogger() }).spec;
    const view = new vega.View(vega.parse(vgSpec), {
      renderer: 'none',
      loader: offlineLoader,
      logger: quietLogger(),
    });
    try {
      await view.runAsync();
      vega.resetSVGDefIds();
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  });
  renderQueue = job.catch(() => undefined);
  return job;
}

// ---------------------------------------------------------------------------
// Traces
// ---------------------------------------------------------------------------

/**
 * One panel per series stacked vertically (units differ), shared x axis. Time axis is shown
 * in hours when the span exceeds 2 h, minutes when over 2 min, else seconds; axis title
 * says which. Y axis title is `name (unit)` (omit parens when unit is "1" or "").
 */
export async function renderTracesSvg(input: TracePlotInput): Promise<string> {
  const time = input.time_s;
  const series = input.series.length > 0 ? input.series : [{ name: '', unit: '', values: [] }];

  // The x domain covers every finite time at which at least one series could have data.
  const maxLen = Math.min(time.length, Math.max(...series.map((s) => s.values.length)));
  const [tMin, tMax] = finiteRange(time, maxLen);
  const axis = timeAxisFor(tMin, tMax);

  const panels = series.map((s, idx) => {
    const d = decimateMinMax(time, s.values, MAX_POINTS_PER_SERIES);
    const rows = new Array<{ t: number; v: number }>(d.time.length);
    for (let i = 0; i < d.time.length; i++) rows[i] = { t: d.time[i] / axis.divisor, v: d.values[i] };
    const last = idx === series.length - 1;
    return {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      data: { values: rows },
      mark: { type: 'line' as const, clip: true, interpolate: 'linear' as const, aria: false },
      encoding: {
        x: {
          field: 't',
          type: 'quantitative' as const,
          scale: { domain: axis.domain, nice: false, zero: false },
          axis: last
            ? { title: axis.title, grid: true }
            : { title: null, labels: false, grid: true },
        },
        y: {
          field: 'v',
          type: 'quantitative' as const,
          // An empty panel gets a fixed domain so no NaN ends up in the SVG.
          scale: rows.length > 0 ? { zero: false, nice: true } : { domain: [0, 1] },
          axis: { title: yTitle(s), grid: true, tickCount: 4 },
        },
      },
    };
  });

  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title,
    config: baseConfig,
    spacing: 10,
    vconcat: panels,
  } as TopLevelSpec;
  return renderSpec(spec);
}

// ---------------------------------------------------------------------------
// Raster
// ---------------------------------------------------------------------------

/** Raster plot: x time, y neuron index, small tick marks. */
export async function renderRasterSvg(input: SpikeRasterInput): Promise<string> {
  const len = Math.min(input.times_s.length, input.neurons.length);
  const ts: number[] = [];
  const ns: number[] = [];
  for (let i = 0; i < len; i++) {
    const t = input.times_s[i];
    const n = input.neurons[i];
    if (Number.isFinite(t) && Number.isFinite(n)) {
      ts.push(t);
      ns.push(n);
    }
  }
  const [tMin, tMax] = finiteRange(ts);
  const axis = timeAxisFor(tMin, tMax);
  let [nMin, nMax] = finiteRange(ns);
  if (ns.length === 0) {
    nMin = 0;
    nMax = 0;
  }

  // Each spike is a short vertical rule spanning 80% of its neuron's row.
  const rows = new Array<{ t: number; y0: number; y1: number }>(ts.length);
  for (let i = 0; i < ts.length; i++) {
    rows[i] = { t: ts[i] / axis.divisor, y0: ns[i] - 0.4, y1: ns[i] + 0.4 };
  }

  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title,
    config: baseConfig,
    width: PANEL_WIDTH,
    height: RASTER_HEIGHT,
    data: { values: rows },
    mark: { type: 'rule' as const, clip: true, strokeWidth: 1, color: '#222222', aria: false },
    encoding: {
      x: {
        field: 't',
        type: 'quantitative' as const,
        scale: { domain: axis.domain, nice: false, zero: false },
        axis: { title: axis.title, grid: false },
      },
      y: {
        field: 'y0',
        type: 'quantitative' as const,
        scale: { domain: [nMin - 0.5, nMax + 0.5], nice: false, zero: false },
        axis: { title: 'Neuron', format: 'd', tickMinStep: 1, grid: false },
      },
      y2: { field: 'y1' },
    },
  } as TopLevelSpec;
  return renderSpec(spec);
}

// ---------------------------------------------------------------------------
// Overlay (engram compare)
// ---------------------------------------------------------------------------

/** Colours of fixed-point variants (the reference is black). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#d62728', '#17becf', '#9467bd', '#8c564b', '#e377c2', '#bcbd22'];

export interface OverlayPanel {
  name: string;
  unit: string;
  /** One line per variant, all on the shared time axis. */
  lines: { label: string; values: ArrayLike<number> }[];
  /** Horizontal dashed rules in a variant's colour (e.g. where its decay stops: a dead zone). */
  rules?: { label: string; value: number; note: string }[];
}

/** One panel per variable, one coloured line per variant (float64 and each fixed-point run). */
export async function renderOverlaySvg(input: { title: string; time_s: ArrayLike<number>; panels: OverlayPanel[] }): Promise<string> {
  const time = input.time_s;
  const [tMin, tMax] = finiteRange(time, time.length);
  const axis = timeAxisFor(tMin, tMax);
  const labels = input.panels[0]?.lines.map((l) => l.label) ?? [];
  const panels = input.panels.map((p, idx) => {
    const rows: { t: number; v: number; variant: string }[] = [];
    for (const line of p.lines) {
      const d = decimateMinMax(time, line.values, MAX_POINTS_PER_SERIES);
      for (let i = 0; i < d.time.length; i++) rows.push({ t: d.time[i]! / axis.divisor, v: d.values[i]!, variant: line.label });
    }
    const last = idx === input.panels.length - 1;
    const color = { field: 'variant', type: 'nominal' as const, scale: { domain: labels, range: ['#000000', ...PALETTE].slice(0, labels.length) }, legend: idx === 0 ? { title: null, orient: 'top' as const } : null };
    const line = {
      data: { values: rows },
      mark: { type: 'line' as const, clip: true, aria: false, strokeWidth: 1.2 },
      encoding: {
        x: { field: 't', type: 'quantitative' as const, scale: { domain: axis.domain, nice: false, zero: false }, axis: last ? { title: axis.title, grid: true } : { title: null, labels: false, grid: true } },
        y: { field: 'v', type: 'quantitative' as const, scale: rows.length > 0 ? { zero: false, nice: true } : { domain: [0, 1] }, axis: { title: yTitle({ name: p.name, unit: p.unit, values: [] }), grid: true, tickCount: 4 } },
        // The float64 reference in black, drawn on top of the fixed-point variants.
        color,
      },
    };
    const rules = (p.rules ?? []).filter((r) => Number.isFinite(r.value)).map((r) => ({ v: r.value, variant: r.label, note: r.note }));
    if (rules.length === 0) return { width: PANEL_WIDTH, height: PANEL_HEIGHT, ...line };
    // A dashed rule per variant with a dead zone, labelled at the right edge.
    const rule = { data: { values: rules }, mark: { type: 'rule' as const, strokeDash: [4, 3], strokeWidth: 1, aria: false }, encoding: { y: { field: 'v', type: 'quantitative' as const }, color } };
    const text = { data: { values: rules }, mark: { type: 'text' as const, align: 'right' as const, baseline: 'bottom' as const, dy: -1, fontSize: 9, aria: false }, encoding: { y: { field: 'v', type: 'quantitative' as const }, x: { value: PANEL_WIDTH - 2 }, text: { field: 'note' }, color } };
    return { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer: [line, rule, text] };
  });
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: input.title, config: baseConfig, spacing: 10, vconcat: panels, resolve: { scale: { color: 'shared' } } } as TopLevelSpec;
  return renderSpec(spec);
}
