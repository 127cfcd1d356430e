/**
 * engram deploy: an IR image to a board over the serial bridge (hello, resumable upload, commit),
 * then optionally a run whose read-back results are written exactly as `engram run FILE.engram`
 * writes them.
 */
import { EngramError } from "../diagnostics/diagnostic.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { hex32 } from "../../firmware-bridge/crc32.ts";
import { PacedTransport } from "../../firmware-bridge/paced.ts";
import { SerialTransport } from "../../firmware-bridge/serial.ts";
import { HostSession } from "../../firmware-bridge/session.ts";
import { handleOfResults } from "../../firmware-bridge/results.ts";
import { progressBar } from "./progress.ts";
import { defaultImageOut, readImage, writeImageOutputs } from "./run.ts";
import { prepareOutDir } from "./out-dir.ts";

export interface DeployOptions {
  file: string;
  port: string;
  baud: number;
  /** Biological seconds to run after the upload (undefined: upload only). */
  run?: number;
  out?: string;
  /** Replace engram's outputs in a non-empty --out folder. */
  force?: boolean;
  chunk?: number;
  pace: boolean;
}

export async function deployCommand(o: DeployOptions): Promise<number> {
  const started = performance.now();
  const image = readImage(o.file); // a bad file fails here, before the board is touched
  const { ir } = image;
  const out = o.out ?? defaultImageOut(ir);
  if (o.run !== undefined) prepareOutDir(out, { force: o.force === true, command: "deploy" }); // before the board is touched
  const serial = await SerialTransport.open(o.port, o.baud);
  try {
    const session = new HostSession(new FrameLink(o.pace ? new PacedTransport(serial, o.baud) : serial), { port: o.port, baud: o.baud });
    const hello = await session.hello();
    process.stdout.write(`${o.port}: ${hello.device_id}, firmware ${hello.firmware_version}, protocol ${hello.protocol_version}, boot ${hello.boot}\n`);
    const target = `target:${ir.header.target}`;
    if (!hello.capabilities.includes(target)) throw new EngramError([{ code: "board-target-mismatch", message: `${o.file} is compiled for ${ir.header.target}; the board on ${o.port} offers ${hello.capabilities.filter((c) => c.startsWith("target:")).join(", ") || "no targets"}` }]);
    const bar = progressBar(`upload ${image.bytes.length} B`, (image.bytes.length * 10) / o.baud); // shown against the line time
    const up = await session.upload(image.bytes, { chunkBytes: o.chunk, onProgress: (f) => bar.update(f) });
    bar.done();
    await session.commit(up.crc, image.bytes);
    const lineRate = o.baud / 10;
    process.stdout.write(`uploaded ${up.bytes} bytes (CRC-32 ${hex32(up.crc)}) in ${up.seconds.toFixed(2)} s, ${rateText(up.bytes / up.seconds / lineRate, o.baud)}${up.resumedFrom > 0 ? `, resumed at byte ${up.resumedFrom}` : ""}; committed\n`);
    if (o.run === undefined) return reportCounts(session);
    const tick = ir.header.tick_seconds;
    const ticks = Math.min(ir.header.duration_ticks, Math.round(o.run / tick));
    if (ticks <= 0) throw new EngramError([{ code: "bad-run-duration", message: `--run ${o.run} s is shorter than one tick (${tick} s)` }]);
    if (o.run / tick > ir.header.duration_ticks + 0.5) process.stderr.write(`engram: note: ${o.file} lasts ${ir.header.duration_ticks * tick} s; running that\n`);
    const runBar = progressBar(ir.header.model_name, ticks * tick);
    const { results, restarts } = await session.runAndRead(up.crc, ticks, { onProgress: (f) => runBar.update(f) });
    runBar.done();
    if (restarts > 0) process.stderr.write(`engram: warning: the board restarted ${restarts} time(s) during the run; it was run again from the start\n`);
    const handle = handleOfResults(ir, results, o.port);
    const written = await writeImageOutputs(o.file, image, handle, out, started, {
      ticksRun: results.ticks_run,
      hardware: { board: { port: o.port, device_id: hello.device_id, firmware_version: hello.firmware_version, protocol_version: hello.protocol_version } },
    });
    process.stdout.write(`${ir.header.model_name}: ${results.ticks_run * tick} s run on the board on ${o.port}\n` + written.map((w) => `  wrote ${w}`).join("\n") + "\n");
    return reportCounts(session);
  } finally {
    await serial.close();
  }
}

function reportCounts(s: HostSession): number {
  const c = s.counts;
  process.stdout.write(`link: ${c.requests} requests, ${c.framesSent} frames sent, ${c.retried} retried, ${c.rejected} rejected here, ${c.boardRejected} rejected by the board, ${c.timeouts} timeouts\n`);
  return 0;
}

/** Goodput as a share of the line rate; above 100 % the device is not paced (a PTY has no baud rate). */
function rateText(share: number, baud: number): string {
  const pct = `${(share * 100).toFixed(0)}% of the ${baud}-baud line rate`;
  return share > 1.05 ? `${pct} (the port is not rate-limited, e.g. a PTY; --pace emulates the line rate)` : pct;
}
