/** Target name -> target. One line per target folder. */
import { EngramError } from "../src/diagnostics/diagnostic.ts";
import type { Target } from "./target.ts";
import { target as reference } from "./reference/index.ts";

const TARGETS: Record<string, Target> = { reference };

/** Targets described in docs but not yet executable in this version. */
const PLANNED: Record<string, string> = {
  bss2: "BrainScaleS-2 (fixed-point IR and emulator: planned, see docs/architecture.md)",
  cmos: "CMOS multi-timescale plasticity chip (fixed-point IR and emulator: planned)",
};

export function targetNames(): string[] {
  return Object.keys(TARGETS);
}

export function getTarget(name: string): Target {
  const t = TARGETS[name];
  if (t) return t;
  const planned = PLANNED[name];
  throw new EngramError([
    {
      code: planned ? "target-not-available" : "unknown-target",
      message: planned ? `target "${name}" is not available in this version: ${planned}` : `unknown target "${name}"`,
      expected: `one of ${targetNames().join(", ")}`,
      received: name,
    },
  ]);
}
