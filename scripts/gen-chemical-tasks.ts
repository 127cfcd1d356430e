/**
 * Writes the two small classification streams of the issue-17 experiments (docs/seed-models.md),
 * deterministically from seeded streams (seed-models.md G.4: fixtures generated in TypeScript):
 *
 *  - models/chemical/blobs.csv: 3 classes of Gaussian blobs in 4 dimensions (class means on the
 *    unit sphere, noise sd 0.35), 400 training samples (gate g = 1 on the last 5 of each sample's
 *    10 steps) then 200 test samples (g = 0);
 *  - models/chemical/two-tasks.csv: task A = blobs, task B = the same kind of task with new class
 *    means and its input channels permuted (a "permuted" task in the sense of permuted MNIST):
 *    train A (300), test A (100), train B (300), test A (100), test B (100).
 *
 * Columns: x0..x3 (input), t0..t2 (one-hot target), g (learning gate), label, phase (0 train,
 * 1 test), block (index of the block above). One row per step; each sample is held for HOLD steps. Run: npx tsx scripts/gen-chemical-tasks.ts
 */
import { writeFileSync } from "node:fs";
import { Rng } from "../src/util/rng.ts";

const DIM = 4, CLASSES = 3, HOLD = 10, LEARN_FROM = 5, SD = 0.35;

function means(rng: Rng): number[][] {
  return Array.from({ length: CLASSES }, () => {
    const v = Array.from({ length: DIM }, () => rng.normal());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}

interface Block { mu: number[][]; perm: number[]; samples: number; train: boolean; rng: Rng }

function rows(blocks: Block[]): string {
  const out = [["x0", "x1", "x2", "x3", "t0", "t1", "t2", "g", "label", "phase", "block"].join(",")];
  for (const [bi, b] of blocks.entries()) {
    for (let s = 0; s < b.samples; s++) {
      const label = Math.floor(b.rng.uniform() * CLASSES);
      const x = b.mu[label]!.map((m) => m + SD * b.rng.normal());
      const xp = b.perm.map((k) => x[k]!);
      for (let k = 0; k < HOLD; k++) {
        const g = b.train && k >= LEARN_FROM ? 1 : 0;
        const t = Array.from({ length: CLASSES }, (_, c) => (c === label ? 1 : 0));
        out.push([...xp.map((v) => v.toFixed(4)), ...t, g, label, b.train ? 0 : 1, bi].join(","));
      }
    }
  }
  return out.join("\n") + "\n";
}

const id = [0, 1, 2, 3];
const muA = means(new Rng(17, "blobs-means-A"));
const muB = means(new Rng(17, "blobs-means-B"));
const permB = [2, 0, 3, 1];
const blobsTrain = new Rng(17, "blobs-train");
writeFileSync(new URL("../models/chemical/blobs.csv", import.meta.url), rows([
  ...[0, 1, 2, 3].map(() => ({ mu: muA, perm: id, samples: 100, train: true, rng: blobsTrain })), // blocks 0-3: 100 samples each
  { mu: muA, perm: id, samples: 200, train: false, rng: new Rng(17, "blobs-test") },
]));
writeFileSync(new URL("../models/chemical/two-tasks.csv", import.meta.url), rows([
  { mu: muA, perm: id, samples: 300, train: true, rng: new Rng(17, "A-train") },
  { mu: muA, perm: id, samples: 100, train: false, rng: new Rng(17, "A-test-1") },
  { mu: muB, perm: permB, samples: 300, train: true, rng: new Rng(17, "B-train") },
  { mu: muA, perm: id, samples: 100, train: false, rng: new Rng(17, "A-test-2") },
  { mu: muB, perm: permB, samples: 100, train: false, rng: new Rng(17, "B-test") },
]));
console.log("wrote models/chemical/blobs.csv and models/chemical/two-tasks.csv");
