// vitest settings for the mutation tier (stryker.config.mjs): the suite's own settings with one
// worker, since Stryker runs the selected test files once per mutant and the machine's cores are shared.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

export default mergeConfig(base, defineConfig({ test: { maxWorkers: 1 } }));
