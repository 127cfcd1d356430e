/**
 * `engram bench --draws`: the cost of IR version 4's counter-based kernel draws (src/ir/draws.ts,
 * Philox-4x32-10 per draw) against the sequential streams of versions 2-3 (xoshiro128**, one
 * stream each for rounding and noise, in element order): per draw, and per tick of a network run
 * on the cmos emulator with the same kernels and only the draw function swapped.
 */
import { IrDraws } from "../ir/draws.ts";
import { roundingDraw } from "../ir/rounding.ts";
import { Rng } from "../util/rng.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import { analyseByRun } from "./compile.ts";
import { getTarget } from "../../targets/registry.ts";

/** The draws of IR versions 2-3 behind version 4's interface: sequential streams, whatever the site and element. */
class SequentialDraws extends IrDraws {
  private readonly rounding: Rng;
  private readonly noise: Rng;
  constructor(seed: number, bits: number) {
    super(seed, bits);
    this.rounding = new Rng(seed, "ir:rounding");
    this.noise = new Rng(seed, "ir:noise");
  }
  override round(): number {
    return roundingDraw(this.rounding.uniform(), this.bits);
  }
  override normal(): number {
    return this.noise.normal();
  }
}

/** Nanoseconds per call of f over n calls (best of 3). */
function perCall(n: number, f: (i: number) => number): number {
  let best = Infinity, sink = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += f(i);
    best = Math.min(best, performance.now() - t0);
  }
  if (sink === 0.123) console.log(""); // keeps the loop's result alive
  return (best * 1e6) / n;
}

export function drawsBench(quick: boolean): string[] {
  const n = quick ? 1_000_000 : 5_000_000;
  const counter = new IrDraws(1, 0), seq = new SequentialDraws(1, 0);
  counter.setTick(12345);
  const rows = [
    ["rounding draw (53 bits)", perCall(n, () => seq.round()), perCall(n, (i) => counter.round(7, i))],
    ["normal (Box-Muller)", perCall(n, () => seq.normal()), perCall(n, (i) => counter.normal(7, i))],
  ];
  const out = [
    `kernel draws: sequential streams (IR versions 2-3) vs counter-based (IR version 4); ${n} draws, best of 3; node ${process.version}`,
    "",
    "| draw | sequential xoshiro128** (ns) | counter Philox-4x32-10 (ns) | ratio |",
    "| --- | --- | --- | --- |",
    ...rows.map(([what, a, b]) => `| ${what} | ${(a as number).toFixed(1)} | ${(b as number).toFixed(1)} | ${((b as number) / (a as number)).toFixed(1)} |`),
    "",
  ];
  // Per tick: the small memory network on cmos (stochastic rounding), its whole run (the draws come with learning).
  const model = "models/stc/memory-network-small.yaml";
  const { ir } = compileFixed(compile(model, { target: "cmos" }), getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "bench", analyse: analyseByRun });
  const ticks = ir.header.duration_ticks;
  const repeats = quick ? 1 : 3;
  const time = (draws: IrDraws | undefined) => {
    const e = new Emulator(ir, undefined, { draws });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    e.run(ticks);
    const cpu = process.cpuUsage(cpu0);
    return { wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, draws: e.snapshot().activity[1]!, stepped: e.stats.ticks };
  };
  const runs: { seq: number[]; ctr: number[]; seqCpu: number[]; ctrCpu: number[]; draws: number; stepped: number } = { seq: [], ctr: [], seqCpu: [], ctrCpu: [], draws: 0, stepped: 0 };
  for (let r = 0; r < repeats; r++) {
    const s = time(new SequentialDraws(ir.header.seed, ir.header.rounding_bits));
    runs.seq.push(s.wall);
    runs.seqCpu.push(s.cpu);
    const c = time(undefined);
    runs.ctr.push(c.wall);
    runs.ctrCpu.push(c.cpu);
    runs.draws = c.draws;
    runs.stepped = c.stepped;
  }
  const a = Math.min(...runs.seq), b = Math.min(...runs.ctr), ac = Math.min(...runs.seqCpu), bc = Math.min(...runs.ctrCpu);
  out.push(
    `per tick: ${model} on cmos (stochastic rounding), its whole run of ${ticks} ticks (${runs.stepped} stepped), the emulator's default kernel paths; best of ${repeats}, alternating`,
    "",
    "| draws | wall (s) | CPU (s) | per stepped tick, CPU (µs) | kernel draws |",
    "| --- | --- | --- | --- | --- |",
    `| sequential (IR 2-3) | ${a.toFixed(3)} | ${ac.toFixed(3)} | ${((ac / runs.stepped) * 1e6).toFixed(1)} | ${runs.draws} |`,
    `| counter (IR 4) | ${b.toFixed(3)} | ${bc.toFixed(3)} | ${((bc / runs.stepped) * 1e6).toFixed(1)} | ${runs.draws} |`,
    "",
    `counter / sequential for the run: ${(b / a).toFixed(2)}x wall, ${(bc / ac).toFixed(2)}x CPU; the difference per draw: ${(((bc - ac) / runs.draws) * 1e9).toFixed(0)} ns of CPU`,
  );
  return out;
}

/**
 * `engram bench --emulator-threads`: the cmos memory network (models/stc/memory-network.yaml, 16-bit
 * state) on the emulator with one and with two threads (targets/emulator/split.ts), the same
 * window of ticks, alternating; the final states and spikes are compared.
 */
export async function emulatorThreadsBench(quick: boolean): Promise<string[]> {
  const model = "models/stc/memory-network.yaml";
  const t0 = performance.now();
  const { ir } = compileFixed(compile(model, { target: "cmos" }), getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "bench", analyse: analyseByRun });
  const compileS = (performance.now() - t0) / 1000;
  const ticks = Math.min(ir.header.duration_ticks, quick ? 20_000 : 100_000);
  const rows: string[] = [];
  let first: Emulator | null = null;
  for (const threads of [1, 2, 1, 2].slice(0, quick ? 2 : 4)) {
    const e = new Emulator(ir, undefined, { threads });
    const cpu0 = process.cpuUsage();
    const s = performance.now();
    e.run(ticks);
    const wall = (performance.now() - s) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await e.close();
    const same = first ? JSON.stringify(e.spikes) === JSON.stringify(first.spikes) && e.state.every((a, i) => a.every((v, j) => v === first!.state[i]![j])) : true;
    first ??= e;
    rows.push(`| ${threads} | ${wall.toFixed(2)} | ${((wall / e.stats.ticks) * 1e6).toFixed(0)} | ${((cpu.user + cpu.system) / 1e6).toFixed(2)} | ${e.splitRuns.reduce((a, b) => a + b, 0)} | ${e.stats.spikes} | ${same ? "identical" : "DIFFERENT"} |`);
  }
  return [
    `${model} on the cmos emulator, the first ${ticks} ticks (${ticks * ir.header.tick_seconds} s biological; compile ${compileS.toFixed(1)} s), one and two threads alternating; node ${process.version}`,
    "",
    "| threads | wall (s) | per stepped tick (µs) | CPU of this process (s) | split runs | spikes | outputs vs first run |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}
