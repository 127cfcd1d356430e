/** engram proxy: a fault-injecting proxy between a host's serial line and a board's (firmware-bridge/proxy.ts). */
import { startProxy } from "../../firmware-bridge/proxy.ts";
import { SerialTransport } from "../../firmware-bridge/serial.ts";

export interface ProxyCommandOptions {
  host: string;
  board: string;
  baud: number;
  seed: number;
  corrupt: number;
  drop: number;
  duplicate: number;
  maxDelayMs: number;
}

export async function proxyCommand(o: ProxyCommandOptions): Promise<number> {
  const host = await SerialTransport.open(o.host, o.baud);
  const board = await SerialTransport.open(o.board, o.baud);
  const proxy = startProxy(host, board, { seed: o.seed, corrupt: o.corrupt, drop: o.drop, duplicate: o.duplicate, maxDelayMs: o.maxDelayMs });
  process.stdout.write(`engram proxy: ${o.host} <-> ${o.board} (corrupt ${o.corrupt}, drop ${o.drop}, duplicate ${o.duplicate}, delay <= ${o.maxDelayMs} ms, seed ${o.seed}); Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
    host.onClose(() => resolve());
    board.onClose(() => resolve());
  });
  const c = proxy.counts();
  const line = (what: string, f: typeof c.toBoard) => `${what}: ${f.frames} frames, ${f.dropped} dropped, ${f.duplicated} duplicated, ${f.corruptedBytes} bytes corrupted, ${f.delayed} delayed`;
  process.stdout.write(`${line("to the board", c.toBoard)}\n${line("to the host", c.toHost)}\n`);
  await proxy.close();
  return 0;
}
