/**
 * A progress bar on stderr for interactive terminals only: nothing in CI logs or pipes.
 */
export interface Progress {
  update(fraction: number): void;
  done(): void;
}

export function progressBar(label: string, totalSeconds: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = stream.isTTY === true && !process.env.CI;
  if (!enabled) return { update() {}, done() {} };
  const started = performance.now();
  let lastDraw = 0;
  const draw = (fraction: number) => {
    const width = 30;
    const filled = Math.round(width * Math.min(1, fraction));
    const elapsed = (performance.now() - started) / 1000;
    // An estimate from the first instants is noise: show it once there is something to go on.
    const eta = fraction >= 0.01 && elapsed >= 0.3 ? (elapsed * (1 - fraction)) / fraction : NaN;
    const sim = formatSpan(fraction * totalSeconds);
    stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${sim} / ${formatSpan(totalSeconds)}  ${Number.isFinite(eta) ? `ETA ${eta.toFixed(1)} s` : ""}   `);
  };
  return {
    update(fraction) {
      const now = performance.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      draw(fraction);
    },
    done() {
      draw(1);
      stream.write("\n");
    },
  };
}

/** "8 h", "12 min", "3.2 s": biological time for humans. */
export function formatSpan(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(2)} h`;
  if (seconds >= 60) return `${(seconds / 60).toFixed(1)} min`;
  return `${seconds.toFixed(2)} s`;
}

/** A bar over a count of work items (runs of a study) with an ETA, on interactive terminals only. */
export function countBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): { update(done: number, note?: string): void; done(): void } {
  const enabled = stream.isTTY === true && !process.env.CI;
  if (!enabled || total === 0) return { update() {}, done() {} };
  const started = performance.now();
  let last = 0;
  const draw = (n: number, note: string) => {
    const width = 30;
    const filled = Math.round((width * n) / total);
    const elapsed = (performance.now() - started) / 1000;
    const eta = n > 0 ? (elapsed * (total - n)) / n : NaN;
    stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${n}/${total} runs  ${elapsed.toFixed(1)} s${Number.isFinite(eta) && n < total ? `  ETA ${eta.toFixed(1)} s` : ""}${note ? `  ${note}` : ""}   `);
  };
  return {
    update(n, note = "") {
      const now = performance.now();
      if (now - last < 100 && n < total) return;
      last = now;
      draw(n, note);
    },
    done() {
      stream.write("\n");
    },
  };
}
