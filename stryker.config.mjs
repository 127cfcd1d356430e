// StrykerJS configuration for the on-demand mutation tier (not part of `npm test`).
// Run one module at a time: `npm run mutation -- quantise` (scripts/mutation.mjs sets `mutate` and
// `testFiles` per module). Concurrency 1: the machine's two cores are shared.
import { MUTATION_MODULES } from "./scripts/mutation-modules.mjs";

const name = process.env.MUTATION_MODULE ?? "quantise";
const module = MUTATION_MODULES[name];
if (!module) throw new Error(`MUTATION_MODULE "${name}" is not one of ${Object.keys(MUTATION_MODULES).join(", ")}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: module.mutate,
  testFiles: module.testFiles,
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  coverageAnalysis: "perTest",
  // Stryker rewrites tsconfig.json paths through the TypeScript JS API, which TypeScript 7 (native)
  // no longer has; our tsconfig has no extends/references to rewrite, so point it at no file.
  tsconfigFile: "tsconfig.none.json",
  concurrency: 1,
  // Static mutants (module-level constants such as check-units' TIME) are not re-activated by the
  // vitest runner here: they "survive" although the tests fail when the mutation is applied by
  // hand (docs/reliability.md). They are left out and checked by hand instead.
  ignoreStatic: true,
  // A mutant that makes a simulation loop forever is killed by timeout, not waited for.
  timeoutMS: 20000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  // One sandbox folder per module, so two modules can run side by side.
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: "always",
  // Only what the tests need goes into the sandbox.
  ignorePatterns: ["/docs", "/out", "/runs", "/reports", "/.stryker-tmp*", "*.log"],
  thresholds: { high: 90, low: 75, break: null },
};
