/** Captures what in-process CLI calls write to stdout and stderr, test by test (vitest spies). */
import { afterEach, beforeEach, vi } from "vitest";

export interface Captured {
  stdout: string;
  stderr: string;
}

/** Call at the top level of a test file; read `captured.stdout` / `.stderr` in its tests. */
export function captureOutput(): Captured {
  const captured: Captured = { stdout: "", stderr: "" };
  beforeEach(() => {
    captured.stdout = captured.stderr = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s) => ((captured.stdout += String(s)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((s) => ((captured.stderr += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return captured;
}
