/** Test helpers: compile and run a model in-process, and read recorded columns by name. */
import { compile } from "../../src/compiler/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";

export interface Finished {
  ex: Executor;
  /** Samples of a recorded column (display units). */
  column(name: string): Float64Array;
  /** Last sample of a recorded column. */
  final(name: string): number;
}

export function runModel(file: string, opts: { seed?: number; accelerate?: boolean } = {}): Finished {
  const program = compile(file, { target: "reference", seed: opts.seed, accelerate: opts.accelerate });
  const ex = new Executor(program);
  ex.run();
  const column = (name: string): Float64Array => {
    for (const t of ex.recorded.tables) {
      const j = t.names.indexOf(name);
      if (j >= 0) return t.columns[j]!.subarray(0, t.count);
    }
    throw new Error(`no column ${name}`);
  };
  return { ex, column, final: (name) => column(name).at(-1)! };
}

export function max(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, a[i]!);
  return m;
}

export function min(a: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) m = Math.min(m, a[i]!);
  return m;
}
