/** engram board: the virtual board, serving the bridge protocol on a serial device until stopped (firmware-bridge/serve.ts). */
import { serveBoard } from "../../firmware-bridge/serve.ts";
import { VERSION } from "./main.ts";

export interface BoardCommandOptions {
  port: string;
  baud: number;
  pace: boolean;
  quiet: boolean;
}

export async function boardCommand(o: BoardCommandOptions): Promise<number> {
  const log = o.quiet ? undefined : (line: string) => process.stderr.write(`board: ${line}\n`);
  const served = await serveBoard(o.port, { baud: o.baud, pace: o.pace, board: { firmwareVersion: `engram-virtual ${VERSION}`, log }, log: (line) => process.stderr.write(`board: ${line}\n`) });
  process.stdout.write(`engram virtual board on ${o.port} (${o.baud} baud${o.pace ? ", paced" : ""}), device id ${served.board.deviceId}; it outlives the line (re-opens the port when it reappears); Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await served.stop();
  return 0;
}
