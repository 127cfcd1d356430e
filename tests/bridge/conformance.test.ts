/**
 * Conformance of the document: a host written from docs/serial-protocol.md and docs/ir.md alone
 * (conformance-host.ts, which imports nothing of engram's code) deploys to the virtual board,
 * directly and through the fault proxy, and writes the same traces.csv and spikes.csv as
 * `engram run FILE.engram` (the CSV writers of src/analysis on the emulator's results here).
 */
import { describe, expect, it } from "vitest";
import { decode } from "../../src/ir/codec.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { programOfImage } from "../../src/cli/run.ts";
import { spikesCsv, tracesCsv } from "../../src/analysis/run-output.ts";
import { VirtualBoard } from "../../firmware-bridge/board.ts";
import { startProxy } from "../../firmware-bridge/proxy.ts";
import { transportPair } from "../../firmware-bridge/transport.ts";
import { basicEarlyImage } from "./helpers.ts";
import { ConformanceHost, readProgram, resultFiles } from "./conformance-host.ts";

const image = basicEarlyImage();
const ir = decode(image);
const local = new EmulatorHandle(ir);
local.run();
const result = { program: programOfImage(ir, "x.engram"), ...local.recorded, neuronOffset: local.neuronOffset, stats: local.stats };
const want = { traces: tracesCsv(result), spikes: spikesCsv(result) };

describe("a host written from the document alone", () => {
  it("deploys, runs, reads back and writes the same traces.csv and spikes.csv as engram run", async () => {
    const [h, b] = transportPair();
    new VirtualBoard(b);
    const host = new ConformanceHost(h, 0x5eed);
    const results = await host.deployAndRun(image);
    const files = resultFiles(readProgram(image), results);
    expect(want.spikes.split("\n").length).toBeGreaterThan(2); // the run has spikes to compare
    expect(files.traces).toBe(want.traces);
    expect(files.spikes).toBe(want.spikes);
  });

  it("does the same through the fault proxy (1 % corrupted bytes, 3 % dropped and 3 % duplicated frames, both ways)", async () => {
    const [h, proxyHostSide] = transportPair();
    const [proxyBoardSide, b] = transportPair();
    const board = new VirtualBoard(b);
    const proxy = startProxy(proxyHostSide, proxyBoardSide, { seed: 19, corrupt: 0.01, drop: 0.03, duplicate: 0.03 });
    const host = new ConformanceHost(h, 0x5eee);
    const results = await host.deployAndRun(image);
    const files = resultFiles(readProgram(image), results);
    expect(files.traces).toBe(want.traces);
    expect(files.spikes).toBe(want.spikes);
    const c = proxy.counts();
    expect(c.toBoard.corruptedBytes + c.toHost.corruptedBytes).toBeGreaterThan(0);
    expect(host.resends).toBeGreaterThan(0);
    // forward error correction from the document: the board's rx_errors_ppm raised the level, and
    // frames both ways were repaired (the host's here, the board's by its own decoder)
    expect(Object.keys(host.framesAtLevel).map(Number).some((r) => r > 0)).toBe(true);
    expect(host.repaired).toBeGreaterThan(0);
    expect(board.link.counters.framesRepaired).toBeGreaterThan(0);
  }, 60_000);
});
