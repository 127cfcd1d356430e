/**
 * Which state width changes the cell-assembly network's recall on cmos: the full network
 * (models/stc/memory-network.yaml) run to just past its first recall (20 s, 10 s after learning)
 * with all state at 12 bits (what `--bits 12` and studies/memory-network-cmos-12bit.yaml run),
 * with the chip's own default widths (12-bit synapses, 16-bit neurons), with 12-bit neurons and
 * 16-bit synapses, and with all state at 16 bits (the model's numerics.state_bits). Prints Q and
 * MI of the recall at 20 s (engram analyze's measures) and the mean weights by class.
 * docs/results.md, "On the chips".
 * Run: node --import tsx scripts/network-width-ablation.ts SEED VARIANT [seconds=20.5] [--small]
 *      VARIANT: all12 | syn12 (neurons 16) | neu12 (synapses 16) | all16
 *      --small: models/stc/memory-network-small.yaml (recall at 4 s, weights at 2.2 s; seconds default 4.4)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/compile.ts";
import { analyseRun } from "../src/cli/analyze.ts";
import { runWithSnapshots } from "../src/cli/run.ts";
import { writeRunOutputs } from "../src/analysis/run-output.ts";
import { getTarget } from "../targets/registry.ts";
import { EmulatorHandle } from "../targets/emulator/handle.ts";

const small = process.argv.includes("--small");
const [seedText = "1", variant = "all12", secondsText = small ? "4.4" : "20.5"] = process.argv.slice(2).filter((a) => a !== "--small");
const RECALL = small ? 4 : 20, WEIGHTS = small ? 2.2 : 20;
const widths: Record<string, { neuron: number; synapse: number }> = { all12: { neuron: 12, synapse: 12 }, syn12: { neuron: 16, synapse: 12 }, neu12: { neuron: 12, synapse: 16 }, all16: { neuron: 16, synapse: 16 } };
const w = widths[variant];
if (!w) throw new Error(`variant must be one of ${Object.keys(widths).join(", ")}`);
const program = compile(small ? "models/stc/memory-network-small.yaml" : "models/stc/memory-network.yaml", { target: "cmos", seed: Number(seedText) });
program.durationTicks = Math.round(Number(secondsText) / program.tickSeconds);
program.numerics.stateBits = undefined; // the widths below, per owner
const caps = { ...getTarget("cmos").caps, stateWidth: w };
const t0 = performance.now();
const { ir } = compileFixed(program, caps, { rounding: "stochastic", engramVersion: "script", analyse: analyseByRun });
const h = new EmulatorHandle(ir, program.spikeRecording);
const weights = runWithSnapshots(program, (t) => h.runTo(t), (name) => h.values(`ee.${name}`));
const dir = mkdtempSync(join(tmpdir(), "engram-ablation-"));
await writeRunOutputs(dir, { program, ...h.recorded, neuronOffset: h.neuronOffset, stats: h.stats }, { engramVersion: "script", modelFile: "memory-network.yaml", modelFiles: [], wallTotalSeconds: 0 });
const a = program.analysis!;
const result = await analyseRun(dir, { assembly: a.size, recallFraction: a.recallFraction, learn: a.learn, recall: a.recall, weights });
rmSync(dir, { recursive: true, force: true });
const r = result.recalls.find((x) => x.t === RECALL) as { Q: number; mi_bits: number };
const at20 = weights!.find((x) => Math.abs(x.t - WEIGHTS) < 1e-9)!;
const cls = (c: string) => at20.classes.find((x) => x.class === c)!.mean_w.toFixed(3);
console.log(`| ${seedText} | ${variant} (neurons ${w.neuron}, synapses ${w.synapse}) | ${r.Q.toFixed(4)} | ${r.mi_bits.toFixed(3)} | ${cls("CA->CA")} | ${cls("ctrl->CA")} | ${h.recorded.spikes.count} | ${((performance.now() - t0) / 1000).toFixed(0)} s |`);
