/**
 * The WebAssembly SIMD kernels in the emulator's tick loop (targets/emulator/simd-runner.ts):
 * whole runs in mode "simd" against the reference interpreter (the oracle) and against the
 * generated JS path, on random runnable programs squeezed into formats the SIMD generator takes
 * (dense, gated and spike-triggered kernels), and a model run whose outputs must be identical
 * value for value between the two paths.
 */
import { describe, expect, it } from "vitest";
import { interpret } from "../../src/ir/reference.ts";
import type { IrFixedFormat, IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { rawRange, verify } from "../../src/ir/verify.ts";
import { expectSameAsInterpreterIn } from "../helpers/same-as-interpreter.ts";
import { Emulator } from "../../targets/emulator/emulator.ts";
import { compile } from "../../src/compiler/pipeline.ts";
import { compileFixed } from "../../src/compiler/fixed/pipeline.ts";
import { analyseByRun } from "../../src/cli/compile.ts";
import { getTarget } from "../../targets/registry.ts";
import { DENSE, programs, SPARSE } from "./runnable-programs.ts";
import { SimdRunner } from "../../targets/emulator/simd-runner.ts";
import { generateKernel } from "../../targets/emulator/codegen.ts";
import { fullChipProgram } from "../../targets/emulator/wasm/fullchip.ts";
import { Rng } from "../../src/util/rng.ts";

const CONST = OP_BY_NAME.get("CONST")!.code, LOOKUP = OP_BY_NAME.get("LOOKUP")!.code;

/**
 * The program with every format at most 16 bits wide (and, unless `stochastic`, stochastic
 * rounding made nearest), constants, tables and initial values clamped into their new ranges:
 * more of its kernels fit the SIMD generator. Undefined if the result is not a valid program.
 */
function simdShaped(p: IrProgram, stochastic: boolean): IrProgram | undefined {
  const q = structuredClone(p);
  const fit = (f: IrFixedFormat): IrFixedFormat => ({ ...f, width: Math.max(f.signed ? 2 : 1, 1 + ((f.width - 1) % 16)), rounding: f.rounding === 3 && !stochastic ? 2 : f.rounding });
  const clamp = (v: number, f: IrFixedFormat) => {
    const [lo, hi] = rawRange(f);
    return Math.min(hi, Math.max(lo, v));
  };
  for (const s of q.states) {
    s.format = fit(s.format);
    s.init = s.init.map((v) => clamp(v, s.format));
  }
  for (const k of q.kernels) {
    k.registers = k.registers.map((r) => ({ format: fit(r.format) }));
    for (const o of k.ops) {
      const d = k.registers[o.dst]?.format;
      if (o.op === CONST && d) o.imm = clamp(o.imm, d);
      if (o.op === LOOKUP && d) o.table = o.table.map((v) => clamp(v, d));
    }
  }
  try {
    verify(q);
  } catch {
    return undefined;
  }
  return q;
}

/** STET on bss2 with its first tetanus (1 s at 100 Hz, at 3600 s in the model) moved to 0.2 s, and 1 s after it. */
function shortStet(rounding: "nearest" | "stochastic"): IrProgram {
  const c = compile("models/stc/stet.yaml", { target: "bss2" });
  const { ir } = compileFixed(c, getTarget("bss2").caps, { rounding, engramVersion: "test", analyse: analyseByRun });
  const q = ir.stimuli[0]!.poisson!;
  const shift = q.start_tick - 1000;
  q.start_tick -= shift;
  q.stop_tick -= shift;
  ir.header.duration_ticks = 11_000;
  return ir;
}

const oracle = new Map<IrProgram, ReturnType<typeof interpret>>();

/** Runs p in the mode; every state, probe sample and spike must be the interpreter's. */
function sameAsInterpreter(p: IrProgram, mode: "simd" | "generated"): Emulator {
  let ref = oracle.get(p);
  if (!ref) oracle.set(p, (ref = interpret(p)));
  return expectSameAsInterpreterIn(p, p.header.duration_ticks, mode, ref);
}

describe("SIMD kernels in the tick loop = reference interpreter = generated JS", () => {
  it("random runnable programs in SIMD-sized formats: dense, gated and spike-triggered kernels", () => {
    const base = [...programs(DENSE, 300, 31), ...programs(SPARSE, 80, 37)];
    const sample = [...base.map((p) => simdShaped(p, false)), ...base.map((p) => simdShaped(p, true))].filter((p): p is IrProgram => p !== undefined);
    let simd = 0, gated = 0, triggered = 0, runs = 0, drawing = 0;
    for (const p of sample) {
      const e = sameAsInterpreter(p, "simd");
      const js = sameAsInterpreter(p, "generated");
      // the tick loop's own bookkeeping (runs, skips, jumps) does not depend on the path
      expect({ ...e.stats, wallSeconds: 0, saturations: 0 }).toEqual({ ...js.stats, wallSeconds: 0, saturations: 0 });
      e.kernelPaths().forEach((path, i) => {
        if (path !== "simd") return;
        simd++;
        const k = p.kernels[i]!;
        if (k.periodic?.gated) gated++;
        if (k.on_spike) triggered++;
        if (k.registers.some((r) => r.format.rounding === 3) || k.ops.some((o) => o.op === OP_BY_NAME.get("RAND_NORMAL")!.code)) drawing++;
      });
      runs += e.stats.kernelRuns;
    }
    // not vacuous: many kernels of every trigger took the SIMD path
    expect(sample.length).toBeGreaterThan(100);
    expect(simd).toBeGreaterThan(60);
    expect(gated).toBeGreaterThan(5);
    expect(triggered).toBeGreaterThan(5);
    expect(runs).toBeGreaterThan(1000);
    expect(drawing).toBeGreaterThan(10);
  });

  it("the runner on a sparse list of synapses and on all of them = the generated JS kernel element by element", () => {
    const { ir, kernel } = fullChipProgram("nearest", 3); // syn.update over 131072 synapses, random in-range states
    const states = () => ir.states.map((st) => Float64Array.from(st.init.length === 1 ? new Array<number>(ir.groups[st.group]!.size).fill(st.init[0]!) : st.init));
    const sj = states(), ss = states();
    const ctx = (state: Float64Array[]) => ({ state, activity: new Float64Array(3), versions: new Float64Array(ir.states.length), round: () => 0.5, normal: () => 0, spike: () => {}, now: new Float64Array(1) });
    const cj = ctx(sj), cs = ctx(ss);
    const js = generateKernel(kernel, ir, cj);
    const runner = SimdRunner.create(kernel, ir, ss, cs.versions, cs.activity);
    if (typeof runner === "string") throw new Error(runner);
    const rng = new Rng(5, "simd-loop");
    /** The first element where the two sets of states differ, or null (a loop: toEqual on 10^6 values is slow). */
    const firstDiff = () => {
      for (let i = 0; i < sj.length; i++) for (let e = 0; e < sj[i]!.length; e++) if (!Object.is(ss[i]![e], sj[i]![e])) return { state: i, e, simd: ss[i]![e], js: sj[i]![e] };
      return null;
    };
    const n = ir.groups[kernel.group]!.size;
    for (let round = 0; round < 4; round++) {
      // a sparse ascending list (every element with probability 0.01), then the whole group
      const list = Int32Array.from({ length: n }, (_, e) => e).filter(() => rng.uniform() < 0.01);
      for (const e of list) js(e);
      runner.runList(list, list.length);
      expect(firstDiff()).toBeNull();
      for (let e = 0; e < n; e++) js(e);
      runner.runAll(n);
      expect(firstDiff()).toBeNull();
      expect(cs.activity[0]! > 0).toBe(cj.activity[0]! > 0);
      // another writer changes a stored state (and bumps its version, as every writer does): the next run sees it
      const z = kernel.ops.find((o) => o.op === OP_BY_NAME.get("STORE")!.code)!.state;
      for (const [arr, c] of [[sj, cj], [ss, cs]] as const) {
        arr[z]![round * 7] = 0;
        c.versions[z]!++;
      }
    }
  });

  it("basic-early on bss2 (nearest rounding): the run's outputs are identical on both paths", () => {
    const c = compile("models/stc/basic-early.yaml", { target: "bss2" });
    const { ir } = compileFixed(c, getTarget("bss2").caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    ir.header.duration_ticks = 20_000; // 4 s: the 0.2 s induction and the start of the decay
    const simd = new Emulator(ir, "simd"), js = new Emulator(ir, "generated");
    const paths = simd.kernelPaths();
    expect(ir.kernels.filter((_, i) => paths[i] === "simd").map((k) => k.name).sort()).toEqual(["post.slow", "syn.on_post[2]", "syn.on_pre[1]", "syn.update"]);
    simd.run();
    js.run();
    expect(simd.spikes).toEqual(js.spikes);
    expect(simd.probes).toEqual(js.probes);
    expect(simd.state).toEqual(js.state);
    expect(simd.stats.synapseUpdates).toBe(js.stats.synapseUpdates);
    expect(simd.stats.spikes).toBeGreaterThan(0);
  });

  it("STET on bss2 (nearest rounding): the noisy synapse kernel on SIMD draws the same noise", () => {
    const ir = shortStet("nearest");
    const simd = new Emulator(ir, "simd"), js = new Emulator(ir, "generated");
    const update = ir.kernels.findIndex((k) => k.name === "syn.update");
    expect(simd.kernelPaths()[update]).toBe("simd");
    expect(ir.kernels[update]!.ops.some((o) => o.op === OP_BY_NAME.get("RAND_NORMAL")!.code)).toBe(true);
    simd.run();
    js.run();
    expect(simd.snapshot().activity[1]).toBeGreaterThan(0); // it drew
    expect(simd.snapshot().activity).toEqual(js.snapshot().activity); // as many draws
    expect(simd.spikes).toEqual(js.spikes);
    expect(simd.probes).toEqual(js.probes);
    expect(simd.state).toEqual(js.state);
  });

  it("STET on bss2 (stochastic rounding, the default): noise and rounding draws on SIMD as in JS", () => {
    const ir = shortStet("stochastic");
    const simd = new Emulator(ir, "simd"), js = new Emulator(ir, "generated");
    expect(ir.kernels.filter((_, i) => simd.kernelPaths()[i] === "simd").map((k) => k.name)).toContain("syn.update");
    simd.run();
    js.run();
    expect(simd.snapshot().activity[1]).toBeGreaterThan(0); // it drew
    expect(simd.snapshot().activity).toEqual(js.snapshot().activity);
    expect(simd.spikes).toEqual(js.spikes);
    expect(simd.probes).toEqual(js.probes);
    expect(simd.state).toEqual(js.state);
  });

  it("the bss2 memory network (stochastic rounding): learning gives the same spikes, traces and synapses on both paths", () => {
    const c = compile("models/stc/memory-network-bss2.yaml", { target: "bss2" });
    c.durationTicks = Math.round(10.5 / c.tickSeconds); // ranges from the first 10.5 s (with learning): a quicker compile
    const { ir } = compileFixed(c, getTarget("bss2").caps, { rounding: "stochastic", engramVersion: "test", analyse: analyseByRun });
    // the learning stimuli (at 10 s) moved to 0.1 s, run to 0.5 s: no draws before them, and quick
    const shift = Math.round(9.9 / ir.header.tick_seconds);
    for (const st of ir.stimuli) {
      const w = st.current;
      if (w && w.start_tick >= shift && w.start_tick < 2 * shift) [w.start_tick, w.stop_tick] = [w.start_tick - shift, w.stop_tick - shift];
    }
    ir.header.duration_ticks = Math.round(0.5 / ir.header.tick_seconds);
    const simd = new Emulator(ir, "simd"), js = new Emulator(ir, "generated");
    const onSimd = ir.kernels.filter((_, i) => simd.kernelPaths()[i] === "simd").map((k) => k.name);
    expect(onSimd).toContain("ee.update"); // the STC synapse kernel: noise and stochastic rounding
    simd.run();
    js.run();
    expect(simd.stats.spikes).toBeGreaterThan(0);
    expect(simd.snapshot().rngs).toEqual(js.snapshot().rngs);
    expect(simd.spikes).toEqual(js.spikes);
    expect(simd.probes).toEqual(js.probes);
    expect(simd.state).toEqual(js.state);
    expect(simd.simdFallbacks()).toBe(0);
  });

  it("ENGRAM_KERNELS=js forces the generated JS path", () => {
    const c = compile("models/stc/basic-early.yaml", { target: "bss2" });
    const { ir } = compileFixed(c, getTarget("bss2").caps, { rounding: "nearest", engramVersion: "test", analyse: analyseByRun });
    const before = process.env.ENGRAM_KERNELS;
    try {
      process.env.ENGRAM_KERNELS = "js";
      expect(new Emulator(ir).kernelPaths().every((p) => p === "js")).toBe(true);
      delete process.env.ENGRAM_KERNELS;
      expect(new Emulator(ir).kernelPaths()).toContain("simd");
    } finally {
      if (before === undefined) delete process.env.ENGRAM_KERNELS;
      else process.env.ENGRAM_KERNELS = before;
    }
  });
});
