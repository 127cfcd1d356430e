/**
 * Child process of the model campaign (models.test.ts): loads and compiles each model file it is
 * sent, runs it briefly on the reference target where that is cheap, and answers with what
 * happened. A separate process so that the parent can kill a case that hangs and go on.
 */
import { compile } from "../../src/compiler/pipeline.ts";
import { EngramError, renderDiagnostics } from "../../src/diagnostics/diagnostic.ts";
import { Executor } from "../../targets/reference/executor.ts";

export interface CaseRequest {
  id: number;
  file: string;
}

export type CaseResult =
  | { id: number; kind: "refused"; stage: "compile" | "run"; text: string; diagnostics: { file?: string; path: (string | number)[]; line?: number; received?: string; message: string }[] }
  | { id: number; kind: "ran"; ticks: number; finite: boolean; ran: boolean }
  | { id: number; kind: "internal"; text: string };

/** Runs up to this many element-ticks (elements x ticks) of a compiled case. */
const RUN_BUDGET = 500_000;
/** ...and at most this many ticks: a short run shows that the compiled model steps with finite numbers. */
const RUN_TICKS = 1000;

function handle(req: CaseRequest): CaseResult {
  let stage: "compile" | "run" = "compile";
  try {
    const program = compile(req.file, { target: "reference" });
    stage = "run";
    const elements = [...program.populations, ...program.projections].reduce((s, g) => s + g.size, 0);
    const ticks = Math.min(program.durationTicks, RUN_TICKS, Math.floor(RUN_BUDGET / Math.max(1, elements)));
    if (ticks < 1) return { id: req.id, kind: "ran", ticks: 0, finite: true, ran: false };
    const ex = new Executor(program);
    ex.run(undefined, ticks);
    let finite = true;
    for (const t of ex.recorded.tables) for (const c of t.columns) for (let i = 0; i < t.count; i++) if (!Number.isFinite(c[i]!)) finite = false;
    return { id: req.id, kind: "ran", ticks, finite, ran: true };
  } catch (e) {
    if (e instanceof EngramError) {
      return {
        id: req.id,
        kind: "refused",
        stage,
        text: renderDiagnostics(e.diagnostics),
        diagnostics: e.diagnostics.map((d) => ({ file: d.where?.file, path: d.where?.path ?? [], line: d.where?.line, received: d.received, message: d.message })),
      };
    }
    return { id: req.id, kind: "internal", text: (e as Error).stack ?? String(e) };
  }
}

process.on("message", (req: CaseRequest) => {
  process.send!(handle(req));
});
process.send!({ ready: true });
