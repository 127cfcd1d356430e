/** Target descriptions: every figure has provenance, the derived capabilities agree, the doc is current. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ChipFactsSchema, FactSchema } from "../../targets/facts-schema.ts";
import { ALL_FACTS, targetsMarkdown } from "../../targets/docs.ts";
import { caps as bss2 } from "../../targets/bss2/caps.ts";
import { caps as cmos } from "../../targets/cmos/caps.ts";

describe("target facts", () => {
  it("every fact has exactly one of source or assumption", () => {
    for (const chip of ALL_FACTS) {
      expect(() => ChipFactsSchema.parse(chip)).not.toThrow();
      for (const section of Object.values(chip.sections)) {
        for (const f of Object.values(section)) expect(("source" in f ? 1 : 0) + ("assumption" in f ? 1 : 0)).toBe(1);
      }
    }
  });

  it("the schema rejects a figure without provenance, or with both", () => {
    expect(FactSchema.safeParse({ value: 3, unit: "bit" }).success).toBe(false);
    expect(FactSchema.safeParse({ value: 3, unit: "bit", source: "x.md", assumption: "guess" }).success).toBe(false);
  });

  it("BrainScaleS-2 key figures (targets.md 1.1, 1.3, 1.7)", () => {
    expect(bss2.limits.neurons).toBe(512); // 1.1
    expect(bss2.limits.synapses).toBe(2 * 256 * 256); // 1.1
    expect(bss2.acceleration).toBe(1000); // 1.3
    expect(bss2.clockHz).toBe(250e6); // 1.7
    expect(bss2.lanes[16]).toBe(64); // 1.7
    expect(bss2.limits.memoryBytes).toBe(12288); // 1.7: 16 KiB less the 4 KiB mailbox
    expect(bss2.analog!.traceTau![0]).toBeCloseTo(2e-3, 12); // 1.3: 2-30 us hardware at 1000x
    expect(bss2.analog!.traceTau![1]).toBeCloseTo(30e-3, 12);
    const weight = ALL_FACTS[0]!.sections.synapses!.weight_bits!;
    expect(weight.value).toBe(6); // 1.1
  });

  it("every CMOS figure is an assumption", () => {
    const chip = ALL_FACTS.find((c) => c.name === "cmos")!;
    for (const section of Object.values(chip.sections)) for (const f of Object.values(section)) expect("assumption" in f).toBe(true);
    expect(cmos.analog).toBeNull();
  });

  it("docs/targets.md is the facts' generated text", () => {
    expect(readFileSync("docs/targets.md", "utf8")).toBe(targetsMarkdown());
  });
});
