/** IPC outputs: ipc.csv (capacity per degree), ipc-terms.csv (every basis function kept), ipc.md and ipc.svg (stacked bars). */
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { baseConfig, renderSpec } from "../plot.ts";
import { writeFileAtomic } from "../../util/atomic-write.ts";
import type { IpcResult } from "./search.ts";

export interface CapacityBar {
  label: string;
  byDegree: number[];
}

/** One stacked bar per entry (capacity by degree), with a dashed line at `ceiling` (rank or N). */
export async function renderCapacitySvg(title: string, bars: CapacityBar[], ceiling: number, xTitle = "configuration"): Promise<string> {
  const values = bars.flatMap((b, i) => b.byDegree.map((c, d) => ({ bar: b.label, order: i, degree: `degree ${d + 1}`, capacity: c })));
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: baseConfig,
    title,
    width: Math.max(160, 60 * bars.length),
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: "bar" },
        encoding: {
          x: { field: "bar", type: "nominal", sort: { field: "order" }, title: xTitle, axis: { labelAngle: 0 } },
          y: { field: "capacity", type: "quantitative", aggregate: "sum", title: "capacity", scale: { domain: [0, ceiling * 1.05] } },
          color: { field: "degree", type: "nominal", title: "degree", scale: { scheme: "tableau10" } },
          order: { field: "degree", type: "nominal" },
        },
      },
      { data: { values: [{ y: ceiling }] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555555" }, encoding: { y: { field: "y", type: "quantitative" } } },
    ],
  };
  return renderSpec(spec);
}

export function capacityMarkdown(name: string, r: IpcResult, notes: string[]): string {
  return [
    `# IPC of ${name}`,
    "",
    ...notes.map((n) => `- ${n}`),
    `- ${r.samples} samples, ${r.units} state units, rank ${r.rank}; threshold θ = ${r.threshold.toExponential(3)}; ${r.evaluated} targets evaluated in ${r.seconds.search.toFixed(2)} s (factorisation ${r.seconds.factorise.toFixed(2)} s)`,
    "",
    "| degree | capacity | basis functions kept |",
    "| --- | --- | --- |",
    ...r.byDegree.map((c, d) => `| ${d + 1} | ${c.toFixed(3)} | ${r.terms.filter((t) => sum(t.degrees) === d + 1).length} |`),
    `| total | **${r.total.toFixed(3)}** | ${r.terms.length} |`,
    "",
  ].join("\n");
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

export async function writeIpcOutputs(out: string, name: string, r: IpcResult, notes: string[]): Promise<string[]> {
  writeFileAtomic(join(out, "ipc.csv"), ["degree,capacity,terms", ...r.byDegree.map((c, d) => `${d + 1},${c},${r.terms.filter((t) => sum(t.degrees) === d + 1).length}`), `total,${r.total},${r.terms.length}`].join("\n") + "\n");
  writeFileAtomic(join(out, "ipc-terms.csv"), ["degree,delays,degrees,capacity", ...r.terms.map((t) => `${sum(t.degrees)},${t.delays.join(" ")},${t.degrees.join(" ")},${t.capacity}`)].join("\n") + "\n");
  writeFileAtomic(join(out, "ipc.md"), capacityMarkdown(name, r, notes));
  writeFileAtomic(join(out, "ipc.svg"), await renderCapacitySvg(`${name}: information processing capacity by degree (dashed: rank ${r.rank})`, [{ label: name, byDegree: r.byDegree }], Math.max(r.rank, r.total), "model"));
  return ["ipc.csv", "ipc-terms.csv", "ipc.md", "ipc.svg"];
}
