import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: long simulations in separate files run side by side.
    pool: "forks",
    maxWorkers: 2,
  },
});
