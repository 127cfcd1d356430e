/** Target name -> target. One line per target folder. */
import { EngramError } from "../src/diagnostics/diagnostic.ts";
import type { Target } from "./target.ts";
import { target as reference } from "./reference/index.ts";
import { target as bss2 } from "./bss2/index.ts";
import { target as cmos } from "./cmos/index.ts";

const TARGETS: Record<string, Target> = { reference, bss2, cmos };

export function targetNames(): string[] {
  return Object.keys(TARGETS);
}

export function getTarget(name: string): Target {
  const t = TARGETS[name];
  if (t) return t;
  throw new EngramError([{ code: "unknown-target", message: `unknown target "${name}"`, expected: `one of ${targetNames().join(", ")}`, received: name }]);
}
