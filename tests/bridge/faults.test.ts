/**
 * Faults between host and board (seeded, so every failure replays): corrupted bytes, dropped,
 * duplicated and delayed frames, a cut line mid-upload, a board reset mid-run. Uploads either
 * complete with the exact image or fail with a clear error; a damaged image is never applied.
 */
import { describe, expect, it } from "vitest";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { decodeImage } from "../../src/ir/image.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { handleOfResults } from "../../firmware-bridge/results.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { HostSession } from "../../firmware-bridge/session.ts";
import { basicEarlyImage, reseeded, rig } from "./helpers.ts";

const image = basicEarlyImage();
const ir = decodeImage(image, "basic-early image");
const local = new EmulatorHandle(ir);
local.run();

describe("bridge under faults", () => {
  it("1% corrupted bytes, 5% dropped and 5% duplicated frames, delays: the exact image and exact results", async () => {
    const { host, board, hostFaults, boardFaults } = rig({ faults: { seed: 7, corrupt: 0.01, drop: 0.05, duplicate: 0.05, maxDelayMs: 2 }, session: { session: 21, timeoutMs: 20 } });
    const up = await host.upload(image, { chunkBytes: 64 });
    await host.commit(up.crc);
    expect(board.active!.bytes).toEqual(image);
    const { results } = await host.runAndRead(up.crc, 0);
    expect(handleOfResults(ir, results, "test").recorded).toEqual(local.recorded);
    // The faults happened and were survived (figures for the report, not timing).
    const injected = hostFaults!.counts.corruptedBytes + boardFaults!.counts.corruptedBytes;
    expect(injected).toBeGreaterThan(10);
    expect(hostFaults!.counts.dropped + boardFaults!.counts.dropped).toBeGreaterThan(0);
    expect(host.counts.retried).toBeGreaterThan(0);
    expect(host.counts.rejected + host.counts.boardRejected).toBeGreaterThan(0);
    process.stdout.write(`faults: ${JSON.stringify({ host: host.counts, hostFaults: hostFaults!.counts, boardFaults: boardFaults!.counts, boardBadFrames: board.badFrames })}\n`);
  });

  it("a line cut mid-upload fails clearly, keeps the old configuration, and the next host resumes", async () => {
    const old = reseeded(image, 5);
    const { host, board, hostFaults } = rig({ faults: { seed: 3, disconnectAfterBytes: 1e9 }, session: { session: 22, timeoutMs: 10, maxTimeoutMs: 20, attempts: 4, port: "/dev/ttyCUT" } });
    await host.commit((await host.upload(old)).crc);
    hostFaults!.options.disconnectAfterBytes = host.link.counters.bytesSent + 2500; // about 6 of 12 chunks
    const err = await host.upload(image, { chunkBytes: 400 }).catch((e) => e);
    expect(err.diagnostics[0].code).toBe("board-not-responding");
    expect(err.message).toMatch(/no valid reply from \/dev\/ttyCUT while uploading bytes \d+\.\. of \d+/);
    expect(board.active!.crc).toBe(crc32(old));
    expect(board.partial!.got.prefix()).toBeGreaterThan(0);
    // Reconnect (the raw end of the line, no more cut) and resume.
    const again = new HostSession(new FrameLink(hostFaults!.inner), { session: 23, timeoutMs: 20 });
    const up = await again.upload(image, { chunkBytes: 400 });
    expect(up.resumedFrom).toBeGreaterThan(0);
    expect(up.chunksSent - up.resent).toBe(Math.ceil((image.length - up.resumedFrom) / 400)); // only what was missing (resends aside)
    await again.commit(up.crc);
    expect(board.active!.bytes).toEqual(image);
  });

  it("a board reset mid-run: the host notices, runs again, and the results are still exact", async () => {
    const { host, board } = rig({ boardOptions: { sliceTicks: 50 }, session: { session: 24 } });
    let resets = 0;
    board.onRunSlice = () => {
      if (resets++ === 0) board.reset();
    };
    const up = await host.upload(image);
    await host.commit(up.crc);
    const { results, restarts } = await host.runAndRead(up.crc, 0, { pollMs: 5 });
    expect(restarts).toBe(1);
    expect(board.boot).toBe(1);
    expect(handleOfResults(ir, results, "test").recorded).toEqual(local.recorded);
  });
});
