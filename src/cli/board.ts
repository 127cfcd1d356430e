/** engram board: the virtual board, serving the bridge protocol on a serial device until stopped. */
import { VirtualBoard } from "../../firmware-bridge/board.ts";
import { PacedTransport } from "../../firmware-bridge/paced.ts";
import { SerialTransport } from "../../firmware-bridge/serial.ts";
import { VERSION } from "./main.ts";

export interface BoardCommandOptions {
  port: string;
  baud: number;
  pace: boolean;
  quiet: boolean;
}

export async function boardCommand(o: BoardCommandOptions): Promise<number> {
  const serial = await SerialTransport.open(o.port, o.baud);
  const board = new VirtualBoard(o.pace ? new PacedTransport(serial, o.baud) : serial, {
    firmwareVersion: `engram-virtual ${VERSION}`,
    log: o.quiet ? undefined : (line) => process.stderr.write(`board: ${line}\n`),
  });
  process.stdout.write(`engram virtual board on ${o.port} (${o.baud} baud${o.pace ? ", paced" : ""}), device id ${board.deviceId}; Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    serial.onClose((reason) => {
      process.stderr.write(`board: ${reason}\n`);
      resolve();
    });
  });
  await serial.close();
  return 0;
}
