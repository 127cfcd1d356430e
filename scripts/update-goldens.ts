/**
 * Regenerates the IR text goldens in tests/golden/. Run only after reviewing the difference
 * (git diff tests/golden) that a change makes: npm run golden:update
 */
import { writeFileSync } from "node:fs";
import { goldenText, GOLDEN_CASES } from "../tests/helpers/goldens.ts";

for (const c of GOLDEN_CASES) {
  writeFileSync(c.file, goldenText(c.model, c.target));
  console.log(`wrote ${c.file}`);
}
