/**
 * Kill-during-write experiment (docs/reliability.md): N times, run basic-early into a fresh folder,
 * then wtet --seed 7 into the same folder (with --force when FORCE is 1), SIGKILL it at the first
 * fs.watch event on TRIGGER (an exact file name, or a name prefix when it starts with ".", e.g.
 * ".traces.svg." for the temporary file), and classify every file left against uninterrupted runs
 * of both models, byte for byte. Prints a tally of outcomes.
 *
 *   node scripts/kill-during-write.mjs ROOT FORCE(0|1) TRIGGER N
 *
 * ROOT is the engram checkout to test (so an older version can be measured with this script).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const [root, force, trigger, n] = [process.argv[2], process.argv[3] === "1", process.argv[4], Number(process.argv[5])];
const bin = join(root, "bin/engram.js");
const env = { ...process.env, CI: "true" };
const base = mkdtempSync(join(tmpdir(), "kill-during-write-"));
const runTo = (model, out, extra = []) => spawnSync(process.execPath, [bin, "run", model, ...extra, "--out", out], { cwd: root, env });
const ref = join(base, "ref"), old = join(base, "old");
runTo("models/stc/wtet.yaml", ref, ["--seed", "7"]);
runTo("models/stc/basic-early.yaml", old);
const refM = JSON.parse(readFileSync(join(ref, "manifest.json"), "utf8"));
const same = (a, b) => {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
};
const tally = {};
for (let k = 0; k < n; k++) {
  const dir = join(base, `k${k}`);
  runTo("models/stc/basic-early.yaml", dir);
  const p = spawn(process.execPath, [bin, "run", "models/stc/wtet.yaml", "--seed", "7", "--out", dir, ...(force ? ["--force"] : [])], { cwd: root, env, stdio: "ignore" });
  const w = watch(dir, (_e, name) => {
    if (name && (trigger.startsWith(".") ? name.startsWith(trigger) : name === trigger)) p.kill("SIGKILL");
  });
  const { code, signal } = await new Promise((ok) => p.on("close", (code, signal) => ok({ code, signal })));
  w.close();
  const files = readdirSync(dir).filter((f) => !f.startsWith("."));
  const m = files.includes("manifest.json") ? JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) : undefined;
  const data = files.filter((f) => f !== "manifest.json");
  const newOk = data.filter((f) => same(join(dir, f), join(ref, f))).length;
  const oldOk = data.filter((f) => !same(join(dir, f), join(ref, f)) && same(join(dir, f), join(old, f))).length;
  const man = !m ? "no manifest" : m.model.name === refM.model.name ? "new manifest" : "OLD manifest";
  const key = `${signal ?? `exit ${code}`}: ${man}; ${newOk} new complete, ${oldOk} old complete, ${data.length - newOk - oldOk} truncated/other`;
  tally[key] = (tally[key] ?? 0) + 1;
}
console.log(JSON.stringify(tally, null, 1));
