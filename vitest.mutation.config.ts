// vitest settings for the mutation tier (stryker.config.mjs): one worker, since Stryker runs the
// selected test files once per mutant and the machine's cores are shared.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
