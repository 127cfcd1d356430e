// node scripts/mutation-recheck.mjs REPORT.json OUT.json TESTFILE...: applies each Survived/NoCoverage mutant of a
// Stryker JSON report (reports/mutation/*.json) to its source file, runs the test files, records
// Killed/Survived in OUT.json, and restores the file: rechecks survivors against new tests in
// minutes, where a full Stryker rerun takes much longer. Run from the repository root, work tree clean.
// RECHECK_STATUS=Timeout,Survived (comma-separated) picks other statuses: a mutant Stryker counted as
// timed out on a loaded machine is then rerun (limit RECHECK_TIMEOUT_MS, default 300 s) to tell a real
// hang from a slow run. RECHECK_IDS=3,17 (comma-separated mutant ids) rechecks only those.
// A run past the limit is killed with its whole process group: vitest's workers of a hanging
// mutant otherwise keep spinning after the runner is gone.
import { readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
const [report, out, ...tests] = process.argv.slice(2);
const r = JSON.parse(readFileSync(report, "utf8"));
const statuses = (process.env.RECHECK_STATUS ?? "Survived,NoCoverage").split(",");
const ids = process.env.RECHECK_IDS ? new Set(process.env.RECHECK_IDS.split(",")) : undefined;
const results = [];
/** Runs the tests in their own process group; resolves to { status, signal } (signal "SIGKILL" past the limit). */
function runTests(limit) {
  return new Promise((resolve) => {
    const child = spawn("npx", ["vitest", "run", "--bail", "1", ...tests], { cwd: root, stdio: "ignore", detached: true });
    const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), limit);
    child.on("exit", (status, signal) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, "SIGKILL"); // workers left behind by a killed or failed run
      } catch {}
      resolve({ status, signal });
    });
  });
}
const root = process.cwd() + "/";
for (const [file, f] of Object.entries(r.files)) {
  const path = file.startsWith("/") ? file : root + file;
  const original = readFileSync(path, "utf8");
  const lineStarts = [0];
  for (let i = 0; i < original.length; i++) if (original[i] === "\n") lineStarts.push(i + 1);
  const off = (p) => lineStarts[p.line - 1] + p.column - 1;
  for (const m of f.mutants) {
    if (!statuses.includes(m.status) || (ids && !ids.has(m.id))) continue;
    const a = off(m.location.start), b = off(m.location.end);
    writeFileSync(path, original.slice(0, a) + m.replacement + original.slice(b));
    const t0 = Date.now();
    const run = await runTests(Number(process.env.RECHECK_TIMEOUT_MS ?? 300000));
    writeFileSync(path, original);
    const status = run.status === 0 ? "Survived" : run.signal ? "Timeout" : "Killed";
    const line = `${file.split("/").pop()}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${original.slice(a, b).slice(0, 60)} => ${m.replacement.slice(0, 60)}`;
    results.push({ id: m.id, file, line: m.location.start.line, status, desc: line });
    console.log(status, line, `${Date.now() - t0} ms`);
    writeFileSync(out, JSON.stringify(results, null, 1));
  }
}
