/** docs/targets.md, generated from the facts of every chip. */
import { factsTable } from "./facts.ts";
import { facts as bss2 } from "./bss2/facts.ts";
import { facts as cmos } from "./cmos/facts.ts";

export const ALL_FACTS = [bss2, cmos];

export function targetsMarkdown(): string {
  return [
    "# Target descriptions",
    "",
    "Generated from `targets/<chip>/facts.ts` by `npm run docs:targets`; do not edit by hand (a test compares).",
    "Every figure carries its source (section of `../shared/reference/targets.md`, which names the original) or is marked as an ASSUMPTION with its reason.",
    "The compiler reads the capabilities derived from these facts (`targets/<chip>/caps.ts`).",
    "",
    ...ALL_FACTS.map(factsTable),
  ].join("\n");
}
