/** Host and virtual board over an in-process pair: the protocol's happy path, atomic commits, resume, version negotiation. */
import { describe, expect, it } from "vitest";
import { crc32 } from "../../firmware-bridge/crc32.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { decodeImage } from "../../src/ir/image.ts";
import { handleOfResults } from "../../firmware-bridge/results.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { HostSession } from "../../firmware-bridge/session.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";
import { basicEarlyImage, reseeded, rig } from "./helpers.ts";

describe("bridge session (in-process)", () => {
  const image = basicEarlyImage();

  it("uploads, commits, runs and reads back exactly what the emulator computes here", async () => {
    const { host, board } = rig({ session: { session: 11 } });
    const hello = await host.hello();
    expect(hello.protocol_version).toBe(3);
    expect(hello.active_crc32).toBe(0);
    const fractions: number[] = [];
    const up = await host.upload(image, { chunkBytes: 1000, onProgress: (f) => fractions.push(f) });
    expect(up).toMatchObject({ bytes: image.length, resumedFrom: 0, chunksSent: Math.ceil(image.length / 1000), resent: 0 });
    expect(fractions.at(-1)).toBe(1);
    await host.commit(up.crc, image); // also checks the board's active_sha256 against the image
    expect(board.active?.crc).toBe(crc32(image));
    const done = await host.run(0);
    const results = await host.readResults(done, 700); // several read chunks
    const ir = decodeImage(image, "basic-early image");
    const remote = handleOfResults(ir, results, "test");
    const local = new EmulatorHandle(ir);
    local.run();
    expect(remote.recorded).toEqual(local.recorded);
    expect(results.ticks_run).toBe(ir.header.duration_ticks);
    expect(host.counts.nacks).toBe(0);
  });

  it("never applies an image that fails verification: the previous one stays active", async () => {
    const { host, board } = rig({ session: { session: 12 } });
    const first = await host.upload(image);
    await host.commit(first.crc);
    // Valid CRC over bytes that are not a valid program: the board must refuse at commit.
    const broken = new Uint8Array(image);
    broken[5] ^= 0xff;
    broken[6] ^= 0xff;
    const up = await host.upload(broken);
    const err = await host.commit(up.crc).catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.diagnostics[0].code).toBe("board-rejected-image");
    expect(err.message).toMatch(/INVALID_IMAGE/);
    expect(board.active?.crc).toBe(first.crc);
    expect((await host.status()).active_crc32).toBe(first.crc);
  });

  it("refuses at commit an image whose digest does not match (one flipped bit, CRC-32 announced for the flipped bytes)", async () => {
    const { host, board } = rig({ session: { session: 14 } });
    const flipped = new Uint8Array(image);
    flipped[Math.floor(image.length / 2)] ^= 0x10; // a bit in the middle of the program: still decodes
    const up = await host.upload(flipped);
    const err = await host.commit(up.crc).catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.message).toMatch(/INVALID_IMAGE/);
    expect(err.message).toContain("uploaded image is not a valid engram IR file: its content does not match its digest");
    expect(board.active).toBeNull();
    // The same image with another image appended: refused as trailing data.
    const twice = new Uint8Array([...image, ...image]);
    const err2 = await host.commit((await host.upload(twice)).crc).catch((e) => e);
    expect(err2.message).toContain("trailing or concatenated data");
    expect(board.active).toBeNull();
  });

  it("after a commit, a board whose active SHA-256 is not the image's is an error, not 'committed'", async () => {
    const { host, board } = rig({ session: { session: 18 } });
    const up = await host.upload(image);
    const real = board.status.bind(board);
    board.status = () => ({ ...real(), active_sha256: new Uint8Array(32) }); // a board that stored something else
    const err = await host.commit(up.crc, image).catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.diagnostics[0].code).toBe("board-wrong-image");
    expect(err.message).toContain("reports active SHA-256 0000000000000000");
  });

  it("refuses a commit whose assembled image does not match the announced CRC", async () => {
    const { host, board } = rig({ session: { session: 13 } });
    await host.hello();
    const lie = crc32(image) ^ 1;
    host.expect(await host.request("begin_upload", { image_bytes: image.length, image_crc32: lie }, "begin"), "upload_ready", "begin");
    for (let i = 0; i * 4000 < image.length; i++) host.expect(await host.request("chunk", { offset: i * 4000, data: image.subarray(i * 4000, (i + 1) * 4000) }, "chunk"), "chunk_ack", "chunk");
    const err = await host.commit(lie).catch((e) => e);
    expect(err.message).toMatch(/IMAGE_CRC_MISMATCH: the assembled \d+-byte image has CRC-32 0x[0-9a-f]{8}, announced 0x[0-9a-f]{8}/);
    expect(board.active).toBeNull();
  });

  it("a new host resumes an interrupted upload from the last acknowledged chunk", async () => {
    const { host, board, hostTransport } = rig({ session: { session: 14 } });
    const old = reseeded(image, 99);
    await host.commit((await host.upload(old)).crc);
    // The first host dies after chunk 3 of 10.
    await host.hello();
    const crc = crc32(image);
    host.expect(await host.request("begin_upload", { image_bytes: image.length, image_crc32: crc }, "begin"), "upload_ready", "begin");
    for (let i = 0; i < 3; i++) host.expect(await host.request("chunk", { offset: i * 500, data: image.subarray(i * 500, (i + 1) * 500) }, "chunk"), "chunk_ack", "chunk");
    expect(board.active?.crc).toBe(crc32(old)); // still the old configuration
    // A second host on the same line.
    const second = new HostSession(new FrameLink(hostTransport), { session: 15, timeoutMs: 50 });
    const hello = await second.hello();
    expect(hello.partial_crc32).toBe(crc);
    expect(hello.partial_received_bytes).toBe(1500);
    const up = await second.upload(image, { chunkBytes: 500 });
    expect(up.resumedFrom).toBe(1500);
    expect(up.chunksSent - up.resent).toBe(Math.ceil((image.length - 1500) / 500)); // only what was missing, in 500-byte chunks (resends on a loaded machine aside)
    await second.commit(up.crc);
    expect(board.active?.crc).toBe(crc);
    // The first host's session is over: frames in it are refused, not executed.
    const stale = new HostSession(new FrameLink(hostTransport), { session: 14, timeoutMs: 50 });
    const f = await stale.request("get_status", {}, "status");
    expect(f.kind === "nack" && f.body.detail).toMatch(/session 0x0000000e is not the current one; send hello first/);
  });

  it("names both version ranges when host and board share no protocol version", async () => {
    const { host } = rig({ session: { session: 16, port: "/dev/ttyTEST" }, boardOptions: { protocolVersion: 5, minProtocolVersion: 4, firmwareVersion: "fw-9" } });
    const err = await host.hello().catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.diagnostics[0].code).toBe("protocol-version-mismatch");
    expect(err.message).toContain("engram speaks 3..3");
    expect(err.message).toContain("the board speaks protocol 4..5");
    expect(err.message).toContain("fw-9");
    expect(err.message).toContain("/dev/ttyTEST");
  });

  it("an old (protocol 2) host gets a clear refusal from this board, naming both ranges", async () => {
    const { host, board } = rig({ session: { session: 17, port: "/dev/ttyOLD", protocolVersion: 2, minProtocolVersion: 2 } });
    const err = await host.hello().catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.diagnostics[0].code).toBe("protocol-version-mismatch");
    expect(err.message).toContain("engram speaks 2..2; the board speaks protocol 3..3, the host 2..2");
    expect(board.status().state).toBe(1); // nothing changed: IDLE, no session
  });

  it("gives up on a silent line with a clear error, not a hang", async () => {
    const { host, board } = rig({ session: { session: 17, attempts: 3, timeoutMs: 5, maxTimeoutMs: 10, port: "/dev/ttyNONE" } });
    board.link.onFrame(() => {}); // a board that never answers
    const err = await host.hello().catch((e) => e);
    expect(err.diagnostics[0].code).toBe("board-not-responding");
    expect(err.message).toMatch(/no valid reply from \/dev\/ttyNONE while saying hello after 3 attempts/);
    expect(host.counts.timeouts).toBe(3);
  });
});
