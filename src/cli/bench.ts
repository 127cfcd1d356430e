/**
 * engram bench: times the four 8 h STC protocols and basic-late on the reference target.
 * For each model: the first run in this process (cold: includes V8 warm-up of the generated
 * kernels), the median of warm runs over several seeds, biological seconds per wall second, and
 * the whole-process time of `engram run` (startup, compile, run, outputs). Baselines measured in
 * the same run: plain 0.2 ms stepping of the same model (our faithful integrator without the
 * quiet-stretch acceleration). The authors' C++ simulator figures are quoted from
 * stc-model.md section 10 (not re-measured here).
 */
import { reservoirBench } from "./bench-reservoir.ts";
import { simdLoopBench } from "./bench-simd-loop.ts";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../compiler/pipeline.ts";
import { Executor } from "../../targets/reference/executor.ts";
import { compileFixed } from "../compiler/fixed/pipeline.ts";
import { analyseByRun } from "./compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { encodeImage } from "../ir/image.ts";
import { EngramError } from "../diagnostics/diagnostic.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { measureGoodput } from "../../firmware-bridge/goodput.ts";
import { generateKernel } from "../../targets/emulator/codegen.ts";
import { SimdKernel } from "../../targets/emulator/wasm/runtime.ts";
import { fullChipProgram, SYNAPSES } from "../../targets/emulator/wasm/fullchip.ts";
import { minimalJs, minimalWasm } from "../../targets/emulator/wasm/minimal.ts";
import { Rng } from "../util/rng.ts";

interface Row {
  model: string;
  simulated: number;
  cold: number;
  warm: number;
  process: number;
  plain?: number;
  dense: number;
}

const AUTHORS = "authors' C++ (stc-model.md s.10): 6.5-10.8 s per 8 h protocol with fast-forward; basic late 40 s with FF, 93 s without";

function timeRun(file: string, seed: number, accelerate = true): { wall: number; ex: Executor } {
  const program = compile(file, { target: "reference", seed, accelerate });
  const t0 = performance.now();
  const ex = new Executor(program);
  ex.run();
  return { wall: (performance.now() - t0) / 1000, ex };
}

/**
 * Compile time of a network that fills one BrainScaleS-2 chip (512 neurons, 2 x 256 x 256 plastic
 * synapses): the shared passes, the range-analysis run, and the fixed-point passes, in-process.
 */
function compileBench(): string[] {
  const file = "models/examples/bss2-full-chip.yaml";
  const out = ["| compile models/examples/bss2-full-chip.yaml | front passes (s) | range-analysis run (s) | fixed-point passes (s) | total (s) | result |", "| --- | --- | --- | --- | --- | --- |"];
  for (const target of ["cmos", "bss2"]) {
    const t0 = performance.now();
    const program = compile(file, { target });
    const t1 = performance.now();
    let analysis = 0;
    const analyse = (p: typeof program) => {
      const a0 = performance.now();
      const s = analyseByRun(p);
      analysis = performance.now() - a0;
      return s;
    };
    let result: string;
    try {
      const r = compileFixed(program, getTarget(target).caps, { rounding: "stochastic", engramVersion: "bench", analyse });
      result = `fits: ${r.ir.kernels.length} kernels, ${encodeImage(r.ir).length} bytes`;
    } catch (e) {
      if (!(e instanceof EngramError)) throw e;
      result = `does not fit: ${e.diagnostics.map((d) => d.code).join(", ")}`;
    }
    const t2 = performance.now();
    const s = (ms: number) => (ms / 1000).toFixed(3);
    out.push(`| ${target} | ${s(t1 - t0)} | ${s(analysis)} | ${s(t2 - t1 - analysis)} | ${s(t2 - t0)} | ${result} |`);
  }
  return out;
}

/**
 * The 8 h STET, bit-accurate on the emulated chips (stochastic rounding), against the time the
 * chip itself needs at its acceleration (BrainScaleS-2: 28.8 s at 1000x).
 */
function emulatorBench(): string[] {
  const out = ["| 8 h STET, emulated | compile (s) | emulation, first run (s) | emulation, second run (s) | chip time at its acceleration (s) | chip time / emulation |", "| --- | --- | --- | --- | --- | --- |"];
  for (const target of ["bss2", "cmos"]) {
    const t0 = performance.now();
    const program = compile("models/stc/stet.yaml", { target });
    const caps = getTarget(target).caps;
    const { ir } = compileFixed(program, caps, { rounding: "stochastic", engramVersion: "bench", analyse: analyseByRun });
    const t1 = performance.now();
    const runs = [0, 1].map(() => {
      const e = new Emulator(ir);
      const s = performance.now();
      e.run();
      return (performance.now() - s) / 1000;
    });
    const chip = (program.durationTicks * program.tickSeconds) / caps.acceleration;
    out.push(`| ${target} | ${((t1 - t0) / 1000).toFixed(3)} | ${runs[0]!.toFixed(3)} | ${runs[1]!.toFixed(3)} | ${chip} | ${(chip / runs[1]!).toFixed(0)}x |`);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Serial bridge upload goodput (firmware-bridge/goodput.ts) of basic-early compiled for cmos,
 * at 115200 and 921600 baud, clean and with 1% of the bytes corrupted in each direction.
 */
async function bridgeBench(quick: boolean): Promise<string[]> {
  const imageOf = (file: string) => encodeImage(compileFixed(compile(file, { target: "cmos" }), getTarget("cmos").caps, { rounding: "stochastic", engramVersion: "bench", analyse: analyseByRun }).ir);
  const small = imageOf("models/stc/basic-early.yaml");
  // At 921600 baud a 4.7 kB image is 50 ms of line time, and the fixed costs of an upload (begin,
  // commit, the window's tail) would dominate: the measurements there upload a whole-chip image
  // (431 kB) instead.
  const large = quick ? small : imageOf("models/examples/bss2-full-chip.yaml");
  const rows: string[] = [];
  let link = "";
  for (const baud of [115200, 921600]) {
    for (const corrupt of [0, 0.01]) {
      const image = baud > 115200 ? large : small;
      const uploads = Math.max(1, Math.round(((quick ? 0.5 : 2) * baud) / 10 / image.length));
      const r = await measureGoodput(image, { baud, corrupt, seed: 1, uploads });
      link = r.link;
      const c = r.counts;
      rows.push(`| ${baud} | ${corrupt * 100}% | ${uploads} x ${image.length} B | ${r.seconds.toFixed(2)} | ${(r.bytes / r.seconds).toFixed(0)} | ${(r.fraction * 100).toFixed(1)}% | ${r.finalChunkBytes} | ${r.finalLevel} | ${c.framesSent} / ${c.retried} / ${c.rejected + c.boardRejected} | ${r.boardRepaired.frames} / ${r.boardRepaired.bytes} | ${r.hostRepaired.frames} / ${r.hostRepaired.bytes} |`);
      process.stderr.write(`  bridge ${baud} baud, ${corrupt * 100}% corruption done\n`);
    }
  }
  return [
    `bridge upload goodput over a ${link}; writes paced to the baud rate (10 bits per byte), node ${process.version}`,
    "",
    "| baud | corrupted bytes | uploaded | seconds | goodput (B/s) | of line rate | final chunk (B) | FEC level | frames sent / retried / rejected | repaired by the board: frames / bytes | repaired by the host: frames / bytes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

const NETWORK = "models/stc/memory-network.yaml";

interface NetworkManifest {
  simulated_s: number;
  dt_s: number;
  wall_s: number;
  peak_rss_mb: number;
  hardware?: { synapse_updates: number };
}

/** `engram run models/stc/memory-network.yaml [args]` as a user runs it: the whole command's wall time and the run's manifest. */
function runNetwork(args: string[]): { wall: number; m: NetworkManifest } {
  const bin = fileURLToPath(new URL("../../bin/engram.js", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "engram-bench-network-"));
  const t0 = performance.now();
  const p = spawnSync(process.execPath, [bin, "run", NETWORK, ...args, "--out", out], { encoding: "utf8", env: { ...process.env, CI: "true" } });
  if (p.status !== 0) throw new Error(`engram run ${NETWORK} ${args.join(" ")} failed: ${p.stderr}`);
  return { wall: (performance.now() - t0) / 1000, m: JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as NetworkManifest };
}


/** The cell-assembly experiment (learn, recall at 10 s, 8 h, recall at 8 h) on the reference target. */
function networkBench(): string[] {
  const { wall, m } = runNetwork([]);
  return [
    `memory network (${NETWORK}: 2000 neurons, 400k synapses, 8 h; reference, one process; node ${process.version})`,
    "",
    "| whole command (s) | simulation (s) | biological s / wall s | peak RSS (MB) | authors' C++ (s, stc-model.md s.10) |",
    "| --- | --- | --- | --- | --- |",
    `| ${wall.toFixed(1)} | ${m.wall_s.toFixed(1)} | ${(m.simulated_s / m.wall_s).toFixed(0)} | ${m.peak_rss_mb} | about 1500 |`,
  ];
}

/**
 * The same experiment on the cmos emulator (fixed point, event-driven synapses; the model asks for
 * 16-bit state): wall time, and plastic-synapse updates per second, both as executed and as the
 * dense stepping they stand for (every plastic synapse every tick).
 */
function networkCmosBench(): string[] {
  const { wall, m } = runNetwork(["--target", "cmos"]);
  const updates = m.hardware!.synapse_updates;
  const program = compile(NETWORK, { target: "cmos" });
  const plastic = program.projections.filter((pr) => pr.odes.length > 0).reduce((n, pr) => n + pr.size, 0);
  const dense = plastic * Math.round(m.simulated_s / m.dt_s);
  return [
    `memory network on the cmos emulator (${NETWORK}, 16-bit state: ${plastic} plastic synapses, 8 h, event-driven synapses; one process; node ${process.version})`,
    "",
    "| whole command (s) | emulation (s) | biological s / wall s | peak RSS (MB) | synapse updates run | per wall s | dense-equivalent synapse steps per wall s |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    `| ${wall.toFixed(1)} | ${m.wall_s.toFixed(1)} | ${(m.simulated_s / m.wall_s).toFixed(0)} | ${m.peak_rss_mb} | ${updates.toExponential(3)} | ${(updates / m.wall_s).toExponential(2)} | ${(dense / m.wall_s).toExponential(2)} |`,
  ];
}

/**
 * Element updates per second of `apply` (n elements per call): warm-up, then the median of five
 * windows of seconds / 5 each (robust to another process taking the core for a while).
 */
function rate(apply: () => void, n: number, seconds: number): number {
  for (let i = 0; i < 20; i++) apply();
  const rates: number[] = [];
  for (let w = 0; w < 5; w++) {
    let reps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < (seconds * 1000) / 5) {
      apply();
      reps++;
    }
    rates.push((reps * n) / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/**
 * Plastic-synapse updates per second on one core over a full chip (131072 synapses): basic-early's
 * syn.update (bss2, nearest rounding) as the emulator's generated JS and as the WASM SIMD kernel,
 * and a minimal update w = sat16(w + ((a * b) >> 15)) as a plain JS loop and in WASM SIMD.
 */
function simdBench(quick: boolean): string[] {
  const seconds = quick ? 0.5 : 2;
  const { ir, kernel } = fullChipProgram("nearest");
  const n = SYNAPSES;
  const state = ir.states.map((s) => Float64Array.from(s.init.length === 1 ? new Array<number>(ir.groups[s.group]!.size).fill(s.init[0]!) : s.init));
  const js = generateKernel(kernel, ir, { state, activity: new Float64Array(3), versions: new Float64Array(ir.states.length), round: () => 0.5, normal: () => 0, spike: () => {}, now: new Float64Array(1) });
  const jsApply = () => {
    for (let e = 0; e < n; e++) js(e);
  };
  const sk = SimdKernel.create(kernel, ir);
  if (typeof sk === "string") throw new Error(`syn.update is not SIMD-supported: ${sk}`);
  sk.views.forEach((v, i) => v?.set(state[i]!));
  // One application from the same states must agree element for element (the tests check it against the reference).
  jsApply();
  sk.run();
  const same = sk.views.every((v, i) => !v || state[i]!.every((x, e) => v[e] === x));
  const minimal = minimalWasm(n);
  const rng = new Rng(2, "bench:minimal");
  const w = new Int16Array(n), a = new Int16Array(n), b = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = Math.floor(rng.uniform() * 65536) - 32768;
    a[i] = Math.floor(rng.uniform() * 2048) - 1024;
    b[i] = Math.floor(rng.uniform() * 65536) - 32768;
  }
  minimal.w.set(w), minimal.a.set(a), minimal.b.set(b);
  const rows: [string, number, string][] = [
    ["(a) syn.update, emulator's generated JS kernel (Float64Array states)", rate(jsApply, n, seconds), `${kernel.ops.length} IR ops`],
    ["(b) syn.update, WASM SIMD kernel (i16x8 states, i32x4 arithmetic)", rate(() => sk.run(), n, seconds), `${kernel.ops.length} IR ops -> ${sk.simdOps} SIMD instr. (${sk.constOps} of them v128.const) / 8 synapses`],
    ["(c) minimal update, plain JS loop over Int16Array", rate(() => minimalJs(w, a, b), n, seconds), "3 loads, mul, shift, add, 2 compares, store"],
    ["(d) minimal update, WASM SIMD (i16x8, extmul)", rate(() => minimal.run(), n, seconds), `${minimal.simdOps} SIMD instr. / 8 synapses`],
  ];
  const [ja, wb, pc, md] = rows.map((r) => r[1]) as [number, number, number, number];
  return [
    `plastic-synapse updates per second, one core, full chip (${n} synapses: basic-early syn.update for bss2 resized to 256 x 512); node ${process.version}; per row the median of 5 windows of ${seconds / 5} s`,
    "",
    "| kernel | synapse updates / s | of 10^9 | full-chip applications / s | work per update |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(([k, r, work]) => `| ${k} | ${r.toExponential(2)} | ${((r / 1e9) * 100).toFixed(1)}% | ${(r / n).toFixed(0)} | ${work} |`),
    "",
    `ratios: SIMD / generated JS (syn.update) = ${(wb / ja).toFixed(1)}x; SIMD / plain JS (minimal) = ${(md / pc).toFixed(1)}x; minimal / syn.update (SIMD) = ${(md / wb).toFixed(1)}x`,
    `syn.update, one application from the same states: generated JS and WASM SIMD ${same ? "identical" : "DIFFER"}`,
    "",
    ...simdLoopBench(quick),
  ];
}

export async function benchCommand(o: { quick: boolean; compileOnly?: boolean; emulatorOnly?: boolean; bridgeOnly?: boolean; networkOnly?: boolean; networkCmos?: boolean; networkThreads?: boolean; simdOnly?: boolean; studyOnly?: boolean; interchangeOnly?: boolean; reservoirOnly?: boolean; ipcOnly?: boolean; reservoirChip?: boolean; stsp?: boolean; draws?: boolean; emulatorThreads?: boolean }): Promise<number> {
  // One benchmark alone when its flag is given.
  const single: [boolean | undefined, () => string[] | Promise<string[]>][] = [
    [o.interchangeOnly, async () => (await import("./bench-interchange.ts")).interchangeBench()],
    [o.networkOnly, networkBench],
    [o.networkCmos, networkCmosBench],
    [o.networkThreads, async () => (await import("./bench-threads.ts")).threadsBench(o.quick)],
    [o.simdOnly, () => simdBench(o.quick)],
    [o.draws, async () => (await import("./bench-draws.ts")).drawsBench(o.quick)],
    [o.emulatorThreads, async () => (await import("./bench-draws.ts")).emulatorThreadsBench(o.quick)],
    [o.studyOnly, async () => (await import("./bench-study.ts")).studyBench(o.quick)],
    [o.reservoirOnly, () => reservoirBench(o.quick)],
    [o.ipcOnly, async () => (await import("./bench-ipc.ts")).ipcBench(o.quick)],
    [o.reservoirChip, async () => (await import("./bench-reservoir-chip.ts")).reservoirChipBench(o.quick)],
    [o.stsp, async () => (await import("./bench-stsp.ts")).stspBench()],
    [o.bridgeOnly, () => bridgeBench(o.quick)],
    [o.compileOnly, compileBench],
    [o.emulatorOnly, emulatorBench],
  ];
  for (const [on, bench] of single) {
    if (!on) continue;
    process.stdout.write((await bench()).join("\n") + "\n");
    return 0;
  }
  const models = ["stet", "wtet", "slfs", "wlfs", "basic-late"];
  const seeds = o.quick ? [11, 12, 13] : [11, 12, 13, 14, 15, 16, 17];
  const bin = fileURLToPath(new URL("../../bin/engram.js", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "engram-bench-"));
  const rows: Row[] = [];
  for (const m of models) {
    const file = `models/stc/${m}.yaml`;
    const first = timeRun(file, 1);
    const warmSeeds = m === "basic-late" ? [1] : seeds; // basic-late is deterministic
    const warm = warmSeeds.map((s) => timeRun(file, s).wall);
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [bin, "run", file, "--out", join(out, m)], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    if (p.status !== 0) throw new Error(`engram run ${file} failed: ${p.stderr}`);
    const processWall = (performance.now() - t0) / 1000;
    const simulated = first.ex.program.durationTicks * first.ex.program.tickSeconds;
    const row: Row = { model: m, simulated, cold: first.wall, warm: median(warm), process: processWall, dense: first.ex.stats.denseSteps };
    if (!o.quick && m === "stet") row.plain = timeRun(file, 1, false).wall;
    rows.push(row);
    process.stderr.write(`  ${m} done\n`);
  }
  const f = (x: number) => (x < 0.1 ? x.toFixed(4) : x.toFixed(3));
  const lines = [
    `engram bench (reference target, float64; node ${process.version}; ${new Date().toISOString().slice(0, 10)})`,
    "",
    "| model | simulated | cold run (s) | warm run, median (s) | bio s / wall s (warm) | dense steps | whole process (s) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.model} | ${r.simulated / 3600} h | ${f(r.cold)} | ${f(r.warm)} | ${(r.simulated / r.warm).toExponential(2)} | ${r.dense} | ${f(r.process)} |`),
    "",
  ];
  const stet = rows.find((r) => r.model === "stet")!;
  if (stet.plain !== undefined) {
    lines.push(`baseline measured in this run: STET with plain 0.2 ms stepping (no acceleration): ${f(stet.plain)} s`);
    lines.push(`ratio: plain / accelerated (warm) = ${(stet.plain / stet.warm).toFixed(0)}x, plain / accelerated (cold) = ${(stet.plain / stet.cold).toFixed(0)}x`);
  }
  lines.push(`ratio vs the ${AUTHORS}: ${(6.5 / stet.warm).toFixed(0)}-${(10.8 / stet.warm).toFixed(0)}x (warm STET), ${(6.5 / stet.cold).toFixed(0)}-${(10.8 / stet.cold).toFixed(0)}x (cold STET)`);
  lines.push("", ...compileBench(), "", ...emulatorBench(), "", ...(await bridgeBench(o.quick)));
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}
