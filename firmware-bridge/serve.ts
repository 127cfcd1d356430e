/**
 * The virtual board on a serial port that may come and go (a USB adapter unplugged, a PTY pair
 * re-created): when the line closes, the board keeps its state and the port is opened again as
 * soon as it reappears, as a real board keeps its committed image and staged upload across a
 * cable pull. `engram board` runs this until stopped.
 */
import { VirtualBoard, type BoardOptions } from "./board.ts";
import { PacedTransport } from "./paced.ts";
import { SerialTransport } from "./serial.ts";

export interface ServeOptions {
  baud: number;
  pace?: boolean;
  board?: BoardOptions;
  log?: (line: string) => void;
  /** How often to try the port again while it is gone (default 100 ms). */
  reopenMs?: number;
}

export interface ServedBoard {
  board: VirtualBoard;
  /** Times the port was opened (1 + re-opens). */
  opens(): number;
  stop(): Promise<void>;
}

/** Opens `path` (a missing port is an error, as for any command) and serves it until stop(). */
export async function serveBoard(path: string, o: ServeOptions): Promise<ServedBoard> {
  const log = o.log ?? (() => {});
  const wrap = (s: SerialTransport) => (o.pace ? new PacedTransport(s, o.baud) : s);
  let serial = await SerialTransport.open(path, o.baud);
  const board = new VirtualBoard(wrap(serial), o.board);
  let opens = 1;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const watch = (s: SerialTransport) =>
    s.onClose((reason) => {
      if (stopped) return;
      log(`${reason}; the board keeps its state and waits for ${path} to reappear`);
      reopen();
    });
  const reopen = () => {
    retry = setTimeout(async () => {
      if (stopped) return;
      try {
        serial = await SerialTransport.open(path, o.baud);
      } catch {
        return reopen(); // not back yet
      }
      if (stopped) return void serial.close();
      opens++;
      board.attach(wrap(serial));
      watch(serial);
      log(`${path} is back (open ${opens}); serving`);
    }, o.reopenMs ?? 100);
  };
  watch(serial);
  return {
    board,
    opens: () => opens,
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await serial.close();
    },
  };
}
