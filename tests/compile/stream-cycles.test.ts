/**
 * A stream's cost on the digital processor (issue 14): adding each channel's weighted sample into
 * the driven neurons' inputs every tick takes cycles the target declares as data
 * (caps.streams.cycles, from facts.ts), counted in the cycle budget with the digital kernels. On
 * bss2 (hand-computed from targets/bss2/facts.ts): per 64-lane vector 50 cycles per channel (weight
 * vector load 49 + multiply-accumulate 1) plus 47 (store of the inputs), at 250 cycles per 1 ms
 * tick at 1000x.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { streamBudgets } from "../../src/compiler/fixed/drc.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { EngramError } from "../../src/diagnostics/diagnostic.ts";

const bss2 = getTarget("bss2").caps;
const opts = { rounding: "nearest" as const, engramVersion: "test", analyse: analyseByRun };
const dir = mkdtempSync(join(tmpdir(), "engram-stream-cycles-"));
/** lif-small.yaml (20 LIF neurons, analog membranes, one Mackey-Glass channel) with `size` neurons and `channels` AR(1) channels. */
function model(size: number, channels = 1): string {
  const f = join(dir, `lif-${size}-${channels}.yaml`);
  const source = channels === 1 ? "{ mackey_glass: { tau: 17 } }" : `{ channels: { count: ${channels} } }`;
  writeFileSync(f, `engram: 1
kind: network
extends: ${resolve("tests/fixtures/reservoir/lif-small.yaml")}
duration: 50 ms
populations:
  res: { size: ${size} }
stimuli:
  - { kind: stream, target: res, input: I_stim, source: ${source}, weights: { dist: uniform, low: 0.5, high: 2.5 }, gain: 1 nA }
`);
  return f;
}
const fails = (file: string): string => {
  try {
    compileFixed(compile(file, { target: "bss2" }), bss2, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(EngramError);
    return (e as EngramError).diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n");
  }
  return "";
};

describe("stream cycles in the bss2 budget", () => {
  it("20 neurons, 1 channel: one vector, 50 + 47 = 97 cycles per tick, listed in the schedule", () => {
    const { ir, report } = compileFixed(compile(model(20), { target: "bss2" }), bss2, opts);
    expect(streamBudgets(ir, bss2)).toEqual([{ stream: 'stream into "res" (1 channel, 1 vector)', cyclesPerTick: 97 }]);
    expect(report).toContain('stream into "res" (1 channel, 1 vector) every tick: 97 of 250 cycles');
  });
  it("130 neurons, 3 channels: 3 vectors x (3 x 50 + 47) = 591 cycles per tick: does not fit, the error names the stream", () => {
    expect(fails(model(130, 3))).toMatch(/drc-kernel-cycles: does not fit bss2: the stream into "res" \(3 channels, 3 vectors: 591 cycles per tick\) needs 591 cycles every 1 tick\(s\), but only 250 fit/);
  });
  it("128 neurons fit (2 vectors, 194 cycles), 200 do not (4 vectors, 388): the size of models/reservoir/lif-reservoir.yaml", () => {
    expect(fails(model(128))).toBe("");
    expect(fails(model(200))).toMatch(/388 cycles per tick\) needs 388 cycles every 1 tick\(s\), but only 250 fit/);
  });
  it("the costs are the target's data: without them the stream is free, with other figures the count follows", () => {
    const program = compile(model(200), { target: "bss2" });
    const free = { ...bss2, streams: { ...bss2.streams!, cycles: undefined } };
    expect(streamBudgets(compileFixed(program, free, opts).ir, free)).toEqual([]);
    const cheap = { ...bss2, streams: { ...bss2.streams!, cycles: { perVectorChannel: 2, perVector: 1, lanes: 64 } } };
    expect(streamBudgets(compileFixed(program, cheap, opts).ir, cheap)[0]!.cyclesPerTick).toBe(4 * (2 + 1));
  });
});
