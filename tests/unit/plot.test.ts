import { describe, expect, it } from 'vitest';
import {
  MAX_POINTS_PER_SERIES,
  decimateMinMax,
  renderRasterSvg,
  renderTracesSvg,
  type TracePlotInput,
} from '../../src/analysis/plot.ts';

function makeTraces(n: number, dt = 0.001): TracePlotInput {
  const time = new Float64Array(n);
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = i * dt;
    v[i] = -70 + 3 * Math.sin(i / 50) + (i % 997 === 0 ? 80 : 0);
    w[i] = 0.5 + 0.1 * Math.cos(i / 300);
  }
  return {
    title: 'Test traces',
    time_s: time,
    series: [
      { name: 'V_m', unit: 'mV', values: v },
      { name: 'weight', unit: '1', values: w },
    ],
  };
}

/** Text content of all <text> elements in an SVG string. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('decimateMinMax', () => {
  it('caps the point count and keeps the global min and max', () => {
    const n = 100_000;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = i;
      v[i] = Math.sin(i / 100);
    }
    v[12_345] = 42; // a single-sample spike
    v[77_777] = -17; // a single-sample dip
    const d = decimateMinMax(t, v, 2000);
    expect(d.time.length).toBe(d.values.length);
    expect(d.values.length).toBeLessThanOrEqual(2000);
    expect(d.values.length).toBeGreaterThan(1000);
    expect(Math.max(...d.values)).toBe(42);
    expect(Math.min(...d.values)).toBe(-17);
    expect(d.time[d.values.indexOf(42)]).toBe(12_345);
    expect(d.time[d.values.indexOf(-17)]).toBe(77_777);
    // time order preserved
    for (let i = 1; i < d.time.length; i++) expect(d.time[i]).toBeGreaterThan(d.time[i - 1]);
  });

  it('respects odd and small caps', () => {
    const t = Array.from({ length: 1001 }, (_, i) => i);
    const v = t.map((i) => (i * 7919) % 101);
    for (const cap of [2, 3, 7, 999]) {
      const d = decimateMinMax(t, v, cap);
      expect(d.values.length).toBeLessThanOrEqual(cap);
      expect(Math.max(...d.values)).toBe(100);
      expect(Math.min(...d.values)).toBe(0);
    }
    expect(() => decimateMinMax(t, v, 1)).toThrow(RangeError);
  });

  it('returns short input unchanged and drops non-finite pairs', () => {
    const d = decimateMinMax([0, 1, 2, 3, NaN], [5, NaN, Infinity, -1, 2], 100);
    expect(d).toEqual({ time: [0, 3], values: [5, -1] });
  });

  it('does not modify its inputs', () => {
    const t = [0, 1, 2, 3, 4, 5];
    const v = [1, 9, 2, 8, 3, 7];
    decimateMinMax(t, v, 2);
    expect(t).toEqual([0, 1, 2, 3, 4, 5]);
    expect(v).toEqual([1, 9, 2, 8, 3, 7]);
  });
});

describe('renderTracesSvg', () => {
  it('renders an SVG with the title and one y title per series', async () => {
    const svg = await renderTracesSvg(makeTraces(5000));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const t = texts(svg);
    expect(t).toContain('Test traces');
    expect(t).toContain('V_m (mV)');
    expect(t).toContain('weight'); // unit "1" -> no parens
    expect(t.some((s) => s.startsWith('weight ('))).toBe(false);
    expect(t).toContain('Time (s)');
    // no external references
    expect(/https?:\/\/(?!www\.w3\.org)/.test(svg)).toBe(false);
  });

  it('picks minutes / hours for long spans', async () => {
    const minutes = await renderTracesSvg(makeTraces(1000, 0.2)); // ~200 s
    expect(texts(minutes)).toContain('Time (min)');
    const hours = await renderTracesSvg(makeTraces(1000, 10)); // ~10000 s
    expect(texts(hours)).toContain('Time (h)');
    const seconds = await renderTracesSvg(makeTraces(1000, 0.1)); // ~100 s
    expect(texts(seconds)).toContain('Time (s)');
  });

  // Speed is measured by the benchmarks; here: 1e5 samples reach vega decimated, so the SVG stays
  // the size of a 2000-point plot per series (the reason long traces render fast).
  it('renders 1e5-point traces through min/max decimation', async () => {
    const input = makeTraces(100_000);
    input.series.push({ name: 'g', unit: 'nS', values: input.series[1].values });
    const svg = await renderTracesSvg(input);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(texts(svg)).toContain('g (nS)');
    const small = makeTraces(MAX_POINTS_PER_SERIES);
    small.series.push({ name: 'g', unit: 'nS', values: small.series[1].values });
    const reference = await renderTracesSvg(small);
    expect(svg.length).toBeLessThan(1.5 * reference.length);
  });

  it('is deterministic, also with other renders in between', async () => {
    const input = makeTraces(3000);
    const a = await renderTracesSvg(input);
    await renderRasterSvg({ title: 'other', times_s: [0.1, 0.2], neurons: [0, 1] });
    const [b, c] = await Promise.all([renderTracesSvg(input), renderTracesSvg(input)]);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('survives NaN / Infinity values and empty series', async () => {
    const input = makeTraces(500);
    const bad = Float64Array.from(input.series[0].values);
    bad[3] = NaN;
    bad[10] = Infinity;
    bad[11] = -Infinity;
    const svg = await renderTracesSvg({
      title: 'bad values',
      time_s: input.time_s,
      series: [
        { name: 'bad', unit: 'mV', values: bad },
        { name: 'allnan', unit: '', values: new Float64Array(500).fill(NaN) },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(/NaN|Infinity/.test(svg)).toBe(false);
    expect(texts(svg)).toContain('allnan');
    const none = await renderTracesSvg({ title: 'no series', time_s: [], series: [] });
    expect(none.startsWith('<svg')).toBe(true);
  });
});

describe('renderRasterSvg', () => {
  it('renders spikes as tick marks', async () => {
    const times: number[] = [];
    const neurons: number[] = [];
    for (let i = 0; i < 300; i++) {
      times.push(i * 0.01);
      neurons.push(i % 10);
    }
    const svg = await renderRasterSvg({ title: 'Raster', times_s: times, neurons });
    expect(svg.startsWith('<svg')).toBe(true);
    const t = texts(svg);
    expect(t).toContain('Raster');
    expect(t).toContain('Neuron');
    expect(t).toContain('Time (s)');
    // one <line> per spike inside the rule-mark group (axis ticks live in other groups)
    const start = svg.indexOf('<g class="mark-rule role-mark');
    expect(start).toBeGreaterThanOrEqual(0);
    const group = svg.slice(start, svg.indexOf('</g>', start));
    expect((group.match(/<line /g) ?? []).length).toBe(300);
  });

  it('renders a valid SVG with 0 spikes', async () => {
    const svg = await renderRasterSvg({ title: 'Empty raster', times_s: [], neurons: [] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(/NaN|Infinity/.test(svg)).toBe(false);
    expect(texts(svg)).toContain('Empty raster');
  });

  it('drops non-finite spikes', async () => {
    const svg = await renderRasterSvg({
      title: 'r',
      times_s: [0.1, NaN, 0.3, Infinity],
      neurons: [1, 2, NaN, 3],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(/NaN|Infinity/.test(svg)).toBe(false);
  });
});
