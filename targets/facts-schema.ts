/** zod schemas of a chip's facts (facts.ts), checked by tests/unit/target-facts.test.ts. */
import { z } from "zod";
import type { ChipFacts, Fact } from "./facts.ts";

export const FactSchema = z.union([
  z.strictObject({ value: z.union([z.number(), z.array(z.number()), z.string()]), unit: z.string(), source: z.string().min(3) }),
  z.strictObject({ value: z.union([z.number(), z.array(z.number()), z.string()]), unit: z.string(), assumption: z.string().min(3) }),
]);

export const ChipFactsSchema = z.strictObject({
  name: z.string(),
  doc: z.string(),
  sections: z.record(z.string(), z.record(z.string(), FactSchema)),
});

// The schemas describe the types facts.ts declares.
export type { ChipFacts, Fact };
