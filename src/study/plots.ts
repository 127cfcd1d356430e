/**
 * One SVG per collected scalar (vega-lite through src/analysis/plot.ts): a line of mean ± SD
 * against the last numeric grid axis that varies (state width, a numeric parameter), one line
 * per combination of the other axes; otherwise a heat map of the mean over the last varying axis
 * and the combinations of the others; a study with no axis but seeds plots each seed's value.
 */
import type { TopLevelSpec } from "vega-lite";
import { baseConfig, renderSpec } from "../analysis/plot.ts";
import type { Study } from "./schema.ts";
import type { Row } from "./collect.ts";
import { formatNumber, groupByPoint, meanSd, valuesOf } from "./summary.ts";

export async function scalarPlots(study: Study, rows: Row[]): Promise<Map<string, string>> {
  const groups = groupByPoint(study, rows);
  const axes = Object.keys(groups[0]?.label ?? {});
  const numericAxis = [...axes].reverse().find((a) => groups.every((g) => typeof g.label[a] === "number"));
  const out = new Map<string, string>();
  for (const scalar of Object.keys(study.data.collect)) {
    const title = `${study.data.name}: ${scalar}`;
    let spec: Record<string, unknown>;
    if (axes.length === 0) {
      const values = rows.flatMap((r) => (r.record?.status === "ok" && typeof r.record.scalars[scalar] === "number" ? [{ seed: r.spec.seed, v: r.record.scalars[scalar] }] : []));
      spec = { data: { values }, mark: { type: "point", filled: true }, encoding: { x: { field: "seed", type: "quantitative", title: "seed" }, y: { field: "v", type: "quantitative", title: scalar, scale: { zero: false } } } };
    } else {
      const x = numericAxis ?? axes[axes.length - 1]!;
      const others = axes.filter((a) => a !== x);
      const values = groups.flatMap((g) => {
        const xs = valuesOf(g, scalar);
        if (xs.length === 0) return [];
        const m = meanSd(xs);
        const series = others.length > 0 ? others.map((a) => `${a}=${g.label[a]}`).join(", ") : "all";
        return [{ x: g.label[x], series, mean: m.mean, lo: m.mean - m.sd, hi: m.mean + m.sd, text: formatNumber(m.mean) }];
      });
      spec = numericAxis
        ? {
            data: { values },
            encoding: { x: { field: "x", type: "quantitative", title: x, scale: { zero: false } }, color: { field: "series", type: "nominal", title: null } },
            layer: [
              { mark: { type: "line", point: true }, encoding: { y: { field: "mean", type: "quantitative", title: `${scalar} (mean ± SD)`, scale: { zero: false } } } },
              { mark: { type: "errorbar" }, encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
            ],
          }
        : {
            data: { values },
            encoding: { x: { field: "x", type: "nominal", title: x, sort: null, axis: { labelLimit: 300 } }, y: { field: "series", type: "nominal", title: others.join(", ") || null, sort: null, axis: { labelLimit: 400 } } },
            layer: [
              { mark: { type: "rect" }, encoding: { color: { field: "mean", type: "quantitative", title: `${scalar} (mean)`, scale: { scheme: "viridis" } } } },
              { mark: { type: "text", fontSize: 11 }, encoding: { text: { field: "text" }, color: { value: "white" } } },
            ],
          };
    }
    const full = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, config: baseConfig, width: 480, height: numericAxis || axes.length === 0 ? 260 : { step: 28 }, ...spec } as TopLevelSpec;
    out.set(scalar, await renderSpec(full));
  }
  return out;
}
