/** A linked PTY pair from socat: a serial line on one machine, for tests, the benchmark and demos. */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function socatAvailable(): boolean {
  return spawnSync("sh", ["-c", "command -v socat"]).status === 0;
}

/**
 * Spawns socat; `host` and `board` are symlinks to the two PTYs. close() ends socat (both PTYs
 * disappear). Given the `dir` of an earlier pair, the new pair appears under the same names
 * (a line unplugged and plugged in again).
 */
export async function openPtyPair(dir = mkdtempSync(join(tmpdir(), "engram-pty-"))): Promise<{ dir: string; host: string; board: string; close(): void }> {
  const host = join(dir, "host");
  const board = join(dir, "board");
  const proc = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${board}`], { stdio: "ignore" });
  for (let i = 0; i < 300 && !(existsSync(host) && existsSync(board)); i++) await new Promise((r) => setTimeout(r, 10));
  if (!(existsSync(host) && existsSync(board))) {
    proc.kill();
    throw new Error("socat did not create the PTY pair within 3 s");
  }
  return { dir, host, board, close: () => void proc.kill() };
}
