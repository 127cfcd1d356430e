/**
 * Task outputs: tasks.csv (one row per task), tasks.svg (heat map of R^2 over shift x power, one
 * panel per channel) and analysis.md (settings, mean R^2, per-channel means, the best and worst).
 */
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { renderSpec } from "../plot.ts";
import { writeFileAtomic } from "../../util/atomic-write.ts";
import { meanR2, type TaskResult } from "./evaluate.ts";
import type { TaskPlan } from "./check.ts";
import { windowsCsv, type WindowResult } from "./windows.ts";

export function tasksCsv(results: TaskResult[]): string {
  const rows = results.map((r) => `${r.channel},${r.channelName},${r.shift},${r.power},${Number.isNaN(r.r2) ? "" : r.r2.toPrecision(10)}`);
  return ["channel,channel_name,shift,power,r2", ...rows].join("\n") + "\n";
}

export function heatmapSpec(title: string, results: TaskResult[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: results.map((r) => ({ channel: r.channelName, shift: r.shift, power: r.power, r2: Number.isNaN(r.r2) ? null : Math.max(-1, r.r2) })) },
    facet: { row: { field: "channel", type: "nominal", title: "channel" } },
    spec: {
      width: Math.max(200, 14 * new Set(results.map((r) => r.shift)).size),
      height: 24 * new Set(results.map((r) => r.power)).size,
      mark: "rect",
      encoding: {
        x: { field: "shift", type: "ordinal", title: "shift (samples; < 0 memory, > 0 prediction)" },
        y: { field: "power", type: "ordinal", title: "power d" },
        color: { field: "r2", type: "quantitative", title: "R² (test)", scale: { domain: [0, 1], scheme: "viridis", clamp: true } },
      },
    },
  } as TopLevelSpec;
}

export function analysisMarkdown(name: string, plan: TaskPlan, results: TaskResult[], wallSeconds: number): string {
  const t = plan.tasks;
  const fmt = (x: number) => (Number.isNaN(x) ? "n/a" : x.toFixed(5));
  const lines = [
    `# ${name}: readout tasks`,
    "",
    `Targets y = u_k(t - 1 + shift)^d of stream "${plan.stream.names.join(", ")}" read out from \`${t.states}\` by ridge regression with bias (lambda ${t.ridge}).`,
    `Samples: washout ${t.washout}, train ${t.train}, test ${t.test}. R² on the test samples. ${results.length} tasks = ${plan.channels.length} channel(s) x ${t.shifts.length} shift(s) x ${t.powers.length} power(s); fitted in ${wallSeconds.toFixed(3)} s.`,
    "",
    `**Mean R²: ${fmt(meanR2(results))}** (plain mean over tasks; negative values are kept).`,
    "",
  ];
  if (results.length <= 40) {
    lines.push("| channel | shift | power | R² |", "|---|---|---|---|", ...results.map((r) => `| ${r.channelName} | ${r.shift} | ${r.power} | ${fmt(r.r2)} |`));
  } else {
    lines.push("| channel | mean R² | memory (shift < 0) | prediction (shift > 0) |", "|---|---|---|---|");
    for (const k of plan.channels) {
      const of = (f: (r: TaskResult) => boolean) => meanR2(results.filter((r) => r.channel === k && f(r)));
      lines.push(`| ${plan.stream.names[k]} | ${fmt(of(() => true))} | ${fmt(of((r) => r.shift < 0))} | ${fmt(of((r) => r.shift > 0))} |`);
    }
    lines.push("", "All tasks: tasks.csv. Heat map: tasks.svg.");
  }
  return lines.join("\n") + "\n";
}

/** The windows section of analysis.md: per window, mean R² on test and retest, and forgetting. */
export function windowsMarkdown(plan: TaskPlan, windows: WindowResult[]): string {
  const f = (x: number | null) => (x === null ? "" : Number.isNaN(x) ? "n/a" : x.toFixed(5));
  const span = ([a, b]: [number, number]) => `[${a}, ${b})`;
  const def = new Map((plan.tasks.windows ?? []).map((w) => [w.name, w]));
  return [
    "",
    "## Windows",
    "",
    "A readout fitted on each window's train samples, scored on its test samples and, frozen, on its retest samples (stream samples [from, to)). Forgetting = R²(test) - R²(retest), mean over tasks; clipped forgetting = max(R²(test), 0) - max(R²(retest), 0), mean over tasks, in [-1, 1]; per task in windows.csv.",
    "",
    "| window | train | test | retest | mean R² (test) | mean R² (retest) | forgetting | clipped forgetting |",
    "|---|---|---|---|---|---|---|---|",
    ...windows.map((w) => {
      const d = def.get(w.name)!;
      return `| ${w.name} | ${span(d.train)} | ${span(d.test)} | ${d.retest ? span(d.retest) : ""} | ${f(w.r2)} | ${f(w.retest_r2)} | ${f(w.forgetting)} | ${f(w.forgetting_clipped)} |`;
    }),
  ].join("\n") + "\n";
}

/** `plots: false` leaves out tasks.svg (engram run --no-plots). */
export async function writeTaskOutputs(dir: string, name: string, plan: TaskPlan, results: TaskResult[], wallSeconds: number, plots = true, windows: WindowResult[] = []): Promise<string[]> {
  writeFileAtomic(join(dir, "tasks.csv"), tasksCsv(results));
  if (plots) writeFileAtomic(join(dir, "tasks.svg"), await renderSpec(heatmapSpec(`${name}: R² per task (mean ${meanR2(results).toFixed(4)})`, results)));
  if (windows.length > 0) writeFileAtomic(join(dir, "windows.csv"), windowsCsv(windows, plan.stream.names));
  writeFileAtomic(join(dir, "analysis.md"), analysisMarkdown(name, plan, results, wallSeconds) + (windows.length > 0 ? windowsMarkdown(plan, windows) : ""));
  return ["tasks.csv", ...(plots ? ["tasks.svg"] : []), ...(windows.length > 0 ? ["windows.csv"] : []), "analysis.md"];
}
