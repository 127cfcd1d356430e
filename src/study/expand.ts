/**
 * Expands a study's grid into runs: a pure function of the study file. Every run's identity and
 * seed come from its grid point (and, with seeds.derive, the study's name), never from the order
 * or the worker that runs it.
 */
import { createHash } from "node:crypto";
import { basename, relative } from "node:path";
import { hashString } from "../util/rng.ts";
import { getTarget } from "../../targets/registry.ts";
import type { Study } from "./schema.ts";

export type ParamValue = string | number | boolean;

export interface RunSpec {
  /** Position in grid order: the row of results.csv. */
  index: number;
  /** Directory name under runs/: readable, and a hash of everything that defines the run. */
  id: string;
  /** Absolute model file. */
  model: string;
  /** The model as written in the study file (relative to it). */
  modelLabel: string;
  target: string;
  /** Chips only: rounding of state updates, state width, analog variation. */
  rounding?: "stochastic" | "nearest" | "floor";
  bits?: number;
  mismatch?: boolean;
  noise?: boolean;
  params: Record<string, ParamValue>;
  /** 1-based replicate within the grid point. */
  replicate: number;
  seed: number;
  /** The grid point without the seed: runs that differ only by seed share it (summary groups). */
  point: string;
}

function product<T>(axes: T[][]): T[][] {
  return axes.reduce<T[][]>((acc, axis) => acc.flatMap((prefix) => axis.map((v) => [...prefix, v])), [[]]);
}

export function expandStudy(study: Study): RunSpec[] {
  const g = study.data.grid;
  const paramNames = Object.keys(g.params);
  const points: Omit<RunSpec, "index" | "id" | "replicate" | "seed">[] = [];
  const seen = new Set<string>();
  for (const model of study.models) {
    for (const values of product<ParamValue>(paramNames.map((p) => g.params[p]!))) {
      const params = Object.fromEntries(paramNames.map((p, i) => [p, values[i]!]));
      for (const target of g.target) {
        const t = getTarget(target);
        // Rounding and width apply to fixed-point chips, variation to chips with an analog core:
        // elsewhere those axes collapse to one run instead of repeating the same run.
        const chip = t.execute === undefined;
        const roundings = chip ? g.rounding : [undefined];
        const widths = chip ? (g.bits ?? [undefined]) : [undefined];
        const mismatches = chip && t.caps.variation ? (g.mismatch ?? [undefined]) : [undefined];
        const noises = chip && t.caps.variation ? (g.noise ?? [undefined]) : [undefined];
        for (const [rounding, bits, mismatch, noise] of product<unknown>([roundings, widths, mismatches, noises])) {
          const p = { model, modelLabel: relative(study.dir, model), target, rounding: rounding as RunSpec["rounding"], bits: bits as number | undefined, mismatch: mismatch as boolean | undefined, noise: noise as boolean | undefined, params, point: "" };
          p.point = pointKey(p);
          if (seen.has(p.point)) continue;
          seen.add(p.point);
          points.push(p);
        }
      }
    }
  }
  const runs: RunSpec[] = [];
  for (const p of points) {
    for (let k = g.seeds.from; k <= g.seeds.to; k++) {
      const replicate = k - g.seeds.from + 1;
      const seed = g.seeds.derive ? hashString(`${study.data.name}|${p.point}|${k}`) : k;
      const digest = createHash("sha256").update(`${p.point}|seed=${seed}`).digest("hex").slice(0, 10);
      const label = [basename(p.model).replace(/\.ya?ml$/, ""), p.target, p.rounding, p.bits === undefined ? undefined : `${p.bits}b`, `s${seed}`].filter((x) => x !== undefined).join(".");
      runs.push({ ...p, index: runs.length, id: `${label}.${digest}`, replicate, seed });
    }
  }
  return runs;
}

/** A canonical text of a grid point (keys in a fixed order), stable across runs of the tool. */
function pointKey(p: Pick<RunSpec, "modelLabel" | "target" | "rounding" | "bits" | "mismatch" | "noise" | "params">): string {
  return JSON.stringify([p.modelLabel.split("\\").join("/"), p.target, p.rounding ?? null, p.bits ?? null, p.mismatch ?? null, p.noise ?? null, Object.entries(p.params)]);
}

/** The grid columns of results.csv that vary or matter, in grid order. */
export function gridColumns(study: Study): string[] {
  const g = study.data.grid;
  return ["model", ...Object.keys(g.params), "target", "rounding", "bits", ...(g.mismatch ? ["mismatch"] : []), ...(g.noise ? ["noise"] : [])];
}

/** A run's value in a grid column ("" where the axis does not apply). */
export function gridValue(run: RunSpec, column: string): ParamValue | "" {
  switch (column) {
    case "model":
      return run.modelLabel.split("\\").join("/");
    case "target":
      return run.target;
    case "rounding":
      return run.rounding ?? "";
    case "bits":
      return run.bits ?? "";
    case "mismatch":
      return run.mismatch ?? "";
    case "noise":
      return run.noise ?? "";
    default:
      return run.params[column] ?? "";
  }
}
