/**
 * The float64 reference target's non-finite guard: a NaN or an infinity in the state stops the run
 * with a user error (exit 1) naming the variable, the element and the time, instead of running on
 * and writing a result that looks like one (a neuron that never fires, V = -Infinity).
 * Cheap by construction: every recorded value is tested as it is written, and the whole state is
 * scanned once per SCAN_STEPS steps (each step already touches every element, so the scan adds
 * well under 1 %) and at the end of the run.
 */
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import type { Program } from "../../src/ir/program.ts";
import type { GroupState } from "./layout.ts";

/** Steps (dense or quiet) between two full scans of the state. */
export const SCAN_STEPS = 256;

interface Watched {
  group: string;
  kind: "populations" | "projections";
  variable: string;
  values: Float64Array;
  unitScale: number;
  unit: string;
}

export class NonFiniteGuard {
  private readonly watched: Watched[] = [];
  /** Tick of the last scan that found the state finite. */
  lastClean = 0;

  constructor(private readonly program: Program, groups: Map<string, GroupState>) {
    for (const [kind, list] of [["populations", program.populations], ["projections", program.projections]] as const) {
      for (const g of list) {
        const arrays = groups.get(g.name)!.arrays;
        for (const v of g.vars) {
          const values = arrays.get(v.name);
          if (values) this.watched.push({ group: g.name, kind, variable: v.name, values, unitScale: v.unitScale, unit: v.unit });
        }
      }
    }
  }

  /** Scans every variable of every element; throws at the first non-finite value. */
  scan(tick: number): void {
    for (const w of this.watched) {
      const a = w.values;
      for (let i = 0; i < a.length; i++) {
        // x - x is 0 for every finite x and NaN for NaN and +-Infinity: one test for both.
        if (a[i]! - a[i]! !== 0) throw this.error(w.kind, w.group, w.variable, i, a[i]!, tick, this.lastClean);
      }
    }
    this.lastClean = tick;
  }

  /** A recorded value that is not finite (display units). */
  recorded(group: string, variable: string, element: number, value: number, tick: number): EngramError {
    const kind = this.program.populations.some((p) => p.name === group) ? "populations" : "projections";
    return this.error(kind, group, variable, element, value, tick, undefined);
  }

  private error(kind: Watched["kind"], group: string, variable: string, element: number, value: number, tick: number, cleanAt: number | undefined): EngramError {
    const dt = this.program.tickSeconds;
    const sec = (ticks: number) => String(Number((ticks * dt).toPrecision(6)));
    const when = cleanAt === undefined ? `at t = ${sec(tick)} s (tick ${tick})` : `by t = ${sec(tick)} s (tick ${tick}; it was finite at t = ${sec(cleanAt)} s)`;
    return new EngramError([{
      code: "non-finite-state",
      message: `${group}.${variable}[${element}] became ${value} ${when}: the run is stopped, its results would be wrong`,
      where: { file: this.program.modelFiles[0] ?? this.program.name, path: [kind, group, variable] },
      received: String(value),
      hint: "look for a division by a variable that reaches 0, log or sqrt of a negative value, or exp of a large one in the equations of this variable and those it reads",
    }]);
  }
}
