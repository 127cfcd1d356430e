/**
 * Generated JavaScript for IR kernels: the same op semantics as the emulator's closures (and so
 * as the reference interpreter), as straight-line code over local registers with every format,
 * shift and state index bound at load time. Used for kernels whose ops all stay below 2^52;
 * the closure path (emulator.ts) handles the rest.
 */
import type { IrFixedFormat, IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_CODE } from "../../src/ir/ops.ts";
import { convertNumber, SAFE_BITS } from "./convert.ts";
import { convert, exactOp } from "../../src/ir/reference.ts";
import { drawSite } from "../../src/ir/draws.ts";

type Kernel = IrProgram["kernels"][number];

/** Conditions a tabulated register may depend on (tables of 2^n values). */
const MAX_CONDITIONS = 3;

/** Ops whose result is a function of their sources, format and immediate alone. */
const PURE = new Set(["ADD", "SUB", "MIN", "MAX", "MUL", "NEG", "ABS", "COPY", "SHR", "SHL", "CMP_GE", "CMP_GT", "SELECT", "NOW"]);

/** True when every op of the kernel is exact on JS numbers. */
export function numberSafe(k: Kernel, p: IrProgram): boolean {
  const fmt = k.registers.map((r) => r.format);
  return k.ops.every((o) => {
    const name = OP_BY_CODE.get(o.op)!.name;
    const [a, b] = o.src;
    if (name === "MUL") return fmt[a!]!.width + fmt[b!]!.width <= SAFE_BITS;
    if (name === "ADD" || name === "SUB" || name === "MIN" || name === "MAX") {
      const fa = fmt[a!]!, fb = fmt[b!]!, F = Math.max(fa.frac, fb.frac);
      return Math.max(fa.width + F - fa.frac, fb.width + F - fb.frac) + 1 <= SAFE_BITS;
    }
    if (name === "STORE_ADD") {
      const s = p.states[o.state]!.format, fa = fmt[a!]!, F = Math.max(s.frac, fa.frac);
      return Math.max(s.width + F - s.frac, fa.width + F - fa.frac) + 1 <= SAFE_BITS;
    }
    return true;
  });
}

export interface KernelContext {
  state: Float64Array[];
  /** [changed values, random draws, spikes] counted by every kernel: a run with all zero is a no-op. */
  activity: Float64Array;
  /** Per state array: bumped whenever one of its values changes. */
  versions: Float64Array;
  /** The rounding draw of a site (drawSite) for an element at the tick being run; counts the draw in activity. */
  round: (site: number, element: number) => number;
  /** The standard normal of a RAND_NORMAL site for an element at the tick being run (not counted). */
  normal: (site: number, element: number) => number;
  spike: (group: number, element: number) => void;
  /** [the tick being run] (NOW). */
  now: Float64Array;
  /** [values clamped by saturating conversions so far] (optional: counted when given). */
  saturations?: Float64Array;
}

/**
 * Conversion of the value of expression `x`, at `shift` more fractional bits than format f, to a
 * raw value of f, as a statement block assigning `target`: the rules of convertNumber
 * (convert.ts) with every constant written out. Written out in the kernel body, so the engine
 * optimises the whole kernel as one straight line.
 *
 * `range` (raw bounds of x, from the formats and constants: see Range) lets the block leave out
 * what cannot happen: the clamp (or wrap) when every rounded value of the range fits f, and for
 * nearest rounding the remainder tests (floor(q + 1/2), exact while |x| and 2^(shift-1) stay below
 * 2^52, then one step down for a tie below zero; none for a non-negative x). Without a range it
 * is the full rule. `draw` is the expression of the op's rounding draw, evaluated only where bits
 * are dropped.
 */
function inlineSource(target: string, x: string, shift: number, f: IrFixedFormat, draw: string, saturations: string, range?: Range): { code: string; range: Range; pure: boolean; rounds: boolean; bounds: boolean } {
  const lo = f.signed ? -(2 ** (f.width - 1)) : 0;
  const hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
  const xr = range ?? FULL;
  const S = 2 ** -shift;
  let round: string;
  // Raw bounds after rounding (any rounding lies between floor and ceil).
  let rr: Range = shift <= 0 ? [xr[0] * S, xr[1] * S] : [Math.floor(xr[0] * S), Math.ceil(xr[1] * S)];
  if (!(rr[0] <= rr[1])) rr = FULL; // NaN from 0 * Infinity: no knowledge
  if (shift <= 0) round = `let r = (${x}) * ${S};`;
  else if (f.rounding === 1) round = `let r = Math.floor((${x}) * ${S});`;
  else if (f.rounding === 2 && Math.max(-xr[0], xr[1]) < 2 ** 52 && shift <= 52) {
    // q + 1/2 is exact here; floor(q + 1/2) is nearest with ties up, so a tie below zero (r - q
    // exactly 1/2) steps down: ties away from zero. A non-negative x needs no step.
    round = xr[0] >= 0 ? `let r = Math.floor((${x}) * ${S} + 0.5);` : `const q = (${x}) * ${S}; let r = Math.floor(q + 0.5); if (r - q === 0.5 && q < 0) r -= 1;`;
  }
  else {
    const pick = f.rounding === 2 ? "(rem > 0.5 || (rem === 0.5 && q > 0) ? fl + 1 : fl)" : `(rem !== 0 && ${draw} < rem ? fl + 1 : fl)`;
    round = `const q = (${x}) * ${S}; const fl = Math.floor(q); const rem = q - fl; let r = rem === 0 ? fl : ${pick};`;
  }
  const draws = shift > 0 && f.rounding === 3;
  if (rr[0] >= lo && rr[1] <= hi) return { code: `{ ${round} ${target} = r; }`, range: rr, pure: !draws, rounds: shift > 0, bounds: false };
  const m = 2 ** f.width;
  // Saturation clamps; `saturations` (a counter array) counts every clamped value (manifest: saturations).
  const bound = f.overflow === 2
    ? saturations ? `if (r < ${lo}) { ${target} = ${lo}; ${saturations}[0]++; } else if (r > ${hi}) { ${target} = ${hi}; ${saturations}[0]++; } else ${target} = r;` : `${target} = r < ${lo} ? ${lo} : r > ${hi} ? ${hi} : r;`
    : `if (r < ${lo} || r > ${hi}) { r = ((r % ${m}) + ${m}) % ${m}; ${f.signed ? `if (r > ${hi}) r -= ${m};` : ""} } ${target} = r;`;
  const out: Range = f.overflow === 2 ? [Math.min(Math.max(rr[0], lo), hi), Math.max(Math.min(rr[1], hi), lo)] : [lo, hi];
  return { code: `{ ${round} ${bound} }`, range: out, pure: !draws && !(f.overflow === 2 && saturations), rounds: shift > 0, bounds: true };
}

/** Raw bounds [lo, hi] of a register's value (exact integers, or infinite when unknown). */
type Range = readonly [number, number];
const FULL: Range = [-Infinity, Infinity];
const formatRange = (f: IrFixedFormat): Range => (f.signed ? [-(2 ** (f.width - 1)), 2 ** (f.width - 1) - 1] : [0, 2 ** f.width - 1]);

/**
 * The same conversion as a function `name`(x, e, s), for conversions that must stay lazy (RAND_NORMAL's
 * draw): e the element, s the op's draw site, for a stochastic rounding.
 */
function converterSource(name: string, shift: number, f: IrFixedFormat, round: string, saturations: string): string {
  return `const ${name} = (x, e, s) => { let v = 0; ${inlineSource("v", "x", shift, f, `${round}(s, e)`, saturations).code} return v; };`;
}

/** Builds run(e) for one element of the kernel's group. */
export function generateKernel(k: Kernel, p: IrProgram, ctx: KernelContext): GeneratedKernel {
  const args: unknown[] = [];
  const ref = (v: unknown) => {
    args.push(v);
    return `q${args.length - 1}`;
  };
  const fmt = k.registers.map((r) => r.format);
  const conn = p.connectivity.find((c) => c.synapses === k.group);
  const pre = conn ? ref(Int32Array.from(conn.pre_index)) : "";
  const post = conn ? ref(Int32Array.from(conn.post_index)) : "";
  const idx = (index: number) => (index === 1 ? "e" : index === 2 ? `${pre}[e]` : `${post}[e]`);
  const u = ref(ctx.round);
  const kernel = p.kernels.indexOf(k);
  const act = ref(ctx.activity);
  const ver = ref(ctx.versions);
  const sat = ctx.saturations ? ref(ctx.saturations) : "";
  void convertNumber;
  // One specialised converter per (shift, format): constants baked in, no Math.pow per call.
  const converters = new Map<string, string>();
  const preamble: string[] = [];
  let site = 0; // the draw site of the op being generated
  const c = (raw: string, frac: number, f: IrFixedFormat) => {
    const key = `${frac}|${f.width}|${f.signed}|${f.frac}|${f.rounding}|${f.overflow}`;
    let name = converters.get(key);
    if (!name) {
      name = `cv${converters.size}`;
      converters.set(key, name);
      preamble.push(converterSource(name, frac - f.frac, f, u, sat));
    }
    return `${name}(${raw}, e, ${site})`;
  };
  const lines: string[] = [];
  let reused = 0, rounded = 0, bounded = 0;
  const conv = (...x: Parameters<typeof inlineSource>) => {
    const out = inlineSource(...x);
    if (out.rounds) rounded++;
    if (out.bounds) bounded++;
    return out;
  };
  // Raw bounds per register (registers start each run at 0), and value numbers: an op repeating
  // an earlier one on the same values (the IR repeats subexpressions, e.g. each Heaviside factor
  // once per use) becomes a register copy. Only ops that neither draw nor can count a saturation
  // are reused, so draws and the saturation count stay those of the op-by-op run.
  const range: Range[] = fmt.map(() => [0, 0] as Range);
  const valueOf: number[] = fmt.map((_, i) => i + 1);
  let values = fmt.length + 1;
  const holder = new Map<number, number>(); // value number -> a register holding it
  const numbered = new Map<string, number>(); // op key -> value number
  const stateVersion = p.states.map(() => 0);
  const fmtKey = (f: IrFixedFormat) => `${f.width},${f.signed},${f.frac},${f.rounding},${f.overflow}`;
  const assign = (r: number, value: number) => {
    if (holder.get(valueOf[r]!) === r) holder.delete(valueOf[r]!);
    valueOf[r] = value;
    holder.set(value, r);
  };
  /** dst <- x (at `frac` fractional bits, raw bounds xr) converted to format f, written out inline; true if pure. */
  const set = (dst: number, x: string, frac: number, f: IrFixedFormat, xr: Range = FULL): boolean => {
    const out = conv(`r${dst}`, x, frac - f.frac, f, draw(), sat, xr);
    lines.push(out.code);
    range[dst] = out.range;
    return out.pure;
  };
  const scaled = (r: Range, by: number): Range => [r[0] * 2 ** by, r[1] * 2 ** by];
  // Registers known as a function of at most MAX_CONDITIONS conditions (comparisons of values
  // known only at run time) and constants: a table of their raw values, one per combination,
  // computed here with the reference interpreter's exactOp and convert. Their ops emit no code;
  // a register is written out (`show`) only where an op that cannot be tabulated reads it, as a
  // choice between its values. Ops that would saturate or draw (stochastic rounding of dropped
  // non-zero bits) in some combination are not tabulated (their count and draws stay those of
  // the op-by-op run).
  const tab: ({ conds: number[]; values: bigint[]; shown: boolean } | null)[] = fmt.map(() => null);
  let conditions = 0, tabled = 0, computed = 0;
  // A stochastic conversion draws only where it drops non-zero bits: a table whose every value
  // converts exactly draws nothing at run time either, so it may stand; one that would draw may not.
  let drew = false;
  const noDraw = () => {
    drew = true;
    return 0.5;
  };
  const choice = (conds: number[], values: bigint[]): string => {
    const pick = (i: number, base: number): string => (i < 0 ? `${Number(values[base]!)}` : `(c${conds[i]} ? ${pick(i - 1, base + 2 ** i)} : ${pick(i - 1, base)})`);
    return pick(conds.length - 1, 0);
  };
  const show = (x: number) => {
    const t = tab[x];
    if (!t || t.shown) return;
    lines.push(`r${x} = ${choice(t.conds, t.values)};`);
    t.shown = true;
  };
  const tabulate = (o: Kernel["ops"][number], name: string, d: IrFixedFormat): boolean => {
    if (name === "CONST") {
      tab[o.dst] = { conds: [], values: [BigInt(o.imm)], shown: false };
      range[o.dst] = [o.imm, o.imm];
      return true;
    }
    if (!PURE.has(name) || name === "NOW" || o.src.some((x) => !tab[x])) return false;
    const conds = [...new Set(o.src.flatMap((x) => tab[x]!.conds))].sort((x, y) => x - y);
    if (conds.length > MAX_CONDITIONS) return false;
    const sat = new Float64Array(1);
    const values: bigint[] = [];
    drew = false;
    for (let combo = 0; combo < 2 ** conds.length; combo++) {
      const srcs = o.src.map((x) => {
        const t = tab[x]!;
        const at = t.conds.reduce((i, c, j) => i + (((combo >> conds.indexOf(c)) & 1) << j), 0);
        return { raw: t.values[at]!, frac: fmt[x]!.frac };
      });
      values.push(convert(exactOp(name, srcs, o.imm), d, noDraw, sat));
    }
    if (sat[0] !== 0 || drew || values.some((v) => v >= 2n ** 53n || v <= -(2n ** 53n))) return false; // written out as exact JS numbers
    tab[o.dst] = { conds, values, shown: false };
    range[o.dst] = [Number(values.reduce((m, v) => (v < m ? v : m))), Number(values.reduce((m, v) => (v > m ? v : m)))];
    tabled++;
    return true;
  };
  /** The current op's rounding draw for element e (generated code). */
  const draw = () => `${u}(${site}, e)`;
  k.ops.forEach((o, op) => {
    const name = OP_BY_CODE.get(o.op)!.name;
    site = drawSite(kernel, op);
    const [a, b, cc] = o.src;
    const d = fmt[o.dst]!;
    const r = (i: number) => `r${i}`;
    const key = name === "LOAD" ? `LOAD|${o.state}|${o.index}|${stateVersion[o.state]}|${fmtKey(d)}`
      : name === "CONST" ? `CONST|${o.imm}|${fmtKey(d)}`
      : name === "LOOKUP" ? `LOOKUP|${o.table!.join(",")}|${valueOf[a!]}|${fmtKey(d)}`
      : PURE.has(name) ? `${name}|${o.imm}|${fmtKey(d)}|${o.src.map((x) => valueOf[x]).join(",")}` : "";
    const seen = key ? numbered.get(key) : undefined;
    const from = seen !== undefined ? holder.get(seen) : undefined;
    if (from !== undefined) {
      reused++;
      if (from !== o.dst) {
        if (tab[from]) tab[o.dst] = { ...tab[from]!, shown: false }; // the copy is a table too: no code
        else {
          lines.push(`${r(o.dst)} = ${r(from)};`);
          tab[o.dst] = null;
        }
      }
      range[o.dst] = range[from]!;
      assign(o.dst, seen!);
      return;
    }
    if (tabulate(o, name, d)) {
      assign(o.dst, values++);
      if (key) numbered.set(key, valueOf[o.dst]!);
      return;
    }
    for (const x of o.src) show(x);
    if (!name.startsWith("STORE") && name !== "SPIKE") tab[o.dst] = null;
    computed++;
    let pure = false;
    switch (name) {
      case "LOAD": {
        const s = p.states[o.state]!;
        pure = set(o.dst, `${ref(ctx.state[o.state])}[${idx(o.index)}]`, s.format.frac, d, formatRange(s.format));
        break;
      }
      case "STORE": {
        const s = p.states[o.state]!;
        const arr = ref(ctx.state[o.state]);
        // "+ 0": a register may hold -0 (a negative value times zero); the state holds the interpreter's 0.
        lines.push(`{ const i = ${idx(o.index)}; let v = 0; ${conv("v", r(a!), fmt[a!]!.frac - s.format.frac, s.format, draw(), sat, range[a!]).code} if (${arr}[i] !== v) { ${arr}[i] = v + 0; ${act}[0]++; ${ver}[${o.state}]++; } }`);
        break;
      }
      case "STORE_ADD": {
        const s = p.states[o.state]!, fa = fmt[a!]!, Fm = Math.max(s.format.frac, fa.frac);
        const arr = ref(ctx.state[o.state]);
        const xs = scaled(formatRange(s.format), Fm - s.format.frac), xa = scaled(range[a!]!, Fm - fa.frac);
        lines.push(`{ const i = ${idx(o.index)}; let v = 0; ${conv("v", `${arr}[i] * ${2 ** (Fm - s.format.frac)} + ${r(a!)} * ${2 ** (Fm - fa.frac)}`, Fm - s.format.frac, s.format, draw(), sat, [xs[0] + xa[0], xs[1] + xa[1]]).code} if (${arr}[i] !== v) { ${arr}[i] = v + 0; ${act}[0]++; ${ver}[${o.state}]++; } }`);
        break;
      }
      case "CONST":
        lines.push(`${r(o.dst)} = ${o.imm};`);
        range[o.dst] = [o.imm, o.imm];
        pure = true;
        break;
      case "RAND_NORMAL":
        lines.push(`if (${r(a!)} !== 0) { ${act}[1]++; ${r(o.dst)} = ${c(`Math.round(${ref(ctx.normal)}(${site}, e) * 1099511627776)`, 40, d)}; } else ${r(o.dst)} = 0;`);
        range[o.dst] = formatRange(d); // a draw converted into d, or 0
        break;
      case "SPIKE":
        lines.push(`if (${r(a!)} !== 0) { ${act}[2]++; ${ref(ctx.spike)}(${k.group}, e); }`);
        break;
      case "CMP_GE":
      case "CMP_GT": {
        // The comparison becomes a condition (a JS boolean); its register a table of convert(0), convert(1).
        const sat = new Float64Array(1);
        drew = false;
        const v = [0n, 1n].map((x) => convert({ raw: x, frac: 0 }, d, noDraw, sat));
        if (sat[0] === 0 && !drew) {
          const id = conditions++;
          lines.push(`const c${id} = ${r(a!)} * ${2 ** -fmt[a!]!.frac} ${name === "CMP_GE" ? ">=" : ">"} ${r(b!)} * ${2 ** -fmt[b!]!.frac};`);
          tab[o.dst] = { conds: [id], values: v, shown: false };
          range[o.dst] = [Number(v[0]! < v[1]! ? v[0]! : v[1]!), Number(v[0]! < v[1]! ? v[1]! : v[0]!)];
          pure = true;
          break;
        }
        pure = set(o.dst, `(${r(a!)} * ${2 ** -fmt[a!]!.frac} ${name === "CMP_GE" ? ">=" : ">"} ${r(b!)} * ${2 ** -fmt[b!]!.frac}) ? 1 : 0`, 0, d, [0, 1]);
        break;
      }
      case "SELECT": {
        // Only the chosen operand is converted (it may draw or saturate), as in the interpreter.
        const xb = conv(r(o.dst), r(b!), fmt[b!]!.frac - d.frac, d, draw(), sat, range[b!]);
        const xc = conv(r(o.dst), r(cc!), fmt[cc!]!.frac - d.frac, d, draw(), sat, range[cc!]);
        lines.push(`if (${r(a!)} !== 0) ${xb.code} else ${xc.code}`);
        range[o.dst] = [Math.min(xb.range[0], xc.range[0]), Math.max(xb.range[1], xc.range[1])];
        pure = xb.pure && xc.pure;
        break;
      }
      case "ADD":
      case "SUB":
      case "MIN":
      case "MAX": {
        const fa = fmt[a!]!, fb = fmt[b!]!, Fm = Math.max(fa.frac, fb.frac);
        const x = `${r(a!)} * ${2 ** (Fm - fa.frac)}`, y = `${r(b!)} * ${2 ** (Fm - fb.frac)}`;
        const ra = scaled(range[a!]!, Fm - fa.frac), rb = scaled(range[b!]!, Fm - fb.frac);
        const expr = name === "ADD" ? `${x} + ${y}` : name === "SUB" ? `${x} - ${y}` : `Math.${name === "MIN" ? "min" : "max"}(${x}, ${y})`;
        const xr: Range = name === "ADD" ? [ra[0] + rb[0], ra[1] + rb[1]] : name === "SUB" ? [ra[0] - rb[1], ra[1] - rb[0]] : name === "MIN" ? [Math.min(ra[0], rb[0]), Math.min(ra[1], rb[1])] : [Math.max(ra[0], rb[0]), Math.max(ra[1], rb[1])];
        pure = set(o.dst, expr, Fm, d, xr);
        break;
      }
      case "MUL": {
        const ra = range[a!]!, rb = range[b!]!;
        const corners = [ra[0] * rb[0], ra[0] * rb[1], ra[1] * rb[0], ra[1] * rb[1]];
        pure = set(o.dst, `${r(a!)} * ${r(b!)}`, fmt[a!]!.frac + fmt[b!]!.frac, d, corners.some((v) => v !== v) ? FULL : [Math.min(...corners), Math.max(...corners)]);
        break;
      }
      case "NEG":
        pure = set(o.dst, `-${r(a!)}`, fmt[a!]!.frac, d, [-range[a!]![1], -range[a!]![0]]);
        break;
      case "ABS": {
        const [lo, hi] = range[a!]!;
        pure = set(o.dst, `Math.abs(${r(a!)})`, fmt[a!]!.frac, d, [lo >= 0 ? lo : hi <= 0 ? -hi : 0, Math.max(Math.abs(lo), Math.abs(hi))]);
        break;
      }
      case "COPY":
        pure = set(o.dst, r(a!), fmt[a!]!.frac, d, range[a!]);
        break;
      case "NOW":
        pure = set(o.dst, `${ref(ctx.now)}[0] + ${o.imm}`, 0, d);
        break;
      case "LOOKUP": {
        const table = Float64Array.from(o.table!);
        lines.push(`{ const i = Math.floor(${r(a!)} * ${2 ** -fmt[a!]!.frac}); ${r(o.dst)} = ${ref(table)}[i < 0 ? 0 : i > ${table.length - 1} ? ${table.length - 1} : i]; }`);
        range[o.dst] = [Math.min(...table), Math.max(...table)];
        pure = true;
        break;
      }
      case "SHR":
      case "SHL":
        pure = set(o.dst, r(a!), fmt[a!]!.frac + (name === "SHR" ? o.imm : -o.imm), d, range[a!]);
        break;
      default:
        throw new Error(`emulator codegen: no implementation of ${name}`);
    }
    if (name === "STORE" || name === "STORE_ADD") {
      stateVersion[o.state]++;
      return;
    }
    if (name === "SPIKE") return;
    const value = values++;
    if (key && pure) numbered.set(key, value);
    assign(o.dst, value);
  });
  const decl = k.registers.length > 0 ? `let ${k.registers.map((_, i) => `r${i} = 0`).join(", ")};` : "";
  const fname = `run_${k.name.replace(/[^A-Za-z0-9]/g, "_")}`; // named per kernel, so profiles tell kernels apart
  const text = lines.join("\n");
  // The same body three ways: one element; elements 0..n-1; the elements of a list. The loops save
  // a call per element and let the engine hoist what does not depend on the element (constants,
  // NOW); each element still starts with every register at 0, as in the one-element form.
  const body = `${preamble.join("\n")}
const one = function ${fname}(e) {\n${decl}\n${text}\n};
const dense = function ${fname}_dense(n) {\nfor (let e = 0; e < n; e++) {\n${decl}\n${text}\n}\n};
const list = function ${fname}_list(l, n) {\nfor (let j = 0; j < n; j++) {\nconst e = l[j];\n${decl}\n${text}\n}\n};
return { one, dense, list };`;
  // Only this file's templates and numbers printed from JS numbers reach the generated text.
  const factory = new Function(...args.map((_, i) => `q${i}`), body) as (...a: unknown[]) => { one: (e: number) => void; dense: (n: number) => void; list: (l: Int32Array, n: number) => void };
  const made = factory(...args);
  return Object.assign(made.one, { dense: made.dense, list: made.list, stats: { ops: k.ops.length, computed, reused, tabled, rounded, bounded } });
}

/** A generated kernel: run(e) for one element, with loops over elements 0..n-1 and over a list, and what the generator made of the ops. */
export type GeneratedKernel = ((e: number) => void) & { dense: (n: number) => void; list: (l: Int32Array, n: number) => void; stats: CodegenStats };

/** What generateKernel made of a kernel's ops: IR ops, ops reused as register copies, conversions that round, conversions that clamp or wrap (per element run). */
export interface CodegenStats {
  ops: number;
  /** Ops that run per element (loads, stores, arithmetic, comparisons, draws): the rest are copies, tables or constants. */
  computed: number;
  reused: number;
  /** Ops whose results are tables over conditions (no code of their own; the comparisons themselves run). */
  tabled: number;
  rounded: number;
  bounded: number;
}
