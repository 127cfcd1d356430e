/**
 * engram compare: the same model in float64 and in each target's integer arithmetic, side by side.
 * Writes DIR/compare.csv (per variant and variable: max abs error, RMSE, final-value error, all in
 * the variable's unit, against float64) and DIR/compare.svg (overlay of every variant), and prints
 * the table.
 */
import type { Limits } from "../ir/limits.ts";
import { join } from "node:path";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import type { Rounding } from "../compiler/fixed/quantise.ts";
import { renderOverlaySvg } from "../analysis/plot.ts";
import { deadZoneRules } from "./dead-zone-rules.ts";
import { getTarget } from "../../targets/registry.ts";
import type { RunHandle } from "../../targets/target.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { analyseByRun } from "./compile.ts";
import { progressBar } from "./progress.ts";
import type { VariationOptions } from "../compiler/fixed/variation.ts";
import { VERSION } from "./main.ts";
import { safeName } from "../util/safe-name.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { prepareOutDir } from "./out-dir.ts";
import { findSidecar } from "../interchange/onnx-sidecar.ts";
import { writeCompareEnergy } from "./compare-energy.ts";
import type { Program } from "../ir/program.ts";
import { labelTick, type TimeLabel } from "../analysis/time-label.ts";

export interface CompareOptions {
  model: string;
  targets: string[];
  roundings: Rounding[];
  bits: (number | undefined)[];
  seed?: number;
  out?: string;
  /** Raised resource limits (--limit NAME=N). */
  limits?: Partial<Limits>;
  /** Replace engram's outputs in a non-empty --out folder. */
  force?: boolean;
  variation?: VariationOptions;
  /** Labels of the plot's time axis (src/analysis/time-label.ts; default end of step). */
  timeLabel?: TimeLabel;
}

interface Variant {
  label: string;
  handle: RunHandle;
  /** Dead-zone rules by recorded column (dead-zone-rules.ts). */
  rules?: Map<string, { label: string; value: number; note: string }[]>;
  /** For the energy columns: the program run and its target. */
  program?: Program;
  target?: string;
}

export interface ErrorRow {
  variant: string;
  variable: string;
  unit: string;
  maxAbs: number;
  rmse: number;
  finalError: number;
  final: number;
  reference: number;
}

/** Errors of every recorded column of `v` against the reference, sample by sample. */
export function errors(reference: RunHandle, v: Variant, units: Map<string, string>): ErrorRow[] {
  const rows: ErrorRow[] = [];
  reference.recorded.tables.forEach((rt, ti) => {
    const vt = v.handle.recorded.tables[ti]!;
    rt.names.forEach((name, c) => {
      const a = rt.columns[c]!, b = vt.columns[vt.names.indexOf(name)]!;
      const n = Math.min(rt.count, vt.count);
      let maxAbs = 0, sq = 0;
      for (let i = 0; i < n; i++) {
        const d = Math.abs(b[i]! - a[i]!);
        if (d > maxAbs) maxAbs = d;
        sq += d * d;
      }
      rows.push({ variant: v.label, variable: name, unit: units.get(name) ?? "", maxAbs, rmse: Math.sqrt(sq / Math.max(1, n)), finalError: b[n - 1]! - a[n - 1]!, final: b[n - 1]!, reference: a[n - 1]! });
    });
  });
  return rows;
}

export async function compareCommand(o: CompareOptions): Promise<number> {
  // A model imported from ONNX: ONNX Runtime is the reference column (compare-onnx.ts).
  const onnx = findSidecar(o.model);
  if (onnx) return (await (await import("./compare-onnx.ts")).compareOnnx(o, onnx), 0);
  const reference = getTarget("reference");
  const refProgram = compile(o.model, { target: "reference", seed: o.seed, limits: o.limits });
  // compare works on recorded variables; a model that records none has nothing to put side by side
  if (refProgram.recordings.length === 0) throw new EngramError([{ code: "nothing-to-compare", message: `${o.model} records no variable, so there is nothing to compare`, hint: "add one under `recordings:`, e.g. `- { var: POP.v, elements: all, every: 1 ms }` (docs/model-format.md)" }]);
  const out = o.out ?? join("out", safeName(`${refProgram.name}.compare`));
  prepareOutDir(out, { force: o.force === true, command: "compare" }); // before the runs: a bad --out costs nothing
  const variants: Variant[] = [];
  const bar = progressBar(`${refProgram.name} (compare)`, 1);
  const refHandle = reference.execute!(refProgram);
  refHandle.run();
  variants.push({ label: "float64", handle: refHandle, program: refProgram, target: "reference" });
  const fixedTargets = o.targets.filter((t) => t !== "reference");
  const total = fixedTargets.length * o.roundings.length * o.bits.length;
  let done = 0;
  for (const name of fixedTargets) {
    const target = getTarget(name);
    for (const rounding of o.roundings) {
      for (const bits of o.bits) {
        const label = `${name} ${rounding}${bits ? ` ${bits}-bit` : ""}`;
        if (bits !== undefined && !target.caps.allowedWidths.includes(bits)) {
          process.stderr.write(`engram: skipping ${label}: ${name} has no ${bits}-bit state (it has ${target.caps.allowedWidths.join(", ")})\n`);
          continue;
        }
        const program = compile(o.model, { target: name, seed: o.seed, limits: o.limits });
        const { ir, quantised } = compileFixed(program, target.caps, { rounding, bits, variation: o.variation, engramVersion: VERSION, analyse: analyseByRun });
        const handle = new EmulatorHandle(ir, program.spikeRecording);
        handle.run();
        variants.push({ label, handle, rules: deadZoneRules(label, quantised, program.recordings), program, target: name });
        bar.update(++done / Math.max(1, total));
      }
    }
  }
  bar.done();
  if (variants.length < 2) throw new EngramError([{ code: "nothing-to-compare", message: "no fixed-point variant to compare with float64", hint: "name bss2 or cmos in --targets" }]);
  const units = new Map(refProgram.recordings.flatMap((r) => r.columns.map((c) => [c, r.unit] as [string, string])));
  const rows = variants.slice(1).flatMap((v) => errors(refHandle, v, units));
  const csv = ["variant,variable,unit,max_abs_error,rmse,final_error,final_value,float64_final", ...rows.map((r) => [r.variant, r.variable, r.unit, r.maxAbs, r.rmse, r.finalError, r.final, r.reference].join(","))].join("\n") + "\n";
  writeFileAtomic(join(out, "compare.csv"), csv);
  const first = refHandle.recorded.tables[0]!;
  // start-of-step labels: every sample one dt earlier, the initial state (tick 0) left out
  const skip = o.timeLabel === "start" && first.count > 0 && first.ticks[0] === 0 ? 1 : 0;
  const time = Float64Array.from(first.ticks.subarray(skip, first.count), (k) => labelTick(k, o.timeLabel ?? "end")! * refProgram.tickSeconds);
  const panels = refHandle.recorded.tables.flatMap((t, ti) =>
    t.names.map((name) => ({
      name,
      unit: units.get(name) ?? "",
      lines: variants.map((v) => {
        const vt = v.handle.recorded.tables[ti]!;
        return { label: v.label, values: vt.columns[vt.names.indexOf(name)]!.subarray(skip, vt.count) };
      }),
      rules: variants.flatMap((v) => v.rules?.get(name) ?? []),
    })),
  );
  writeFileAtomic(join(out, "compare.svg"), await renderOverlaySvg({ title: `${refProgram.name}: float64 and fixed point (seed ${refProgram.seed})`, time_s: time, panels: time.length === first.count - skip ? panels : [] }));
  const fmt = (x: number) => (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2));
  const table = [
    `${"variant".padEnd(26)} ${"variable".padEnd(10)} ${"max |err|".padStart(11)} ${"RMSE".padStart(11)} ${"final err".padStart(11)}  final (float64)`,
    ...rows.map((r) => `${r.variant.padEnd(26)} ${`${r.variable}${r.unit && r.unit !== "1" ? ` ${r.unit}` : ""}`.padEnd(10)} ${fmt(r.maxAbs).padStart(11)} ${fmt(r.rmse).padStart(11)} ${fmt(r.finalError).padStart(11)}  ${fmt(r.final)} (${fmt(r.reference)})`),
  ];
  const energy = writeCompareEnergy(out, variants.map((v) => ({ label: v.label, handle: v.handle, program: v.program!, target: v.target! })));
  process.stdout.write(table.join("\n") + "\n\n" + energy + `\n  wrote ${join(out, "compare.csv")}\n  wrote ${join(out, "compare.svg")}\n  wrote ${join(out, "compare-energy.csv")}\n`);
  return 0;
}
