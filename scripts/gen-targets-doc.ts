/** Writes docs/targets.md from the target facts. Run: npm run docs:targets */
import { writeFileSync } from "node:fs";
import { targetsMarkdown } from "../targets/docs.ts";

writeFileSync("docs/targets.md", targetsMarkdown());
console.log("wrote docs/targets.md");
