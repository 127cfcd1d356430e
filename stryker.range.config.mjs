// One line range of a mutation-tier module (stryker.config.mjs), so that a large module can run in
// parts, side by side or on different days, each with its own report and sandbox:
//   MUTATION_MODULE=codegen MUTATE=targets/emulator/codegen.ts:1-99 CHUNK=a npx stryker run stryker.range.config.mjs
// writes reports/mutation/codegen-a.json and .html. MUTATE takes Stryker mutate patterns, comma-separated.
// EXTRA_TESTS (comma-separated test files) adds to the module's list for this range only, e.g.
// tests/emulator/simd-loop.test.ts for the emulator's SIMD dispatch.
import base from "./stryker.config.mjs";

const module = process.env.MUTATION_MODULE;
const chunk = process.env.CHUNK;
if (!process.env.MUTATE || !chunk) throw new Error("set MUTATE (e.g. targets/emulator/codegen.ts:1-99) and CHUNK (a report name suffix)");

export default {
  ...base,
  mutate: process.env.MUTATE.split(","),
  testFiles: [...base.testFiles, ...(process.env.EXTRA_TESTS ? process.env.EXTRA_TESTS.split(",") : [])],
  jsonReporter: { fileName: `reports/mutation/${module}-${chunk}.json` },
  htmlReporter: { fileName: `reports/mutation/${module}-${chunk}.html` },
  tempDirName: `.stryker-tmp-${module}-${chunk}`,
};
