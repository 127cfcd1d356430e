/** engram run: compile, execute on a target (float64 reference, or a chip's emulator), write outputs. */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { compile } from "../compiler/pipeline.ts";
import { writeRunOutputs } from "../analysis/run-output.ts";
import type { TimeLabel } from "../analysis/time-label.ts";
import type { IrProgram } from "../ir/codec.ts";
import { decodeImage, storedDigestHex } from "../ir/image.ts";
import { resumeCheckpoint, writeCheckpoint, type CheckpointIdentity, type WeightSeries } from "./checkpoint.ts";
import { safeName } from "../util/safe-name.ts";
import type { Program } from "../ir/program.ts";
import { getTarget } from "../../targets/registry.ts";
import type { RunHandle } from "../../targets/target.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { progressBar } from "./progress.ts";
import { analyseRun, markdown } from "./analyze.ts";
import { weightStats } from "../analysis/assembly.ts";
import { renderOverlaySvg } from "../analysis/plot.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { VERSION, type RunOptions } from "./main.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { prepareOutDir, releasingOutDirs } from "./out-dir.ts";
import { prepareRun, recordHardware } from "./execute-run.ts";
import { planTasks } from "../analysis/tasks/check.ts";
import { writeTasks } from "./tasks.ts";
import { energyOfRun } from "./run-energy.ts";
import { durationOverrides, notingDuration } from "./run-duration.ts";
import { startThreads, type ThreadedRun } from "../../targets/reference/threads.ts";

/** The parts of a Program that the output writers read, recovered from an IR image. */
export function programOfImage(ir: IrProgram, file: string): Program {
  const h = ir.header;
  const populations = ir.groups.filter((g) => g.kind === 1).map((g) => ({ name: g.name, size: g.size, vars: [], odes: [], source: false, threshold: null, reset: [], refractoryTicks: 0 }));
  return {
    name: h.model_name, modelHash: h.model_sha256, modelFiles: [file], target: h.target, seed: h.seed,
    tickSeconds: h.tick_seconds, durationTicks: h.duration_ticks, populations, projections: [], stimuli: [],
    recordings: ir.probes.map((pr) => {
      const st = ir.states[pr.state]!;
      const [group, variable] = st.name.split(".") as [string, string];
      const columns = pr.elements.length === 1 ? [pr.column] : pr.elements.map((e) => `${pr.column}[${e}]`);
      return { group, var: variable, elements: Int32Array.from(pr.elements), everyTicks: pr.every_ticks, columns, unit: st.unit, unitScale: st.unit_scale };
    }),
    phases: [], spikeRecording: populations.map((p) => p.name), numerics: { accelerate: false, quietStepTicks: 1, lazySynapses: false, slowStepTicks: 1 },
  };
}

/** Reads an IR image, checks its digest and verifies it; a bad file is a user error naming it. */
export function readImage(file: string): { ir: IrProgram; bytes: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new EngramError([{ code: "invalid-ir-file", message: `cannot read ${file}: ${(e as Error).message}` }]);
  }
  return { ir: decodeImage(bytes, file), bytes };
}

/**
 * Writes the outputs of an image run on the emulator (here or on a board behind the bridge):
 * the same files, whoever ran it. `extra.hardware` adds fields to the manifest's hardware block;
 * `extra.ticksRun` is for runs stopped before the image's end.
 */
export async function writeImageOutputs(file: string, image: { ir: IrProgram; bytes: Uint8Array }, handle: EmulatorHandle, out: string, started: number, extra: { hardware?: Record<string, unknown>; ticksRun?: number; timeLabel?: TimeLabel; plots?: boolean } = {}): Promise<string[]> {
  const { ir } = image;
  const program = { ...programOfImage(ir, file), durationTicks: extra.ticksRun ?? ir.header.duration_ticks };
  const s = handle.emulator.stats;
  const simulated = program.durationTicks * program.tickSeconds;
  return writeRunOutputs(out, { program, ...handle.recorded, neuronOffset: handle.neuronOffset, stats: handle.stats }, {
    engramVersion: VERSION, modelFile: file, modelFiles: [file], wallTotalSeconds: (performance.now() - started) / 1000, timeLabel: extra.timeLabel, plots: extra.plots,
    hardware: { acceleration: ir.header.acceleration, hardware_s: simulated / ir.header.acceleration, ir_bytes: image.bytes.length, digital_overruns: s.overruns, max_backlog_cycles: s.maxBacklogCycles, saturations: s.saturations, stepped_ticks: s.ticks, jumped_ticks: s.jumpedTicks, ...extra.hardware },
  });
}

/** engram run FILE.engram: an IR image, verified, on the emulator. */
async function runImage(o: RunOptions): Promise<number> {
  const started = performance.now();
  if (o.resume || o.checkpointEvery) throw new EngramError([{ code: "no-checkpoints", message: `--checkpoint-every and --resume are for runs of a model (engram run MODEL.yaml --target bss2|cmos), not of an image (${o.model})` }]);
  if (o.duration !== undefined) throw new EngramError([{ code: "bad-duration", message: `--duration is for runs of a model; an image (${o.model}) has its duration compiled in`, where: { file: "command line", path: ["--duration"] }, hint: "recompile the model with the duration you want" }]);
  const image = readImage(o.model);
  const out = o.out ?? defaultImageOut(image.ir);
  prepareOutDir(out, { force: o.force === true, command: "run" });
  const program = programOfImage(image.ir, o.model);
  const handle = new EmulatorHandle(image.ir, undefined, Math.min(o.threads ?? 1, 2));
  const bar = progressBar(program.name, program.durationTicks * program.tickSeconds);
  try {
    handle.run((f) => bar.update(f));
  } finally {
    await handle.emulator.close(); // the worker of a run on two threads
  }
  bar.done();
  const simulated = program.durationTicks * program.tickSeconds;
  const written = await writeImageOutputs(o.model, image, handle, out, started, { timeLabel: o.timeLabel, plots: o.plots });
  process.stdout.write(`${program.name}: ${simulated} s simulated from ${o.model} on ${program.target} in ${handle.stats.wallSeconds.toFixed(3)} s\n` + written.map((w) => `  wrote ${w}`).join("\n") + "\n");
  return 0;
}

/** Where image runs write without --out: a folder in ./out, whatever the image's names say. */
export function defaultImageOut(ir: IrProgram): string {
  return join("out", safeName(`${ir.header.model_name}.${ir.header.target}`));
}

/** engram run: the run's output folder is unlocked when it ends, also when called in-process. */
export function runCommand(o: RunOptions): Promise<number> {
  return releasingOutDirs(() => runAndWrite(o));
}

async function runAndWrite(o: RunOptions): Promise<number> {
  if (o.model.endsWith(".engram")) {
    return runImage(o);
  }
  const started = performance.now();
  const target = getTarget(o.target);
  const threads = o.threads ?? 1;
  if (threads > 2 && !target.execute) process.stderr.write(`engram: note: --threads ${threads}: the ${target.name} emulator splits a run over at most 2 threads\n`);
  const overrides = durationOverrides(o.duration, o.model);
  const program = notingDuration(o.duration, () => compile(o.model, { target: target.name, seed: o.seed, accelerate: o.plain ? false : undefined, dumpAfter: o.dumpAfter, dump: (t) => process.stdout.write(t + "\n"), limits: o.limits, overrides }));
  const taskPlan = program.tasks ? notingDuration(o.duration, () => planTasks(program)) : undefined; // bad task specs fail before the run
  // The output folder is checked and locked before anything is simulated (range analysis included).
  const out = o.out ?? join("out", safeName(target.execute ? program.name : `${program.name}.${target.name}`));
  prepareOutDir(out, { force: o.force === true, keep: o.resume ? [o.resume] : [], command: "run" });
  let handle: RunHandle;
  let hardware: Record<string, unknown> | undefined;
  let weights: WeightSeries | undefined;
  let identity: CheckpointIdentity | undefined;
  let threaded: ThreadedRun | undefined;
  if ((o.variation.mismatch || o.variation.noise) && !target.caps.variation) {
    process.stderr.write(`engram: note: ${target.name} has no analog core: --mismatch and --noise change nothing\n`);
  }
  const prepared: ReturnType<typeof prepareRun> = threads > 1 && target.execute ? { handle: (threaded = startThreads(program, threads)).executor } : prepareRun(program, target, { rounding: o.rounding, bits: o.bits, variation: o.variation, engramVersion: VERSION, threads: Math.min(threads, 2) });
  handle = prepared.handle;
  hardware = prepared.hardware;
  if (prepared.image) identity = { engram_version: VERSION, target: target.name, model_name: program.name, seed: program.seed, rounding: o.rounding, state_bits: prepared.stateBits!, image_sha256: storedDigestHex(prepared.image) };
  const bar = progressBar(program.name, program.durationTicks * program.tickSeconds);
  if (handle instanceof EmulatorHandle && identity) {
    const em = handle, id = identity;
    // A resume restores the snapshot and the weight analysis taken up to it; the run then goes on
    // exactly as the uninterrupted one, stopping at the same analysis times.
    const weightTimes = (tick: number) => (program.analysis ? analysisTicks(program).filter((t) => t <= tick).map((t) => weightTime(program, t)) : undefined);
    const resumed = o.resume ? { tick: 0, weights: resumeCheckpoint(o.resume, id, em.emulator, weightTimes) } : undefined;
    if (resumed) resumed.tick = em.emulator.tick;
    const every = o.checkpointEvery ? Math.max(1, Math.round(o.checkpointEvery / program.tickSeconds)) : 0;
    const checkpoint = every > 0 ? { every, write: (w: WeightSeries | undefined) => writeCheckpoint(join(out, "checkpoint.json"), id, em.emulator.snapshot(), w) } : undefined;
    const values = (name: string) => em.values(`${program.analysis!.projection}.${name}`);
    try {
      weights = runWithSnapshots(program, (t) => em.runTo(t, (f) => bar.update(f)), values, { resumed, checkpoint });
    } finally {
      await em.emulator.close(); // the worker of a run on two threads
    }
  } else {
    if (o.resume || o.checkpointEvery) throw new EngramError([{ code: "no-checkpoints", message: `checkpoints are for emulated chips (--target bss2 or cmos); the ${target.name} target runs ${program.durationTicks * program.tickSeconds} s in seconds` }]);
    try {
      if (handle instanceof Executor && program.analysis) {
        const ex = handle, g = ex.groups.get(program.analysis.projection);
        weights = runWithSnapshots(program, (t) => ex.run((f) => bar.update(f), t), (name) => g?.arrays.get(name));
      }
      else handle.run((f) => bar.update(f));
    } catch (e) {
      await threaded?.close(true); // a worker's own error, if one failed, is thrown here instead
      throw e;
    }
    await threaded?.close();
    if (handle instanceof Executor) for (const note of handle.lazyNotes) process.stderr.write(`engram: note: ${note}\n`);
  }
  bar.done();
  recordHardware(handle, hardware);
  if (handle instanceof EmulatorHandle && hardware) {
    const s = handle.emulator.stats;
    if (s.overruns > 0) process.stderr.write(`engram: warning: ${s.overruns} digital kernel runs on ${target.name} were due while the digital unit was still busy (largest backlog ${s.maxBacklogCycles} cycles): the chip would run them late\n`);
  }
  const written = await writeRunOutputs(out, { program, ...handle.recorded, neuronOffset: handle.neuronOffset, stats: handle.stats }, {
    engramVersion: VERSION,
    modelFile: o.model,
    modelFiles: program.modelFiles,
    wallTotalSeconds: (performance.now() - started) / 1000,
    hardware,
    energy: energyOfRun(program, handle, target.name),
    timeLabel: o.timeLabel,
    plots: o.plots,
  }, program.analysis ? (manifest) => writeAnalysis(out, program, manifest, weights, o.plots !== false) : taskPlan ? (manifest) => writeTasks(out, program, taskPlan, handle.recorded.tables, manifest, o.plots !== false) : undefined);
  const sim = program.durationTicks * program.tickSeconds;
  process.stdout.write(
    `${program.name}: ${sim} s simulated on ${program.target} (seed ${program.seed}) in ${handle.stats.wallSeconds.toFixed(3)} s ` +
      `(${(sim / handle.stats.wallSeconds).toExponential(2)} biological s per wall s)\n` +
      written.map((w) => `  wrote ${w}`).join("\n") +
      "\n",
  );
  return 0;
}

/** The ticks at which the analysis summarises the weights (within the run, ascending). */
function analysisTicks(program: Program): number[] {
  return [...new Set(program.analysis!.snapshots.map((t) => Math.round(t / program.tickSeconds)))].filter((t) => t <= program.durationTicks).sort((x, y) => x - y);
}

/** The time (s) a weight summary at `tick` is labelled with. */
const weightTime = (program: Program, tick: number) => Number((tick * program.tickSeconds).toPrecision(12));

/** The model's analysis block: analysis files and weights.svg, written before the manifest (which completes the run). */
async function writeAnalysis(out: string, program: Program, manifest: unknown, weights: WeightSeries | undefined, plots = true): Promise<string[]> {
  const a = program.analysis!;
  const result = await analyseRun(out, { assembly: a.size, recallFraction: a.recallFraction, learn: a.learn, recall: a.recall, weights, manifest });
  const written = [...result.outputs];
  if (plots && weights && weights.length > 1) {
    const classes = weights[0]!.classes.map((c) => c.class);
    const series = (key: "mean_w" | "mean_h" | "mean_z" | "tagged_fraction") => classes.map((cls) => ({ label: cls, values: weights.map((w) => w.classes.find((c) => c.class === cls)![key]) }));
    const svg = await renderOverlaySvg({
      title: `${program.name}: plastic weights of "${a.projection}" by class (assembly CA = first ${a.size} neurons)`,
      time_s: weights.map((w) => w.t),
      panels: [
        { name: "mean w = h + h0 z", unit: "mV", lines: series("mean_w") },
        { name: "mean h (early phase)", unit: "mV", lines: series("mean_h") },
        { name: "mean z (late phase)", unit: "1", lines: series("mean_z") },
        { name: "fraction tagged", unit: "1", lines: series("tagged_fraction") },
      ],
    });
    writeFileAtomic(join(out, "weights.svg"), svg);
    written.push("weights.svg");
  }
  process.stdout.write(markdown(result) + "\n");
  return written;
}

/**
 * Runs to the end (runTo), stopping at the analysis' snapshot times to summarise the plastic
 * weights by class (assembly and control, pre and post) from the projection's h and z (SI values,
 * read by `values`): memory stays bounded, whatever the run's length. `resumed`: the run continues
 * from a checkpoint at that tick, with the weights taken up to it (those at its tick included).
 * `checkpoint`: also stop every `every` ticks from the start (and at the end) and write a
 * checkpoint with the weights taken so far. Without analysis, returns undefined.
 */
export function runWithSnapshots(program: Program, runTo: (tick: number) => void, values: (name: string) => Float64Array | undefined, opts: { resumed?: { tick: number; weights: WeightSeries | undefined }; checkpoint?: { every: number; write: (weights: WeightSeries | undefined) => void } } = {}): WeightSeries | undefined {
  const end = program.durationTicks;
  const start = opts.resumed?.tick ?? 0;
  const cp = opts.checkpoint;
  const a = program.analysis;
  const checkpoints = new Set<number>();
  if (cp) for (let t = start; t < end; ) checkpoints.add((t = Math.min(end, t + cp.every)));
  if (!a) {
    for (const t of [...checkpoints].sort((x, y) => x - y)) {
      runTo(t);
      cp!.write(undefined);
    }
    runTo(end);
    return undefined;
  }
  const pr = program.projections.find((p) => p.name === a.projection)!;
  const state = (name: string) => {
    const v = values(name);
    if (!v) throw new EngramError([{ code: "bad-analysis", message: `analysis.assembly.projection "${pr.name}" has no "${name}": the weight statistics need the STC synapse's h and z` }]);
    return v;
  };
  // h starts at h0; the tag threshold is 0.2 h0 (stc-model.md section 4)
  const h0 = pr.vars.find((v) => v.name === "h")!.init[0]!;
  const thetaTag = 0.2 * h0;
  const out: WeightSeries = [...(opts.resumed?.weights ?? [])];
  const ticks = new Set(analysisTicks(program).filter((t) => (opts.resumed ? t > start : t >= 0)));
  const stops = [...new Set([...ticks, ...checkpoints, end])].filter((t) => t >= start).sort((x, y) => x - y);
  for (const t of stops) {
    runTo(t);
    if (ticks.has(t)) {
      const mV = Float64Array.from(state("h"), (x) => x * 1e3); // the analysis reports weights in mV
      out.push({ t: weightTime(program, t), classes: weightStats(pr.preIndex, pr.postIndex, mV, state("z"), a.size, h0 * 1e3, thetaTag * 1e3) });
    }
    if (checkpoints.has(t)) cp!.write(out); // after the weights at its tick: a resume starts after them
  }
  return out;
}
