/**
 * engram bench --reservoir-chip (issue 14): ESN-100 on Mackey-Glass in float64 and on the cmos
 * emulator at each state width the chip allows, over seeds: test R² per horizon, the drop of the
 * distant horizon against float64, and the widest width at which it drops by more than 0.01. One
 * more row keeps 16-bit state but 16-bit summed inputs (the chip's accumulators are 24 bits), to
 * show which word limits the score. The readout is trained on each target's own states.
 */
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { getTarget } from "../../targets/registry.ts";
import { planTasks } from "../analysis/tasks/check.ts";
import { evaluateTasks, type TaskTable } from "../analysis/tasks/evaluate.ts";
import type { Program } from "../ir/program.ts";
import type { TargetCaps } from "../compiler/fixed/caps.ts";
import { analyseByRun } from "./compile.ts";

const MG = "models/reservoir/mackey-glass.yaml";
/** The distant horizon of the Mackey-Glass task set. */
const DISTANT = 84;

function scores(program: Program, table: TaskTable): number[] {
  return evaluateTasks(planTasks(program), table).map((r) => r.r2);
}

function float64(program: Program): number[] {
  const ex = new Executor(program);
  ex.run();
  return scores(program, ex.recorded.tables[planTasks(program).recording]!);
}

function onChip(program: Program, caps: TargetCaps, bits: number): number[] {
  const { ir } = compileFixed(program, caps, { rounding: "nearest", bits, engramVersion: "bench", analyse: analyseByRun });
  const h = new EmulatorHandle(ir);
  h.run();
  return scores(program, h.recorded.tables[planTasks(program).recording]! as TaskTable);
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));

export function reservoirChipBench(quick: boolean): string[] {
  const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5];
  const cmos = getTarget("cmos").caps;
  const widths = [...cmos.allowedWidths].sort((a, b) => b - a);
  const configs: { label: string; run: (p: Program) => number[]; bits?: number }[] = [
    { label: "float64 (reference)", run: float64 },
    ...widths.map((bits) => ({ label: `cmos, ${bits}-bit state`, bits, run: (p: Program) => onChip(p, cmos, bits) })),
    { label: `cmos, 16-bit state, 16-bit summed inputs`, run: (p: Program) => onChip(p, { ...cmos, accumulatorWidth: 16 }, 16) },
  ];
  const first = compile(MG, { target: "cmos" });
  const shifts = first.tasks!.shifts;
  const j84 = shifts.indexOf(DISTANT);
  const results = configs.map(() => [] as number[][]);
  for (const seed of seeds) {
    const program = compile(MG, { target: "cmos", seed });
    configs.forEach((c, i) => results[i]!.push(c.run(program)));
  }
  const ref84 = results[0]!.map((r) => r[j84]!);
  const out = [
    `ESN-100 on Mackey-Glass (${MG}), float64 and the cmos emulator (round to nearest, 24-bit summed inputs unless stated), seeds ${seeds.join(", ")}. Test R² per horizon, mean over seeds; the last columns are h = ${DISTANT}: SD over seeds and the mean drop against float64 (paired by seed):`,
    "",
    `| target | ${shifts.map((h) => `h=${h}`).join(" | ")} | SD h=${DISTANT} | drop h=${DISTANT} |`,
    `| --- | ${shifts.map(() => "---").join(" | ")} | --- | --- |`,
  ];
  let firstDrop: number | undefined;
  configs.forEach((c, i) => {
    const rows = results[i]!;
    const at84 = rows.map((r) => r[j84]!);
    const drop = mean(ref84.map((x, s) => x - at84[s]!));
    if (c.bits !== undefined && drop > 0.01 && firstDrop === undefined) firstDrop = c.bits;
    out.push(`| ${c.label} | ${shifts.map((_, j) => mean(rows.map((r) => r[j]!)).toFixed(5)).join(" | ")} | ${sd(at84).toFixed(5)} | ${i === 0 ? "-" : drop.toFixed(5)} |`);
  });
  out.push("", firstDrop === undefined ? `No state width of cmos drops the h = ${DISTANT} score by more than 0.01.` : `The h = ${DISTANT} score first drops by more than 0.01 at ${firstDrop}-bit state (widths tried from ${widths[0]} down).`);
  return out;
}
