/**
 * A long computation in slices, so that the board keeps answering requests while it runs: each
 * slice is sized to take about `targetMs` of wall time (the size adapts both ways from the time
 * the previous slice took, starting at one tick), and the event loop runs between slices.
 * Optionally no faster than `maxTicksPerSecond` (a board that runs at its hardware's speed).
 */
export interface SliceJob {
  /** Ticks still to compute. */
  remaining(): number;
  /** Computes `ticks` ticks (at least 1). */
  step(ticks: number): void;
  /** True once the job was aborted or replaced: no more slices. */
  cancelled(): boolean;
  /** After every slice (tests use it). */
  afterSlice?(): void;
  finished(): void;
  failed(error: Error): void;
}

export interface SliceOptions {
  /** Wall time one slice aims at (default 5 ms); a slice may overshoot by one tick's cost. */
  targetMs?: number;
  /** Ticks of the first slice (default 1). */
  firstTicks?: number;
  maxTicksPerSecond?: number;
  /** Wall clock in ms (tests pass a simulated one); default performance.now. */
  now?: () => number;
}

export function runInSlices(job: SliceJob, o: SliceOptions = {}): void {
  const target = o.targetMs ?? 5;
  let slice = Math.max(1, o.firstTicks ?? 1);
  const now = o.now ?? (() => performance.now());
  const started = now();
  let done = 0;
  const next = () => {
    if (job.cancelled()) return;
    let n = Math.min(slice, job.remaining());
    if (o.maxTicksPerSecond) {
      const allowed = Math.floor(((now() - started) / 1000) * o.maxTicksPerSecond) - done;
      if (allowed <= 0) {
        setTimeout(next, Math.min(target, Math.max(1, 1000 / o.maxTicksPerSecond)));
        return;
      }
      n = Math.min(n, allowed);
    }
    const t0 = now();
    try {
      job.step(n);
    } catch (e) {
      return job.failed(e as Error);
    }
    done += n;
    const took = now() - t0;
    // Aim the next slice at the target: grow at most 2x per slice, shrink as far as needed.
    slice = Math.max(1, Math.min(slice * 2, Math.floor((n * target) / Math.max(took, 0.05))));
    if (job.remaining() <= 0) return job.finished();
    job.afterSlice?.();
    if (!job.cancelled()) setImmediate(next);
  };
  setImmediate(next);
}
