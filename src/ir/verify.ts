/**
 * The IR verifier: every decoded program passes here before anything uses it. Checks versions,
 * sizes and limits (a small file must not make us allocate gigabytes), every index, every format,
 * every op's operands against the op table, timers and delays. Problems are collected (up to a
 * cap) as located diagnostics quoting the offending value.
 */
import { EngramError, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { STREAM_MAX_CHANNELS, STREAM_RAW_LIMIT } from "./stream.ts";
import { IR_VERSION, IR_VERSIONS_READ, type IrFixedFormat, type IrProgram } from "./codec.ts";
import { OP_BY_CODE } from "./ops.ts";
import { firstDraw } from "./draws.ts";
import { DEFAULT_LIMITS } from "./limits.ts";

export const LIMITS = {
  /** Elements over all groups (neurons + synapses). */
  maxElements: 1 << 26,
  maxGroups: 4096,
  maxKernels: 4096,
  maxRegisters: 4096,
  maxOpsPerKernel: 65536,
  maxDelayTicks: 1 << 20,
  maxTable: 1 << 16,
  /** The model limit of src/ir/limits.ts: an image must not ask for a run that never finishes. */
  maxDurationTicks: DEFAULT_LIMITS.durationTicks,
  /** The range every engram number obeys (src/model/units.ts NUMBER_RANGE). */
  minTickSeconds: 1e-100,
  maxTickSeconds: 1e100,
  maxDiagnostics: 25,
} as const;

const ROUNDINGS = new Set([1, 2, 3]);
const OVERFLOWS = new Set([1, 2]);
const INDEX_MODES = new Set([1, 2, 3]);
const NEURONS = 1, SYNAPSES = 2;

export function rawRange(f: IrFixedFormat): [number, number] {
  return f.signed ? [-(2 ** (f.width - 1)), 2 ** (f.width - 1) - 1] : [0, 2 ** f.width - 1];
}

export function verify(p: IrProgram, file = "<program>"): void {
  const out: Diagnostic[] = [];
  const bad = (path: (string | number)[], message: string, received?: unknown) => {
    if (out.length < LIMITS.maxDiagnostics) {
      // JSON, except that non-finite numbers (which JSON shows as null) are quoted as themselves.
      const quoted = received === undefined ? undefined : typeof received === "number" && !Number.isFinite(received) ? String(received) : JSON.stringify(received);
      out.push({ code: "invalid-ir", message, where: { file, path }, received: quoted });
    }
  };
  const h = p.header;
  if (!h) bad(["header"], "the program has no header");
  else {
    if (!IR_VERSIONS_READ.includes(h.ir_version)) bad(["header", "ir_version"], `IR version ${h.ir_version} is not supported (this engram reads versions ${IR_VERSIONS_READ.slice(0, -1).join(", ")} and ${IR_VERSIONS_READ.at(-1)}, writes ${IR_VERSION})`, h.ir_version);
    else if (h.ir_version < 3 && (p.stimuli ?? []).some((s) => s.stream)) bad(["header", "ir_version"], `a version-${h.ir_version} image cannot hold Stream stimuli (added in version 3)`, h.ir_version);
    if (!(h.tick_seconds > 0 && Number.isFinite(h.tick_seconds))) bad(["header", "tick_seconds"], "tick length must be a positive finite number of seconds", h.tick_seconds);
    else if (!(h.tick_seconds >= LIMITS.minTickSeconds && h.tick_seconds <= LIMITS.maxTickSeconds)) bad(["header", "tick_seconds"], `tick length must be between ${LIMITS.minTickSeconds} and ${LIMITS.maxTickSeconds} s`, h.tick_seconds);
    if (!Number.isSafeInteger(h.duration_ticks) || h.duration_ticks < 0) bad(["header", "duration_ticks"], "duration must be a non-negative integer number of ticks below 2^53", h.duration_ticks);
    else if (h.duration_ticks > LIMITS.maxDurationTicks) bad(["header", "duration_ticks"], `duration of ${h.duration_ticks} ticks is more than the limit of ${LIMITS.maxDurationTicks} (a model asking for more is refused by the compiler too)`, h.duration_ticks);
    if (!(h.acceleration >= 1 && Number.isFinite(h.acceleration))) bad(["header", "acceleration"], "acceleration must be a finite number >= 1", h.acceleration);
    if (!(h.clock_hz >= 0 && Number.isFinite(h.clock_hz))) bad(["header", "clock_hz"], "clock must be a finite, non-negative frequency", h.clock_hz);
    if (!(Number.isInteger(h.rounding_bits) && h.rounding_bits >= 0 && h.rounding_bits <= 53)) bad(["header", "rounding_bits"], "rounding random numbers have 0 (exact) to 53 bits", h.rounding_bits);
    if (!Number.isSafeInteger(h.seed) || h.seed < 0) bad(["header", "seed"], "seed must be a non-negative integer below 2^53", h.seed);
  }
  const groups = p.groups ?? [];
  if (groups.length > LIMITS.maxGroups) bad(["groups"], `too many groups (limit ${LIMITS.maxGroups})`, groups.length);
  let elements = 0;
  groups.forEach((g, i) => {
    if (g.kind !== NEURONS && g.kind !== SYNAPSES) bad(["groups", i, "kind"], "group kind must be NEURONS or SYNAPSES", g.kind);
    if (!Number.isSafeInteger(g.size) || g.size < 0) bad(["groups", i, "size"], "group size must be a non-negative integer", g.size);
    elements += g.size;
  });
  if (elements > LIMITS.maxElements) bad(["groups"], `the groups declare ${elements} elements, more than the limit of ${LIMITS.maxElements}`, elements);
  if (out.length > 0) throw new EngramError(out); // sizes are wrong: nothing below is safe to check
  const sizeOf = (g: number) => groups[g]!.size;
  const groupOk = (path: (string | number)[], g: number, kind?: number): boolean => {
    if (!Number.isInteger(g) || g < 0 || g >= groups.length) {
      bad(path, `group index ${g} is out of range (the program has ${groups.length} groups)`, g);
      return false;
    }
    if (kind !== undefined && groups[g]!.kind !== kind) {
      bad(path, `group ${g} ("${groups[g]!.name}") must be a ${kind === NEURONS ? "neuron" : "synapse"} group`, g);
      return false;
    }
    return true;
  };
  const formatOk = (path: (string | number)[], f: IrFixedFormat | undefined): boolean => {
    if (!f) {
      bad(path, "missing fixed-point format");
      return false;
    }
    let ok = true;
    if (!Number.isInteger(f.width) || f.width < 1 || f.width > 32) (ok = false), bad([...path, "width"], "width must be 1..32 bits", f.width);
    if (!Number.isInteger(f.frac) || f.frac < -64 || f.frac > 96) (ok = false), bad([...path, "frac"], "fractional bits must be in -64..96", f.frac);
    if (!ROUNDINGS.has(f.rounding)) (ok = false), bad([...path, "rounding"], "rounding must be FLOOR, NEAREST or STOCHASTIC", f.rounding);
    if (!OVERFLOWS.has(f.overflow)) (ok = false), bad([...path, "overflow"], "overflow must be WRAP or SATURATE", f.overflow);
    return ok;
  };

  // States that passed their own checks; everything below only dereferences these.
  const goodStates = new Set<number>();
  (p.states ?? []).forEach((s, i) => {
    const path = ["states", i];
    if (!groupOk([...path, "group"], s.group)) return;
    if (!formatOk([...path, "format"], s.format)) return;
    goodStates.add(i);
    const n = sizeOf(s.group);
    if (s.init.length !== 1 && s.init.length !== n) bad([...path, "init"], `initial values must number 1 or the group size ${n}`, s.init.length);
    const [lo, hi] = rawRange(s.format);
    const k = s.init.findIndex((v) => !Number.isSafeInteger(v) || v < lo || v > hi);
    if (k >= 0) bad([...path, "init", k], `initial raw value is outside the ${s.format.width}-bit ${s.format.signed ? "signed" : "unsigned"} range [${lo}, ${hi}]`, s.init[k]);
  });
  const states = p.states ?? [];

  (p.connectivity ?? []).forEach((c, i) => {
    const path = ["connectivity", i];
    if (!groupOk([...path, "synapses"], c.synapses, SYNAPSES) || !groupOk([...path, "pre"], c.pre, NEURONS) || !groupOk([...path, "post"], c.post, NEURONS)) return;
    const n = sizeOf(c.synapses);
    for (const [key, arr, limit] of [["pre_index", c.pre_index, sizeOf(c.pre)], ["post_index", c.post_index, sizeOf(c.post)]] as const) {
      if (arr.length !== n) {
        bad([...path, key], `needs one entry per synapse (${n})`, arr.length);
        continue;
      }
      const k = arr.findIndex((v) => v >= limit);
      if (k >= 0) bad([...path, key, k], `neuron index out of range (the group has ${limit} neurons)`, arr[k]);
    }
    // Crossbar placement: absent, or one (array, row, column, label) per synapse, no two synapses on one site.
    const placed = [c.array, c.row, c.column, c.label];
    // All four absent or all four complete (one list missing is not "no placement").
    if (!placed.every((a) => a.length === 0) && !placed.every((a) => a.length === n)) bad([...path, "row"], `placement needs one array/row/column/label entry per synapse (${n}) or none`, placed.map((a) => a.length));
    else if (c.row.length === n && n > 0) {
      const s = firstSharedSite(c.array, c.row, c.column);
      if (s >= 0) bad([...path, "row", s], "two synapses are placed on the same crossbar site", [c.array[s], c.row[s], c.column[s]]);
    }
  });
  const connected = new Set((p.connectivity ?? []).map((c) => c.synapses));

  const kernels = p.kernels ?? [];
  const gates = new Set<number>();
  const stateWritesAcross: [(string | number)[], number][] = [];
  if (kernels.length > LIMITS.maxKernels) bad(["kernels"], `too many kernels (limit ${LIMITS.maxKernels})`, kernels.length);
  kernels.slice(0, LIMITS.maxKernels).forEach((k, i) => {
    const path = ["kernels", i];
    if (!groupOk([...path, "group"], k.group)) return;
    if (k.unit !== 1 && k.unit !== 2) bad([...path, "unit"], "kernel unit must be DIGITAL or ANALOG", k.unit);
    if (!Number.isSafeInteger(k.cycles) || k.cycles < 0) bad([...path, "cycles"], "cycle count must be a non-negative integer below 2^53", k.cycles);
    if (k.periodic && k.on_spike) bad(path, "a kernel has exactly one trigger");
    if (k.periodic) {
      if (!Number.isSafeInteger(k.periodic.period_ticks) || k.periodic.period_ticks < 1) bad([...path, "periodic", "period_ticks"], "timer period must be at least one tick", k.periodic.period_ticks);
      if (!Number.isSafeInteger(k.periodic.offset_ticks) || k.periodic.offset_ticks < 0) bad([...path, "periodic", "offset_ticks"], "timer offset must be a non-negative integer", k.periodic.offset_ticks);
      if (k.periodic.gated) {
        const g = k.periodic.gate_state ?? 0;
        if (!Number.isInteger(g) || g < 0 || g >= states.length) bad([...path, "periodic", "gate_state"], `state array ${g} does not exist (the program has ${states.length})`, g);
        else if (states[g]!.group !== k.group) bad([...path, "periodic", "gate_state"], `a gate must be a state of the kernel's own group ${k.group}, but "${states[g]!.name}" belongs to group ${states[g]!.group}`, g);
        else gates.add(g);
      }
    } else if (k.on_spike) {
      groupOk([...path, "on_spike", "source"], k.on_spike.source, NEURONS);
      if (!Number.isInteger(k.on_spike.delay_ticks) || k.on_spike.delay_ticks > LIMITS.maxDelayTicks) bad([...path, "on_spike", "delay_ticks"], `delay must be at most ${LIMITS.maxDelayTicks} ticks`, k.on_spike.delay_ticks);
      if (groups[k.group]!.kind !== SYNAPSES) bad([...path, "group"], `a spike-triggered kernel runs over a synapse group, but group ${k.group} ("${groups[k.group]!.name}") holds neurons`, k.group);
    } else bad(path, "kernel has no trigger (periodic or on_spike)");
    if (k.registers.length > LIMITS.maxRegisters) return bad([...path, "registers"], `too many registers (limit ${LIMITS.maxRegisters})`, k.registers.length);
    k.registers.forEach((r, j) => formatOk([...path, "registers", j, "format"], r.format));
    if (k.ops.length > LIMITS.maxOpsPerKernel) return bad([...path, "ops"], `too many ops (limit ${LIMITS.maxOpsPerKernel})`, k.ops.length);
    const isSynapses = groups[k.group]!.kind === SYNAPSES;
    k.ops.forEach((o, j) => {
      const op = OP_BY_CODE.get(o.op);
      const opath = [...path, "ops", j];
      if (!op) return bad([...opath, "op"], "unknown opcode", o.op);
      const reg = (r: number, key: (string | number)[]) => {
        if (!Number.isInteger(r) || r < 0 || r >= k.registers.length) bad([...opath, ...key], `register ${r} does not exist (the kernel has ${k.registers.length})`, r);
      };
      if (op.operands.includes("dst")) reg(o.dst, ["dst"]);
      if (o.src.length !== op.sources) bad([...opath, "src"], `${op.name} takes ${op.sources} source register(s)`, o.src.length);
      o.src.forEach((r, m) => reg(r, ["src", m]));
      if (op.operands.includes("state")) {
        if (!Number.isInteger(o.state) || o.state < 0 || o.state >= states.length) bad([...opath, "state"], `state array ${o.state} does not exist (the program has ${states.length})`, o.state);
        else if (!goodStates.has(o.state)) bad([...opath, "state"], `state array ${o.state} is itself invalid (see states[${o.state}])`, o.state);
        if (!INDEX_MODES.has(o.index)) bad([...opath, "index"], "index mode must be SELF, PRE or POST", o.index);
        else if (o.index !== 1 && !(isSynapses && connected.has(k.group))) bad([...opath, "index"], "PRE/POST access needs a synapse group with connectivity", o.index);
        else {
          const st = goodStates.has(o.state) ? states[o.state] : undefined;
          if (st) {
            const conn = (p.connectivity ?? []).find((c) => c.synapses === k.group);
            const want = o.index === 1 ? k.group : o.index === 2 ? conn!.pre : conn!.post;
            if (st.group !== want) bad([...opath, "state"], `state "${st.name}" belongs to group ${st.group}, but this access reaches group ${want}`, o.state);
          }
        }
      }
      if (op.name === "LOOKUP") {
        const table = o.table ?? [];
        if (table.length === 0 || table.length > LIMITS.maxTable) bad([...opath, "table"], `a lookup table has 1 to ${LIMITS.maxTable} entries`, table.length);
        else if (o.dst < k.registers.length && k.registers[o.dst]?.format) {
          const [lo, hi] = rawRange(k.registers[o.dst]!.format);
          const m = table.findIndex((v) => !Number.isSafeInteger(v) || v < lo || v > hi);
          if (m >= 0) bad([...opath, "table", m], `table entry does not fit the destination format [${lo}, ${hi}]`, table[m]);
        }
      }
      if ((op.name === "STORE" || op.name === "STORE_ADD") && o.index !== 1) stateWritesAcross.push([[...opath, "state"], o.state]);
      if (op.name === "SHR" || op.name === "SHL") {
        if (!Number.isInteger(o.imm) || o.imm < 0 || o.imm > 63) bad([...opath, "imm"], "shift must be 0..63", o.imm);
      } else if (op.name === "CONST" && o.dst < k.registers.length && k.registers[o.dst]?.format) {
        const [lo, hi] = rawRange(k.registers[o.dst]!.format);
        if (!Number.isSafeInteger(o.imm) || o.imm < lo || o.imm > hi) bad([...opath, "imm"], `constant does not fit the destination format [${lo}, ${hi}]`, o.imm);
      } else if (!Number.isSafeInteger(o.imm)) bad([...opath, "imm"], "immediate must be an integer of magnitude below 2^53 (64-bit fields are read as JS numbers)", o.imm);
    });
  });

  // A gate changes only at its own element, so a gated run's element set is known when it starts.
  for (const [path, st] of stateWritesAcross) if (gates.has(st)) bad(path, `state ${st} gates a kernel, so it may only be written at the element itself (SELF index)`, st);

  /** 64-bit tick fields arrive as JS numbers: above 2^53 they are no longer exact. */
  const ticksOk = <K extends string>(path: (string | number)[], q: Record<K, number>, keys: K[]) => {
    for (const key of keys) if (!Number.isSafeInteger(q[key]) || q[key] < 0) bad([...path, key], "tick must be a non-negative integer below 2^53", q[key]);
  };
  // Inputs are reset every tick and OU states belong to one stimulus: no state may be both, or shared.
  const inputStates = new Set((p.stimuli ?? []).flatMap((s) => (s.current ? [s.current.input_state] : s.stream ? [s.stream.input_state] : [])));
  for (const g of gates) if (inputStates.has(g)) bad(["states", g], "a gate state cannot be the input of a current stimulus (inputs are reset every tick)", g);
  const ouOwner = new Map<number, number>();
  (p.stimuli ?? []).forEach((s, i) => s.current && s.current.kick_raw !== 0 && !ouOwner.has(s.current.ou_state) && ouOwner.set(s.current.ou_state, i));
  const checkCurrent = (path: (string | number)[], c: NonNullable<IrProgram["stimuli"][number]["current"]>, group: number, n: number) => {
    const i = path[1] as number;
    const k = c.neurons.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= n);
    if (k >= 0) bad([...path, "neurons", k], `neuron index out of range (the group has ${n})`, c.neurons[k]);
    ticksOk(path, c, ["start_tick", "stop_tick"]);
    if (c.stop_tick < c.start_tick) bad([...path, "stop_tick"], "stop is before start", c.stop_tick);
    const stateIn = (key: string, j: number): IrProgram["states"][number] | undefined => {
      if (!Number.isInteger(j) || j < 0 || j >= states.length) return void bad([...path, key], `state array ${j} does not exist (the program has ${states.length})`, j);
      if (!goodStates.has(j)) return void bad([...path, key], `state array ${j} is itself invalid (see states[${j}])`, j);
      const st = states[j]!;
      if (st.group !== group) return void bad([...path, key], `state "${st.name}" belongs to group ${st.group}, but the stimulus drives group ${group}`, j);
      return st;
    };
    const input = stateIn("input_state", c.input_state);
    if (input && ouOwner.has(c.input_state)) bad([...path, "input_state"], `state ${c.input_state} is the OU state of stimulus ${ouOwner.get(c.input_state)}`, c.input_state);
    if (!Number.isInteger(c.decay_q32) || c.decay_q32 < 0 || c.decay_q32 >= 2 ** 32) bad([...path, "decay_q32"], "decay is an unsigned 0.32 fixed-point number (0 .. 2^32 - 1)", c.decay_q32);
    if (!Number.isSafeInteger(c.kick_raw)) return bad([...path, "kick_raw"], "kick must be an integer of magnitude below 2^53", c.kick_raw);
    // mean_raw is in the OU state's format for an OU current, else in the input's.
    let meanFmt = input?.format;
    if (c.kick_raw !== 0) {
      const x = stateIn("ou_state", c.ou_state);
      meanFmt = x?.format;
      if (x) {
        if (inputStates.has(c.ou_state)) bad([...path, "ou_state"], `state ${c.ou_state} is the input of a current stimulus (reset every tick), so it cannot hold an OU state`, c.ou_state);
        else if (ouOwner.get(c.ou_state) !== i) bad([...path, "ou_state"], `state ${c.ou_state} is already the OU state of stimulus ${ouOwner.get(c.ou_state)}`, c.ou_state);
        if (Math.abs(c.kick_raw) >= 2 ** x.format.width) bad([...path, "kick_raw"], `kick must be below 2^${x.format.width} in magnitude (the OU state's width)`, c.kick_raw);
      }
      const dup = firstDuplicate(c.neurons, n);
      if (dup >= 0) bad([...path, "neurons", dup], "an OU current lists each neuron at most once (it has one state per neuron)", c.neurons[dup]);
    }
    if (meanFmt) {
      const [lo, hi] = rawRange(meanFmt);
      if (!Number.isSafeInteger(c.mean_raw) || c.mean_raw < lo || c.mean_raw > hi) bad([...path, "mean_raw"], `mean is outside the ${meanFmt.width}-bit ${meanFmt.signed ? "signed" : "unsigned"} range [${lo}, ${hi}] of the ${c.kick_raw !== 0 ? "OU state" : "input"}'s format`, c.mean_raw);
    }
  };
  const checkStream = (path: (string | number)[], q: NonNullable<IrProgram["stimuli"][number]["stream"]>, group: number, n: number) => {
    const k = q.neurons.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= n);
    if (k >= 0) bad([...path, "neurons", k], `neuron index out of range (the group has ${n})`, q.neurons[k]);
    ticksOk(path, q, ["start_tick", "stop_tick"]);
    if (q.stop_tick < q.start_tick) return bad([...path, "stop_tick"], "stop is before start", q.stop_tick);
    const j = q.input_state;
    if (!Number.isInteger(j) || j < 0 || j >= states.length || !goodStates.has(j)) bad([...path, "input_state"], `state array ${j} does not exist or is invalid`, j);
    else if (states[j]!.group !== group) bad([...path, "input_state"], `state "${states[j]!.name}" belongs to group ${states[j]!.group}, but the stimulus drives group ${group}`, j);
    else if (ouOwner.has(j)) bad([...path, "input_state"], `state ${j} is the OU state of stimulus ${ouOwner.get(j)}`, j);
    if (!Number.isInteger(q.channels) || q.channels < 1 || q.channels > STREAM_MAX_CHANNELS) return bad([...path, "channels"], `a stream has 1 to ${STREAM_MAX_CHANNELS} channels`, q.channels);
    for (const key of ["sample_frac", "weight_frac"] as const) if (!Number.isInteger(q[key]) || Math.abs(q[key]) > 64) bad([...path, key], "fractional bits must be an integer in -64..64", q[key]);
    if (q.samples.length !== (q.stop_tick - q.start_tick) * q.channels) bad([...path, "samples"], `a stream needs channels x (stop_tick - start_tick) = ${(q.stop_tick - q.start_tick) * q.channels} samples`, q.samples.length);
    if (q.weights.length !== q.neurons.length * q.channels) bad([...path, "weights"], `a stream needs one weight per listed neuron and channel (${q.neurons.length * q.channels})`, q.weights.length);
    for (const key of ["samples", "weights"] as const) {
      const at = q[key].findIndex((v) => !Number.isInteger(v) || Math.abs(v) >= STREAM_RAW_LIMIT);
      if (at >= 0) bad([...path, key, at], `stream ${key} are integers below 2^19 in magnitude (so the sum of products stays exact)`, q[key][at]);
    }
  };
  (p.stimuli ?? []).forEach((s, i) => {
    const path = ["stimuli", i];
    if (!groupOk([...path, "group"], s.group, NEURONS)) return;
    const n = sizeOf(s.group);
    const kinds = (["spikes", "poisson", "regular", "current", "stream"] as const).filter((kind) => s[kind]);
    if (kinds.length > 1) return bad(path, "a stimulus has exactly one kind", kinds);
    if (s.spikes) {
      if (s.spikes.ticks.length !== s.spikes.neurons.length) bad([...path, "spikes"], "spike list needs one neuron per tick", [s.spikes.ticks.length, s.spikes.neurons.length]);
      const k = s.spikes.neurons.findIndex((v) => v >= n);
      if (k >= 0) bad([...path, "spikes", "neurons", k], `neuron index out of range (the group has ${n})`, s.spikes.neurons[k]);
      const t = s.spikes.ticks.findIndex((v, j) => !Number.isSafeInteger(v) || (j > 0 && v < s.spikes!.ticks[j - 1]!));
      if (t >= 0) bad([...path, "spikes", "ticks", t], "spike ticks must be integers in ascending order", s.spikes.ticks[t]);
    } else if (s.poisson) {
      const q = s.poisson;
      const k = q.neurons.findIndex((v) => v >= n);
      if (k >= 0) bad([...path, "poisson", "neurons", k], `neuron index out of range (the group has ${n})`, q.neurons[k]);
      ticksOk([...path, "poisson"], q, ["start_tick", "stop_tick", "burst_on_ticks", "burst_period_ticks"]);
      if (q.stop_tick < q.start_tick) bad([...path, "poisson", "stop_tick"], "stop is before start", q.stop_tick);
      if (q.burst_period_ticks < 1 || q.burst_on_ticks > q.burst_period_ticks) bad([...path, "poisson"], "bursts need 1 <= on <= period ticks", [q.burst_on_ticks, q.burst_period_ticks]);
    } else if (s.regular) {
      const q = s.regular;
      const k = q.neurons.findIndex((v) => v >= n);
      if (k >= 0) bad([...path, "regular", "neurons", k], `neuron index out of range (the group has ${n})`, q.neurons[k]);
      ticksOk([...path, "regular"], q, ["start_tick", "stop_tick"]);
      if (q.stop_tick < q.start_tick) bad([...path, "regular", "stop_tick"], "stop is before start", q.stop_tick);
      if (!Number.isSafeInteger(q.interval_ticks) || q.interval_ticks < 1) bad([...path, "regular", "interval_ticks"], "interval must be at least one tick", q.interval_ticks);
    } else if (s.current) checkCurrent([...path, "current"], s.current, s.group, n);
    else if (s.stream) checkStream([...path, "stream"], s.stream, s.group, n);
    else bad(path, "stimulus has no kind");
  });

  (p.probes ?? []).forEach((pr, i) => {
    const path = ["probes", i];
    const st = goodStates.has(pr.state) ? states[pr.state] : undefined;
    if (!st) return bad([...path, "state"], `state array ${pr.state} does not exist or is invalid`, pr.state);
    const n = sizeOf(st.group);
    const k = pr.elements.findIndex((e) => e >= n);
    if (k >= 0) bad([...path, "elements", k], `element out of range (the group has ${n})`, pr.elements[k]);
    if (!Number.isSafeInteger(pr.every_ticks) || pr.every_ticks < 1) bad([...path, "every_ticks"], "probe interval must be at least one tick", pr.every_ticks);
  });

  // Version 4 changed what kernels draw (counter-based, src/ir/draws.ts): an older image runs only
  // if it draws nothing, when it means the same under either rule.
  const draw = out.length === 0 && h!.ir_version < 4 ? firstDraw(p) : null;
  if (draw) {
    const k = p.kernels[draw.kernel]!;
    bad(["kernels", draw.kernel, "ops", draw.op], `this is an IR version ${h!.ir_version} image, and kernel "${k.name}" draws random numbers (${draw.what}); versions 2 and 3 drew them from one sequential stream in element order, version ${IR_VERSION} draws them by counter (seed, stream, element, tick, op), so this engram cannot reproduce the image's runs: compile the model again`, h!.ir_version);
  }
  if (out.length > 0) throw new EngramError(out);
}


/** Index of the first value in [0, n) that appeared earlier in the list, or -1 (a bitmap: a Set is capped below 2^26 entries). */
function firstDuplicate(xs: readonly number[], n: number): number {
  const seen = new Uint32Array(Math.ceil(n / 32));
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < n)) continue;
    const bit = 1 << (v & 31);
    if (seen[v >>> 5]! & bit) return i;
    seen[v >>> 5]! |= bit;
  }
  return -1;
}

/**
 * The first synapse (in index order) placed on a crossbar site an earlier synapse already holds,
 * or -1. Sorts instead of hashing: exact for any uint32 coordinates (a numeric key such as
 * (array * 2^16 + row) * 2^16 + column collides and loses precision), and no Set, whose size is
 * capped below the 2^26 elements a program may declare.
 */
function firstSharedSite(array: readonly number[], row: readonly number[], column: readonly number[]): number {
  const n = row.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((x, y) => array[x]! - array[y]! || row[x]! - row[y]! || column[x]! - column[y]! || x - y);
  let first = -1;
  for (let i = 1; i < n; i++) {
    const x = order[i - 1]!, y = order[i]!;
    if (array[x] === array[y] && row[x] === row[y] && column[x] === column[y] && (first < 0 || y < first)) first = y;
  }
  return first;
}
