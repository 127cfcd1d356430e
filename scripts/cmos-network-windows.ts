/**
 * Profiling and before/after driver for the cmos memory networks (docs/benchmarks.md, "Generated
 * JS kernels: raw bounds, reuse, tables"): compiles MODEL for cmos with nearest rounding (or reads
 * the IR as JSON from IR_IN), runs it on the emulator in MODE (simd | generated) up to SECONDS,
 * and prints wall and CPU seconds per window.
 *
 *   node --import tsx scripts/cmos-network-windows.ts MODEL [MODE] [SECONDS]
 *   ROUNDING=stochastic  (default nearest)
 *   MARKS=9.9,11.2   window ends (biological s) before SECONDS
 *   PROF_FROM=9.9    CPU profile of the window starting there, to PROF_OUT (.cpuprofile)
 *   DUMP=1|2         per kernel: why SIMD does not take it, the generated JS stats (2: every op);
 *                    writes the IR as JSON to IR_OUT
 *   OUT=file.json    final states, spikes, probes and the saturation count, to compare two trees
 */
import { compile } from "../src/compiler/pipeline.ts";
import { compileFixed } from "../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../src/cli/analyse-by-run.ts";
import { getTarget } from "../targets/registry.ts";
import { Emulator } from "../targets/emulator/emulator.ts";
import { OP_BY_CODE } from "../src/ir/ops.ts";
import { generateSimd } from "../targets/emulator/wasm/generator.ts";
import { shapeProblems } from "../targets/emulator/wasm/shape.ts";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const model = process.argv[2] ?? "models/stc/memory-network-small.yaml";
const mode = (process.argv[3] ?? "simd") as "simd" | "generated";
const secs = process.argv[4] ? Number(process.argv[4]) : undefined;
const t0 = performance.now();
const ir = process.env.IR_IN ? JSON.parse((await import("node:fs")).readFileSync(process.env.IR_IN, "utf8")) : compileFixed(compile(model, { target: "cmos" }), getTarget("cmos").caps, { rounding: (process.env.ROUNDING ?? "nearest") as "nearest" | "stochastic" | "floor", engramVersion: "prof", analyse: analyseByRun }).ir;
console.log(`compile ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (process.env.DUMP) {
  for (const k of ir.kernels) {
    console.log(`${k.name} group=${ir.groups[k.group]!.name}(${ir.groups[k.group]!.size}) ops=${k.ops.length} ${k.periodic ? `period=${k.periodic.period_ticks} gated=${k.periodic.gated}` : `on_spike src=${k.on_spike?.source} post=${k.on_spike?.post}`}`);
    const m = generateSimd(k, ir);
    console.log(`  simd: ${m.ok ? "ok" : shapeProblems(k, ir).join(", ") || m.reason}`);
    if (process.env.DUMP === "2") for (const o of k.ops) console.log(`   ${OP_BY_CODE.get(o.op)!.name} d=${o.dst}:${JSON.stringify(k.registers[o.dst]?.format)} src=${o.src} st=${o.state} idx=${o.index} imm=${o.imm}`);
  }
  writeFileSync(process.env.IR_OUT ?? "/work/runs/s4-18c/ir.json", JSON.stringify(ir, (k, v) => (typeof v === "bigint" ? Number(v) : v)));
}
const e = new Emulator(ir, mode);
if (process.env.DUMP) for (const [i, k] of ir.kernels.entries()) console.log(k.name, JSON.stringify((e as unknown as { kernels: { run: { stats?: unknown } }[] }).kernels[i]!.run.stats));
const dt = Number(ir.header.tick_seconds);
const marks = (process.env.MARKS ?? "").split(",").filter(Boolean).map(Number);
const total = secs ? Math.round(secs / dt) : Number(ir.header.duration_ticks);
let done = 0;
const profAt = process.env.PROF_FROM ? Number(process.env.PROF_FROM) : -1;
const session = new Session();
session.connect();
const post = (m: string, params?: object) => new Promise<any>((res, rej) => session.post(m, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
for (const m of [...marks, total / (1 / dt)]) {
  const upto = Math.round(m / dt);
  const t = performance.now(), c0 = process.cpuUsage();
  const profiling = profAt >= 0 && Math.abs(done * dt - profAt) < 1e-9;
  if (profiling) { await post("Profiler.enable"); await post("Profiler.start"); }
  e.run(upto - done);
  if (profiling) { const { profile } = await post("Profiler.stop"); writeFileSync(process.env.PROF_OUT ?? "/work/runs/s4-18c/window.cpuprofile", JSON.stringify(profile)); }
  done = upto;
  console.log(`to ${m} s: ${((performance.now() - t) / 1000).toFixed(2)} s wall, ${(process.cpuUsage(c0).user / 1e6).toFixed(2)} s cpu, updates ${e.stats.synapseUpdates}`);
}
console.log(`emulation ${e.stats.wallSeconds.toFixed(2)} s paths ${e.kernelPaths().join(",")} ticks ${e.stats.ticks} spikes ${e.stats.spikes}`);
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify({ saturations: e.stats.saturations, state: e.state.map((a) => Array.from(a)), spikes: e.spikes, probes: e.probes }));
