/**
 * Checkpoint files (`engram run --checkpoint-every`, `--resume`): an emulator snapshot with the
 * identity of the run that wrote it (image digest, seed, rounding, state width, target, model,
 * engram version), the weight analysis taken so far, and a SHA-256 over all of it. A resume is
 * refused unless the file is intact, every identity field equals this run's, and every snapshot
 * field is in range for the program (targets/emulator/snapshot-check.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { EngramError } from "../diagnostics/diagnostic.ts";
import type { ClassStats } from "../analysis/assembly.ts";
import type { Emulator, Snapshot } from "../../targets/emulator/emulator.ts";
import { SnapshotError } from "../../targets/emulator/snapshot-check.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";

export const CHECKPOINT_FORMAT = "engram-checkpoint-2";

/** What a checkpoint continues: a resume must ask for exactly this. Compared in this order. */
export interface CheckpointIdentity {
  engram_version: string;
  target: string;
  model_name: string;
  seed: number;
  rounding: string;
  /** --bits, the model's numerics.state_bits, or "target default". */
  state_bits: number | string;
  /** SHA-256 of the compiled image (its digest trailer, src/ir/image.ts): any other change of model or options. */
  image_sha256: string;
}

export type WeightSeries = { t: number; classes: ClassStats[] }[];

interface Body {
  identity: CheckpointIdentity;
  /** The weight analysis up to the snapshot's tick (null: the model has none). */
  weights: WeightSeries | null;
  snapshot: Snapshot;
}

/** Text of a checkpoint file: the body and the SHA-256 of its JSON text. */
export function checkpointText(identity: CheckpointIdentity, snapshot: Snapshot, weights: WeightSeries | undefined): string {
  const body = JSON.stringify({ identity, weights: weights ?? null, snapshot } satisfies Body);
  return `{"format":"${CHECKPOINT_FORMAT}","sha256":"${sha256(body)}","body":${body}}`;
}

/** Writes a checkpoint; it replaces its predecessor only once complete (temp file, fsync, rename). */
export function writeCheckpoint(path: string, identity: CheckpointIdentity, snapshot: Snapshot, weights: WeightSeries | undefined): void {
  writeFileAtomic(path, checkpointText(identity, snapshot, weights));
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * Reads a checkpoint, checks it and restores it into `emulator`; returns the weight analysis it
 * carries. Every refusal is an EngramError naming the file and the field.
 */
export function resumeCheckpoint(file: string, want: CheckpointIdentity, emulator: Emulator, weightTimes: (tick: number) => number[] | undefined): WeightSeries | undefined {
  const fail = (field: string, message: string, received?: unknown, hint?: string): never => {
    throw new EngramError([{ code: "bad-checkpoint", message: `cannot resume: ${message}`, where: { file, path: field === "" ? [] : [field] }, received: received === undefined ? undefined : quote(received), hint }]);
  };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return fail("", `cannot read it: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail("", `it is not JSON (${(e as Error).message}; the file has ${text.length} characters): the file is damaged or not a checkpoint`);
  }
  const top = parsed as { format?: unknown; sha256?: unknown; body?: unknown };
  if (typeof top !== "object" || top === null || top.format !== CHECKPOINT_FORMAT) {
    return fail("format", `it is not an ${CHECKPOINT_FORMAT} checkpoint (checkpoints without a digest, from older engram versions, cannot be resumed)`, top?.format);
  }
  if (typeof top.body !== "object" || top.body === null) return fail("body", "it has no body", top.body);
  const actual = sha256(JSON.stringify(top.body));
  if (top.sha256 !== actual) return fail("sha256", `its content does not match its digest (stored ${quote(top.sha256)}, content hashes to "${actual}"): the file is damaged or was edited`, top.sha256);
  const body = top.body as Partial<Body>;
  const id = body.identity as Partial<CheckpointIdentity> | undefined;
  if (typeof id !== "object" || id === null) return fail("identity", "it has no identity", id);
  for (const key of Object.keys(want) as (keyof CheckpointIdentity)[]) {
    if (id[key] !== want[key]) {
      fail(`identity.${key}`, `the checkpoint's ${key} is ${quote(id[key])}, this run's is ${quote(want[key])}: a checkpoint continues only the run that wrote it`, id[key], "resume with the same model, options and engram version as the run that wrote the checkpoint");
    }
  }
  try {
    emulator.restore(body.snapshot as Snapshot);
  } catch (e) {
    if (e instanceof SnapshotError) return fail(`snapshot.${e.field}`, `snapshot.${e.field} ${e.problem}`, e.received);
    return fail("snapshot", (e as Error).message);
  }
  // The weight analysis: one summary at each analysis time up to the snapshot's tick, no more.
  const times = weightTimes(emulator.tick);
  const w = body.weights;
  if (times === undefined) {
    if (w !== null) fail("weights", "must be null: the model has no weight analysis", w);
    return undefined;
  }
  if (!Array.isArray(w) || w.length !== times.length) return fail("weights", `must hold the ${times.length} weight summaries taken up to tick ${emulator.tick}`, Array.isArray(w) ? `${w.length} summaries` : w);
  w.forEach((s, i) => {
    if (typeof s !== "object" || s === null || s.t !== times[i] || !Array.isArray(s.classes)) fail(`weights[${i}]`, `must be the summary at ${times[i]} s`, s);
    s.classes.forEach((c, j) => {
      if (typeof c !== "object" || c === null || !Object.values(c).every((v) => v === null || typeof v === "string" || (typeof v === "number" && Number.isFinite(v)))) fail(`weights[${i}].classes[${j}]`, "must be a class summary of numbers", c);
    });
  });
  return w;
}

function quote(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
