/**
 * The float64 executor of the reference target: runs an IR program step by step, in integer
 * ticks, with the order of the authors' simulator inside each step:
 *   1. stimulus spikes and currents for this tick;
 *   2. every population: ODEs in declaration order, refractory hold, threshold, reset;
 *   3. synaptic events: on_pre handlers for spikes `delay` ticks ago, on_post likewise; jumps to a
 *      synapse's own variables are applied right after that variable's update in step 4;
 *   4. every projection: ODEs in declaration order, then the summed reductions.
 * Accelerated mode: while the network is quiet (no events due, no noise active, fast variables
 * settled, no threshold of an exactly integrated variable about to be crossed) it takes steps of up
 * to numerics.quietStepTicks with the same update formulas. The plain mode steps every tick.
 */
import type { Program } from "../../src/ir/program.ts";
import { ElementRng } from "../../src/util/element-rng.ts";
import { neuronRange, ownedSynapses, type Partition } from "./partition.ts";
import { allocateGroup, buildCsr, maxDelayFrom, pendingTargets, SpikeRing, type GroupState } from "./layout.ts";
import {
  eventKernel, populationKernel, populationQuietKernel, projectionKernel, projectionQuietKernel,
  type EventKernel, type PopulationKernel, type ProjectionKernel, type ProjectionContext, type QuietKernel,
} from "./kernels.ts";
import { CurrentStimuli, SpikeStimuli } from "./stimuli.ts";
import { buildStepper, type DenseRun, type StepperThreads } from "./stepper.ts";
import { analysisKey, newVarAnalysis, type VarAnalysis } from "./analysis.ts";
import { lazyActiveKernel, lazyEventKernel, lazySlowKernel, LazyState } from "./lazy.ts";
import { lazyPlan } from "../../src/ir/lazy-plan.ts";
import { NonFiniteGuard, SCAN_STEPS } from "./guard.ts";

export interface RunStats {
  denseSteps: number;
  quietSteps: number;
  quietTicks: number;
  wallSeconds: number;
  /** Spikes per population (program order), stimulus spikes included. */
  spikes: Float64Array;
}

export interface Recorded {
  /** Per recording: sample times in ticks and one column per element (display units). */
  tables: { ticks: Float64Array; columns: Float64Array[]; names: string[]; count: number }[];
  spikes: { ticks: Float64Array; neurons: Int32Array; count: number };
}


export class Executor {
  readonly groups = new Map<string, GroupState>();
  private readonly rings: SpikeRing[] = [];
  private readonly refr: (Int32Array | null)[] = [];
  private readonly popKernels: (PopulationKernel | null)[] = [];
  private readonly popQuiet: QuietKernel[] = [];
  private readonly projKernels: ProjectionKernel[] = [];
  private readonly projQuiet: QuietKernel[] = [];
  private readonly events: { population: number; delay: number; deliver: EventKernel }[] = [];
  private readonly summedTargets: Float64Array[] = [];
  /** Per summed target: the range of it this worker resets (all of it single-threaded). */
  private readonly summedRanges: [number, number][] = [];
  private readonly lazySummedRanges: [number, number][] = [];
  /** Event-driven projections (numerics.lazy_synapses): their slow kernels, summed targets and active counts. */
  private readonly lazySlow: (() => void)[] = [];
  private readonly lazySummed: Float64Array[] = [];
  /** Per event-driven projection: the active-synapse counts of every worker. */
  private readonly lazyActive: Int32Array[] = [];
  /** Why a projection is stepped densely although lazy synapses were asked for. */
  readonly lazyNotes: string[] = [];
  private readonly now = new Float64Array(1);
  /** Event-driven traces by "projection.var": their per-synapse stamps and decay rate x dt. */
  private readonly lazyTraces = new Map<string, { stamp: Float64Array; rateDt: number }>();
  /** Per recording: the lazy trace it reads, whose idle elements are brought up to date when sampled. */
  private readonly recordLazy: ({ stamp: Float64Array; rateDt: number } | undefined)[];
  private nextSlow = Infinity;
  private lastSlow = 0;
  private readonly maxDelays: number[] = [];
  private readonly spikeStim: SpikeStimuli;
  private readonly currents: CurrentStimuli;
  private readonly spikeScratch: Int32Array[] = [];
  private nextStimTick: number;
  private readonly stimLists: Int32Array[];
  private readonly stimCounts: Int32Array;
  private readonly lastSpike: Float64Array;
  private readonly denseRun: DenseRun;
  /** First global neuron index of each population (spikes.csv numbers neurons globally). */
  readonly neuronOffset: number[] = [];
  tick = 0;
  /** [dt, sqrt(dt)] of the step being taken, read by every kernel. */
  private readonly clock = new Float64Array(2);
  private clockTicks = 0;
  readonly stats: RunStats;
  readonly recorded: Recorded;
  private readonly nextSample: number[];
  /** Earliest pending sample tick, so most steps skip sampling with one comparison. */
  private firstSample = 0;
  private readonly recordSources: Float64Array[];
  /** Stops the run at a NaN or infinity in the state (guard.ts). */
  private readonly guard: NonFiniteGuard;
  private nextScan = SCAN_STEPS;

  /** Filled during the run when constructed with analyse = true (see analysis.ts). */
  readonly analysis: Map<string, VarAnalysis> | undefined;

  /**
   * analyse: record every variable's range (and, stepping densely, its per-tick changes) for the
   * range analysis; eventDriven: event-driven synapses wherever the equations allow (by default as
   * numerics.lazy_synapses says, and never while analysing; the range analysis forces them for
   * runs too long to analyse densely).
   */
  /**
   * part: this worker's share of a run split over worker threads (partition.ts, threads.ts);
   * absent: one thread steps everything.
   */
  constructor(readonly program: Program, analyse = false, eventDriven = program.numerics.lazySynapses && !analyse, readonly part?: Partition) {
    const W = part?.count ?? 1, me = part?.index ?? 0, store = part?.store;
    if (part && analyse) throw new Error("internal: the range analysis runs on one thread");
    /** This worker's neurons of a population of n. */
    const range = (n: number): [number, number] => neuronRange(n, me, W);
    const sizeOf = new Map(program.populations.map((p) => [p.name, p.size]));
    const threads: StepperThreads | undefined = part
      ? { index: me, count: W, barrier: part.barrier, scratch: [], starts: [], counts: store!.i32(program.populations.length * W) }
      : undefined;
    this.analysis = analyse ? new Map() : undefined;
    if (this.analysis) {
      for (const g of [...program.populations, ...program.projections]) for (const u of g.odes) this.analysis.set(analysisKey(g.name, u.var), newVarAnalysis());
    }
    this.stats = { denseSteps: 0, quietSteps: 0, quietTicks: 0, wallSeconds: 0, spikes: new Float64Array(program.populations.length) };
    const seed = program.seed;
    let offset = 0;
    program.populations.forEach((p) => {
      const g = allocateGroup(p, store);
      this.groups.set(p.name, g);
      const maxDelay = maxDelayFrom(program, p.name);
      this.maxDelays.push(maxDelay);
      const ring = new SpikeRing(p.size, maxDelay);
      this.rings.push(ring);
      // Kernels write this tick's spikes here; stepDense appends them to the ring.
      // (split runs: one shared list, each worker writing from its first neuron)
      const scratch = store ? store.i32(p.size) : new Int32Array(p.size);
      this.spikeScratch.push(scratch);
      const [lo, hi] = range(p.size);
      if (threads) {
        threads.scratch.push(scratch);
        threads.starts.push(Int32Array.from({ length: W + 1 }, (_, w) => neuronRange(p.size, w, W)[0]));
      }
      this.neuronOffset.push(offset);
      offset += p.size;
      if (p.source) {
        this.refr.push(null);
        this.popKernels.push(null);
        return;
      }
      const refr = store ? store.i32(p.size) : new Int32Array(p.size);
      this.refr.push(refr);
      this.popKernels.push(populationKernel(p, g, refr, scratch.subarray(lo), new ElementRng(seed, `neuron-noise:${p.name}`, p.size), this.clock, this.analysis, program.tickSeconds, [lo, hi]));
      this.popQuiet.push(populationQuietKernel(p, g, refr));
    });

    const popIndex = new Map(program.populations.map((p, i) => [p.name, i]));
    for (const pr of program.projections) {
      const g = allocateGroup(pr, store);
      this.groups.set(pr.name, g);
      const pending = new Map(pendingTargets(pr).map((n) => [n, store ? store.f64(pr.size) : new Float64Array(pr.size)]));
      const postRange = range(sizeOf.get(pr.post)!);
      const own = part ? ownedSynapses(pr.postIndex, postRange[0], postRange[1]) : null;
      const ctx: ProjectionContext = { pr, g, pre: this.groups.get(pr.pre)!, post: this.groups.get(pr.post)!, pending, rng: new ElementRng(seed, `plasticity-noise:${pr.name}`, pr.size), own, clock: this.clock, analysis: this.analysis, tickSeconds: program.tickSeconds };
      const preN = program.populations[popIndex.get(pr.pre)!]!.size;
      const postN = program.populations[popIndex.get(pr.post)!]!.size;
      const byPre = buildCsr(pr.preIndex, preN, own);
      const byPost = buildCsr(pr.postIndex, postN, own);
      const plan = eventDriven && pr.odes.length > 0 ? lazyPlan(pr) : null;
      if (typeof plan === "string") this.lazyNotes.push(`${pr.name}: stepped every dt (${plan})`);
      if (plan && typeof plan !== "string") {
        const counts = store ? store.i32(W) : new Int32Array(1);
        const st = new LazyState(pr.size, store ? store.f64(pr.size) : undefined, counts.subarray(me, me + 1));
        for (const tr of plan.traces) this.lazyTraces.set(`${pr.name}.${tr.name}`, { stamp: st.stamp, rateDt: tr.rate * program.tickSeconds });
        this.projKernels.push(lazyActiveKernel(ctx, plan, st, this.now));
        this.lazySlow.push(lazySlowKernel(ctx, plan));
        this.lazyActive.push(counts);
        for (const e of pr.onPre) this.events.push({ population: popIndex.get(pr.pre)!, delay: e.delayTicks, deliver: lazyEventKernel(ctx, plan, st, e.assigns, byPre, this.now) });
        for (const e of pr.onPost) this.events.push({ population: popIndex.get(pr.post)!, delay: e.delayTicks, deliver: lazyEventKernel(ctx, plan, st, e.assigns, byPost, this.now) });
        for (const s of pr.summed) {
          const a = (s.scope === "pre" ? ctx.pre : ctx.post).arrays.get(s.target)!;
          if (!this.lazySummed.includes(a)) {
            this.lazySummed.push(a);
            // a sum into presynaptic neurons keeps the run on one thread (threads.ts unsplittable): all of them
            this.lazySummedRanges.push(s.scope === "pre" ? [0, a.length] : postRange);
          }
        }
        this.nextSlow = program.numerics.slowStepTicks;
        continue;
      }
      // A projection without state updates, jumps or summed values (static weights) has no per-tick work.
      if (pr.odes.length > 0 || pending.size > 0 || pr.summed.length > 0) {
        this.projKernels.push(projectionKernel(ctx));
        this.projQuiet.push(projectionQuietKernel(ctx));
      }
      for (const e of pr.onPre) this.events.push({ population: popIndex.get(pr.pre)!, delay: e.delayTicks, deliver: eventKernel(ctx, e.assigns, byPre) });
      for (const e of pr.onPost) this.events.push({ population: popIndex.get(pr.post)!, delay: e.delayTicks, deliver: eventKernel(ctx, e.assigns, byPost) });
      for (const s of pr.summed) {
        const a = (s.scope === "pre" ? ctx.pre : ctx.post).arrays.get(s.target)!;
        if (!this.summedTargets.includes(a)) {
          this.summedTargets.push(a);
          this.summedRanges.push(s.scope === "pre" ? [0, a.length] : postRange);
        }
      }
    }
    const spikeStimuli = program.stimuli.filter((s) => s.kind === "spikes" || s.kind === "poisson" || s.kind === "regular");
    this.spikeStim = new SpikeStimuli(spikeStimuli, spikeStimuli.map((s) => popIndex.get(s.target)!), seed);
    this.nextStimTick = this.spikeStim.nextTick();
    const currentStimuli = program.stimuli.filter((s) => s.kind === "current" || s.kind === "ou_current" || s.kind === "stream");
    this.currents = new CurrentStimuli(
      currentStimuli,
      currentStimuli.map((s) => (s.kind === "current" || s.kind === "ou_current" || s.kind === "stream" ? this.groups.get(s.target)!.arrays.get(s.input)! : null)),
      seed,
      currentStimuli.map((s) => range(sizeOf.get(s.target)!)),
    );

    this.recorded = {
      tables: program.recordings.map((r) => {
        const n = Math.floor(program.durationTicks / r.everyTicks) + 1;
        return { ticks: new Float64Array(n), columns: r.columns.map(() => new Float64Array(n)), names: r.columns, count: 0 };
      }),
      spikes: { ticks: new Float64Array(1024), neurons: new Int32Array(1024), count: 0 },
    };
    this.nextSample = program.recordings.map(() => 0);
    this.recordSources = program.recordings.map((r) => this.groups.get(r.group)!.arrays.get(r.var)!);
    this.recordLazy = program.recordings.map((r) => this.lazyTraces.get(`${r.group}.${r.var}`));
    this.stimLists = program.populations.map((p) => new Int32Array(Math.max(1, p.size)));
    this.stimCounts = new Int32Array(program.populations.length);
    this.lastSpike = new Float64Array(program.populations.length).fill(-Infinity);
    this.guard = new NonFiniteGuard(program, this.groups);
    const recordSpikes = program.populations.map((p) => program.spikeRecording.includes(p.name));
    this.denseRun = buildStepper({
      rings: this.rings,
      popKernels: this.popKernels,
      scratch: this.spikeScratch,
      stimLists: this.stimLists,
      stimCounts: this.stimCounts,
      lastSpike: this.lastSpike,
      recordSpikes,
      spikeCounts: this.stats.spikes,
      onSpikes: (tick, population, list, offset, count) => {
        for (let j = 0; j < count; j++) this.recordSpike(tick, this.neuronOffset[population]! + list[offset + j]!);
      },
      events: this.events,
      summedTargets: this.summedTargets,
      summedRanges: this.summedRanges,
      threads,
      projKernels: this.projKernels,
      now: this.now,
    });
    this.sample();
  }

  /**
   * Split runs: whether this worker read other workers' elements (samples, the quiet test, the
   * guard) since the last barrier. Every worker takes the same decisions, so they agree on it.
   */
  private readShared = true;

  /** Split runs: every worker has finished reading before anyone writes. */
  private syncBeforeWrites(): void {
    if (this.part && this.readShared) this.part.barrier.wait();
    this.readShared = false;
  }

  private sample(): void {
    const t = this.tick;
    if (t < this.firstSample) return;
    this.readShared = true;
    const recordings = this.program.recordings;
    let first = Infinity;
    for (let i = 0; i < recordings.length; i++) {
      const r = recordings[i]!;
      if (t === this.nextSample[i]) {
        const table = this.recorded.tables[i]!;
        const arr = this.recordSources[i]!;
        const row = table.count++;
        table.ticks[row] = t;
        const lazy = this.recordLazy[i];
        for (let c = 0; c < r.elements.length; c++) {
          const e = r.elements[c]!;
          // an idle synapse's trace has not been decayed since its stamp: the value it has now
          const n = lazy ? t - lazy.stamp[e]! : 0;
          const v = (n > 0 ? arr[e]! * Math.exp(lazy!.rateDt * n) : arr[e]!) / r.unitScale;
          if (v - v !== 0) throw this.guard.recorded(r.group, r.var, e, v, t);
          table.columns[c]![row] = v;
        }
        this.nextSample[i] = t + r.everyTicks;
      }
      first = Math.min(first, this.nextSample[i]!);
    }
    this.firstSample = first;
  }

  private recordSpike(tick: number, neuron: number): void {
    const s = this.recorded.spikes;
    if (s.count === s.ticks.length) {
      const t = new Float64Array(s.ticks.length * 2);
      t.set(s.ticks);
      const n = new Int32Array(s.neurons.length * 2);
      n.set(s.neurons);
      s.ticks = t;
      s.neurons = n;
    }
    s.ticks[s.count] = tick;
    s.neurons[s.count++] = neuron;
  }

  /** Dense steps from the current tick up to (not including) `stop`, at most until the next stimulus spike. */
  private stepDense(stop: number): void {
    this.syncBeforeWrites();
    const t = this.tick;
    if (this.nextStimTick === t) {
      this.spikeStim.fire(t, this.stimLists, this.stimCounts);
      this.nextStimTick = this.spikeStim.nextTick();
    }
    let to = Math.max(t + 1, Math.min(stop, this.nextStimTick, this.nextSlow));
    if (this.currents.active) {
      // Currents change every step (OU) or at window edges: one step at a time.
      this.currents.apply(t, this.program.tickSeconds);
      to = t + 1;
    }
    if (this.clockTicks !== 1) this.setClock(1);
    this.denseRun(t, to);
    this.tick = to;
    this.stats.denseSteps += to - t;
    if (to >= this.nextSlow) this.stepSlow();
  }

  /** The ungated terms of event-driven synapses since the last slow step, then their summed values. */
  private stepSlow(): void {
    const ticks = this.tick - this.lastSlow;
    if (ticks <= 0) return;
    this.syncBeforeWrites();
    const keep = this.clockTicks;
    this.setClock(ticks);
    this.lazySummed.forEach((a, i) => a.fill(0, this.lazySummedRanges[i]![0], this.lazySummedRanges[i]![1]));
    for (const k of this.lazySlow) k();
    this.setClock(keep);
    this.lastSlow = this.tick;
    this.nextSlow = this.tick + this.program.numerics.slowStepTicks;
    this.part?.barrier.wait();
  }

  /** Last tick at which a spike already emitted is still delivered somewhere. */
  private pendingUntil(): number {
    let until = -Infinity;
    for (let i = 0; i < this.rings.length; i++) until = Math.max(until, this.lastSpike[i]! + this.maxDelays[i]!);
    return until;
  }

  /** Ticks the network may advance in one quiet step from now (0 if it is not quiet). */
  private quietHorizon(limit: number): number {
    const t = this.tick;
    this.readShared = true;
    for (let i = 0; i < this.rings.length; i++) {
      if (this.lastSpike[i]! + this.maxDelays[i]! >= t) return 0;
    }
    let h = Math.min(limit, this.program.numerics.quietStepTicks, this.nextStimTick - t, this.firstSample - t);
    if (this.currents.active) {
      h = Math.min(h, this.currents.nextChange(t) - t);
      if (this.currents.noisyBetween(t, t + h)) return 0;
    }
    if (h < 2) return 0;
    const dt = h * this.program.tickSeconds;
    for (const q of this.popQuiet) if (!q(dt)) return 0;
    for (const q of this.projQuiet) if (!q(dt)) return 0;
    for (const c of this.lazyActive) for (let w = 0; w < c.length; w++) if (c[w] !== 0) return 0;
    return h;
  }

  private setClock(ticks: number): void {
    this.clockTicks = ticks;
    this.clock[0] = ticks * this.program.tickSeconds;
    this.clock[1] = Math.sqrt(this.clock[0]);
  }

  private stepQuiet(h: number): void {
    this.syncBeforeWrites();
    this.setClock(h);
    if (this.currents.active) this.currents.apply(this.tick, this.clock[0]!);
    for (const k of this.popKernels) k?.();
    this.part?.barrier.wait(); // synapses read the neurons' new state
    this.summedTargets.forEach((a, i) => a.fill(0, this.summedRanges[i]![0], this.summedRanges[i]![1]));
    for (const k of this.projKernels) k();
    this.part?.barrier.wait();
    this.tick += h;
    if (this.lazySlow.length > 0) this.stepSlow();
    this.stats.quietSteps++;
    this.stats.quietTicks += h;
  }

  /** Runs until `untilTick` (default: the end). Calls progress(fraction) now and then. */
  /**
   * Runs until `untilTick` (default: the end) or until `maxDenseElementSteps` (dense steps times
   * elements) is spent, whichever comes first; deterministic, since the step sequence is.
   */
  run(progress?: (fraction: number) => void, untilTick = this.program.durationTicks, maxDenseElementSteps = Infinity): void {
    const part = this.part;
    if (part) {
      if (part.index !== 0) throw new Error("internal: only worker 0 starts runs (the others serve())");
      if (maxDenseElementSteps !== Infinity) throw new Error("internal: a split run has no element-step budget");
      // tell the other workers how far to run, then run alongside them
      part.control[0] = untilTick;
      part.barrier.wait();
    }
    this.runShare(progress, untilTick, maxDenseElementSteps);
  }

  /** Worker w > 0 of a split run: runs whenever worker 0 does, until worker 0 says stop. */
  serve(): void {
    const part = this.part!;
    for (;;) {
      part.barrier.wait();
      const until = part.control[0]!;
      if (until < 0) return;
      this.runShare(undefined, until, Infinity);
    }
  }

  /** Worker 0 of a split run: lets the other workers return from serve(). */
  stopWorkers(): void {
    const part = this.part;
    if (!part) return;
    part.control[0] = -1;
    part.barrier.wait();
  }

  private runShare(progress: ((fraction: number) => void) | undefined, untilTick: number, maxDenseElementSteps: number): void {
    const elements = [...this.program.populations, ...this.program.projections].reduce((s, g) => s + g.size, 0);
    const started = performance.now();
    const accelerate = this.program.numerics.accelerate;
    const total = this.program.durationTicks;
    let nextReport = 0;
    let checkQuietAt = this.tick;
    while (this.tick < untilTick) {
      if (accelerate && this.tick >= checkQuietAt) {
        const h = this.quietHorizon(untilTick - this.tick);
        if (h > 0) this.stepQuiet(h);
        // Not quiet: look again after a few milliseconds of model time, or once the last
        // delayed event has been delivered if that is what keeps the network busy.
        else checkQuietAt = Math.max(this.tick + QUIET_CHECK_TICKS, this.pendingUntil() + 1);
      }
      if (this.tick < untilTick && !(accelerate && this.tick >= checkQuietAt)) {
        this.stepDense(Math.min(untilTick, this.firstSample, accelerate ? checkQuietAt : Infinity, this.tick + 65536));
      }
      this.sample();
      if (progress && this.tick >= nextReport) {
        progress(this.tick / total);
        nextReport = this.tick + 100_000;
      }
      if (this.stats.denseSteps + this.stats.quietSteps >= this.nextScan) {
        this.guard.scan(this.tick);
        this.readShared = true;
        this.nextScan = this.stats.denseSteps + this.stats.quietSteps + SCAN_STEPS;
      }
      if (this.stats.denseSteps * elements > maxDenseElementSteps) break;
    }
    if (this.lazySlow.length > 0 && this.tick >= total) this.stepSlow(); // the last partial slow step
    this.guard.scan(this.tick);
    this.part?.barrier.wait(); // every worker's state is final before anyone reads it
    progress?.(this.tick / total);
    this.stats.wallSeconds += (performance.now() - started) / 1000;
  }
}

/** How often (in ticks) a non-quiet network is tested for quietness again. */
const QUIET_CHECK_TICKS = 16;
