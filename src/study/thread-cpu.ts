/**
 * CPU seconds used so far by the calling thread (user + system), where the system says: on Linux
 * from /proc/thread-self/stat (Node 20 has no per-thread CPU clock; process.cpuUsage() counts all
 * threads). Elsewhere undefined. Resolution: one clock tick (10 ms), so it is for sums over runs
 * (how much of a study's wall time was CPU, how much waiting for a core), not for one short run.
 */
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI Node supports

export function threadCpuSeconds(): number | undefined {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
