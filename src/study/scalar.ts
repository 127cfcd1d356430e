/**
 * Reads one collected scalar from a finished run: a recorded trace at a time, or a value inside
 * its manifest or analysis (paths like "recalls[t=20].Q", "weights[t=28810].classes[class=CA->CA].mean_w").
 */
import type { RunResult } from "../analysis/run-output.ts";
import type { ScalarSpec } from "./schema.ts";

export interface ScalarSources {
  result: RunResult;
  manifest: unknown;
  analysis: unknown;
  atSeconds: number | undefined;
  /** The readout tasks' summary (task-scalars.ts), when the study collects a tasks scalar. */
  tasks?: unknown;
}

/** The value, or null and why it is missing. */
export function readScalar(spec: ScalarSpec, src: ScalarSources): { value: number | null; missing?: string } {
  if ("trace" in spec) return traceValue(spec.trace, src.result, src.atSeconds);
  if ("tasks" in spec) return asNumber(lookup(src.tasks, spec.tasks), `the tasks have no ${spec.tasks} (use mean, memory, prediction or task[shift=N].r2)`);
  if ("manifest" in spec) return asNumber(lookup(src.manifest, spec.manifest), `manifest.json has no ${spec.manifest}`);
  if (src.analysis === undefined) return { value: null, missing: "the run wrote no analysis.json (its model has no analysis block)" };
  return asNumber(lookup(src.analysis, spec.analysis), `analysis.json has no ${spec.analysis}`);
}

function traceValue(column: string, result: RunResult, at: number | undefined): { value: number | null; missing?: string } {
  const dt = result.program.tickSeconds;
  for (const t of result.tables) {
    const j = t.names.indexOf(column);
    if (j < 0) continue;
    if (t.count === 0) return { value: null, missing: `trace ${column} has no samples` };
    if (at === undefined) return { value: t.columns[j]![t.count - 1]! };
    // After the end there is no value: the last sample would pass for one.
    if (Math.round(at / dt) > result.program.durationTicks) return { value: null, missing: `the run ends at ${Number((result.program.durationTicks * dt).toPrecision(12))} s, before ${at} s` };
    // The last sample at or before `at` (times are integer ticks, so compare ticks).
    const tick = Math.round(at / dt);
    let i = -1;
    for (let k = 0; k < t.count && t.ticks[k]! <= tick; k++) i = k;
    return i < 0 ? { value: null, missing: `trace ${column} has no sample at or before ${at} s` } : { value: t.columns[j]![i]! };
  }
  return { value: null, missing: `no recorded column "${column}" (recorded: ${result.tables.flatMap((t) => t.names).join(", ")})` };
}

function asNumber(v: unknown, why: string): { value: number | null; missing?: string } {
  if (v === undefined) return { value: null, missing: why };
  if (v === null) return { value: NaN }; // JSON writes NaN as null
  if (typeof v === "boolean") return { value: v ? 1 : 0 };
  if (typeof v === "number") return { value: v };
  return { value: null, missing: `${why.replace(/^.* has no /, "")} is not a number: ${JSON.stringify(v).slice(0, 60)}` };
}

/** Follows a path of keys, list indices [3] and selectors [key=value] (the first element whose key has that value). */
export function lookup(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const m of path.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (cur === null || typeof cur !== "object") return undefined;
    if (m[1] !== undefined) cur = (cur as Record<string, unknown>)[m[1]];
    else {
      const sel = m[2]!;
      if (!Array.isArray(cur)) return undefined;
      const eq = sel.indexOf("=");
      if (eq < 0) cur = /^\d+$/.test(sel) ? cur[Number(sel)] : undefined;
      else {
        const key = sel.slice(0, eq), want = sel.slice(eq + 1);
        cur = cur.find((x) => x !== null && typeof x === "object" && String((x as Record<string, unknown>)[key]) === want);
      }
    }
  }
  return cur;
}
