/**
 * engram bench --stsp (issue 17): the STSP-RNN of models/stsp/stsp-bench.yaml (100 rate units with
 * Masse's short-term plasticity, 9900 synapses, 10^4 steps) on the float64 reference target and on
 * the cmos emulator, against a plain-JS loop of the same float64 network measured in the same run.
 * Wall and CPU seconds (the machine may be shared: CPU time is the steadier figure).
 */
import { compile } from "../compiler/pipeline.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { EmulatorHandle } from "../../targets/emulator/handle.ts";
import { getTarget } from "../../targets/registry.ts";
import type { Program } from "../ir/program.ts";
import { analyseByRun } from "./compile.ts";

const MODEL = "models/stsp/stsp-bench.yaml";
/** Constants of stsp-rate-unit.yaml that the compiler inlines (the per-neuron ones are read from the program). */
const TAU_N = 0.1, R_MAX = 20;

function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
}

/** The same network as one plain loop over typed arrays (exponential Euler as the reference does it); returns r at the end. */
function plainLoop(program: Program): Float64Array {
  const pop = program.populations[0]!;
  const rec = program.projections[0]!;
  const n = pop.size;
  const param = (name: string) => pop.vars.find((v) => v.name === name)!.init;
  const [tauX, tauU, U] = [param("tau_x"), param("tau_u"), param("U")];
  const w = rec.vars.find((v) => v.name === "w")!.init;
  const stream = program.stimuli.find((s) => s.kind === "stream") as Extract<Program["stimuli"][number], { kind: "stream" }>;
  const K = stream.channels;
  const dt = program.tickSeconds;
  const a = 1 - Math.exp(-dt / TAU_N);
  const rowStart = new Int32Array(n + 1);
  for (let k = 0; k < w.length; k++) rowStart[rec.postIndex[k]! + 1]!++;
  for (let i = 0; i < n; i++) rowStart[i + 1]! += rowStart[i]!;
  const r = new Float64Array(n), x = new Float64Array(n).fill(1), u = Float64Array.from(U), out = new Float64Array(n), irec = new Float64Array(n);
  const step = (v: number, A: number, B: number) => v + (A + B * v) * (Math.expm1(B * dt) / B);
  for (let t = 0; t < program.durationTicks; t++) {
    for (let i = 0; i < n; i++) {
      let s = irec[i]!;
      for (let c = 0; c < K; c++) s += stream.weights[i * K + c]! * stream.values[t * K + c]!;
      const ri = r[i]! + (Math.max(0, s) - r[i]!) * a;
      r[i] = ri;
      const drive = ri * R_MAX;
      x[i] = step(x[i]!, 1 / tauX[i]!, -(1 / tauX[i]! + u[i]! * drive));
      u[i] = step(u[i]!, U[i]! / tauU[i]! + U[i]! * drive, -(1 / tauU[i]! + U[i]! * drive));
      out[i] = u[i]! * x[i]! * ri;
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) s += w[k]! * out[rec.preIndex[k]!]!;
      irec[i] = s;
    }
  }
  return r;
}

export function stspBench(): string[] {
  const program = compile(MODEL, { target: "reference" });
  const steps = program.durationTicks;
  const syn = program.projections[0]!.size;
  const plain = [0, 1, 2].map(() => timed(() => plainLoop(program)));
  const plainBest = plain.reduce((a, b) => (b.cpu < a.cpu ? b : a));
  const ref = timed(() => {
    const ex = new Executor(program);
    ex.run();
    return ex;
  });
  const rEnd = ref.value.recorded.tables[0]!;
  const lastRef = rEnd.columns[0]![rEnd.count - 1]!;
  const chip = compile(MODEL, { target: "cmos" });
  const compiled = timed(() => compileFixed(chip, getTarget("cmos").caps, { rounding: "nearest", engramVersion: "bench", analyse: analyseByRun }));
  const emu = timed(() => {
    const h = new EmulatorHandle(compiled.value.ir);
    h.run();
    return h;
  });
  const t = emu.value.recorded.tables[0]!;
  const lastChip = t.columns[0]![t.count - 1]!;
  const row = (what: string, m: { wall: number; cpu: number }, simulates = true) => `| ${what} | ${m.wall.toFixed(3)} | ${m.cpu.toFixed(3)} | ${(m.wall / plainBest.wall).toFixed(1)} | ${(m.cpu / plainBest.cpu).toFixed(1)} | ${simulates ? ((steps * syn) / m.cpu / 1e6).toFixed(1) : "-"} |`;
  return [
    `STSP-RNN (${MODEL}): ${program.populations[0]!.size} units, ${syn} synapses, ${steps} steps; node ${process.version}. Ratios against the plain loop (best of 3 by CPU time) measured in the same run:`,
    "",
    "| run | wall s | CPU s | wall / plain loop | CPU / plain loop | synapse-steps per CPU µs |",
    "| --- | --- | --- | --- | --- | --- |",
    row("plain JS loop, float64 (typed arrays)", plainBest),
    row("reference target (float64, generated kernels)", ref),
    row("cmos: compile (range analysis, quantise, lower)", compiled, false),
    row("cmos emulator (16-bit state, round to nearest)", emu),
    "",
    `r[0] at the end: plain loop ${plainLoop(program)[0]!.toPrecision(10)}, reference ${lastRef.toPrecision(10)}, cmos ${lastChip.toPrecision(10)}`,
  ];
}
