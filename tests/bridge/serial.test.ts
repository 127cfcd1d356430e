/**
 * The bridge over a real serial device. One suite, two tiers: a socat PTY pair with the virtual
 * board on the far end, and a real board when ENGRAM_TEST_PORT names its port (skipped without).
 * The suite only looks at what a host can see, so it holds for any conforming firmware.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { decodeImage } from "../../src/ir/image.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { handleOfResults } from "../../firmware-bridge/results.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { HostSession, type SessionOptions } from "../../firmware-bridge/session.ts";
import { SerialTransport } from "../../firmware-bridge/serial.ts";
import { VirtualBoard } from "../../firmware-bridge/board.ts";
import { FaultyTransport, type FaultOptions } from "../../firmware-bridge/faults.ts";
import type { Transport } from "../../firmware-bridge/transport.ts";
import { basicEarlyImage, openPtyPair, reseeded, socatAvailable } from "./helpers.ts";

const image = basicEarlyImage();
const ir = decodeImage(image, "basic-early image");
const local = new EmulatorHandle(ir);
local.run();

interface Line {
  port: string;
  baud: number;
  /** A fresh host transport on the line (faults wrap this side). */
  open(): Promise<Transport>;
}

function serialSuite(line: () => Line) {
  let session = 100;
  async function host(o: { faults?: FaultOptions; session?: SessionOptions } = {}) {
    const l = line();
    const raw = await l.open();
    const t = o.faults ? new FaultyTransport(raw, o.faults) : raw;
    const h = new HostSession(new FrameLink(t), { port: l.port, baud: l.baud, session: ++session, ...o.session });
    return { h, t, raw };
  }

  it("deploys, runs and reads back exactly what the emulator computes here", async () => {
    const { h, raw } = await host();
    try {
      const up = await h.upload(image);
      await h.commit(up.crc);
      const { results } = await h.runAndRead(up.crc, 0);
      expect(handleOfResults(ir, results, "pty").recorded).toEqual(local.recorded);
      expect((await h.hello()).active_crc32).toBe(crc32(image));
    } finally {
      await raw.close();
    }
  });

  it("with 1% of the host's bytes corrupted and 5% of its frames dropped or duplicated: the exact image is applied", async () => {
    const { h, raw, t } = await host({ faults: { seed: 41, corrupt: 0.01, drop: 0.05, duplicate: 0.05 }, session: { timeoutMs: 100 } });
    try {
      const other = reseeded(image, 3); // a different image, so the upload really happens
      const up = await h.upload(other, { chunkBytes: 64 });
      await h.commit(up.crc);
      expect((await h.status()).active_crc32).toBe(crc32(other));
      expect((t as FaultyTransport).counts.corruptedBytes).toBeGreaterThan(0);
      expect(h.counts.retried).toBeGreaterThan(0);
    } finally {
      await raw.close();
    }
  });

  it("refuses an image that does not verify and keeps the previous one; an interrupted upload resumes", async () => {
    const first = await host();
    const old = reseeded(image, 8);
    try {
      await first.h.commit((await first.h.upload(old)).crc);
      const broken = new Uint8Array(image);
      broken[5] ^= 0xff;
      broken[6] ^= 0xff;
      const err = await first.h.upload(broken).then((u) => first.h.commit(u.crc)).catch((e) => e);
      expect(err.diagnostics?.[0]?.code).toBe("board-rejected-image");
      // Half an upload, then the host goes away.
      const crc = crc32(image);
      first.h.expect(await first.h.request("begin_upload", { image_bytes: image.length, image_crc32: crc }, "begin"), "upload_ready", "begin");
      for (let i = 0; i < 5; i++) first.h.expect(await first.h.request("chunk", { offset: i * 256, data: image.subarray(i * 256, (i + 1) * 256) }, "chunk"), "chunk_ack", "chunk");
    } finally {
      await first.raw.close();
    }
    const second = await host();
    try {
      const hello = await second.h.hello();
      expect(hello.active_crc32).toBe(crc32(old));
      const up = await second.h.upload(image, { chunkBytes: 256 });
      expect(up.resumedFrom).toBe(5 * 256);
      await second.h.commit(up.crc);
      expect((await second.h.status()).active_crc32).toBe(crc32(image));
    } finally {
      await second.raw.close();
    }
  });
}

const socat = socatAvailable();
describe.skipIf(!socat)(`serial bridge over a socat PTY pair, virtual board${socat ? "" : " (skipped: socat is not installed; run scripts/ensure-socat.sh)"}`, () => {
  let pty: Awaited<ReturnType<typeof openPtyPair>>;
  let boardSide: SerialTransport;
  beforeAll(async () => {
    pty = await openPtyPair();
    boardSide = await SerialTransport.open(pty.board, 115200);
    new VirtualBoard(boardSide);
  });
  afterAll(async () => {
    await boardSide?.close();
    pty?.close();
  });
  serialSuite(() => ({ port: pty.host, baud: 115200, open: () => SerialTransport.open(pty.host, 115200) }));
});

const hw = process.env.ENGRAM_TEST_PORT;
describe.skipIf(!hw)(`serial bridge on a real board${hw ? ` at ${hw}` : " (skipped: set ENGRAM_TEST_PORT=/dev/ttyUSB0 or the board's port)"}`, () => {
  const baud = Number(process.env.ENGRAM_TEST_BAUD ?? 115200);
  serialSuite(() => ({ port: hw!, baud, open: () => SerialTransport.open(hw!, baud) }));
});
