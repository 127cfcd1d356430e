/** engram run: compile, execute on a target (float64 reference, or a chip's emulator), write outputs. */
import { join } from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import type { Snapshot } from "../../targets/emulator/emulator.ts";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import { writeRunOutputs } from "../analysis/run-output.ts";
import { encode } from "../ir/codec.ts";
import { getTarget } from "../../targets/registry.ts";
import type { RunHandle } from "../../targets/target.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { progressBar } from "./progress.ts";
import { analyseByRun } from "./compile.ts";
import { VERSION, type RunOptions } from "./main.ts";

export async function runCommand(o: RunOptions): Promise<number> {
  const started = performance.now();
  const target = getTarget(o.target);
  const program = compile(o.model, { target: target.name, seed: o.seed, accelerate: o.plain ? false : undefined, dumpAfter: o.dumpAfter, dump: (t) => process.stdout.write(t + "\n") });
  let handle: RunHandle;
  let hardware: Record<string, unknown> | undefined;
  if (target.execute) handle = target.execute(program);
  else {
    // A chip: lower to its fixed-point IR and run that on the emulator, bit-exact with the IR's definition.
    const fixed = compileFixed(program, target.caps, { rounding: o.rounding, engramVersion: VERSION, analyse: analyseByRun });
    handle = new EmulatorHandle(fixed.ir);
    const simulated = program.durationTicks * program.tickSeconds;
    hardware = { acceleration: target.caps.acceleration, hardware_s: simulated / target.caps.acceleration, rounding: o.rounding, ir_bytes: encode(fixed.ir).length };
  }
  const bar = progressBar(program.name, program.durationTicks * program.tickSeconds);
  const out = o.out ?? join("out", target.execute ? program.name : `${program.name}.${target.name}`);
  if (handle instanceof EmulatorHandle) {
    if (o.resume) {
      let snap: Snapshot;
      try {
        snap = JSON.parse(readFileSync(o.resume, "utf8")) as Snapshot;
        handle.emulator.restore(snap);
      } catch (e) {
        throw new EngramError([{ code: "bad-checkpoint", message: `cannot resume from ${o.resume}: ${(e as Error).message}` }]);
      }
    }
    const every = o.checkpointEvery ? Math.max(1, Math.round(o.checkpointEvery / program.tickSeconds)) : 0;
    mkdirSync(out, { recursive: true });
    handle.run((f) => bar.update(f), every, (s) => writeFileSync(join(out, "checkpoint.json"), JSON.stringify(s)));
  } else {
    if (o.resume || o.checkpointEvery) throw new EngramError([{ code: "no-checkpoints", message: `checkpoints are for emulated chips (--target bss2 or cmos); the ${target.name} target runs ${program.durationTicks * program.tickSeconds} s in seconds` }]);
    handle.run((f) => bar.update(f));
  }
  bar.done();
  if (handle instanceof EmulatorHandle && hardware) {
    const s = handle.emulator.stats;
    hardware.digital_overruns = s.overruns;
    hardware.max_backlog_cycles = s.maxBacklogCycles;
    hardware.stepped_ticks = s.ticks;
    hardware.jumped_ticks = s.jumpedTicks;
    if (s.overruns > 0) process.stderr.write(`engram: warning: ${s.overruns} digital kernel runs on ${target.name} were due while the digital unit was still busy (largest backlog ${s.maxBacklogCycles} cycles): the chip would run them late\n`);
  }
  const written = await writeRunOutputs(out, { program, ...handle.recorded, neuronOffset: handle.neuronOffset, stats: handle.stats }, {
    engramVersion: VERSION,
    modelFile: o.model,
    modelFiles: program.modelFiles,
    wallTotalSeconds: (performance.now() - started) / 1000,
    hardware,
  });
  const sim = program.durationTicks * program.tickSeconds;
  process.stdout.write(
    `${program.name}: ${sim} s simulated on ${program.target} (seed ${program.seed}) in ${handle.stats.wallSeconds.toFixed(3)} s ` +
      `(${(sim / handle.stats.wallSeconds).toExponential(2)} biological s per wall s)\n` +
      written.map((w) => `  wrote ${w}`).join("\n") +
      "\n",
  );
  return 0;
}
