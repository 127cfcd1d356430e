/**
 * Plots of the cell-assembly experiment. Population rates reuse plot.ts's overlay (one panel per
 * window, one line per neuron group, time relative to the stimulus onset). The raster needs a
 * colour per neuron group, which plot.ts's raster has not, so it gets its own small vega-lite
 * spec, rendered offline the same way as plot.ts (no loader, deterministic SVG ids).
 */
import type { TopLevelSpec } from "vega-lite";
import { renderOverlaySvg, renderSpec } from "./plot.ts";

export interface RasterPanel {
  label: string;
  /** Absolute time the panel's x axis is measured from. */
  onset: number;
  /** Spike times (absolute, s) and neuron numbers inside the panel's span. */
  times: ArrayLike<number>;
  neurons: ArrayLike<number>;
}

export interface NeuronGroups {
  /** Neuron ranges [from, to) in spikes.csv numbering, drawn in this order. */
  groups: { name: string; from: number; to: number }[];
}

/** Above this many spikes per panel, only every k-th neuron is drawn. */
export const MAX_SPIKES_PER_PANEL = 8000;
// The colours plot.ts's overlay gives lines 1-4 in rates.svg, so both figures agree.
const COLOURS: Record<string, string> = { as: "#000000", ans: "#1f77b4", ctrl: "#ff7f0e", inh: "#d62728" };
const FONT = "Helvetica, Arial, sans-serif";


function groupOf(n: number, g: NeuronGroups): string | undefined {
  for (const x of g.groups) if (n >= x.from && n < x.to) return x.name;
  return undefined;
}

/**
 * One raster panel per window, x = time from onset over [span0, span1), y = neuron, coloured by
 * group (as, ans, ctrl, inh).
 */
export async function renderAssemblyRasterSvg(title: string, panels: RasterPanel[], g: NeuronGroups, span: [number, number]): Promise<string> {
  const nMax = Math.max(1, ...g.groups.map((x) => x.to));
  const height = 300;
  // Each spike is a vertical dash at least ~2 px tall, however many neurons share a pixel.
  const half = Math.max(0.4, nMax / height);
  const views = panels.map((p) => {
    const len = Math.min(p.times.length, p.neurons.length);
    // Too many dashes: draw one neuron in `stride`, the same for every group, so the assembly
    // keeps its share (during learning its spikes alone can exceed the cap).
    const stride = Math.max(1, Math.ceil(len / MAX_SPIKES_PER_PANEL));
    const rows: { t: number; y0: number; y1: number; group: string }[] = [];
    for (let i = 0; i < len; i++) {
      const n = p.neurons[i]!;
      if (n % stride !== 0) continue;
      const group = groupOf(n, g);
      if (group === undefined) continue;
      rows.push({ t: p.times[i]! - p.onset, y0: n - half, y1: n + half, group });
    }
    const thinned = stride > 1 ? ` (one neuron in ${stride} shown)` : "";
    return {
      title: { text: `${p.label}${thinned}`, fontSize: 12, fontWeight: "normal" as const },
      width: 640,
      height,
      data: { values: rows },
      mark: { type: "rule" as const, clip: true, strokeWidth: 1, aria: false },
      encoding: {
        x: { field: "t", type: "quantitative" as const, scale: { domain: span, nice: false, zero: false }, axis: { title: `Time from onset at ${p.onset} s (s)`, grid: false } },
        y: { field: "y0", type: "quantitative" as const, scale: { domain: [-0.5, nMax - 0.5], nice: false, zero: false }, axis: { title: "Neuron", format: "d", grid: false } },
        y2: { field: "y1" },
        color: { field: "group", type: "nominal" as const, scale: { domain: g.groups.map((x) => x.name), range: g.groups.map((x) => COLOURS[x.name] ?? "#222222") }, legend: { title: null, orient: "top" as const } },
      },
    };
  });
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    config: { font: FONT, background: "white", padding: 8, view: { stroke: "#bbbbbb" }, title: { fontSize: 15, fontWeight: "bold" as const, anchor: "start" as const } },
    spacing: 16,
    vconcat: views,
    resolve: { scale: { color: "shared" } },
  } as TopLevelSpec;
  return renderSpec(spec);
}

export interface RatePanel {
  label: string;
  /** One line per group, all on the shared time axis (from onset). */
  lines: { label: string; values: ArrayLike<number> }[];
}

/** Population rates, one panel per window (plot.ts overlay: first line black, then a palette). */
export function renderAssemblyRatesSvg(title: string, timeFromOnset: ArrayLike<number>, panels: RatePanel[]): Promise<string> {
  return renderOverlaySvg({ title, time_s: timeFromOnset, panels: panels.map((p) => ({ name: p.label, unit: "Hz", lines: p.lines })) });
}
