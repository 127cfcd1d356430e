/**
 * engram study --slurm against a real single-node Slurm cluster (munged, slurmctld, slurmd, started
 * and stopped by scripts/slurm-cluster.sh): the job array's results.csv is byte-identical to the
 * local pool's. No mock scheduler: when the cluster cannot be brought up (not root, slurm-wlm not
 * installable within ENGRAM_SLURM_INSTALL_BUDGET seconds, default 300), the tier is skipped and
 * says why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseStudy, studyCommand } from "../../src/cli/study.ts";

const dir = mkdtempSync(join(tmpdir(), "engram-study-slurm-"));
chmodSync(dir, 0o755); // munged runs as user munge and must reach its folder inside
const cluster = join(dir, "cluster");
const script = resolve("scripts/slurm-cluster.sh");
let skipReason: string | undefined;

beforeAll(() => {
  if (process.getuid?.() !== 0) {
    skipReason = "not root: munged and slurmd need root to start";
    return;
  }
  const budget = Number(process.env.ENGRAM_SLURM_INSTALL_BUDGET ?? 300);
  const p = spawnSync(script, ["start", cluster], { encoding: "utf8", timeout: budget * 1000, env: { ...process.env, ENGRAM_SLURM_PORT: "16917" } });
  if (p.status !== 0) {
    skipReason = p.error ? `starting the cluster took over ${budget} s (ENGRAM_SLURM_INSTALL_BUDGET)` : `the cluster did not start: ${p.stderr.trim().split("\n").slice(-3).join(" / ")}`;
    spawnSync(script, ["stop", cluster]);
    return;
  }
  process.env.SLURM_CONF = join(cluster, "slurm.conf");
}, 400_000);

afterAll(() => {
  if (!skipReason) spawnSync(script, ["stop", cluster]);
});

describe("engram study --slurm (real single-node cluster)", () => {
  it("runs an 8-run study as a job array and writes the same results.csv as the local pool", async (ctx) => {
    if (skipReason) {
      process.stderr.write(`slurm tier skipped: ${skipReason}\n`);
      ctx.skip();
      return;
    }
    const study = join(dir, "s.yaml");
    writeFileSync(study, `study: 1\nname: slurm-test\nmodel: [${resolve("models/stc/stet.yaml")}, ${resolve("models/stc/wlfs.yaml")}]\ngrid:\n  target: [reference]\n  seeds: { from: 1, to: 4 }\ncollect:\n  z_8h: { trace: z, at: 8 h }\n  h_8h: { trace: h, at: 8 h }\n`);
    const local = join(dir, "local"), slurm = join(dir, "slurm");
    expect(await studyCommand(parseStudy([study, "--out", local, "--quiet"]))).toBe(0);
    expect(await studyCommand(parseStudy([study, "--out", slurm, "--slurm", "--chunk", "2", "--quiet"]))).toBe(0);
    expect(readFileSync(join(slurm, "results.csv")).equals(readFileSync(join(local, "results.csv")))).toBe(true);
    const m = JSON.parse(readFileSync(join(slurm, "manifest.json"), "utf8"));
    expect(m.execution.mode).toBe("slurm");
    expect(m.execution.array_tasks).toBe(4);
    for (const r of m.runs) expect(r.executor).toMatch(/^slurm \d+_[0-3]$/);
  }, 400_000);
});
