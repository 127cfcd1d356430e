/**
 * A board that outlives its line: the virtual board served on a socat PTY keeps its committed
 * image, its staged upload and a run in progress when the PTY pair disappears (socat killed) and
 * reappears under the same names; it re-opens the port, and a new host resumes the upload or
 * reads the run's results.
 */
import { afterEach, describe, expect, it } from "vitest";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { decode } from "../../src/ir/codec.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { handleOfResults } from "../../firmware-bridge/results.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { HostSession } from "../../firmware-bridge/session.ts";
import { SerialTransport } from "../../firmware-bridge/serial.ts";
import { serveBoard, type ServedBoard } from "../../firmware-bridge/serve.ts";
import { State } from "../../firmware-bridge/messages.ts";
import { basicEarlyImage, openPtyPair, reseeded, socatAvailable } from "./helpers.ts";

const image = basicEarlyImage();
const ir = decode(image);

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const socat = socatAvailable();
describe.skipIf(!socat)(`the virtual board outlives its line (socat PTY removed and re-created)${socat ? "" : " (skipped: socat is not installed)"}`, () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  /** A PTY pair, the board served on it, and a host session on the other end. */
  async function setup(board = {}) {
    let pty = await openPtyPair();
    const served: ServedBoard = await serveBoard(pty.board, { baud: 115200, board, reopenMs: 50 });
    cleanup.push(() => served.stop(), () => pty.close());
    const connect = async (session: number) => {
      const t = await SerialTransport.open(pty.host, 115200);
      cleanup.push(() => t.close());
      return { t, host: new HostSession(new FrameLink(t), { port: pty.host, session, timeoutMs: 100 }) };
    };
    const pull = async () => {
      const opens = served.opens();
      pty.close(); // both PTYs vanish, as when a USB adapter is unplugged
      await new Promise((r) => setTimeout(r, 150));
      pty = await openPtyPair(pty.dir); // plugged in again: same names
      cleanup.push(() => pty.close());
      await until("the board to re-open its port", () => served.opens() > opens);
    };
    return { served, connect, pull };
  }

  it("mid-upload: the committed image and the staged upload survive; the next host resumes", async () => {
    const { served, connect, pull } = await setup();
    const old = reseeded(image, 21);
    const first = await connect(501);
    await first.host.commit((await first.host.upload(old)).crc);
    const crc = crc32(image);
    first.host.expect(await first.host.request("begin_upload", { image_bytes: image.length, image_crc32: crc }, "begin"), "upload_ready", "begin");
    for (let i = 0; i < 4; i++) first.host.expect(await first.host.request("chunk", { offset: i * 500, data: image.subarray(i * 500, (i + 1) * 500) }, "chunk"), "chunk_ack", "chunk");
    await pull();
    expect(served.opens()).toBe(2);
    const second = await connect(502);
    const hello = await second.host.hello();
    expect(hello.active_crc32).toBe(crc32(old));
    expect(hello.partial_crc32).toBe(crc);
    expect(hello.partial_received_bytes).toBe(2000);
    const up = await second.host.upload(image);
    expect(up.resumedFrom).toBe(2000);
    await second.host.commit(up.crc);
    expect(served.board.active!.bytes).toEqual(image);
  }, 30_000);

  it("mid-run: the run carries on while the line is gone; the next host reads its exact results", async () => {
    // About 1.5 s of run, so that the line is pulled while it runs.
    const { served, connect, pull } = await setup({ maxTicksPerSecond: ir.header.duration_ticks / 1.5 });
    const first = await connect(511);
    const up = await first.host.upload(image);
    await first.host.commit(up.crc);
    first.host.expect(await first.host.request("run", { duration_ticks: 0 }, "run"), "ack", "run");
    expect((await first.host.status()).state).toBe(State.RUNNING);
    await pull();
    const second = await connect(512);
    const hello = await second.host.hello();
    expect(hello.active_crc32).toBe(up.crc);
    expect(hello.boot).toBe(0); // not a reset
    let s = await second.host.status();
    while (s.state === State.RUNNING) {
      await new Promise((r) => setTimeout(r, 50));
      s = await second.host.status();
    }
    expect(s.state).toBe(State.DONE);
    const results = await second.host.readResults(s);
    const local = new EmulatorHandle(ir);
    local.run();
    expect(handleOfResults(ir, results, "pty").recorded).toEqual(local.recorded);
  }, 30_000);
});
