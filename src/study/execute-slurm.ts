/**
 * Runs a study's missing runs as a Slurm job array: one array task per chunk of runs, each task a
 * whole `engram study STUDY --task-index I` process that writes its runs' folders exactly as a
 * local worker does. Waits by polling squeue (no accounting database is assumed, so no sacct)
 * and counting finished runs on disk.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EngramError } from "../diagnostics/diagnostic.ts";
import type { RunSpec } from "./expand.ts";

export interface SlurmOptions {
  partition?: string;
  /** Runs per array task (default 1). */
  chunk: number;
  /** More sbatch options, passed through. */
  sbatchArgs: string[];
  pollSeconds: number;
  onPoll?: (state: { pending: number; running: number }) => void;
}

export interface SlurmSubmission {
  jobId: string;
  tasks: string[][];
  logs: string;
}

/** The chunks each array task runs, by run id (the task reads this file). */
export const taskListFile = (out: string) => join(out, "slurm", "tasks.json");

export function submitStudy(studyFile: string, out: string, runs: RunSpec[], o: SlurmOptions): SlurmSubmission {
  const dir = resolve(out, "slurm");
  const logs = join(dir, "logs");
  mkdirSync(logs, { recursive: true });
  const tasks: string[][] = [];
  for (let i = 0; i < runs.length; i += o.chunk) tasks.push(runs.slice(i, i + o.chunk).map((r) => r.id));
  writeFileSync(taskListFile(out), JSON.stringify({ tasks }, null, 1) + "\n");
  // Absolute paths throughout: the task starts in a fresh shell on whichever node runs it.
  const engram = fileURLToPath(new URL("../../bin/engram.js", import.meta.url));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    "#!/bin/sh",
    `#SBATCH --job-name=engram-study`,
    `#SBATCH --output=${logs}/%A_%a.log`,
    `#SBATCH --chdir=${process.cwd()}`,
    "#SBATCH --ntasks=1",
    "#SBATCH --cpus-per-task=1",
    `exec ${q(process.execPath)} ${q(engram)} study ${q(resolve(studyFile))} --out ${q(resolve(out))} --task-index "$SLURM_ARRAY_TASK_ID"`,
    "",
  ].join("\n");
  const scriptFile = join(dir, "job.sh");
  writeFileSync(scriptFile, script);
  chmodSync(scriptFile, 0o755);
  const args = ["--parsable", `--array=0-${tasks.length - 1}`, ...(o.partition ? ["--partition", o.partition] : []), ...o.sbatchArgs, scriptFile];
  const p = spawnSync("sbatch", args, { encoding: "utf8" });
  if (p.error || p.status !== 0) {
    const why = p.error ? (p.error as NodeJS.ErrnoException).code === "ENOENT" ? "sbatch is not installed or not on PATH" : p.error.message : p.stderr.trim();
    throw new EngramError([{ code: "slurm-submit-failed", message: `sbatch ${args.join(" ")} failed: ${why}`, hint: "is SLURM_CONF set and the cluster up? (scripts/slurm-cluster.sh start for a local one)" }]);
  }
  const jobId = p.stdout.trim().split(";")[0]!;
  if (!/^\d+$/.test(jobId)) throw new EngramError([{ code: "slurm-submit-failed", message: `sbatch printed "${p.stdout.trim()}" where a job id was expected` }]);
  return { jobId, tasks, logs };
}

/** Array tasks of the job still known to squeue, by state (empty: the job has finished). */
export function jobStates(jobId: string): string[] {
  try {
    const text = execFileSync("squeue", ["-h", "-r", "-j", jobId, "-o", "%T"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return text.split("\n").map((l) => l.trim()).filter(Boolean);
  } catch (e) {
    // squeue rejects a job id it has already forgotten: the job is over.
    if (/Invalid job id/i.test(String((e as { stderr?: string }).stderr ?? ""))) return [];
    throw new EngramError([{ code: "slurm-poll-failed", message: `squeue -j ${jobId} failed: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}` }]);
  }
}

/** Waits until the job leaves the queue; cancels it if the user interrupts. */
export async function waitForJob(jobId: string, o: SlurmOptions, onTick: () => void): Promise<void> {
  const cancel = () => {
    spawnSync("scancel", [jobId]);
    process.stderr.write(`\nengram: cancelled Slurm job ${jobId}; finished runs are kept, rerun the study to do the rest\n`);
    process.exit(130);
  };
  process.once("SIGINT", cancel);
  try {
    for (;;) {
      const states = jobStates(jobId);
      onTick();
      o.onPoll?.({ pending: states.filter((s) => s === "PENDING").length, running: states.filter((s) => s === "RUNNING" || s === "COMPLETING").length });
      if (states.length === 0) return;
      await new Promise((r) => setTimeout(r, o.pollSeconds * 1000));
    }
  } finally {
    process.off("SIGINT", cancel);
  }
}
