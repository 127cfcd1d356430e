/** Shared pieces of the bridge tests: a small compiled image, connected host/board pairs, PTY pairs from socat. */
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { decodeImage, encodeImage } from "../../src/ir/image.ts";
import { FrameLink } from "../../firmware-bridge/framing.ts";
import { HostSession, type SessionOptions } from "../../firmware-bridge/session.ts";
import { VirtualBoard, type BoardOptions } from "../../firmware-bridge/board.ts";
import { transportPair, type Transport } from "../../firmware-bridge/transport.ts";
import { FaultyTransport, type FaultOptions } from "../../firmware-bridge/faults.ts";

let cached: Uint8Array | undefined;
/** basic-early compiled for cmos (stochastic rounding): ~4.6 kB, 0.2 s of biology. */
export function basicEarlyImage(): Uint8Array {
  if (!cached) {
    const program = compile("models/stc/basic-early.yaml", { target: "cmos" });
    cached = new Uint8Array(encodeImage(compileFixed(program, getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun }).ir));
  }
  return cached;
}

/** The same image with another seed: a different, equally valid configuration. */
export function reseeded(image: Uint8Array, seed: number): Uint8Array {
  const ir = decodeImage(image, "basic-early image");
  ir.header.seed = seed;
  return encodeImage(ir);
}

export interface Rig {
  board: VirtualBoard;
  host: HostSession;
  hostFaults?: FaultyTransport;
  boardFaults?: FaultyTransport;
  hostTransport: Transport;
}

/** A host and a board over an in-process pair, optionally through fault injectors on each side. */
export function rig(o: { faults?: FaultOptions; board?: VirtualBoard; boardOptions?: BoardOptions; session?: SessionOptions } = {}): Rig {
  const [h, b] = transportPair();
  const hostFaults = o.faults ? new FaultyTransport(h, o.faults) : undefined;
  const boardFaults = o.faults ? new FaultyTransport(b, { ...o.faults, seed: o.faults.seed + 1, disconnectAfterBytes: undefined }) : undefined;
  const board = new VirtualBoard(boardFaults ?? b, o.boardOptions);
  const hostTransport = hostFaults ?? h;
  const host = new HostSession(new FrameLink(hostTransport), { timeoutMs: 50, ...o.session });
  return { board, host, hostFaults, boardFaults, hostTransport };
}

export { openPtyPair, socatAvailable } from "../../firmware-bridge/pty.ts";
