/** engram compare's dead-zone rules (src/cli/dead-zone-rules.ts): where and how they are drawn. */
import { describe, expect, it } from "vitest";
import { deadZoneRules } from "../../src/cli/dead-zone-rules.ts";
import { renderOverlaySvg } from "../../src/analysis/plot.ts";
import type { QuantisedVar } from "../../src/compiler/fixed/quantise.ts";
import type { RecordingIR } from "../../src/ir/program.ts";

const ca = (above: number, below: number, rest: number | null = 0): QuantisedVar => ({
  group: "syn", name: "Ca", unit: "1", unitScale: 1, lsb: 2 ** -9, belowLsb: 0, medianChange: 0, observed: [0, 4], flag: null,
  format: { width: 12, signed: false, frac: 9, rounding: "nearest", overflow: "saturate" },
  deadZone: { rest, D: 0.9959, rule: "nearest", above, below, thresholds: [1.2, 3], margin: 1, flag: null },
});
const rec: RecordingIR = { group: "syn", var: "Ca", elements: Int32Array.of(0), everyTicks: 5000, columns: ["ca"], unit: "1", unitScale: 1 };

describe("dead-zone rules", () => {
  it("a rule at rest + residue for the recorded column, none where the decay reaches rest", () => {
    expect(deadZoneRules("cmos nearest", [ca(0.2388, 0)], [rec]).get("ca")).toEqual([{ label: "cmos nearest", value: 0.2388, note: "cmos nearest: decay stops up to here (nearest)" }]);
    expect(deadZoneRules("cmos stochastic", [ca(0, 0)], [rec]).size).toBe(0);
    expect(deadZoneRules("x", [ca(0.1, 0.1, null)], [rec]).size).toBe(0); // a rest that moves with the inputs: no fixed line
  });

  it("compare.svg draws it with its label", async () => {
    const time = Float64Array.from({ length: 50 }, (_, i) => i);
    const svg = await renderOverlaySvg({
      title: "t",
      time_s: time,
      panels: [{ name: "ca", unit: "1", lines: [{ label: "float64", values: time.map(() => 0) }, { label: "cmos nearest", values: time.map(() => 0.2388) }], rules: deadZoneRules("cmos nearest", [ca(0.2388, 0)], [rec]).get("ca") }],
    });
    expect(svg).toContain("cmos nearest: decay stops up to here (nearest)");
    const without = await renderOverlaySvg({ title: "t", time_s: time, panels: [{ name: "ca", unit: "1", lines: [{ label: "float64", values: time.map(() => 0) }] }] });
    expect(without).not.toContain("decay stops");
  });
});
