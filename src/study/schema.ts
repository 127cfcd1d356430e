/**
 * The study file (docs/studies.md): a model, a grid over its parameters, targets, rounding, state
 * width and seeds, and the scalars to collect from each run. Validated with zod; every error
 * points at the line of the study file that caused it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { readYaml, validate, displayPath, type RawDoc } from "../model/load.ts";
import { EngramError, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.ts";
import { parseQuantity, UnitParseError } from "../model/units.ts";
import { targetNames } from "../../targets/registry.ts";

const nonEmpty = <T extends z.ZodType>(item: T, what: string) => z.array(item).min(1, `the grid axis "${what}" is empty: list at least one value`);
const ParamValue = z.union([z.string().min(1), z.number(), z.boolean()]);
/** A column name in results.csv. */
const ColumnName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "scalar names must be letters, digits and underscores, not starting with a digit");

const Seeds = z
  .strictObject({
    from: z.number().int("seeds must be whole numbers").nonnegative("seeds are non-negative").max(2 ** 32 - 1, "seeds fit in 32 bits"),
    to: z.number().int("seeds must be whole numbers").nonnegative("seeds are non-negative").max(2 ** 32 - 1, "seeds fit in 32 bits"),
    /**
     * false (default): replicate k runs with seed k, as `engram run --seed k` does. true: the seed is
     * a hash of the study's name, the grid point and k (independent streams for every grid point).
     */
    derive: z.boolean().default(false),
  }, "the grid needs seeds: { from: 1, to: N }, the replicates of every grid point")
  .refine((s) => s.from <= s.to, { message: "the seed range is empty: from must not exceed to", path: ["to"] });

/** A scalar read from each run: one of trace, manifest, analysis or tasks. */
const Scalar = z.union([
  z.strictObject({
    /** A recorded column (traces.csv header), e.g. "z". */
    trace: z.string().min(1),
    /** Sample at this time (the last one at or before it); default: the last sample. */
    at: z.union([z.string().min(1), z.number()]).optional(),
  }),
  /** A path into the run's manifest.json, e.g. "integration.dense_steps". */
  z.strictObject({ manifest: z.string().min(1) }),
  /** A path into analysis.json; [key=value] picks a list element, e.g. "recalls[t=20].Q". */
  z.strictObject({ analysis: z.string().min(1) }),
  /** The model's readout tasks: "mean", "memory", "prediction" or a path like "task[shift=84].r2" (task-scalars.ts). */
  z.strictObject({ tasks: z.string().min(1) }),
]);

export const StudyFile = z.strictObject({
  study: z.literal(1, "write study: 1 (the study file format's version)"),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a study name is letters, digits, '_', '.', '-'"),
  doc: z.string().optional(),
  /** The model file, or several (then they are the grid's first axis); relative to the study file. */
  model: z.union([z.string().min(1), nonEmpty(z.string().min(1), "model")]),
  grid: z
    .strictObject({
      target: nonEmpty(z.string(), "target").default(["reference"]),
      rounding: nonEmpty(z.enum(["stochastic", "nearest", "floor"]), "rounding").default(["stochastic"]),
      /** State width on fixed-point targets (default: the model's or the target's). */
      bits: nonEmpty(z.number().int().min(2).max(32), "bits").optional(),
      mismatch: nonEmpty(z.boolean(), "mismatch").optional(),
      noise: nonEmpty(z.boolean(), "noise").optional(),
      /** Model values by path ("projections.syn.params.tau_h", or "extends") -> values to try. */
      params: z.record(z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_0-9][\w]*)*$/, 'write a path of keys with dots, e.g. "projections.syn.params.tau_h"'), nonEmpty(ParamValue, "params")).default({}),
      seeds: Seeds,
    }, "a study needs a grid: at least seeds: { from: 1, to: N }")
    .superRefine((g, ctx) => {
      for (const [i, t] of g.target.entries()) {
        if (!targetNames().includes(t)) ctx.addIssue({ code: "custom", message: `unknown target "${t}" (one of ${targetNames().join(", ")})`, path: ["target", i] });
      }
    }),
  collect: z.record(ColumnName, Scalar).refine((c) => Object.keys(c).length > 0, "collect names no scalar: a study without results has nothing to write"),
  /**
   * Outcome classes of a scalar, counted per grid point in summary.md: class name -> bounds
   * (above / below, exclusive); the first class that matches wins, {} matches anything.
   */
  classify: z.record(ColumnName, z.record(z.string().min(1), z.strictObject({ above: z.number().optional(), below: z.number().optional() })).refine((c) => Object.keys(c).length > 0, "list at least one class")).default({}),
  /** Extra per-run files kept in runs/<id>/ (default: only result.json and manifest.json). */
  keep: z.array(z.enum(["traces", "spikes", "plots"])).default([]),
});
export type StudyFile = z.infer<typeof StudyFile>;
export type ScalarSpec = z.infer<typeof Scalar>;

export interface Study {
  file: string;
  dir: string;
  /** sha256 of the study file's bytes. */
  sha256: string;
  data: StudyFile;
  models: string[];
  locate(path: (string | number)[]): SourceLocation;
  /** Seconds of each trace scalar's `at`, by scalar name. */
  atSeconds: Record<string, number | undefined>;
}

export function loadStudy(file: string): Study {
  const abs = resolve(file);
  const raw: RawDoc = readYaml(abs, undefined, "study file");
  const data = validate(StudyFile, raw);
  const problems: Diagnostic[] = [];
  const atSeconds: Record<string, number | undefined> = {};
  for (const [name, spec] of Object.entries(data.collect)) {
    if (!("trace" in spec) || spec.at === undefined) continue;
    const where = raw.locate(["collect", name, "at"]);
    try {
      const q = parseQuantity(spec.at);
      // mathjs dimensions: index 2 is time. A bare YAML number is taken as seconds.
      const isTime = q.dimension.every((d, i) => d === (i === 2 ? 1 : 0));
      if (typeof spec.at === "string" && !isTime) throw new UnitParseError("not a time");
      atSeconds[name] = q.si;
    } catch (e) {
      problems.push({ code: "bad-time", message: `"at" must be a time such as "8 h" or "28800 s": ${(e as Error).message}`, where, received: JSON.stringify(spec.at) });
    }
  }
  for (const name of Object.keys(data.classify)) {
    if (!(name in data.collect)) problems.push({ code: "unknown-scalar", message: `classify names "${name}", which collect does not define`, where: raw.locate(["classify", name]), expected: `one of ${Object.keys(data.collect).join(", ")}`, received: name });
  }
  const reserved = new Set(["run", "id", "model", "target", "rounding", "bits", "mismatch", "noise", "seed", "status", "error", ...Object.keys(data.grid.params)]);
  for (const name of Object.keys(data.collect)) {
    if (reserved.has(name)) problems.push({ code: "scalar-name-taken", message: `the scalar "${name}" would share its column with a grid column of results.csv`, where: raw.locate(["collect", name]), received: name, hint: "rename it" });
  }
  if (problems.length > 0) throw new EngramError(problems);
  const models = (typeof data.model === "string" ? [data.model] : data.model).map((m) => resolve(dirname(abs), m));
  return { file: abs, dir: dirname(abs), sha256: createHash("sha256").update(readFileSync(abs)).digest("hex"), data, models, locate: raw.locate, atSeconds };
}

/** How the study file names itself in messages. */
export function studyName(s: Study): string {
  return displayPath(s.file);
}
