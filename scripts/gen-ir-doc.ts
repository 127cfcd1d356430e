/** Writes docs/ir.md from the op table (src/ir/ops.ts). Run: npm run docs:ir (a test compares the two). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { opTableMarkdown } from "../src/ir/ops.ts";

const out = fileURLToPath(new URL("../docs/ir.md", import.meta.url));
writeFileSync(out, opTableMarkdown());
console.log(`wrote ${out}`);
