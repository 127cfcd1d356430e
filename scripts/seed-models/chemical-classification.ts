/**
 * Issue 17, experiment (b): the chemical synapse learning a 3-class blob task online with fixed
 * random feedback, L = 1 vs L = 3, on reference, cmos and bss2, over seeds 1..5 (network seed:
 * initial weights and feedback matrices; the data are fixed, scripts/gen-chemical-tasks.ts).
 * Prints the table of docs/seed-models.md ("Multi-chemical synapses").
 * The last three rows: L = 5 (written by scripts/seed-models/chemical-synapse.ts) and the softmax
 * cross-entropy output error in place of the squared error.
 * Run: npx tsx scripts/seed-models/chemical-classification.ts [--seeds N]
 */
import { meanSd, score, type TargetName } from "./online-accuracy.ts";

const at = process.argv.indexOf("--seeds");
const seeds = at >= 0 ? Number(process.argv[at + 1]) : 5;
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds takes a positive whole number, got "${process.argv[at + 1]}"`);
const models = [
  ["three-term rule", "models/chemical/blobs-three-term.yaml"],
  ["chemical, L = 1", "models/chemical/blobs-chemical-1.yaml"],
  ["chemical, L = 3", "models/chemical/blobs-chemical-3.yaml"],
  // Added with the generator for any L and the softmax output (docs/seed-models.md).
  ["chemical, L = 5", "models/chemical/blobs-chemical-5.yaml"],
  ["chemical, L = 1, softmax error", "models/chemical/blobs-chemical-1-softmax.yaml"],
  ["chemical, L = 3, softmax error", "models/chemical/blobs-chemical-3-softmax.yaml"],
] as const;
const CSV = "models/chemical/blobs.csv";
console.log(`| rule | target | online acc., samples 1-100 | online acc., 301-400 | test acc. (200, learning off) | CPU s per run |`);
console.log(`| --- | --- | --- | --- | --- | --- |`);
for (const [name, file] of models) {
  for (const target of ["reference", "cmos", "bss2"] as TargetName[]) {
    const runs = Array.from({ length: seeds }, (_, i) => score(file, CSV, target, i + 1));
    const col = (b: number) => meanSd(runs.map((r) => r.blocks[b]!));
    // blobs.csv: blocks 0-3 are the training samples in hundreds, block 4 the test samples.
    console.log(`| ${name} | ${target} | ${col(0)} | ${col(3)} | ${col(4)} | ${meanSd(runs.map((r) => r.cpu))} |`);
  }
}
