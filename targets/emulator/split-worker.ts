/**
 * The worker thread of a split emulator run (split.ts): attaches the shared state, builds its own
 * generated kernels for the split kernels over it, and runs the halves it is handed until told to
 * stop, reporting its counters and spikes.
 */
import { workerData } from "node:worker_threads";
import type { IrProgram } from "../../src/ir/codec.ts";
import { IrDraws } from "../../src/ir/draws.ts";
import { generateKernel } from "./codegen.ts";
import { CMD, sharedLayout, SIG, SPINS } from "./split.ts";
import { SharedStore } from "../reference/partition.ts";

const { program, buffers, kernels } = workerData as { program: IrProgram; buffers: SharedArrayBuffer[]; kernels: number[] };
const shared = sharedLayout(new SharedStore(buffers, false), program);
const { sig, cmd, report, spikes, list } = shared;
const activity = new Float64Array(3), saturations = new Float64Array(1), versions = new Float64Array(program.states.length), now = new Float64Array(1);
const draws = new IrDraws(program.header.seed, program.header.rounding_bits ?? 0);
let spikeCount = 0;
const ctx = {
  state: shared.states,
  activity,
  versions,
  saturations,
  now,
  round: (site: number, e: number) => {
    activity[1]++;
    return draws.round(site, e);
  },
  normal: (site: number, e: number) => draws.normal(site, e),
  spike: (_group: number, e: number) => void (spikes[spikeCount++] = e),
};

/** The next command after `last`: spins briefly, then sleeps without a time limit (the emulator may not split for minutes). */
function next(last: number): number {
  for (let i = 0; i < SPINS; i++) {
    const s = Atomics.load(sig, SIG.issued);
    if (s !== last) return s;
  }
  for (;;) {
    const s = Atomics.load(sig, SIG.issued);
    if (s !== last) return s;
    Atomics.wait(sig, SIG.issued, s);
  }
}

try {
  const run = new Map(kernels.map((i) => [i, generateKernel(program.kernels[i]!, program, ctx)]));
  let seq = 0;
  for (;;) {
    seq = next(seq);
    const i = cmd[CMD.kernel]!;
    if (i < 0) break;
    const k = run.get(i)!;
    const t = shared.tick[0]!;
    now[0] = t;
    draws.setTick(t);
    activity.fill(0);
    saturations[0] = 0;
    versions.fill(0);
    spikeCount = 0;
    const from = cmd[CMD.from]!, to = cmd[CMD.to]!;
    if (cmd[CMD.list] === 1) for (let j = from; j < to; j++) k(list[j]!);
    else for (let e = from; e < to; e++) k(e);
    report[0] = activity[0]!;
    report[1] = activity[1]!;
    report[2] = activity[2]!;
    report[3] = saturations[0]!;
    report[4] = spikeCount;
    for (let s = 0; s < versions.length; s++) report[5 + s] = versions[s]!;
    Atomics.store(sig, SIG.done, seq);
    Atomics.notify(sig, SIG.done);
  }
} catch (e) {
  Atomics.store(sig, SIG.failed, 1);
  Atomics.notify(sig, SIG.done);
  throw e;
}
