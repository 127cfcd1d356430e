/**
 * `engram run --duration T`: the run's duration set from the command line, as an override of the
 * model's `duration` (the same mechanism as a study's grid point, src/model/load.ts). A value that
 * is not a positive time is a located error at the option; stimuli, phases or tasks that run past
 * the shorter end keep their own located errors in the model file, with a hint naming the option.
 */
import { resolve } from "node:path";
import { EngramError, type SourceLocation } from "../diagnostics/diagnostic.ts";
import type { ModelOverride } from "../model/load.ts";
import { parseQuantity } from "../model/units.ts";

const OPTION: SourceLocation = { file: "command line", path: ["--duration"] };

/** The override for --duration (none without the option); throws a located error for a bad value. */
export function durationOverrides(text: string | undefined, model: string): ModelOverride[] {
  if (text === undefined) return [];
  const bad = (why: string) => new EngramError([{ code: "bad-duration", message: `--duration must be a positive time: ${why}`, where: OPTION, received: JSON.stringify(text), expected: 'a time with its unit, e.g. "2 s" or "500 ms"' }]);
  let q;
  try {
    q = parseQuantity(text);
  } catch (e) {
    throw bad((e as Error).message);
  }
  // mathjs dimensions: index 2 is time. A bare number has no unit and is refused (seconds or ticks?).
  if (!q.dimension.every((d, i) => d === (i === 2 ? 1 : 0))) throw bad("it is not a time");
  if (!(q.si > 0) || !Number.isFinite(q.si)) throw bad("it is not positive and finite");
  return [{ path: ["duration"], value: text, where: OPTION, file: resolve(model) }];
}

/** Codes of problems that a shorter run causes: stimuli, phases or tasks past its end, streams too short. */
const SHORTENED = new Set(["out-of-run", "out-of-stream"]);

/** Runs `f`; with --duration set, errors a shorter run causes say that the option set the end. */
export function notingDuration<T>(text: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (text === undefined || !(e instanceof EngramError) || !e.diagnostics.some((d) => SHORTENED.has(d.code))) throw e;
    const hint = `the run's duration is ${text}, set by --duration: lengthen it, or leave it out to use the model's`;
    throw new EngramError(e.diagnostics.map((d) => (SHORTENED.has(d.code) ? { ...d, hint: d.hint ? `${d.hint}; ${hint}` : hint } : d)));
  }
}
