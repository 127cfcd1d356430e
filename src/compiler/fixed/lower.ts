/**
 * Pass "lower": turns the discretised model into IR kernels over fixed-point registers.
 *  - one periodic kernel per population and per projection (period: one tick) holding the ODE
 *    updates in declaration order, the neuron threshold, reset and refractory hold, and the
 *    summed reductions; one spike-triggered kernel per synaptic event handler;
 *  - every expression becomes ops whose register formats come from interval bounds (interval.ts)
 *    at the target's register width; every state update lands in the state's own format with the
 *    state's rounding (nearest or stochastic: the choice the quantisation report is about);
 *  - exponential Euler in integers: x <- x * D + (A + C xi / sqrt(dt)) * phi for constant decay
 *    rate B (D = e^(B dt), phi = expm1(B dt)/B), x <- x + (A + B x + C xi/sqrt(dt)) dt (1 + B dt/2)
 *    when B varies (second-order factor, relative error (B dt)^2/6);
 *  - functions the target lacks (sqrt, exp, log, pow) are decomposed when their argument depends
 *    only on conditions: each combination of conditions selects a precomputed constant.
 * Tick order in the IR: stimuli, neuron kernels, spike-triggered kernels, synapse kernels. A jump to
 * an exactly decaying variable is pre-divided by its decay factor, so that after the same tick's
 * decay it equals the jump of the float64 reference (which applies it after the decay).
 */
import { EngramError } from "../../diagnostics/diagnostic.ts";
import { rewrite, show, walk, type Expr, type Scope } from "../../ir/expr.ts";
import { evaluate, fold } from "../../ir/interpret.ts";
import { conditionsOnly, substituteConditions } from "../../ir/conditions.ts";
import type { IrFixedFormat, IrProgram } from "../../ir/codec.ts";
import type { EventAssign, GroupIR, OdeUpdate, Program } from "../../ir/program.ts";
import { OP_BY_NAME } from "../../ir/ops.ts";
import type { TargetCaps } from "./caps.ts";
import { interval, type Interval } from "./interval.ts";
import { constantArray, fracFor, type Format } from "./quantise.ts";
import { decayName, GAIN, inflowName, MAX_FACTOR } from "./variation.ts";
import { splitUpdate, type UpdateParts } from "../../ir/split.ts";
import { ACTIVE, ELAPSED, GATE, seenName, STAMP, TICKS, traceTables } from "./lazy.ts";
import type { LazyPlan } from "../../ir/lazy-plan.ts";
import { isTabulated, tableEntries, tableGrid, type TabulatedFn } from "./activation.ts";
import { evaluateAt, parameterFactor, parameterOnly, ratesPerElement } from "./rates.ts";
import { stpVariables } from "./stp.ts";
import { lumpedNoiseSd } from "./noise-step.ts";

export { splitUpdate };

type Kernel = IrProgram["kernels"][number];
type Instr = Kernel["ops"][number];

const ROUNDING = { floor: 1, nearest: 2, stochastic: 3 } as const;
const OVERFLOW = { wrap: 1, saturate: 2 } as const;
const INDEX = { self: 1, pre: 2, post: 3 } as const;

export function toIrFormat(f: Format): IrFixedFormat {
  return { width: f.width, signed: f.signed, frac: f.frac, rounding: ROUNDING[f.rounding], overflow: OVERFLOW[f.overflow] };
}

export interface StateSlot {
  index: number;
  group: string;
  name: string;
  format: Format;
  range: Interval;
}

export interface LowerInput {
  program: Program;
  caps: TargetCaps;
  /** Every state array of the IR, by "group.var". */
  states: Map<string, StateSlot>;
  /** Period (ticks) of the digital update kernels; analog kernels run every tick. */
  digitalPeriod: number;
  /**
   * Period of the slow digital kernel (terms not gated by fast variables); when longer than
   * digitalPeriod, updates are split between the two kernels (operator splitting).
   */
  slowPeriod?: number;
  /** Trial-to-trial noise coefficient per analog variable ("group.var"; variation.ts): one, or one per circuit. */
  noise?: Map<string, number | Float64Array>;
  /**
   * Ticks between draws of that noise (default 1: every tick, inside the analog kernel). Longer:
   * the analog kernel steps without noise and a noise kernel adds one lumped draw per period
   * (noise-step.ts), so quiet stretches can be jumped.
   */
  noisePeriod?: number;
  /** Variables on the analog core (filled in by lowerKernels). */
  analog?: Set<string>;
  /** Projections with time-stamped traces (lazy.ts), with their plans. */
  lazy?: Map<string, LazyPlan>;
  /** Whether those skip idle synapses (event-driven) or step every synapse every tick (dense). */
  gated?: boolean;
}

/** Variables the target's analog core integrates ("group.var"), with the reason for each decision. */
export function analogVariables(program: Program, caps: TargetCaps): { analog: Set<string>; notes: string[] } {
  const analog = new Set<string>();
  const notes: string[] = [];
  const a = caps.analog;
  if (!a) return { analog, notes };
  const tauOf = (u: OdeUpdate) => (u.linear && u.B.op === "const" && u.B.value < 0 ? -1 / u.B.value : NaN);
  const inRange = (t: number, r: [number, number]) => t >= r[0] && t <= r[1];
  const range = (r: [number, number]) => `${Number(r[0].toPrecision(6))}-${Number(r[1].toPrecision(6))}`;
  const stp = stpVariables(program);
  for (const p of program.populations) {
    for (const u of p.odes) {
      if (stp.has(`${p.name}.${u.var}`)) {
        notes.push(`${p.name}.${u.var}: digital (short-term plasticity state, not a neuron circuit; see "short-term plasticity")`);
        continue;
      }
      const activation = rateActivation(u.A);
      // A time constant per element (drawn from a distribution) is set per circuit when the
      // analog neurons are configured per circuit (caps.analog.perCircuit).
      const rates = ratesPerElement(p, u);
      const perElement = rates !== null && rates.length > 1;
      const taus = rates && (!perElement || a.perCircuit) && rates.every((b) => b < 0) ? Array.from(rates, (b) => -1 / b) : null;
      const lo = taus ? Math.min(...taus) : NaN, hi = taus ? Math.max(...taus) : NaN;
      const outside = taus ? taus.filter((t) => !inRange(t, a.neuronTau)).length : 0;
      const what = taus && perElement ? `tau per circuit ${lo.toPrecision(3)}-${hi.toPrecision(3)} s` : `tau ${lo.toPrecision(3)} s`;
      if (!u.C && taus && outside === 0 && !activation) {
        analog.add(`${p.name}.${u.var}`);
        if (perElement) notes.push(`${p.name}.${u.var}: analog, ${what} (${a.perCircuitSource ?? a.source})`);
      } else notes.push(`${p.name}.${u.var}: digital (${activation ? `${activation}() of its inputs: no analog neuron circuit computes a rate activation` : !taus ? (perElement ? "a time constant per element, and the analog neurons are not configured per circuit" : "not a constant-rate linear ODE") : u.C ? "noise in its equation" : `${what}${perElement ? `, ${outside} of ${taus.length} circuits` : ""} outside the analog neuron range ${range(a.neuronTau)} s, ${a.source}`})`);
    }
  }
  for (const pr of program.projections) {
    for (const u of pr.odes) {
      const tau = tauOf(u);
      const pureDecay = u.autonomous && u.A.op === "const" && u.A.value === 0 && !u.C;
      if (a.traceTau && pureDecay && inRange(tau, a.traceTau)) analog.add(`${pr.name}.${u.var}`);
      else notes.push(`${pr.name}.${u.var}: digital (${!pureDecay ? "not a pure decay" : !a.traceTau ? "no analog traces" : `tau ${tau.toPrecision(3)} s outside the analog trace range ${range(a.traceTau)} s, ${a.source}`})`);
    }
  }
  // Analog neuron state may only depend on analog state, inputs and parameters.
  for (const p of program.populations) {
    for (const u of p.odes) {
      const key = `${p.name}.${u.var}`;
      if (!analog.has(key)) continue;
      const deps = [u.A, u.B].flatMap((e) => readsOf(e));
      const digitalDep = deps.find((n) => p.odes.some((o) => o.var === n) && !analog.has(`${p.name}.${n}`));
      if (digitalDep) {
        analog.delete(key);
        notes.push(`${key}: digital (depends on digital ${digitalDep})`);
      }
    }
  }
  return { analog, notes };
}

class LowerError extends Error {}

/** The fastest (most negative) rate of a linear update over the group's elements; NaN if B varies in time. */
export function fastestRate(group: GroupIR, B: Expr): number {
  const f = fold(B);
  if (f.op === "const") return f.value;
  if (!parameterOnly(group, f)) return NaN;
  let worst = Infinity;
  for (let i = 0; i < group.size; i++) worst = Math.min(worst, evaluateAt(group, f, i));
  return worst;
}

/** Builds one kernel: registers, ops, load caching and sequential update semantics. */
class KernelBuilder {
  readonly registers: { format: IrFixedFormat }[] = [];
  readonly ops: Instr[] = [];
  /** Register holding the current value of a variable ("scope:name"). */
  private readonly current = new Map<string, number>();
  private readonly consts = new Map<string, number>();

  constructor(
    private readonly input: LowerInput,
    readonly group: GroupIR,
    private readonly pre?: string,
    private readonly post?: string,
    /** Digital kernels see analog state through the target's readout (caps.readoutBits). */
    private readonly digital = true,
  ) {}

  /**
   * Divisions by a parameter that differs per element (tau_mem drawn from a distribution) become
   * products with a per-element reciprocal computed at compile time, so they can be bounded and
   * lowered like any product.
   */
  withReciprocals(e: Expr): Expr {
    return rewrite(e, (n) => {
      if (n.op !== "div" || n.b.op === "const" || !this.parameterOnly(n.b)) return n;
      const b = n.b;
      return { op: "mul", a: n.a, b: this.parameterArray(`__recip_${show(b)}`, (i) => 1 / this.evaluateAt(b, i)) };
    });
  }

  parameterOnly(e: Expr): boolean {
    return parameterOnly(this.group, e);
  }

  evaluateAt(e: Expr, i: number): number {
    return evaluateAt(this.group, e, i);
  }

  /**
   * A per-element constant array (a hidden state of this group, added to the program's states on
   * first use) and a symbol that reads it.
   */
  parameterArray(name: string, value: (element: number) => number): Expr {
    const key = `${this.group.name}.${name}`;
    if (!this.input.states.has(key)) {
      const values = Float64Array.from({ length: this.group.size }, (_, i) => value(i));
      if (!values.every(Number.isFinite)) throw new LowerError(`per-element constant ${name} of ${this.group.name} is not finite`);
      const owner = this.input.program.populations.some((p) => p.name === this.group.name) ? "neuron" : "synapse";
      const groupIndex = [...this.input.program.populations, ...this.input.program.projections].findIndex((g) => g.name === this.group.name);
      this.input.states.set(key, { index: this.input.states.size, group: this.group.name, name, ...constantArray(values, this.input.caps.stateWidth[owner]), unit: "1", unitScale: 1, groupIndex } as StateSlot);
    }
    return { op: "sym", name, scope: "self" };
  }

  has(name: string, scope: Scope = "self"): boolean {
    const g = scope === "self" ? this.group.name : scope === "pre" ? this.pre! : this.post!;
    return this.input.states.has(`${g}.${name}`);
  }

  emit(name: string, fields: Partial<Instr>): void {
    const op = OP_BY_NAME.get(name)!;
    this.ops.push({ op: op.code, dst: 0, src: [], imm: 0, state: 0, index: 0, table: [], ...fields });
  }

  reg(f: Format): number {
    this.registers.push({ format: toIrFormat(f) });
    return this.registers.length - 1;
  }

  /** Register format for values within [lo, hi] at the target's register width. */
  formatFor([lo, hi]: Interval, what: string): Format {
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new LowerError(`cannot bound ${what}: its range is [${lo}, ${hi}]`);
    const w = this.input.caps.registerWidth;
    const signed = lo < 0;
    const frac = lo === 0 && hi === 0 ? 0 : Math.min(96, fracFor(lo, hi, w, signed));
    // Analog kernels stand for continuous circuits: no floor bias from a processor's shifts.
    return { width: w, signed, frac, rounding: this.digital ? this.input.caps.registerRounding : "nearest", overflow: "saturate" };
  }

  constant(value: number): number {
    const key = String(value);
    const have = this.consts.get(key);
    if (have !== undefined) return have;
    const f = this.formatFor([Math.min(value, 0), Math.max(value, 0)], `constant ${value}`);
    const fmt: Format = { ...f, rounding: "nearest" };
    const r = this.reg(fmt);
    this.emit("CONST", { dst: r, imm: Math.round(value * 2 ** fmt.frac) });
    this.consts.set(key, r);
    return r;
  }

  slot(name: string, scope: Scope): StateSlot {
    const g = scope === "self" ? this.group.name : scope === "pre" ? this.pre! : this.post!;
    const s = this.input.states.get(`${g}.${name}`);
    if (!s) throw new LowerError(`no state array for ${g}.${name}`);
    return s;
  }

  value(name: string, scope: Scope): number {
    const key = `${scope}:${name}`;
    const have = this.current.get(key);
    if (have !== undefined) return have;
    const s = this.slot(name, scope);
    let r = this.reg(s.format);
    this.emit("LOAD", { dst: r, state: s.index, index: INDEX[scope] });
    const bits = this.input.caps.readoutBits;
    if (this.digital && bits !== null && s.format.width > bits && this.input.analog?.has(`${s.group}.${s.name}`)) {
      // The readout ADC keeps the top `bits` of the state's range (its format is sized to it).
      const read = this.reg({ ...s.format, width: bits, frac: s.format.frac - (s.format.width - bits), rounding: "floor" });
      this.emit("COPY", { dst: read, src: [r] });
      r = read;
    }
    this.current.set(key, r);
    return r;
  }

  setCurrent(name: string, scope: Scope, r: number): void {
    this.current.set(`${scope}:${name}`, r);
  }

  store(name: string, scope: Scope, r: number, add = false): void {
    const s = this.slot(name, scope);
    this.emit(add ? "STORE_ADD" : "STORE", { src: [r], state: s.index, index: INDEX[scope] });
  }

  rangeOf = (name: string, scope: Scope): Interval => this.slot(name, scope).range;

  /** Lowers an expression to a register (formats from interval bounds). */
  lower(e: Expr): number {
    const f = this.withReciprocals(fold(e));
    const iv = interval(f, this.rangeOf);
    switch (f.op) {
      case "const":
        return this.constant(f.value);
      case "sym":
        return this.value(f.name, f.scope);
      case "noise":
        throw new LowerError("internal: noise must be lowered through noiseTerm()");
      case "neg":
        return this.unary("NEG", f.a, iv, f);
      case "add":
      case "sub":
      case "mul":
        return this.binary(f.op === "add" ? "ADD" : f.op === "sub" ? "SUB" : "MUL", f.a, f.b, iv, f);
      case "pow":
        // A small whole power is a product (x^2 = x * x); other powers have no op.
        if (f.b.op === "const" && Number.isInteger(f.b.value) && f.b.value >= 2 && f.b.value <= 4) {
          let e: Expr = f.a;
          for (let k = 1; k < f.b.value; k++) e = { op: "mul", a: e, b: f.a };
          return this.lower(e);
        }
        return this.decompose(f, iv);
      case "div": {
        if (f.b.op !== "const") return this.decompose(f, iv);
        return this.lower({ op: "mul", a: f.a, b: { op: "const", value: 1 / f.b.value } });
      }
      case "cmp": {
        const [a, b, name] = f.cmp === "ge" ? [f.a, f.b, "CMP_GE"] : f.cmp === "gt" ? [f.a, f.b, "CMP_GT"] : f.cmp === "le" ? [f.b, f.a, "CMP_GE"] : f.cmp === "lt" ? [f.b, f.a, "CMP_GT"] : [null, null, ""];
        if (!a || !b) throw new LowerError(`equality tests are not supported in fixed point: ${show(f)}`);
        const r = this.reg({ width: 1, signed: false, frac: 0, rounding: "floor", overflow: "saturate" });
        this.emit(name, { dst: r, src: [this.lower(a), this.lower(b)] });
        return r;
      }
      case "cond": {
        const r = this.reg(this.formatFor(iv, show(f)));
        this.emit("SELECT", { dst: r, src: [this.lower(f.test), this.lower(f.then), this.lower(f.else)] });
        return r;
      }
      case "call": {
        if (f.fn === "H" || f.fn === "heaviside") return this.lower({ op: "cmp", cmp: "ge", a: f.args[0]!, b: { op: "const", value: 0 } });
        if (f.fn === "abs") return this.unary("ABS", f.args[0]!, iv, f);
        if (f.fn === "min" || f.fn === "max") return this.binary(f.fn === "min" ? "MIN" : "MAX", f.args[0]!, f.args[1]!, iv, f);
        if (f.fn === "relu") return this.binary("MAX", f.args[0]!, c(0), iv, f);
        if (isTabulated(f.fn) && !conditionsOnly(f)) return this.tabulated(f.fn, f.args[0]!, iv, f);
        if (f.fn === "clip") return this.lower({ op: "call", fn: "min", args: [{ op: "call", fn: "max", args: [f.args[0]!, f.args[1]!] }, f.args[2]!] });
        return this.decompose(f, iv);
      }
      default:
        return this.decompose(f, iv);
    }
  }

  private unary(name: string, a: Expr, iv: Interval, whole: Expr): number {
    const src = this.lower(a);
    const r = this.reg(this.formatFor(iv, show(whole)));
    this.emit(name, { dst: r, src: [src] });
    return r;
  }

  private binary(name: string, a: Expr, b: Expr, iv: Interval, whole: Expr): number {
    const sa = this.lower(a);
    const sb = this.lower(b);
    const r = this.reg(this.formatFor(iv, show(whole)));
    this.emit(name, { dst: r, src: [sa, sb] });
    return r;
  }

  /**
   * tanh / logistic of a variable: a LOOKUP table on a power-of-two grid over the argument's range
   * (activation.ts), linearly interpolated when the target's tables interpolate. The index is the
   * argument less the grid's start, clamped to the grid and shifted (exact); the fraction is what
   * the floor dropped.
   */
  private tabulated(fn: TabulatedFn, arg: Expr, iv: Interval, whole: Expr): number {
    const t = this.input.caps.functionTables;
    if (!t) throw new LowerError(`${show(whole)} in ${this.group.name}: ${this.input.caps.name} declares no function tables (capabilities: functionTables), so ${fn} has no lowering there`);
    const w = this.input.caps.registerWidth;
    const argIv = interval(fold(this.withReciprocals(fold(arg))), this.rangeOf);
    if (!Number.isFinite(argIv[0]) || !Number.isFinite(argIv[1])) throw new LowerError(`cannot bound the argument of ${show(whole)}: its range is [${argIv[0]}, ${argIv[1]}]`);
    if (fn === "log" && !(argIv[0] > 0)) throw new LowerError(`${show(whole)} in ${this.group.name}: the argument's range [${argIv[0]}, ${argIv[1]}] reaches 0 or below, where log has no value (bound it away from 0, e.g. log(max(Z, 0.01)))`);
    const g = tableGrid(fn, argIv, t.entries);
    const top = g.segments * 2 ** -g.shift;
    const out = this.formatFor([Math.min(iv[0], 0), Math.max(iv[1], 0)], show(whole));
    const x = this.lower(arg);
    const d = this.add(x, this.constant(g.lo), this.formatFor([Math.min(argIv[0] - g.lo, 0), Math.max(argIv[1] - g.lo, top)], `${show(arg)} - ${g.lo}`), "SUB");
    const clampFmt: Format = { width: w, signed: false, frac: fracFor(0, top, w, false), rounding: "floor", overflow: "saturate" };
    const clamped = this.add(this.add(d, this.constant(0), clampFmt, "MAX"), this.constant(top), clampFmt, "MIN");
    // t = clamped / h: the same raw value read with `shift` fewer fractional bits (a shift, exact).
    const tFmt: Format = { ...clampFmt, frac: clampFmt.frac - g.shift };
    const idx = this.reg(tFmt);
    this.emit(g.shift >= 0 ? "SHL" : "SHR", { dst: idx, src: [clamped], imm: Math.abs(g.shift) });
    const { values, slopes } = tableEntries(fn, g, out.frac, t.interpolate);
    const y0 = this.reg(out);
    this.emit("LOOKUP", { dst: y0, src: [idx], table: values });
    if (!t.interpolate) return y0;
    const floor = this.reg({ width: w, signed: false, frac: 0, rounding: "floor", overflow: "saturate" });
    this.emit("COPY", { dst: floor, src: [idx] });
    const frac = this.add(idx, floor, { width: w, signed: false, frac: Math.min(tFmt.frac, w), rounding: "floor", overflow: "saturate" }, "SUB");
    const slope = this.reg(out);
    this.emit("LOOKUP", { dst: slope, src: [idx], table: slopes });
    return this.add(y0, this.add(slope, frac, out, "MUL"), out);
  }

  /**
   * A sub-expression without a matching op (sqrt, exp, log, pow, division by a variable) is
   * lowered when its variables appear only inside conditions: every combination of the conditions
   * selects a precomputed constant.
   */
  private decompose(e: Expr, iv: Interval): number {
    const conds = conditionsOnly(e);
    if (!conds || conds.length > 4) {
      throw new LowerError(`the target has no op for ${show(e)}, and it depends on variables directly (only expressions of conditions can be tabulated)`);
    }
    // Nested SELECTs over the conditions; each leaf is the expression with conditions fixed.
    const build = (k: number, fixed: Map<string, number>): number => {
      if (k === conds.length) {
        const value = evaluate(substituteConditions(e, fixed), () => NaN);
        if (!Number.isFinite(value)) throw new LowerError(`cannot tabulate ${show(e)}: value ${value} for conditions ${[...fixed].join(", ")}`);
        return this.constant(value);
      }
      const key = show(conds[k]!);
      const on = build(k + 1, new Map([...fixed, [key, 1]]));
      const off = build(k + 1, new Map([...fixed, [key, 0]]));
      const r = this.reg(this.formatFor(iv, show(e)));
      this.emit("SELECT", { dst: r, src: [this.lower(conds[k]!), on, off] });
      return r;
    };
    return build(0, new Map());
  }

  /** coef * N(0,1): the draw is gated by coef, so noise that is switched off costs no draw. */
  noiseTerm(coef: Expr): number | null {
    const f = fold(coef);
    if (f.op === "const" && f.value === 0) return null;
    const cr = this.lower(f);
    const w = this.input.caps.registerWidth;
    const n = this.reg({ width: w, signed: true, frac: w - 4, rounding: "nearest", overflow: "saturate" });
    this.emit("RAND_NORMAL", { dst: n, src: [cr] });
    const [lo, hi] = interval(f, this.rangeOf);
    const m = 8 * Math.max(Math.abs(lo), Math.abs(hi));
    const r = this.reg(this.formatFor([-m, m], `noise ${show(f)}`));
    this.emit("MUL", { dst: r, src: [cr, n] });
    return r;
  }

  spike(mask: number): void {
    this.emit("SPIKE", { src: [mask] });
  }

  select(mask: number, a: number, b: number, f: Format): number {
    const r = this.reg(f);
    this.emit("SELECT", { dst: r, src: [mask, a, b] });
    return r;
  }

  add(a: number, b: number, f: Format, name = "ADD"): number {
    const r = this.reg(f);
    this.emit(name, { dst: r, src: [a, b] });
    return r;
  }
}


const sym = (name: string): Expr => ({ op: "sym", name, scope: "self" });
const c = (value: number): Expr => ({ op: "const", value });
const mul = (a: Expr, b: Expr): Expr => ({ op: "mul", a, b });
const add = (a: Expr, b: Expr): Expr => ({ op: "add", a, b });

/**
 * Lowers one update x <- x + (A + B x + C xi) over dt; returns the register with the new value.
 * `circuitNoise`: the chip's trial-to-trial noise with one coefficient C_i per element (a time
 * constant drawn per circuit, variation.ts), added in the per-element exponential-Euler step.
 */
function lowerOde(kb: KernelBuilder, u: OdeUpdate, dt: number, parts: UpdateParts = u, circuitNoise?: Float64Array): number {
  const s = kb.slot(u.var, "self");
  const x = kb.value(u.var, "self");
  const B = fold(parts.B);
  let next: number;
  let noiseScale: number;
  if (parts.linear && B.op === "const" && B.value !== 0) {
    const b = B.value;
    const phi = Math.expm1(b * dt) / b;
    // x <- x * D + A * phi + C phi / sqrt(dt) * xi; with mismatch, D and phi are per element.
    const mismatched = kb.has(decayName(u.var));
    const D = Math.exp(b * dt);
    if (mismatched) next = kb.add(x, kb.value(decayName(u.var), "self"), s.format, "MUL");
    else if (1 - D < SLOW_DECAY) {
      // x + x (D - 1): a factor near one keeps only a few significant bits of its rate 1 - D
      // (0.99985 in 16 bits is 5 % off in 1 - D); the small constant keeps all of them.
      const [lo, hi] = s.range;
      next = kb.add(x, kb.add(x, kb.constant(D - 1), kb.formatFor([Math.min(lo * (D - 1), hi * (D - 1)), Math.max(lo * (D - 1), hi * (D - 1))], `${u.var} x (D - 1)`), "MUL"), s.format);
    } else next = kb.add(x, kb.constant(D), s.format, "MUL");
    let dv = fold(mul(parts.A, c(phi)));
    if (mismatched && !(dv.op === "const" && dv.value === 0)) dv = mul(dv, sym(inflowName(u.var)));
    if (!(dv.op === "const" && dv.value === 0)) next = kb.add(next, kb.lower(dv), s.format);
    noiseScale = phi / Math.sqrt(dt);
  } else if (parts.linear && kb.parameterOnly(B) && !parts.C) {
    // A decay rate that differs per element but not in time: exponential Euler with per-element
    // factors (arrays named by the kernel's step, since a slow kernel steps longer).
    const ticks = `${Math.round(dt * 1e9)}ns`;
    // With the chip's mismatch, each circuit's decay and inflow gain (variation.ts) replace the model's.
    const mismatched = kb.has(decayName(u.var));
    const D = mismatched ? sym(decayName(u.var)) : kb.parameterArray(`__hdecay_${u.var}@${ticks}`, (i) => Math.exp(kb.evaluateAt(B, i) * dt));
    // Parameter factors of A (A = f / tau) are folded into phi: their product stays in [0, 1]
    // whatever tau is, where 1 / tau alone may need more range than one format holds.
    const { rest, factor } = parameterFactor(kb.group, fold(parts.A));
    const phi = kb.parameterArray(`__h${factor ? "gain" : "phi"}_${u.var}@${ticks}`, (i) => {
      const b = kb.evaluateAt(B, i);
      return (b === 0 ? dt : Math.expm1(b * dt) / b) * (factor ? kb.evaluateAt(factor, i) : 1);
    });
    next = kb.add(x, kb.lower(D), s.format, "MUL");
    const dv = fold(mul(mul(rest, phi), mismatched ? sym(inflowName(u.var)) : c(1)));
    if (!(dv.op === "const" && dv.value === 0)) next = kb.add(next, kb.lower(dv), s.format);
    noiseScale = Math.sqrt(dt);
    if (circuitNoise) {
      // The exact OU step per circuit: C_i phi_i / sqrt(dt) xi, phi_i = (e^(b_i dt) - 1) / b_i (the
      // nominal b_i: with mismatch a circuit's own differs by its few per cent, as for the kicks).
      const sd = kb.parameterArray(`__hnoise_${u.var}@${ticks}`, (i) => {
        const b = kb.evaluateAt(B, i);
        return (circuitNoise[i]! * (b === 0 ? dt : Math.expm1(b * dt) / b)) / Math.sqrt(dt);
      });
      const n = kb.noiseTerm(sd);
      if (n !== null) next = kb.add(next, n, s.format);
    }
  } else {
    const rate: Expr = parts.linear ? add(parts.A, mul(B, sym(u.var))) : parts.A;
    const factor: Expr = parts.linear && B.op !== "const" ? mul(c(dt), add(c(1), mul(B, c(dt / 2)))) : c(dt);
    const inc = fold(mul(rate, factor));
    next = inc.op === "const" && inc.value === 0 ? x : kb.add(x, kb.lower(inc), s.format);
    noiseScale = Math.sqrt(dt); // the (1 + B dt / 2) factor is dropped for the noise: a relative 1e-4 on its SD
  }
  if (circuitNoise && !(parts.linear && B.op !== "const" && kb.parameterOnly(B) && !parts.C)) throw new LowerError(`internal: per-circuit noise on ${kb.group.name}.${u.var}, which has no per-element decay rate`);
  if (parts.C) {
    const n = kb.noiseTerm(mul(parts.C, c(noiseScale)));
    if (n !== null) next = kb.add(next, n, s.format);
  }
  return next;
}

/**
 * The kernel "<population>.noise" (analog core, every `period` ticks): each noisy analog variable
 * gains one draw with the SD of `period` per-tick draws after the decay between them
 * (noise-step.ts). The per-tick SD is the dense kernel's, C phi / sqrt(dt); the decay a = e^(B dt)
 * is the nominal one (with mismatch a circuit's own differs by its few per cent). A variable held
 * while refractory draws nothing then, as in the dense kernel.
 */
function lowerNoiseKicks(input: LowerInput, p: Program["populations"][number], period: number, finish: Finish): void {
  const dt = input.program.tickSeconds;
  const noisy = p.odes.filter((u) => input.analog!.has(`${p.name}.${u.var}`) && input.noise?.get(`${p.name}.${u.var}`));
  if (noisy.length === 0) return;
  const kb = new KernelBuilder(input, p, undefined, undefined, false);
  const refractory = p.threshold !== null && input.states.has(`${p.name}.__refractory`);
  for (const u of noisy) {
    const B = fold(u.B);
    const coefficient = input.noise!.get(`${p.name}.${u.var}`)!;
    const kick = (b: number, C: number) => lumpedNoiseSd(C * (Math.expm1(b * dt) / b / Math.sqrt(dt)), Math.exp(b * dt), period);
    let sd: Expr;
    if (typeof coefficient === "number") {
      if (B.op !== "const" || B.value >= 0) throw new LowerError(`internal: noisy analog variable ${p.name}.${u.var} has no constant decay rate`);
      sd = c(kick(B.value, coefficient));
    } else {
      // A time constant per circuit: one kick SD per circuit.
      if (!kb.parameterOnly(B)) throw new LowerError(`internal: noisy analog variable ${p.name}.${u.var} has no per-circuit decay rate`);
      sd = kb.parameterArray(`__hkick_${u.var}@${period}`, (i) => kick(kb.evaluateAt(B, i), coefficient[i]!));
    }
    const coef: Expr = u.holdWhenRefractory && refractory ? { op: "cond", test: { op: "cmp", cmp: "gt", a: sym("__refractory"), b: c(0) }, then: c(0), else: sd } : sd;
    const n = kb.noiseTerm(coef);
    if (n === null) continue;
    kb.setCurrent(u.var, "self", kb.add(kb.value(u.var, "self"), n, kb.slot(u.var, "self").format));
  }
  for (const u of noisy) kb.store(u.var, "self", kb.value(u.var, "self"));
  finish(`${p.name}.noise`, p.name, kb, ANALOG, every(period));
}

/** An analog update with the chip's trial-to-trial noise (coefficient from variation.ts) added; one per circuit goes to lowerOde instead. */
function withChipNoise(u: OdeUpdate, coefficient: number | Float64Array | undefined): UpdateParts {
  return typeof coefficient === "number" && coefficient ? { A: u.A, B: u.B, C: c(coefficient), linear: u.linear } : u;
}

/**
 * A synaptic event into an analog neuron goes through the crossbar: the weight is what its
 * weightBits hold (magnitude on the full scale of the value's range), times the synapse circuit's
 * mismatched gain when there is one.
 */
function crossbarWeight(kb: KernelBuilder, value: Expr, input: LowerInput): number {
  let v = kb.lower(value);
  const xb = input.caps.synapseArray;
  const [lo, hi] = interval(fold(value), kb.rangeOf);
  if (xb) {
    const signed = lo < 0; // the row's sign, carried as one more bit
    const width = xb.weightBits + (signed ? 1 : 0);
    const r = kb.reg({ width, signed, frac: fracFor(lo, hi, width, signed), rounding: "nearest", overflow: "saturate" });
    kb.emit("COPY", { dst: r, src: [v] });
    v = r;
  }
  if (kb.has(GAIN)) v = kb.add(v, kb.value(GAIN, "self"), kb.formatFor([lo * MAX_FACTOR, hi * MAX_FACTOR], "weight x gain"), "MUL");
  return v;
}

function lowerAssign(kb: KernelBuilder, a: EventAssign, prescale: (name: string) => number, input: LowerInput): void {
  if (a.scope !== "self") {
    const value: Expr = a.op === "-=" ? { op: "neg", a: a.value } : a.value;
    const target = a.scope === "pre" ? kb.slot(a.target, "pre") : kb.slot(a.target, "post");
    const v = input.analog?.has(`${target.group}.${target.name}`) ? crossbarWeight(kb, value, input) : kb.lower(value);
    if (a.op === "+=" || a.op === "-=") kb.store(a.target, a.scope, v, true);
    else if (a.op === "=") kb.store(a.target, a.scope, v);
    else throw new LowerError(`"${a.op}" on a neuron variable from a synapse event is not supported in fixed point`);
    return;
  }
  const s = kb.slot(a.target, "self");
  const x = kb.value(a.target, "self");
  let r: number;
  if (a.op === "=") r = kb.lower(a.value);
  else if (a.op === "+=" || a.op === "-=") {
    const jump = mul(a.value, c(prescale(a.target)));
    r = kb.add(x, kb.lower(jump), s.format, a.op === "+=" ? "ADD" : "SUB");
  } else r = kb.add(x, kb.lower(a.op === "*=" ? a.value : { op: "div", a: c(1), b: a.value }), s.format, "MUL");
  kb.store(a.target, "self", r);
  kb.setCurrent(a.target, "self", r); // later reads in this kernel see the new value
}

/** Digital variables that relax within a second: conditions on them gate the fast kernel's terms. */
export function fastVariables(program: Program): Set<string> {
  const fast = new Set<string>();
  for (const g of [...program.populations, ...program.projections]) {
    // a rate that differs per element (heterogeneous time constants) counts by its fastest element
    for (const u of g.odes) if (u.linear && fastestRate(g, u.B) <= -1) fast.add(`${g.name}.${u.var}`);
  }
  return fast;
}

/**
 * Digital variables whose update reads a fast variable outside any condition ("group.var"): a
 * continuous drive such as a Hebbian product x_post x_pre, which changes every tick. Sampling it once
 * per slow period would alias it, so such a variable is stepped whole at the digital period.
 * (Terms gated by a condition on a fast variable are split off as before; the STC weights have no
 * such drive, so their slow kernels are unchanged.)
 */
export function drivenVariables(program: Program, fastVars: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const g of [...program.populations, ...program.projections]) {
    const pre = "pre" in g ? (g as { pre: string }).pre : undefined;
    const post = "post" in g ? (g as { post: string }).post : undefined;
    for (const u of g.odes) {
      if (fastVars.has(`${g.name}.${u.var}`)) continue;
      let driven = false;
      const visit = (e: Expr, inCondition: boolean): void => {
        if (driven) return;
        if (e.op === "cmp" || (e.op === "call" && (e.fn === "H" || e.fn === "heaviside"))) inCondition = true;
        if (e.op === "sym" && !inCondition) {
          const owner = e.scope === "self" ? g.name : e.scope === "pre" ? pre : post;
          if (owner && fastVars.has(`${owner}.${e.name}`)) driven = true;
        }
        for (const child of Object.values(e)) {
          if (child && typeof child === "object" && "op" in (child as object)) visit(child as Expr, inCondition);
          else if (Array.isArray(child)) for (const c2 of child) if (c2 && typeof c2 === "object" && "op" in c2) visit(c2 as Expr, inCondition);
        }
      };
      visit(u.A, false);
      visit(u.B, false);
      if (driven) out.add(`${g.name}.${u.var}`);
    }
  }
  return out;
}

export function lowerKernels(given: LowerInput): Kernel[] {
  const { program } = given;
  const input: LowerInput = { ...given, analog: analogVariables(program, given.caps).analog };
  const dt = program.tickSeconds;
  const dtDigital = dt * input.digitalPeriod;
  const slowPeriod = input.slowPeriod ?? input.digitalPeriod;
  const split = slowPeriod > input.digitalPeriod;
  const dtSlow = dt * slowPeriod;
  const noisePeriod = input.noisePeriod ?? 1;
  const lumpedNoise = noisePeriod > 1 && (input.noise?.size ?? 0) > 0;
  const analog = input.analog!;
  const fastVars = fastVariables(program);
  const isAnalog = (group: string, v: string) => analog.has(`${group}.${v}`);
  const fastSummed = summedRate(program, analog, fastVars);
  const driven = drivenVariables(program, fastVars);
  const groupIndex = new Map([...program.populations, ...program.projections].map((g, i) => [g.name, i]));
  const kernels: Kernel[] = [];
  const finish = (name: string, group: string, kb: KernelBuilder, unit: number, trigger: Pick<Kernel, "periodic" | "on_spike">): void => {
    if (kb.ops.length > 0) kernels.push({ name, group: groupIndex.get(group)!, ...trigger, registers: kb.registers, ops: kb.ops, unit, cycles: 0 });
  };
  /**
   * The updates of a group's digital variables, per kernel: with a slow period, a variable that is
   * itself fast goes whole to the fast kernel; others are split into terms gated by fast variables
   * (fast kernel) and the rest (slow kernel).
   */
  const digitalParts = (g: GroupIR): { fast: [OdeUpdate, UpdateParts][]; slow: [OdeUpdate, UpdateParts][] } => {
    const fast: [OdeUpdate, UpdateParts][] = [];
    const slow: [OdeUpdate, UpdateParts][] = [];
    for (const u of g.odes) {
      if (isAnalog(g.name, u.var)) continue;
      if (!split || fastVars.has(`${g.name}.${u.var}`) || driven.has(`${g.name}.${u.var}`)) {
        fast.push([u, u]);
        continue;
      }
      const parts = splitUpdate(u, (name) => fastVars.has(`${g.name}.${name}`));
      if (parts.fast) fast.push([u, parts.fast]);
      if (parts.slow) slow.push([u, parts.slow]);
    }
    return { fast, slow };
  };
  try {
    for (const p of program.populations) {
      if (p.source) continue;
      const thresholdAnalog = p.odes.length > 0 && [...(p.threshold ? readsOf(p.threshold) : []), ...p.reset.map((r) => r.target)].every((n) => !p.odes.some((u) => u.var === n) || isAnalog(p.name, n));
      const digital = digitalParts(p);
      const plans = [
        { unit: ANALOG, name: "analog", period: 1, stepDt: dt, items: p.odes.filter((u) => isAnalog(p.name, u.var)).map((u): [OdeUpdate, UpdateParts] => [u, lumpedNoise ? u : withChipNoise(u, input.noise?.get(`${p.name}.${u.var}`))]), spikes: thresholdAnalog, consume: false },
        { unit: DIGITAL, name: "update", period: input.digitalPeriod, stepDt: dtDigital, items: digital.fast, spikes: !thresholdAnalog, consume: !split },
        { unit: DIGITAL, name: "slow", period: slowPeriod, stepDt: dtSlow, items: digital.slow, spikes: false, consume: split },
      ];
      for (const plan of plans) {
        const withSpikes = p.threshold !== null && plan.spikes;
        // Each summed input is consumed by the kernel that refreshes it (summedRate).
        const consumed = plan.unit === ANALOG ? [] : p.vars.filter((v) => v.kind === "summed" && (split ? fastSummed.has(`${p.name}.${v.name}`) === (plan.name === "update") : plan.consume));
        const consume = consumed.length > 0;
        if (plan.items.length === 0 && !withSpikes && !consume) continue;
        const kb = new KernelBuilder(input, p, undefined, undefined, plan.unit === DIGITAL);
        const refr = withSpikes ? input.states.get(`${p.name}.__refractory`) : undefined;
        const holding = refr ? kb.lower({ op: "cmp", cmp: "gt", a: sym("__refractory"), b: c(0) }) : null;
        for (const [u, parts] of plan.items) {
          const old = kb.value(u.var, "self");
          const perCircuit = plan.unit === ANALOG && !lumpedNoise ? input.noise?.get(`${p.name}.${u.var}`) : undefined;
          let next = lowerOde(kb, u, plan.stepDt, parts, perCircuit instanceof Float64Array ? perCircuit : undefined);
          if (u.holdWhenRefractory && holding !== null) next = kb.select(holding, old, next, kb.slot(u.var, "self").format);
          kb.setCurrent(u.var, "self", next);
        }
        if (withSpikes) lowerSpiking(kb, p, holding, refr);
        for (const u of new Set(plan.items.map(([x]) => x.var))) kb.store(u, "self", kb.value(u, "self"));
        if (withSpikes) for (const r of p.reset) if (!plan.items.some(([u]) => u.var === r.target)) kb.store(r.target, "self", kb.value(r.target, "self"));
        for (const v of consumed) kb.store(v.name, "self", kb.constant(0)); // consumed: synapses refill it
        if (refr) kb.store("__refractory", "self", kb.value("__refractory", "self"));
        finish(`${p.name}.${plan.name}`, p.name, kb, plan.unit, every(plan.period));
        if (plan.name === "analog" && lumpedNoise) lowerNoiseKicks(input, p, noisePeriod, finish);
      }
    }
    for (const pr of program.projections) {
      const lazy = input.lazy?.get(pr.name);
      if (lazy) {
        lowerLazy(input, pr, lazy, slowPeriod, groupIndex, finish);
        continue;
      }
      const prescale = (name: string): number => {
        const u = pr.odes.find((o) => o.var === name);
        if (u && u.autonomous && u.linear && u.B.op === "const" && u.A.op === "const" && u.A.value === 0 && !u.C) {
          // The jump lands before this tick's decay; pre-dividing keeps the reference's value.
          // Exact only when the variable decays every tick; a multi-tick digital period keeps the plain jump.
          if (isAnalog(pr.name, name) || input.digitalPeriod === 1) return Math.exp(-u.B.value * dt);
        }
        return 1;
      };
      for (const { e, name, trigger } of eventKernels(pr, groupIndex)) {
        const allAnalog = e.assigns.every((a) => (a.scope === "self" ? isAnalog(pr.name, a.target) : isAnalog(a.scope === "pre" ? pr.pre : pr.post, a.target)));
        const kb = new KernelBuilder(input, pr, pr.pre, pr.post, !allAnalog);
        for (const a of e.assigns) lowerAssign(kb, a, prescale, input);
        finish(name, pr.name, kb, allAnalog ? ANALOG : DIGITAL, trigger);
      }
      const digital = digitalParts(pr);
      const plans = [
        { unit: ANALOG, name: "analog", period: 1, stepDt: dt, items: pr.odes.filter((u) => isAnalog(pr.name, u.var)).map((u): [OdeUpdate, UpdateParts] => [u, u]), summed: false },
        { unit: DIGITAL, name: "update", period: input.digitalPeriod, stepDt: dtDigital, items: digital.fast, summed: !split },
        { unit: DIGITAL, name: "slow", period: slowPeriod, stepDt: dtSlow, items: digital.slow, summed: split },
      ];
      for (const plan of plans) {
        const summed = plan.unit === ANALOG ? [] : split ? pr.summed.filter((x) => fastSummed.has(`${x.scope === "pre" ? pr.pre : pr.post}.${x.target}`) === (plan.name === "update")) : plan.summed ? pr.summed : [];
        if (plan.items.length === 0 && summed.length === 0) continue;
        const kb = new KernelBuilder(input, pr, pr.pre, pr.post, plan.unit === DIGITAL);
        stepAndStore(kb, plan.items, plan.stepDt);
        for (const s of summed) kb.store(s.target, s.scope ?? "post", kb.lower(s.value), true);
        finish(`${pr.name}.${plan.name}`, pr.name, kb, plan.unit, every(plan.period));
      }
    }
  } catch (err) {
    if (err instanceof LowerError) throw new EngramError([{ code: "cannot-lower", message: err.message, hint: "rewrite the equation with the operations the target has (docs/ir.md)" }]);
    throw err;
  }
  return kernels;
}

const DIGITAL = 1;

/**
 * Summed inputs that must be refreshed at the digital period, not the slow one ("pop.var"): those
 * read by a threshold, by an analog or fast variable's update, or by the fast part of a split
 * update. A rate reservoir's recurrent input is read by its (fast) units every step, so its
 * projection must write it every step; an input only slow terms read may wait for the slow kernel.
 */
export function summedRate(program: Program, analog: Set<string>, fastVars: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const p of program.populations) {
    const summed = p.vars.filter((v) => v.kind === "summed").map((v) => v.name);
    if (summed.length === 0) continue;
    const reads = new Set<string>(p.threshold ? readsOf(p.threshold) : []);
    for (const u of p.odes) {
      const key = `${p.name}.${u.var}`;
      if (analog.has(key) || fastVars.has(key)) [u.A, u.B].forEach((e) => readsOf(e).forEach((n) => reads.add(n)));
      else {
        const parts = splitUpdate(u, (name) => fastVars.has(`${p.name}.${name}`));
        if (parts.fast) [parts.fast.A, parts.fast.B].forEach((e) => readsOf(e).forEach((n) => reads.add(n)));
      }
    }
    for (const name of summed) if (reads.has(name)) out.add(`${p.name}.${name}`);
  }
  return out;
}

/** A periodic trigger over every element. */
const every = (ticks: number) => ({ periodic: { period_ticks: ticks, offset_ticks: 0, gated: false, gate_state: 0 } });

/** A projection's synaptic event handlers, each with its kernel name and spike trigger. */
function eventKernels(pr: Program["projections"][number], groupIndex: Map<string, number>) {
  const events = [...pr.onPre.map((e) => ({ e, post: false })), ...pr.onPost.map((e) => ({ e, post: true }))];
  return events.map(({ e, post }, i) => ({ e, name: `${pr.name}.${post ? "on_post" : "on_pre"}[${i}]`, trigger: { on_spike: { source: groupIndex.get(post ? pr.post : pr.pre)!, delay_ticks: e.delayTicks, post } } }));
}

/** Steps each update over dt (sequentially: later updates see earlier results), then stores each variable once. */
function stepAndStore(kb: KernelBuilder, updates: [OdeUpdate, UpdateParts][], dt: number): void {
  for (const [u, parts] of updates) {
    try {
      kb.setCurrent(u.var, "self", lowerOde(kb, u, dt, parts));
    } catch (err) {
      // Located at the equation as written; a multiplier's rewrite names the multiplier too.
      if (!(err instanceof LowerError) || !u.where) throw err;
      const by = u.rewrittenBy ? ` (as rewritten by the weight-dependent multiplier at ${u.rewrittenBy})` : "";
      throw new EngramError([{ code: "cannot-lower", message: `d${u.var}/dt of ${kb.group.name}${by}: ${err.message}`, where: u.where, hint: "rewrite the equation with the operations the target has (docs/ir.md)" }]);
    }
  }
  for (const v of new Set(updates.map(([u]) => u.var))) kb.store(v, "self", kb.value(v, "self"));
}

type Finish = (name: string, group: string, kb: KernelBuilder, unit: number, trigger: Pick<Kernel, "periodic" | "on_spike">) => void;

/**
 * A projection with time-stamped traces (lazy.ts): event kernels, the kernel of the gated terms
 * (over the open synapses if event-driven, else over all), a read-out kernel per recorded trace,
 * the slow kernel.
 */
function lowerLazy(input: LowerInput, pr: Program["projections"][number], plan: LazyPlan, slowPeriod: number, groupIndex: Map<string, number>, finish: Finish): void {
  const dt = input.program.tickSeconds;
  const gatedRun = input.gated ?? true;
  const isTrace = (name: string) => plan.traces.some((t) => t.name === name);
  const w = input.caps.registerWidth;
  const tables = traceTables(plan, pr.name, input.states, dt, w);
  for (const tr of plan.traces) if (!tables.has(tr.name)) throw new LowerError(`internal: trace ${pr.name}.${tr.name} has no decay table`);
  const last = Math.max(...[...tables.values()].map((t) => t.length - 1));
  /** n, the decays between a trace's stored value and its value at the end of this tick. */
  const elapsed = (kb: KernelBuilder): number => {
    if (!gatedRun) return kb.value(ELAPSED, "self");
    const next = kb.reg(TICKS);
    kb.emit("NOW", { dst: next, imm: 1 });
    return kb.add(next, kb.value(STAMP, "self"), TICKS, "SUB");
  };
  /** Trace tr at the end of this tick: stored value x D^n, rounded once (with `rounding`). */
  const decayed = (kb: KernelBuilder, n: number, name: string, rounding: Format["rounding"]): number => {
    const s = kb.slot(name, "self");
    const f = kb.reg({ width: w, signed: false, frac: w - 1, rounding: "nearest", overflow: "saturate" });
    kb.emit("LOOKUP", { dst: f, src: [n], table: tables.get(name)! });
    return kb.add(kb.value(name, "self"), f, { ...s.format, rounding }, "MUL");
  };
  /** At an event: stores the decayed traces (the chip's decay rule) and restarts their count. */
  const advance = (kb: KernelBuilder) => {
    const n = elapsed(kb);
    for (const tr of plan.traces) {
      const x = decayed(kb, n, tr.name, kb.slot(tr.name, "self").format.rounding);
      kb.setCurrent(tr.name, "self", x);
      kb.store(tr.name, "self", x);
    }
    if (gatedRun) {
      const next = kb.reg(TICKS);
      kb.emit("NOW", { dst: next, imm: 1 });
      kb.store(STAMP, "self", next);
    } else kb.store(ELAPSED, "self", kb.constant(0));
  };
  /** Reads the traces at this tick (register rounding; nothing stored): the same values however often they are read. */
  const read = (kb: KernelBuilder) => {
    const n = elapsed(kb);
    for (const tr of plan.traces) kb.setCurrent(tr.name, "self", decayed(kb, n, tr.name, input.caps.registerRounding));
    return n;
  };
  /** 1 while any trace condition holds. */
  const anyCondition = (kb: KernelBuilder): number => plan.conditions.map((c) => kb.lower(c)).reduce((a, b) => kb.add(a, b, ACTIVE, "MAX"));
  for (const { e, name, trigger } of eventKernels(pr, groupIndex)) {
    const kb = new KernelBuilder(input, pr, pr.pre, pr.post);
    const touches = e.assigns.some((a) => a.scope === "self" && isTrace(a.target));
    if (touches) advance(kb);
    for (const a of e.assigns) lowerAssign(kb, a, () => 1, input);
    if (touches && gatedRun) kb.store(GATE, "self", kb.add(kb.value(GATE, "self"), anyCondition(kb), ACTIVE, "MAX"));
    finish(name, pr.name, kb, DIGITAL, trigger);
  }
  // Recorded traces: read into their own state on the tick before each sample (before the dense
  // count moves on), so a sample holds the trace decayed to its time in either mode.
  for (const r of input.program.recordings) {
    if (r.group !== pr.name || !isTrace(r.var)) continue;
    const kb = new KernelBuilder(input, pr, pr.pre, pr.post);
    read(kb);
    kb.store(seenName(r.var), "self", kb.value(r.var, "self"));
    finish(`${pr.name}.read_${r.var}`, pr.name, kb, DIGITAL, { periodic: { period_ticks: r.everyTicks, offset_ticks: r.everyTicks - 1, gated: false, gate_state: 0 } });
  }
  const active = new KernelBuilder(input, pr, pr.pre, pr.post);
  const n = read(active);
  stepAndStore(active, plan.fast.map((u) => [u, u]), dt);
  if (gatedRun) {
    active.store(GATE, "self", anyCondition(active));
    finish(`${pr.name}.active`, pr.name, active, DIGITAL, { periodic: { period_ticks: 1, offset_ticks: 0, gated: true, gate_state: input.states.get(`${pr.name}.${GATE}`)!.index } });
  } else {
    const f = active.slot(ELAPSED, "self").format;
    active.store(ELAPSED, "self", active.add(active.add(n, active.constant(1), { ...f, width: f.width + 1 }), active.constant(last), f, "MIN"));
    finish(`${pr.name}.stepped`, pr.name, active, DIGITAL, every(1));
  }
  const slow = new KernelBuilder(input, pr, pr.pre, pr.post);
  stepAndStore(slow, plan.slow.map((u) => [u, u]), dt * slowPeriod);
  for (const x of pr.summed) slow.store(x.target, x.scope ?? "post", slow.lower(x.value), true);
  finish(`${pr.name}.slow`, pr.name, slow, DIGITAL, every(slowPeriod));
}
/** Decay factors within this of one are applied as x + x (D - 1) (lowerOde). */
const SLOW_DECAY = 1 / 16;
const ANALOG = 2;

/** Threshold, reset and refractory counter of a spiking population. */
function lowerSpiking(kb: KernelBuilder, p: Program["populations"][number], holding: number | null, refr: StateSlot | undefined): void {
  let fire = kb.lower(p.threshold!);
  if (holding !== null) fire = kb.select(holding, kb.constant(0), fire, { width: 1, signed: false, frac: 0, rounding: "floor", overflow: "saturate" });
  kb.spike(fire);
  for (const a of p.reset) {
    const s = kb.slot(a.target, "self");
    const before = kb.value(a.target, "self");
    const v = a.op === "=" ? kb.lower(a.value) : kb.lower({ op: a.op === "+=" ? "add" : a.op === "-=" ? "sub" : a.op === "*=" ? "mul" : "div", a: sym(a.target), b: a.value } as Expr);
    kb.setCurrent(a.target, "self", kb.select(fire, v, before, s.format));
  }
  if (refr && holding !== null) {
    const count = kb.value("__refractory", "self");
    const minusOne = kb.add(count, kb.constant(1), refr.format, "SUB");
    const held = kb.select(holding, minusOne, count, refr.format);
    kb.setCurrent("__refractory", "self", kb.select(fire, kb.constant(refr.range[1]), held, refr.format));
  }
}

/** Names of variables an expression reads (for diagnostics). */
export function readsOf(e: Expr): string[] {
  const out: string[] = [];
  walk(e, (n) => {
    if (n.op === "sym") out.push(n.scope === "self" ? n.name : `${n.name}_${n.scope}`);
  });
  return out;
}

/** The first rate activation (tanh, logistic, relu) an expression calls, if any. */
function rateActivation(e: Expr): string | undefined {
  let found: string | undefined;
  walk(e, (n) => {
    if (!found && n.op === "call" && (n.fn === "tanh" || n.fn === "logistic" || n.fn === "relu")) found = n.fn;
  });
  return found;
}
