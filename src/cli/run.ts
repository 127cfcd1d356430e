/** engram run: compile, execute on a target, write outputs. */
import { join } from "node:path";
import { compile } from "../compiler/pipeline.ts";
import { writeRunOutputs } from "../analysis/run-output.ts";
import { executableTarget } from "../../targets/registry.ts";
import { progressBar } from "./progress.ts";
import { VERSION, type RunOptions } from "./main.ts";

export async function runCommand(o: RunOptions): Promise<number> {
  const started = performance.now();
  const target = executableTarget(o.target);
  const program = compile(o.model, { target: target.name, seed: o.seed, accelerate: o.plain ? false : undefined, dumpAfter: o.dumpAfter, dump: (t) => process.stdout.write(t + "\n") });
  const handle = target.execute(program);
  const bar = progressBar(program.name, program.durationTicks * program.tickSeconds);
  handle.run((f) => bar.update(f));
  bar.done();
  const out = o.out ?? join("out", program.name);
  const written = await writeRunOutputs(out, { program, ...handle.recorded, neuronOffset: handle.neuronOffset, stats: handle.stats }, {
    engramVersion: VERSION,
    modelFile: o.model,
    modelFiles: program.modelFiles,
    wallTotalSeconds: (performance.now() - started) / 1000,
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
