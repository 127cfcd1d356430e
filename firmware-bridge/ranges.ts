/**
 * Which bytes of a staged upload have arrived: disjoint, sorted [start, end) ranges, merged as
 * they touch. Chunks may arrive out of order (the host keeps a window of them in flight), so the
 * board stores each where it belongs and reports the contiguous prefix it holds.
 */
export class RangeSet {
  private ranges: [number, number][] = [];

  add(start: number, end: number): void {
    if (end <= start) return;
    const out: [number, number][] = [];
    let s = start;
    let e = end;
    for (const [a, b] of this.ranges) {
      if (b < s || a > e) out.push([a, b]);
      else [s, e] = [Math.min(a, s), Math.max(b, e)];
    }
    out.push([s, e]);
    out.sort((x, y) => x[0] - y[0]);
    this.ranges = out;
  }

  /** Bytes held from 0 without a gap: where a resumed upload continues. */
  prefix(): number {
    const first = this.ranges[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  /** True when every byte of [start, end) is held. */
  covers(start: number, end: number): boolean {
    return this.ranges.some(([a, b]) => a <= start && end <= b);
  }

  /** Keeps only the contiguous prefix (what a board that stores in order would hold). */
  truncateToPrefix(): void {
    const p = this.prefix();
    this.ranges = p > 0 ? [[0, p]] : [];
  }
}
