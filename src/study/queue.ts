/**
 * The order in which a local study hands out its runs: longest first, learned as the study goes.
 * Two threads taking runs from one queue finish together only if the last runs are short: a long
 * run taken last keeps one thread busy while the other has nothing left (runs of the four STC
 * protocols differ by 3-4x on reference). Runs of one grid point (they differ only by seed) take
 * about the same time, so the queue first takes one run of every grid point in grid order, then
 * runs of points whose first run has not finished yet (their time is unknown, so they count as
 * long: ranking them last let the threads take all the short runs first and leave the long ones
 * for the end), then always a run of the grid point whose finished runs took longest on average
 * (ties in grid order). This is longest-processing-time-first scheduling with each point's time
 * measured on its first runs instead of guessed.
 *
 * Only the order changes: which run a thread gets never changes what the run computes (its seed
 * comes from its grid point) nor where it writes, and the collector reads the runs in grid order.
 */
export interface Queued {
  spec: { point: string };
}

interface Point<T> {
  /** Runs not taken yet, in grid order, with their position in the study's list. */
  runs: { at: number; task: T }[];
  started: number;
  /** Seconds summed over finished runs, and how many. */
  seconds: number;
  finished: number;
}

export class RunQueue<T extends Queued> {
  /** Grid points in grid order (a Map keeps insertion order). */
  private readonly points = new Map<string, Point<T>>();
  private left: number;

  constructor(tasks: readonly T[]) {
    tasks.forEach((task, at) => {
      let p = this.points.get(task.spec.point);
      if (!p) this.points.set(task.spec.point, (p = { runs: [], started: 0, seconds: 0, finished: 0 }));
      p.runs.push({ at, task });
    });
    this.left = tasks.length;
  }

  /** Runs not taken yet. */
  get size(): number {
    return this.left;
  }

  /** The next run and its position in the study's list, or undefined when none is left. */
  take(): { at: number; task: T } | undefined {
    const best = this.next();
    if (!best) return undefined;
    best.started++;
    this.left--;
    return best.runs.shift();
  }

  /** How long the run take() would return is expected to take (s): undefined while unknown or none is left. */
  nextSeconds(): number | undefined {
    const p = this.next();
    return p && p.finished > 0 ? p.seconds / p.finished : undefined;
  }

  private next(): Point<T> | undefined {
    let best: Point<T> | undefined;
    let bestRank = -Infinity;
    for (const p of this.points.values()) {
      if (p.runs.length === 0) continue;
      // Not started: first (grid order). Started, none finished: its time is unknown, taken as
      // longer than any measured one. Else its mean time.
      const rank = p.started === 0 ? Infinity : p.finished === 0 ? Number.MAX_VALUE : p.seconds / p.finished;
      if (rank > bestRank) [best, bestRank] = [p, rank];
    }
    return best;
  }

  /** A run of `task`'s grid point took `seconds` on its thread. */
  finished(task: T, seconds: number): void {
    const p = this.points.get(task.spec.point);
    if (!p || !Number.isFinite(seconds) || seconds < 0) return;
    p.seconds += seconds;
    p.finished++;
  }
}
