/** Writes docs/ir.md from the op table (src/ir/ops.ts). Run: npm run docs:ir */
import { writeFileSync } from "node:fs";
import { opTableMarkdown } from "../src/ir/ops.ts";

writeFileSync("docs/ir.md", opTableMarkdown());
console.log("wrote docs/ir.md");
