// Cost of the non-finite guard (targets/reference/guard.ts) relative to stepping: node --import tsx scripts/guard-cost.ts
import { compile } from "../src/compiler/pipeline.ts";
import { Executor } from "../targets/reference/executor.ts";
import { NonFiniteGuard, SCAN_STEPS } from "../targets/reference/guard.ts";
const program = compile("models/stc/memory-network-small.yaml", { target: "reference", accelerate: false });
const ex = new Executor(program);
ex.run(undefined, 200); // warm up
let t = performance.now();
ex.run(undefined, 2200);
const stepMs = (performance.now() - t) / 2000;
const guard = new NonFiniteGuard(program, ex.groups);
for (let i = 0; i < 20; i++) guard.scan(ex.tick);
t = performance.now();
for (let i = 0; i < 200; i++) guard.scan(ex.tick);
const scanMs = (performance.now() - t) / 200;
const elements = [...program.populations, ...program.projections].reduce((s, g) => s + g.size, 0);
console.log(`elements ${elements}; dense step ${(stepMs * 1000).toFixed(1)} us; full scan ${(scanMs * 1000).toFixed(1)} us; scan every ${SCAN_STEPS} steps = ${(100 * scanMs / (SCAN_STEPS * stepMs)).toFixed(3)} % of stepping`);
