/** engram run with a `tasks` block: the readout tasks on the recorded states, after the run (src/analysis/tasks/). */
import type { Program } from "../ir/program.ts";
import type { TaskPlan } from "../analysis/tasks/check.ts";
import { evaluateTasks, meanR2 } from "../analysis/tasks/evaluate.ts";
import { writeTaskOutputs } from "../analysis/tasks/write.ts";
import type { TaskTable } from "../analysis/tasks/evaluate.ts";
import { scorePerEnergy } from "../analysis/energy/score.ts";
import { evaluateWindows } from "../analysis/tasks/windows.ts";

/** With `manifest` holding an energy section, the mean R² per joule (each model) and per ATP go into it and to stdout. */
export async function writeTasks(out: string, program: Program, plan: TaskPlan, tables: TaskTable[], manifest?: Record<string, unknown>, plots = true): Promise<string[]> {
  const started = performance.now();
  const results = evaluateTasks(plan, tables[plan.recording]!);
  const windows = evaluateWindows(plan, tables[plan.recording]!);
  const seconds = (performance.now() - started) / 1000;
  const written = await writeTaskOutputs(out, program.name, plan, results, seconds, plots, windows);
  for (const w of windows) process.stdout.write(`  window ${w.name}: mean R² ${w.r2.toFixed(5)}${w.retest_r2 === null ? "" : `, retest ${w.retest_r2.toFixed(5)}, forgetting ${w.forgetting!.toFixed(5)} (clipped ${w.forgetting_clipped!.toFixed(5)})`}\n`);
  const lines = results.length <= 12 ? results.map((r) => `  ${r.channelName} shift ${r.shift} power ${r.power}: R² ${r.r2.toFixed(5)}`) : [];
  process.stdout.write(`${program.name}: ${results.length} tasks, mean R² ${meanR2(results).toFixed(5)} (fits ${seconds.toFixed(3)} s)\n${lines.join("\n")}${lines.length ? "\n" : ""}`);
  if (manifest?.energy) {
    const score = scorePerEnergy("mean R²", meanR2(results), manifest.energy as Parameters<typeof scorePerEnergy>[2]);
    (manifest.energy as Record<string, unknown>).score = score;
    process.stdout.write(`  mean R² per energy: ${score.per_atp.toExponential(3)} per ATP (biology), per J: biology ${score.per_joule.biology.toExponential(3)}, bss2 ${score.per_joule.bss2.toExponential(3)}, cmos ${score.per_joule.cmos.toExponential(3)}\n`);
  }
  return written;
}
