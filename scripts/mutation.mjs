// npm run mutation -- MODULE [MODULE...]: runs StrykerJS over one module of the mutation tier at a
// time (scripts/mutation-modules.mjs), writing reports/mutation/MODULE.json and .html.
import { spawnSync } from "node:child_process";
import { MUTATION_MODULES } from "./mutation-modules.mjs";

const names = process.argv.slice(2);
if (names.length === 0 || names.includes("--help")) {
  console.log(`usage: npm run mutation -- MODULE [MODULE...]\nmodules: ${Object.keys(MUTATION_MODULES).join(", ")}`);
  process.exit(names.length === 0 ? 1 : 0);
}
for (const name of names) {
  if (!MUTATION_MODULES[name]) {
    console.error(`mutation: unknown module "${name}"; modules: ${Object.keys(MUTATION_MODULES).join(", ")}`);
    process.exit(1);
  }
}
for (const name of names) {
  const r = spawnSync("npx", ["stryker", "run", "stryker.config.mjs"], { stdio: "inherit", env: { ...process.env, MUTATION_MODULE: name } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
