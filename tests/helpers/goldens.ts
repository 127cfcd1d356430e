/** The IR text goldens: which models and targets, and how their text is produced. */
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { printProgram } from "../../src/ir/print.ts";
import { getTarget } from "../../targets/registry.ts";

export const GOLDEN_CASES = ["reference", "cmos", "bss2"].map((target) => ({
  model: "models/stc/basic-early.yaml",
  target,
  file: `tests/golden/basic-early.${target}.ir.txt`,
}));

export const PROVENANCE = "# provenance: engram compile of models/stc/basic-early.yaml (deterministic, seed 1), text form by src/ir/print.ts; reviewed by hand; regenerate with npm run golden:update after reviewing the diff";

export function goldenText(model: string, target: string): string {
  const t = getTarget(target);
  const program = compile(model, { target });
  const { ir } = compileFixed(program, t.caps, { rounding: "nearest", engramVersion: "golden", analyse: analyseByRun });
  ir.header.model_sha256 = "(omitted)"; // model edits that do not change the program should not churn goldens
  return `${PROVENANCE}\n${printProgram(ir)}`;
}
