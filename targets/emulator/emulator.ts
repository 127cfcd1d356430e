/**
 * The fixed-point emulator: runs a verified IR program with exactly the semantics of the
 * reference interpreter (src/ir/reference.ts): same ops, same tick order, same random streams and
 * the same counter-based draws of kernels (src/ir/draws.ts), so the two agree bit for bit
 * (tests/emulator). Raw values are JS numbers; an op
 * whose exact intermediate could exceed 2^52 (known from the formats when the program is loaded)
 * takes the interpreter's BigInt path instead, so no op is ever inexact.
 * Kernels are prepared once into closures over preallocated registers; a tick allocates nothing
 * on the number path.
 */
import { Rng } from "../../src/util/rng.ts";
import { checkSnapshot } from "./snapshot-check.ts";
import { drawSite, IrDraws } from "../../src/ir/draws.ts";
import type { IrFixedFormat, IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_CODE } from "../../src/ir/ops.ts";
import { convert, exactOp } from "../../src/ir/reference.ts";
import { convertNumber, SAFE_BITS } from "./convert.ts";
import { rawRange } from "../../src/ir/verify.ts";
import { generateKernel, numberSafe } from "./codegen.ts";
import { currentInputs, isOu, normalSample, ouStep } from "../../src/ir/current.ts";
import { inputAdder, ouStepNumber } from "./current.ts";
import type { IrCurrent } from "../../src/ir/codec.ts";
import { OP_BY_NAME } from "../../src/ir/ops.ts";
import { applyStreamNumber, prepareStreams, type PreparedStream } from "./stream.ts";
import { transmissionKernels } from "./kernel-roles.ts";
import { simdAllowed, SimdRunner } from "./simd-runner.ts";
import { Split, SPLIT_MIN_ELEMENTS, splittable } from "./split.ts";

const OP_STORE = OP_BY_NAME.get("STORE")!.code, OP_STORE_ADD = OP_BY_NAME.get("STORE_ADD")!.code, OP_NOW = OP_BY_NAME.get("NOW")!.code;

/** A current stimulus prepared for the tick loop: its neurons, the adder into its input, and the raw bounds of its OU state. */
interface PreparedCurrent {
  stim: number;
  c: IrCurrent;
  neurons: Int32Array;
  input: Float64Array;
  /** input + value (raw, value at the OU state's frac or, for constant currents, the input's), saturated. */
  add: (input: number, value: number) => number;
  x: Float64Array | null;
  xLo: number;
  xHi: number;
}

type Kernel = IrProgram["kernels"][number];
type OpFn = (element: number) => void;

/**
 * The elements a gate state holds open (non-zero), for the gated kernels that read it: a list kept
 * ascending, as the interpreter visits them. Elements join when a write opens them and leave at
 * the next compaction once closed.
 */
interface Gate {
  state: Float64Array;
  member: Uint8Array;
  list: Int32Array;
  count: number;
  sorted: boolean;
}

export interface EmulatorStats {
  ticks: number;
  kernelRuns: number;
  /** Due runs skipped because they would have repeated a no-op exactly. */
  kernelSkips: number;
  /** Ticks jumped over because nothing could happen in them. */
  jumpedTicks: number;
  /**
   * Digital kernel runs that could not finish by their deadline (the end of their period; for
   * spike-triggered kernels, of the fastest digital period) given the work queued before them:
   * the chip would run late. Never hidden; reported in the manifest.
   */
  overruns: number;
  /** Largest backlog of digital work seen, in cycles. */
  maxBacklogCycles: number;
  /** Values clamped to their format's range by saturating conversions in kernels (JS kernels). */
  saturations: number;
  /** Kernel runs over single synapses (periodic, gated and spike-triggered): the work on synapses. */
  synapseUpdates: number;
  /** Of synapseUpdates, those triggered by spikes (the rest are periodic). */
  eventSynapseUpdates: number;
  /**
   * Of the periodic synapseUpdates, runs of kernels that write no synapse state (kernel-roles.ts):
   * transmission only (a static rate projection), not plasticity.
   */
  transmissionSynapseUpdates: number;
  /** Neuron and stimulus spikes. */
  spikes: number;
  /** Cycles of digital (plasticity processor) work charged, jumped stretches' periodic work included. */
  digitalCycles: number;
  wallSeconds: number;
}

export interface ProbeData {
  column: string;
  state: number;
  ticks: number[];
  /** Raw values, sample by sample: elements.length values per sample (flat, to allocate nothing per sample). */
  data: number[];
  width: number;
}

export class Emulator {
  readonly state: Float64Array[];
  readonly probes: ProbeData[];
  spikes: { ticks: number[]; groups: number[]; elements: number[] } = { ticks: [], groups: [], elements: [] };
  readonly stats: EmulatorStats = { ticks: 0, kernelRuns: 0, kernelSkips: 0, jumpedTicks: 0, overruns: 0, maxBacklogCycles: 0, saturations: 0, synapseUpdates: 0, eventSynapseUpdates: 0, transmissionSynapseUpdates: 0, spikes: 0, digitalCycles: 0, wallSeconds: 0 };
  private readonly saturations = new Float64Array(1);
  /** Digital work not yet done, in cycles; drains by cyclesPerTick every tick. */
  private backlog = 0;
  /**
   * Utilisation of the periodic digital kernels, sum of cycles / (period x cycles per tick). At most
   * 1 means periodic work alone meets every deadline under earliest-deadline-first, so stretches
   * with only periodic work can be jumped without cycle bookkeeping once the backlog is empty.
   */
  private readonly utilisation: number;
  /** Deadline of spike-triggered digital kernels, in ticks. */
  private readonly eventDeadline: number;
  private readonly cyclesPerTick: number;
  tick = 0;
  /** [the tick being run], read by NOW. */
  private readonly now = new Float64Array(1);
  /** Per gate state index: its open elements. */
  private readonly gates = new Map<number, Gate>();
  /** Per kernel: the gates whose state it writes (at its own element). */
  private readonly writesGates: Gate[][];
  /** The kernels' counter-based draws (set to the tick being run). */
  private readonly draws: IrDraws;
  private readonly stimRng: Rng[];
  /** The rounding draw of a site (drawSite) for an element, counted as activity. */
  private readonly round: (site: number, element: number) => number;
  private readonly kernels: { k: Kernel; run: (element: number) => void; dense?: (n: number) => void; list?: (l: Int32Array, n: number) => void }[];
  /** Fewest elements of a run that is split. */
  private readonly splitMin: number;
  /** Per kernel: its runs split over two threads so far. */
  readonly splitRuns: Float64Array;
  /** The worker of a run on two threads (split.ts), or null. */
  private readonly split: Split | null;
  /** Per kernel: 1 if its runs are split over the two threads. */
  private readonly splits: Uint8Array;
  /** Per kernel: its WebAssembly SIMD runner where its ops allow one (mode "simd"), else null (the JS kernel runs). */
  private readonly simd: (SimdRunner | null)[];
  /** Per spike-triggered kernel on the SIMD path or split: the triggered synapses of one tick, in the JS loop's order. */
  private readonly triggered: (Int32Array | null)[];
  /** Spiking elements per group for the last maxDelay + 1 ticks (ring of sets, reused). */
  private readonly fired: Set<number>[][];
  private readonly maxDelay: number;
  private readonly csr: Map<string, { start: Int32Array; order: Int32Array }> = new Map();
  /** [changed values, random draws, spikes], counted by every op that has an effect. */
  private readonly activity = new Float64Array(3);
  /** Per state array, bumped on every change: a no-op kernel is skipped while what it reads is unchanged. */
  private readonly versions: Float64Array;
  /** Per kernel: the versions of what it reads after its last no-op run (null: it must run). */
  private readonly idleAt: Float64Array[];
  private readonly idle: Uint8Array;
  private readonly reads: Int32Array[];
  /** Per kernel: 1 if it reads NOW, so an unchanged state does not make it repeat a no-op. */
  private readonly readsNow: Uint8Array;
  private readonly neuronKernels: number[];
  /** Per stimulus: the next tick with spikes, and those spikes (drawn ahead in the stimulus' own stream). */
  private readonly stimNext: number[];
  private readonly stimPending: number[][];
  private readonly stimCursor: number[];
  /** The tick each fired-ring slot holds (slots of jumped ticks are stale). */
  private readonly firedTick: Float64Array;
  /** Per group: ticks of its recent spikes, for the deliveries still to come. */
  private readonly recentSpikes: number[][];
  private readonly spikeKernels: number[];
  private readonly synapseKernels: number[];
  /** Per kernel: 1 if its runs are transmission only (kernel-roles.ts). */
  private readonly transmits: Uint8Array;
  private readonly currents: PreparedCurrent[];
  private readonly streams: PreparedStream[];
  /** States that current stimuli target, reset to 0 every tick. */
  private readonly currentInputs: number[];
  /** Per current input: the version at which it was last all zero (-1: unknown), so that a reset can be skipped or jumped over. */
  private readonly zeroedAt: Float64Array;

  /**
   * simd (default): generated WebAssembly SIMD per kernel where its ops allow, else as generated;
   * generated: straight-line JS per kernel where exact (the default with ENGRAM_KERNELS=js);
   * closures: the interpretive path. `draws` replaces the program's draw function (benchmarks
   * compare others with the same interface; results then differ from the interpreter's).
   * `threads: 2` splits the runs of kernels whose elements are independent over this thread and a
   * worker (split.ts; call close() after the last run) when they run over at least `splitMin`
   * elements (default SPLIT_MIN_ELEMENTS); the outputs are the same.
   */
  constructor(readonly program: IrProgram, mode: "simd" | "generated" | "closures" = simdAllowed() ? "simd" : "generated", opts: { draws?: IrDraws; threads?: number; splitMin?: number } = {}) {
    const drawWith = opts.draws;
    this.splitMin = opts.splitMin ?? SPLIT_MIN_ELEMENTS;
    this.split = (opts.threads ?? 1) > 1 && mode !== "closures" ? Split.allocate(program) : null;
    const seed = program.header.seed;
    const draws = (this.draws = drawWith ?? new IrDraws(seed, program.header.rounding_bits ?? 0));
    this.stimRng = program.stimuli.map((_, i) => new Rng(seed, `ir:stimulus:${i}`));
    const activity = this.activity;
    this.round = (site, element) => {
      activity[1]++;
      return draws.round(site, element);
    };
    this.versions = new Float64Array(program.states.length);
    const h = program.header;
    this.cyclesPerTick = h.clock_hz > 0 ? (h.clock_hz * h.tick_seconds) / h.acceleration : Infinity;
    const periodic = program.kernels.filter((k) => k.periodic && k.unit === 1);
    this.utilisation = periodic.reduce((s, k) => s + k.cycles / (k.periodic!.period_ticks * this.cyclesPerTick), 0);
    this.eventDeadline = Math.min(1e12, ...periodic.map((k) => k.periodic!.period_ticks), Infinity) || 1;
    const sizes = program.groups.map((g) => g.size);
    this.state = program.states.map((s, j) => {
      const a = this.split ? this.split.states[j]! : new Float64Array(sizes[s.group]!);
      for (let i = 0; i < a.length; i++) a[i] = s.init[s.init.length === 1 ? 0 : i]!;
      return a;
    });
    this.maxDelay = Math.max(0, ...program.kernels.map((k) => k.on_spike?.delay_ticks ?? 0));
    this.firedTick = new Float64Array(this.maxDelay + 1).fill(-1);
    this.recentSpikes = program.groups.map(() => []);
    this.fired = Array.from({ length: this.maxDelay + 1 }, () => program.groups.map(() => new Set<number>()));
    const ctx = { state: this.state, round: this.round, normal: (site: number, e: number) => draws.normal(site, e), spike: (g: number, e: number) => this.spike(g, e), activity: this.activity, versions: this.versions, now: this.now, saturations: this.saturations };
    for (const k of program.kernels) {
      const g = k.periodic?.gated ? k.periodic.gate_state! : -1;
      if (g >= 0 && !this.gates.has(g)) {
        const n = this.state[g]!.length;
        this.gates.set(g, { state: this.state[g]!, member: new Uint8Array(n), list: new Int32Array(n), count: 0, sorted: true });
      }
    }
    this.writesGates = program.kernels.map((k) => [...new Set(k.ops.filter((o) => (o.op === OP_STORE || o.op === OP_STORE_ADD) && this.gates.has(o.state)).map((o) => this.gates.get(o.state)!))]);
    this.rescanGates();
    this.kernels = program.kernels.map((k) => {
      if (mode === "closures" || !numberSafe(k, program)) return { k, run: this.prepare(k) };
      const g = generateKernel(k, program, ctx);
      return { k, run: g, dense: g.dense, list: g.list };
    });
    this.simd = program.kernels.map((k, i) => {
      const r = mode === "simd" ? SimdRunner.create(k, program, this.state, this.versions, this.activity, { kernel: i, round: this.round, normal: (site, e) => draws.normal(site, e) }, this.kernels[i]!.run) : null;
      return typeof r === "string" ? null : r;
    });
    this.splitRuns = new Float64Array(program.kernels.length);
    this.splits = Uint8Array.from(program.kernels, (k, i) => (this.split && !this.simd[i] && splittable(k, program) ? 1 : 0));
    this.triggered = program.kernels.map((k, i) => ((this.simd[i] || this.splits[i]) && k.on_spike ? new Int32Array(sizes[k.group]!) : null));
    this.split?.start(program.kernels.flatMap((_, i) => (this.splits[i] ? [i] : [])));
    this.idle = new Uint8Array(program.kernels.length);
    // A STORE counts as a read: storing a constant (a consumed summed input set back to 0) is a
    // no-op only while nothing else has changed the state since.
    this.reads = program.kernels.map((k) => Int32Array.from(new Set(k.ops.filter((o) => OP_BY_CODE.get(o.op)!.name === "LOAD" || o.op === OP_STORE || o.op === OP_STORE_ADD).map((o) => o.state))));
    this.idleAt = this.reads.map((r) => new Float64Array(r.length));
    this.readsNow = Uint8Array.from(program.kernels, (k) => (k.ops.some((o) => o.op === OP_NOW) ? 1 : 0));
    const kinds = (kind: number, periodic: boolean) => program.kernels.map((k, i) => ({ k, i })).filter(({ k }) => (periodic ? !!k.periodic && program.groups[k.group]!.kind === kind : !!k.on_spike)).map(({ i }) => i);
    this.neuronKernels = kinds(1, true);
    this.spikeKernels = kinds(0, false);
    this.synapseKernels = kinds(2, true);
    this.transmits = transmissionKernels(program);
    for (const c of program.connectivity) {
      for (const post of [false, true]) {
        const index = post ? c.post_index : c.pre_index;
        const n = sizes[post ? c.post : c.pre]!;
        const start = new Int32Array(n + 1);
        for (const i of index) start[i + 1]!++;
        for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
        const fill = start.slice(0, n);
        const order = new Int32Array(index.length);
        index.forEach((i, s) => (order[fill[i]!++] = s));
        this.csr.set(`${c.synapses}:${post}`, { start, order });
      }
    }
    this.probes = program.probes.map((p) => ({ column: p.column, state: p.state, ticks: [], data: [], width: p.elements.length }));
    this.stimNext = program.stimuli.map(() => Infinity);
    this.stimPending = program.stimuli.map(() => []);
    this.stimCursor = program.stimuli.map(() => 0);
    program.stimuli.forEach((_, i) => this.prime(i, 0));
    this.currentInputs = currentInputs(program);
    this.zeroedAt = new Float64Array(this.currentInputs.length).fill(-1);
    this.currents = program.stimuli.flatMap((s, stim) => {
      const c = s.current;
      if (!c) return [];
      const [inLo, inHi] = rawRange(program.states[c.input_state]!.format);
      const xf = isOu(c) ? program.states[c.ou_state]!.format : undefined;
      const [xLo, xHi] = xf ? rawRange(xf) : [0, 0];
      return [{ stim, c, neurons: Int32Array.from(c.neurons), input: this.state[c.input_state]!, add: inputAdder(xf ? xf.frac - program.states[c.input_state]!.format.frac : 0, inLo, inHi), x: xf ? this.state[c.ou_state]! : null, xLo, xHi }];
    });
    this.streams = prepareStreams(program, this.state);
    this.sample();
  }

  /** Turns a kernel's ops into closures over a register file. */
  private prepare(k: Kernel): (element: number) => void {
    const p = this.program;
    const regs = new Float64Array(k.registers.length);
    const fmt = k.registers.map((r) => r.format);
    const conn = p.connectivity.find((c) => c.synapses === k.group);
    const kernel = p.kernels.indexOf(k);
    let cur = 0; // the element being run, for the draws
    const round = this.round;
    const at = (index: number, e: number) => (index === 1 ? e : index === 2 ? conn!.pre_index[e]! : conn!.post_index[e]!);
    const bits = (f: IrFixedFormat) => f.width;
    const fns: OpFn[] = k.ops.map((o, op): OpFn => {
      const name = OP_BY_CODE.get(o.op)!.name;
      const site = drawSite(kernel, op);
      const uniform = () => round(site, cur);
      const dst = o.dst, [a, b, c] = o.src;
      const d = fmt[dst]!;
      switch (name) {
        case "LOAD": {
          const s = p.states[o.state]!, arr = this.state[o.state]!;
          return (e) => (regs[dst] = convertNumber(arr[at(o.index, e)]!, s.format.frac, d, uniform, this.saturations));
        }
        case "STORE": {
          const s = p.states[o.state]!, arr = this.state[o.state]!, from = fmt[a!]!;
          return (e) => this.write(o.state, arr, at(o.index, e), convertNumber(regs[a!]!, from.frac, s.format, uniform, this.saturations));
        }
        case "STORE_ADD": {
          const s = p.states[o.state]!, arr = this.state[o.state]!, from = fmt[a!]!;
          const F = Math.max(s.format.frac, from.frac);
          if (Math.max(bits(s.format) + F - s.format.frac, bits(from) + F - from.frac) + 1 > SAFE_BITS) {
            return (e) => {
              const i = at(o.index, e);
              const x = BigInt(arr[i]!) << BigInt(F - s.format.frac), y = BigInt(regs[a!]!) << BigInt(F - from.frac);
              this.write(o.state, arr, i, Number(convert({ raw: x + y, frac: F }, s.format, uniform)));
            };
          }
          const sx = 2 ** (F - s.format.frac), sy = 2 ** (F - from.frac);
          return (e) => {
            const i = at(o.index, e);
            this.write(o.state, arr, i, convertNumber(arr[i]! * sx + regs[a!]! * sy, F, s.format, uniform, this.saturations));
          };
        }
        case "CONST":
          return () => (regs[dst] = o.imm);
        case "RAND_NORMAL": {
          const draws = this.draws;
          return () => {
            if (regs[a!] === 0) {
              regs[dst] = 0;
              return;
            }
            this.activity[1]++;
            regs[dst] = convertNumber(Math.round(draws.normal(site, cur) * 2 ** 40), 40, d, uniform, this.saturations);
          };
        }
        case "SPIKE":
          return (e) => {
            if (regs[a!] !== 0) {
              this.activity[2]++;
              this.spike(k.group, e);
            }
          };
        case "CMP_GE":
        case "CMP_GT": {
          const ua = 2 ** -fmt[a!]!.frac, ub = 2 ** -fmt[b!]!.frac; // exact scalings of raw values below 2^53
          const ge = name === "CMP_GE";
          return () => {
            const x = regs[a!]! * ua, y = regs[b!]! * ub;
            regs[dst] = convertNumber((ge ? x >= y : x > y) ? 1 : 0, 0, d, uniform, this.saturations);
          };
        }
        case "SELECT": {
          const fb = fmt[b!]!.frac, fc = fmt[c!]!.frac;
          return () => (regs[dst] = regs[a!] !== 0 ? convertNumber(regs[b!]!, fb, d, uniform, this.saturations) : convertNumber(regs[c!]!, fc, d, uniform, this.saturations));
        }
        case "ADD":
        case "SUB":
        case "MIN":
        case "MAX": {
          const fa = fmt[a!]!, fb = fmt[b!]!;
          const F = Math.max(fa.frac, fb.frac);
          const need = Math.max(bits(fa) + F - fa.frac, bits(fb) + F - fb.frac) + 1;
          if (need > SAFE_BITS) return this.bigOp(name, o, regs, fmt, uniform);
          const sa = 2 ** (F - fa.frac), sb = 2 ** (F - fb.frac);
          if (name === "ADD") return () => (regs[dst] = convertNumber(regs[a!]! * sa + regs[b!]! * sb, F, d, uniform, this.saturations));
          if (name === "SUB") return () => (regs[dst] = convertNumber(regs[a!]! * sa - regs[b!]! * sb, F, d, uniform, this.saturations));
          if (name === "MIN") return () => (regs[dst] = convertNumber(Math.min(regs[a!]! * sa, regs[b!]! * sb), F, d, uniform, this.saturations));
          return () => (regs[dst] = convertNumber(Math.max(regs[a!]! * sa, regs[b!]! * sb), F, d, uniform, this.saturations));
        }
        case "MUL": {
          const fa = fmt[a!]!, fb = fmt[b!]!;
          if (bits(fa) + bits(fb) > SAFE_BITS) return this.bigOp(name, o, regs, fmt, uniform);
          const F = fa.frac + fb.frac;
          return () => (regs[dst] = convertNumber(regs[a!]! * regs[b!]!, F, d, uniform, this.saturations));
        }
        case "NEG":
        case "ABS":
        case "COPY": {
          const fa = fmt[a!]!.frac;
          if (name === "NEG") return () => (regs[dst] = convertNumber(-regs[a!]!, fa, d, uniform, this.saturations));
          if (name === "ABS") return () => (regs[dst] = convertNumber(Math.abs(regs[a!]!), fa, d, uniform, this.saturations));
          return () => (regs[dst] = convertNumber(regs[a!]!, fa, d, uniform, this.saturations));
        }
        case "SHR":
        case "SHL": {
          const frac = fmt[a!]!.frac + (name === "SHR" ? o.imm : -o.imm);
          return () => (regs[dst] = convertNumber(regs[a!]!, frac, d, uniform, this.saturations));
        }
        case "NOW": {
          const now = this.now;
          return () => (regs[dst] = convertNumber(now[0]! + o.imm, 0, d, uniform, this.saturations));
        }
        case "LOOKUP": {
          const table = Float64Array.from(o.table!), scale = 2 ** -fmt[a!]!.frac, last = table.length - 1;
          return () => {
            const i = Math.floor(regs[a!]! * scale);
            regs[dst] = table[i < 0 ? 0 : i > last ? last : i]!;
          };
        }
      }
      throw new Error(`emulator: no implementation of ${name}`);
    });
    return (e) => {
      cur = e;
      for (let i = 0; i < fns.length; i++) fns[i]!(e);
    };
  }

  /** Element e joins gate g's list if its state opened it. */
  private open(g: Gate, e: number): void {
    if (g.state[e] !== 0 && g.member[e] === 0) {
      g.member[e] = 1;
      g.list[g.count++] = e;
      g.sorted = false;
    }
  }

  /** Drops closed elements from g's list and puts it in ascending order. */
  private compact(g: Gate): void {
    let n = 0;
    for (let j = 0; j < g.count; j++) {
      const e = g.list[j]!;
      if (g.state[e] !== 0) g.list[n++] = e;
      else g.member[e] = 0;
    }
    g.count = n;
    if (!g.sorted) {
      g.list.subarray(0, n).sort();
      g.sorted = true;
    }
  }

  /** Rebuilds every gate's list from its state (start, restore, after an ungated kernel wrote one). */
  private rescanGates(): void {
    for (const g of this.gates.values()) {
      g.count = 0;
      g.member.fill(0);
      for (let e = 0; e < g.state.length; e++) this.open(g, e);
      g.sorted = true;
    }
  }

  private write(state: number, arr: Float64Array, i: number, v: number): void {
    if (arr[i] === v) return;
    arr[i] = v + 0; // never -0 (a negative value times zero): the interpreter's 0
    this.activity[0]++;
    this.versions[state]!++;
  }

  /** An op whose exact value may need more than 52 bits: the interpreter's BigInt semantics. */
  private bigOp(name: string, o: Kernel["ops"][number], regs: Float64Array, fmt: IrFixedFormat[], uniform: () => number): OpFn {
    return () => {
      const exact = exactOp(name, o.src.map((r) => ({ raw: BigInt(regs[r]!), frac: fmt[r]!.frac })), o.imm);
      regs[o.dst] = Number(convert(exact, fmt[o.dst]!, uniform, this.saturations));
    };
  }

  private stimulusSpike(slot: Set<number>[], group: number, n: number): void {
    const set = slot[group]!;
    if (set.has(n)) return;
    set.add(n);
    this.stats.spikes++;
    this.spikes.ticks.push(this.tick);
    this.spikes.groups.push(group);
    this.spikes.elements.push(n);
  }

  private spike(group: number, element: number): void {
    this.fired[this.tick % (this.maxDelay + 1)]![group]!.add(element);
    this.stats.spikes++;
    this.spikes.ticks.push(this.tick);
    this.spikes.groups.push(group);
    this.spikes.elements.push(element);
  }

  private sample(): void {
    const t = this.tick;
    const probes = this.program.probes;
    for (let i = 0; i < probes.length; i++) {
      const pr = probes[i]!;
      if (t % pr.every_ticks !== 0) continue;
      const arr = this.state[pr.state]!;
      const out = this.probes[i]!;
      out.ticks.push(t);
      for (const e of pr.elements) out.data.push(arr[e]!);
    }
  }

  /**
   * Runs the periodic kernels in `list` that are due. A kernel whose last run changed nothing,
   * drew no random number and emitted no spike is skipped while nothing it reads has changed:
   * the run would repeat exactly (ops have no other inputs but NOW: a kernel that reads it is never skipped), so skipping is exact.
   */
  private periodic(list: number[]): void {
    const t = this.tick;
    const act = this.activity;
    for (const i of list) {
      const { k, run } = this.kernels[i]!;
      const { period_ticks: period, offset_ticks: offset } = k.periodic!;
      if (t < offset || (t - offset) % period !== 0) continue;
      if (k.periodic!.gated) {
        this.runGated(i, k, run);
        continue;
      }
      if (this.idle[i] === 1 && this.unchanged(i, this.idleAt[i]!)) {
        this.stats.kernelSkips++;
        this.account(k); // the chip runs it all the same
        continue;
      }
      const before0 = act[0]!, before1 = act[1]!, before2 = act[2]!;
      const n = this.program.groups[k.group]!.size;
      const sr = this.simd[i], dense = this.kernels[i]!.dense;
      if (sr) sr.runAll(n);
      else if (this.splits[i] === 1 && n >= this.splitMin) this.runSplit(i, k, run, n, null);
      else if (dense) dense(n);
      else for (let e = 0; e < n; e++) run(e);
      this.stats.kernelRuns++;
      if (this.program.groups[k.group]!.kind === 2) {
        this.stats.synapseUpdates += n;
        if (this.transmits[i] === 1) this.stats.transmissionSynapseUpdates += n;
      }
      this.account(k);
      if (this.writesGates[i]!.length > 0) this.rescanGates();
      const noOp = act[0] === before0 && act[1] === before1 && act[2] === before2;
      this.idle[i] = noOp && !this.readsNow[i] ? 1 : 0; // a kernel that reads the time may differ next time
      if (noOp) {
        const reads = this.reads[i]!, at = this.idleAt[i]!;
        for (let j = 0; j < reads.length; j++) at[j] = this.versions[reads[j]!]!;
      }
    }
  }

  /** A gated kernel over its open elements (none open: nothing runs, nothing is charged). */
  private runGated(i: number, k: Kernel, run: (e: number) => void): void {
    const g = this.gates.get(k.periodic!.gate_state!)!;
    this.compact(g);
    const n = g.count, list = g.list;
    if (n === 0) return;
    const sr = this.simd[i], many = this.kernels[i]!.list;
    if (sr) sr.runList(list, n);
    else if (this.splits[i] === 1 && n >= this.splitMin) this.runSplit(i, k, run, n, list);
    else if (many) many(list, n);
    else for (let j = 0; j < n; j++) run(list[j]!);
    this.stats.kernelRuns++;
    this.stats.synapseUpdates += n;
    if (this.transmits[i] === 1) this.stats.transmissionSynapseUpdates += n;
    this.account(k, n / this.program.groups[k.group]!.size);
    for (const w of this.writesGates[i]!) {
      if (w === g) continue;
      for (let j = 0; j < n; j++) this.open(w, list[j]!);
    }
    this.compact(g);
  }

  /** A spike-triggered kernel on the SIMD path: its synapses in the JS loop's order, run at once (they are independent), then the gates they opened. */
  private runTriggered(sr: SimdRunner, list: Int32Array, neurons: Iterable<number>, start: Int32Array, order: Int32Array, opens: Gate[]): void {
    let count = 0;
    for (const n of neurons) for (let s = start[n]!; s < start[n + 1]!; s++) list[count++] = order[s]!;
    sr.runList(list, count);
    for (const g of opens) for (let j = 0; j < count; j++) this.open(g, list[j]!);
  }

  /** A kernel run over elements [0, n) (or list[0..n)) split over the two threads (split.ts). */
  private runSplit(i: number, k: Kernel, run: (e: number) => void, n: number, list: Int32Array | null): void {
    const own = list ? (from: number, to: number) => {
      for (let j = from; j < to; j++) run(list[j]!);
    } : (from: number, to: number) => {
      for (let e = from; e < to; e++) run(e);
    };
    this.splitRuns[i]!++;
    this.split!.run(i, this.tick, n, list, own, this.activity, this.versions, this.saturations, (e) => this.spike(k.group, e));
  }

  /** Stops the worker of a run on two threads (nothing to do otherwise). */
  async close(): Promise<void> {
    await this.split?.close();
  }

  /** Per kernel: 1 if its runs are split over two threads. */
  splitKernels(): number[] {
    return Array.from(this.splits);
  }

  /** Runs of SIMD kernels whose draws did not settle and that ran on their JS kernel instead. */
  simdFallbacks(): number {
    return this.simd.reduce((n, r) => n + (r?.fallbacks ?? 0), 0);
  }

  /** Per kernel: "simd" (WebAssembly SIMD) or "js" (generated JS or closures). */
  kernelPaths(): ("simd" | "js")[] {
    return this.simd.map((r) => (r ? "simd" : "js"));
  }

  /**
   * Charges a digital kernel run to the cycle budget (work is served in order at cyclesPerTick);
   * it is an overrun if it cannot complete within its deadline. A gated run costs its share of
   * the group's elements.
   */
  private account(k: Kernel, share = 1): void {
    if (k.unit !== 1 || k.cycles === 0) return;
    const cycles = share === 1 ? k.cycles : Math.ceil(k.cycles * share);
    const deadline = k.periodic ? k.periodic.period_ticks : this.eventDeadline === Infinity ? 1 : this.eventDeadline;
    if ((this.backlog + cycles) / this.cyclesPerTick > deadline) this.stats.overruns++;
    this.backlog += cycles;
    this.stats.digitalCycles += cycles;
    if (this.backlog > this.stats.maxBacklogCycles) this.stats.maxBacklogCycles = this.backlog;
  }

  private unchanged(kernel: number, idle: Float64Array): boolean {
    const reads = this.reads[kernel]!;
    for (let j = 0; j < reads.length; j++) if (this.versions[reads[j]!] !== idle[j]) return false;
    return true;
  }

  /** Advances one tick: stimuli, neuron kernels, spike-triggered kernels, synapse kernels, probes. */
  step(): void {
    const t = this.tick;
    const p = this.program;
    const slotIndex = t % (this.maxDelay + 1);
    const slot = this.fired[slotIndex]!;
    this.now[0] = t;
    this.draws.setTick(t);
    for (const s of slot) if (s.size > 0) s.clear();
    this.firedTick[slotIndex] = t;
    if (this.currents.length > 0 || this.streams.length > 0) this.applyCurrents(t);
    for (let i = 0; i < p.stimuli.length; i++) {
      if (this.stimNext[i] !== t) continue;
      const group = p.stimuli[i]!.group;
      for (const n of this.stimPending[i]!) this.stimulusSpike(slot, group, n);
      this.prime(i, t + 1);
    }
    this.periodic(this.neuronKernels);
    for (const i of this.spikeKernels) {
      const { k, run } = this.kernels[i]!;
      const trigger = k.on_spike!;
      const when = t - trigger.delay_ticks;
      if (when < 0 || this.firedTick[when % (this.maxDelay + 1)] !== when) continue;
      const fired = this.fired[when % (this.maxDelay + 1)]![trigger.source]!;
      if (fired.size === 0) continue;
      const { start, order } = this.csr.get(`${k.group}:${trigger.post}`)!;
      let triggered = 0;
      for (const n of fired) {
        const d = start[n + 1]! - start[n]!;
        triggered += d;
        this.stats.synapseUpdates += d;
        this.stats.eventSynapseUpdates += d;
      }
      const neurons = fired.size === 1 ? fired : [...fired].sort((x, y) => x - y);
      const opens = this.writesGates[i]!;
      const sr = this.simd[i];
      if (sr) this.runTriggered(sr, this.triggered[i]!, neurons, start, order, opens);
      else if (this.splits[i] === 1 && triggered >= this.splitMin) {
        // the triggered synapses in the JS loop's order, split over the two threads, then the gates they opened
        const list = this.triggered[i]!;
        let count = 0;
        for (const n of neurons) for (let s = start[n]!; s < start[n + 1]!; s++) list[count++] = order[s]!;
        this.runSplit(i, k, run, count, list);
        for (const g of opens) for (let j = 0; j < count; j++) this.open(g, list[j]!);
      } else if (opens.length === 0) for (const n of neurons) for (let s = start[n]!; s < start[n + 1]!; s++) run(order[s]!);
      else {
        for (const n of neurons) {
          for (let s = start[n]!; s < start[n + 1]!; s++) {
            const e = order[s]!;
            run(e);
            for (const g of opens) this.open(g, e);
          }
        }
      }
      this.account(k);
    }
    this.periodic(this.synapseKernels);
    // Pruned where it grows, so a group's list never holds more than maxDelay + 1 ticks, however
    // long activity continues (pruning only in nextEvent missed continuous activity: O(n^2)).
    for (let g = 0; g < slot.length; g++) {
      if (slot[g]!.size === 0) continue;
      const recent = this.recentSpikes[g]!;
      this.forgetDelivered(recent, t);
      recent.push(t);
    }
    this.tick = t + 1;
    this.stats.ticks++;
    this.backlog = Math.max(0, this.backlog - this.cyclesPerTick);
    this.sample();
  }

  /**
   * Runs up to `ticks` ticks. Stretches in which nothing can happen (no stimulus spike, no delayed
   * delivery, every due kernel an exact repeat of a no-op) are jumped over; probes still sample
   * them. The result is identical to stepping every tick.
   */
  run(ticks = this.program.header.duration_ticks, progress?: (fraction: number) => void): void {
    const started = performance.now();
    const end = Math.min(this.program.header.duration_ticks, this.tick + ticks);
    let next = 0;
    while (this.tick < end) {
      const event = this.nextEvent(end);
      // Jumped stretches hold only periodic work, which meets its deadlines when the utilisation
      // is at most 1 (earliest-deadline-first); any backlog left by events drains meanwhile.
      if (event > this.tick && this.utilisation <= 1) {
        this.stats.jumpedTicks += event - this.tick;
        if (this.utilisation > 0) this.stats.digitalCycles += this.utilisation * (event - this.tick) * this.cyclesPerTick;
        this.backlog = Math.max(0, this.backlog - (event - this.tick) * this.cyclesPerTick);
        this.sampleRange(this.tick, event);
        this.tick = event;
        continue;
      }
      this.step();
      if (progress && this.tick >= next) {
        progress(this.tick / this.program.header.duration_ticks);
        next = this.tick + 50_000;
      }
    }
    this.stats.wallSeconds += (performance.now() - started) / 1000;
    this.stats.saturations = this.saturations[0]!;
  }

  /**
   * Resets the current inputs, then adds each active current (src/ir/current.ts semantics). Outside
   * kernel runs no activity is counted, so each array's version is bumped once if anything changed.
   */
  private applyCurrents(t: number): void {
    const inputs = this.currentInputs;
    for (let j = 0; j < inputs.length; j++) {
      const s = inputs[j]!;
      if (this.versions[s] === this.zeroedAt[j]) continue;
      this.state[s]!.fill(0);
      this.versions[s]!++;
      this.zeroedAt[j] = this.versions[s]!;
    }
    // Currents and streams add in program order, as in the interpreter (saturation makes order matter).
    const streams = this.streams;
    let nextStream = 0;
    for (const cur of this.currents) {
      for (; nextStream < streams.length && streams[nextStream]!.stim < cur.stim; nextStream++) this.streamAt(streams[nextStream]!, t);
      const c = cur.c;
      if (t < c.start_tick || t >= c.stop_tick) continue;
      const input = cur.input, x = cur.x, neurons = cur.neurons;
      this.versions[c.input_state]!++;
      if (!x) {
        for (let j = 0; j < neurons.length; j++) {
          const n = neurons[j]!;
          input[n] = cur.add(input[n]!, c.mean_raw);
        }
        continue;
      }
      this.versions[c.ou_state]!++;
      const rng = this.stimRng[cur.stim]!;
      const xFmt = this.program.states[c.ou_state]!.format;
      const mean = c.mean_raw, decay = c.decay_q32, kick = c.kick_raw, first = t === c.start_tick;
      const step = ouStepNumber, sample = normalSample, { xLo, xHi, add } = cur;
      for (let j = 0; j < neurons.length; j++) {
        const n = neurons[j]!;
        const before = first ? mean : x[n]!;
        const draw = sample(rng);
        let next = step(before, mean, decay, kick, draw, xLo, xHi);
        if (next !== next) next = Number(ouStep(BigInt(before), c, draw, xFmt));
        x[n] = next;
        input[n] = add(input[n]!, next);
      }
    }
    for (; nextStream < streams.length; nextStream++) this.streamAt(streams[nextStream]!, t);
  }

  private streamAt(st: PreparedStream, t: number): void {
    if (t < st.q.start_tick || t >= st.q.stop_tick) return;
    this.versions[st.q.input_state]!++;
    applyStreamNumber(st, t);
  }

  /** The first tick >= now at which something may happen (or `end`). */
  private nextEvent(end: number): number {
    const t = this.tick;
    let e = end;
    // An active current changes its input every tick; an input left non-zero must be reset.
    for (const cur of this.currents) {
      if (t >= cur.c.start_tick && t < cur.c.stop_tick) return t;
      if (cur.c.start_tick > t && cur.c.start_tick < e) e = cur.c.start_tick;
    }
    for (const st of this.streams) {
      if (t >= st.q.start_tick && t < st.q.stop_tick) return t;
      if (st.q.start_tick > t && st.q.start_tick < e) e = st.q.start_tick;
    }
    for (let j = 0; j < this.currentInputs.length; j++) if (this.versions[this.currentInputs[j]!] !== this.zeroedAt[j]) return t;
    for (const s of this.stimNext) if (s < e) e = s;
    if (e === t) return t;
    for (const list of [this.neuronKernels, this.synapseKernels]) {
      for (const i of list) {
        const pk = this.kernels[i]!.k.periodic!;
        if (pk.gated ? this.gates.get(pk.gate_state!)!.count === 0 : this.idle[i] === 1 && this.unchanged(i, this.idleAt[i]!)) continue;
        const { period_ticks: period, offset_ticks: offset } = pk;
        const due = t <= offset ? offset : offset + Math.ceil((t - offset) / period) * period;
        if (due < e) e = due;
        if (e === t) return t;
      }
    }
    for (const i of this.spikeKernels) {
      const trigger = this.kernels[i]!.k.on_spike!;
      const recent = this.recentSpikes[trigger.source]!;
      for (let j = 0; j < recent.length; j++) {
        const at = recent[j]! + trigger.delay_ticks;
        if (at >= t && at < e) e = at;
      }
    }
    for (const recent of this.recentSpikes) this.forgetDelivered(recent, t);
    return e;
  }

  /** Drops the spikes of `recent` whose deliveries all lie before tick `t` (one splice, not a shift each). */
  private forgetDelivered(recent: number[], t: number): void {
    let k = 0;
    while (k < recent.length && recent[k]! + this.maxDelay < t) k++;
    if (k > 0) recent.splice(0, k);
  }

  /** The longest list of recent spike ticks of any group (bounded by the largest delay + 1). */
  recentSpikeBacklog(): number {
    return Math.max(0, ...this.recentSpikes.map((r) => r.length));
  }

  /** Probe samples for the ticks in (from, to], all with the current (unchanging) state. */
  private sampleRange(from: number, to: number): void {
    const probes = this.program.probes;
    for (let i = 0; i < probes.length; i++) {
      const pr = probes[i]!;
      const arr = this.state[pr.state]!;
      const out = this.probes[i]!;
      for (let k = (Math.floor(from / pr.every_ticks) + 1) * pr.every_ticks; k <= to; k += pr.every_ticks) {
        out.ticks.push(k);
        for (const e of pr.elements) out.data.push(arr[e]!);
      }
    }
  }

  /** The complete state, for checkpoints: restore() into an emulator of the same program continues bit-identically. */
  snapshot(): Snapshot {
    const self = this as unknown as Record<string, unknown>;
    return {
      format: "engram-emulator-snapshot-2",
      modelSha256: this.program.header.model_sha256,
      target: this.program.header.target,
      tick: this.tick,
      state: this.state.map((a) => Array.from(a)),
      rngs: { stimuli: this.stimRng.map((r) => r.save()) },
      stimNext: this.stimNext.map((x) => (Number.isFinite(x) ? x : null)),
      stimPending: this.stimPending.map((x) => [...x]),
      stimCursor: [...this.stimCursor],
      fired: this.fired.map((slot) => slot.map((set) => [...set])),
      firedTick: Array.from(this.firedTick),
      recentSpikes: this.recentSpikes.map((x) => [...x]),
      idle: Array.from(this.idle),
      idleAt: this.idleAt.map((a) => Array.from(a)),
      versions: Array.from(this.versions),
      activity: Array.from(this.activity),
      backlog: self.backlog as number,
      currentZeroedAt: Array.from(this.zeroedAt),
      probes: this.probes.map((p) => ({ ticks: [...p.ticks], data: [...p.data] })),
      spikes: { ticks: [...this.spikes.ticks], groups: [...this.spikes.groups], elements: [...this.spikes.elements] },
      stats: { ...this.stats },
    };
  }

  /**
   * Continues from a snapshot of the same program (checked by model hash and target), after every
   * field is range-checked against the program (snapshot-check.ts: a SnapshotError names the field).
   */
  restore(s: Snapshot): void {
    const h = this.program.header;
    if (typeof s !== "object" || s === null || s.modelSha256 !== h.model_sha256 || s.target !== h.target) {
      throw new Error(`checkpoint is for ${s?.target} / model ${String(s?.modelSha256).slice(0, 12)}, not this program (${h.target} / ${h.model_sha256.slice(0, 12)})`);
    }
    checkSnapshot(s, this.program, { ring: this.fired.length, reads: this.reads.map((r) => r.length), currentInputs: this.zeroedAt.length });
    s.state.forEach((a, i) => {
      if (a.length !== this.state[i]!.length) throw new Error(`checkpoint state ${i} has ${a.length} values, the program ${this.state[i]!.length}`);
      this.state[i]!.set(a);
    });
    this.tick = s.tick;
    s.rngs.stimuli.forEach((r, i) => this.stimRng[i]!.load(r));
    s.stimNext.forEach((x, i) => (this.stimNext[i] = x === null ? Infinity : x));
    s.stimPending.forEach((x, i) => (this.stimPending[i] = [...x]));
    s.stimCursor.forEach((x, i) => (this.stimCursor[i] = x));
    s.fired.forEach((slot, i) => slot.forEach((list, g) => {
      const set = this.fired[i]![g]!;
      set.clear();
      for (const n of list) set.add(n);
    }));
    this.firedTick.set(s.firedTick);
    s.recentSpikes.forEach((x, g) => (this.recentSpikes[g] = [...x]));
    this.idle.set(s.idle);
    s.idleAt.forEach((a, i) => this.idleAt[i]!.set(a));
    this.versions.set(s.versions);
    this.activity.set(s.activity);
    (this as unknown as { backlog: number }).backlog = s.backlog;
    this.rescanGates();
    for (const r of this.simd) r?.invalidate(); // versions restored: the SIMD copies may not match them
    if (s.currentZeroedAt?.length === this.zeroedAt.length) this.zeroedAt.set(s.currentZeroedAt);
    else this.zeroedAt.fill(-1); // unknown: the next tick resets (exact either way)
    s.probes.forEach((p, i) => {
      this.probes[i]!.ticks = [...p.ticks];
      this.probes[i]!.data = [...p.data];
    });
    this.spikes.ticks = [...s.spikes.ticks];
    this.spikes.groups = [...s.spikes.groups];
    this.spikes.elements = [...s.spikes.elements];
    Object.assign(this.stats, s.stats);
    this.saturations[0] = s.stats.saturations ?? 0;
  }

  /** Finds stimulus i's next spiking tick at or after `from` (drawing its Poisson stream in tick order). */
  private prime(i: number, from: number): void {
    const s = this.program.stimuli[i]!;
    const pending: number[] = [];
    let at = Infinity;
    if (s.spikes) {
      const ticks = s.spikes.ticks;
      let c = this.stimCursor[i]!;
      while (c < ticks.length && ticks[c]! < from) c++;
      if (c < ticks.length) {
        at = ticks[c]!;
        while (c < ticks.length && ticks[c] === at) pending.push(s.spikes.neurons[c++]!);
      }
      this.stimCursor[i] = c;
    } else if (s.regular) {
      const r = s.regular;
      const k = Math.max(0, Math.ceil((Math.max(from, r.start_tick) - r.start_tick) / r.interval_ticks));
      const tick = r.start_tick + k * r.interval_ticks;
      if (tick < r.stop_tick) {
        at = tick;
        pending.push(...r.neurons);
      }
    } else if (s.poisson) {
      const q = s.poisson;
      const rng = this.stimRng[i]!;
      let t = Math.max(from, q.start_tick);
      while (t < q.stop_tick) {
        const phase = (t - q.start_tick) % q.burst_period_ticks;
        if (phase >= q.burst_on_ticks) {
          t += q.burst_period_ticks - phase; // to the next burst window: no draws outside windows
          continue;
        }
        for (const n of q.neurons) if (rng.nextU32() < q.prob_per_tick_q32) pending.push(n);
        if (pending.length > 0) {
          at = t;
          break;
        }
        t++;
      }
    }
    this.stimNext[i] = at;
    this.stimPending[i] = pending;
  }
}

/** Everything an emulator needs to continue exactly where it stopped (JSON-serialisable). */
export interface Snapshot {
  /** 2 since IR version 4: kernels' draws are counter-based, so only the stimuli's streams have a state. */
  format: "engram-emulator-snapshot-2";
  modelSha256: string;
  target: string;
  tick: number;
  state: number[][];
  rngs: { stimuli: number[][] };
  stimNext: (number | null)[];
  stimPending: number[][];
  stimCursor: number[];
  fired: number[][][];
  firedTick: number[];
  recentSpikes: number[][];
  idle: number[];
  idleAt: number[][];
  versions: number[];
  activity: number[];
  backlog: number;
  /** Emulator.zeroedAt (absent in older snapshots). */
  currentZeroedAt?: number[];
  probes: { ticks: number[]; data: number[] }[];
  spikes: { ticks: number[]; groups: number[]; elements: number[] };
  stats: EmulatorStats;
}
