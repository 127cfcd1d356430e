/**
 * Generated JavaScript for IR kernels: the same op semantics as the emulator's closures (and so
 * as the reference interpreter), as straight-line code over local registers with every format,
 * shift and state index bound at load time. Used for kernels whose ops all stay below 2^52;
 * the closure path (emulator.ts) handles the rest.
 */
import type { IrFixedFormat, IrProgram } from "../../src/ir/codec.ts";
import { OP_BY_CODE } from "../../src/ir/ops.ts";
import { convertNumber, SAFE_BITS } from "./convert.ts";
import { drawSite } from "../../src/ir/draws.ts";

type Kernel = IrProgram["kernels"][number];

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
 * optimises the whole kernel as one straight line. `draw` is the expression of the op's rounding
 * draw, evaluated only where bits are dropped.
 */
function inlineSource(target: string, x: string, shift: number, f: IrFixedFormat, draw: string, saturations = ""): string {
  const lo = f.signed ? -(2 ** (f.width - 1)) : 0;
  const hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
  let round: string;
  if (shift <= 0) round = `let r = (${x}) * ${2 ** -shift};`;
  else {
    const pick = f.rounding === 1 ? "fl" : f.rounding === 2 ? "(rem > 0.5 || (rem === 0.5 && q > 0) ? fl + 1 : fl)" : `(rem !== 0 && ${draw} < rem ? fl + 1 : fl)`;
    round = `const q = (${x}) * ${2 ** -shift}; const fl = Math.floor(q); const rem = q - fl; let r = rem === 0 ? fl : ${pick};`;
  }
  const m = 2 ** f.width;
  // Saturation clamps; `saturations` (a counter array) counts every clamped value (manifest: saturations).
  const bound = f.overflow === 2
    ? saturations ? `if (r < ${lo}) { ${target} = ${lo}; ${saturations}[0]++; } else if (r > ${hi}) { ${target} = ${hi}; ${saturations}[0]++; } else ${target} = r;` : `${target} = r < ${lo} ? ${lo} : r > ${hi} ? ${hi} : r;`
    : `if (r < ${lo} || r > ${hi}) { r = ((r % ${m}) + ${m}) % ${m}; ${f.signed ? `if (r > ${hi}) r -= ${m};` : ""} } ${target} = r;`;
  return `{ ${round} ${bound} }`;
}

/**
 * The same conversion as a function `name`(x, e, s), for conversions that must stay lazy (SELECT's
 * branches, RAND_NORMAL's draw): e the element, s the op's draw site, for a stochastic rounding.
 */
function converterSource(name: string, shift: number, f: IrFixedFormat, round: string, saturations = ""): string {
  return `const ${name} = (x, e, s) => { let v = 0; ${inlineSource("v", "x", shift, f, `${round}(s, e)`, saturations)} return v; };`;
}

/** Builds run(e) for one element of the kernel's group. */
export function generateKernel(k: Kernel, p: IrProgram, ctx: KernelContext): (e: number) => void {
  const args: unknown[] = [];
  const ref = (v: unknown) => {
    args.push(v);
    return `q${args.length - 1}`;
  };
  const fmt = k.registers.map((r) => r.format);
  const F = (f: IrFixedFormat) => ref(f);
  const conn = p.connectivity.find((c) => c.synapses === k.group);
  const pre = conn ? ref(Int32Array.from(conn.pre_index)) : "";
  const post = conn ? ref(Int32Array.from(conn.post_index)) : "";
  const idx = (index: number) => (index === 1 ? "e" : index === 2 ? `${pre}[e]` : `${post}[e]`);
  const u = ref(ctx.round);
  const kernel = p.kernels.indexOf(k);
  const act = ref(ctx.activity);
  const ver = ref(ctx.versions);
  const sat = ctx.saturations ? ref(ctx.saturations) : "";
  void F;
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
  /** dst <- x (at `frac` fractional bits) converted to format f, written out inline. */
  /** The current op's rounding draw for element e (generated code). */
  const draw = () => `${u}(${site}, e)`;
  const set = (dst: number, x: string, frac: number, f: IrFixedFormat) => lines.push(inlineSource(`r${dst}`, x, frac - f.frac, f, draw(), sat));
  k.ops.forEach((o, op) => {
    const name = OP_BY_CODE.get(o.op)!.name;
    site = drawSite(kernel, op);
    const [a, b, cc] = o.src;
    const d = fmt[o.dst]!;
    const r = (i: number) => `r${i}`;
    switch (name) {
      case "LOAD": {
        const s = p.states[o.state]!;
        set(o.dst, `${ref(ctx.state[o.state])}[${idx(o.index)}]`, s.format.frac, d);
        break;
      }
      case "STORE": {
        const s = p.states[o.state]!;
        const arr = ref(ctx.state[o.state]);
        // "+ 0": a register may hold -0 (a negative value times zero); the state holds the interpreter's 0.
        lines.push(`{ const i = ${idx(o.index)}; let v = 0; ${inlineSource("v", r(a!), fmt[a!]!.frac - s.format.frac, s.format, draw(), sat)} if (${arr}[i] !== v) { ${arr}[i] = v + 0; ${act}[0]++; ${ver}[${o.state}]++; } }`);
        break;
      }
      case "STORE_ADD": {
        const s = p.states[o.state]!, fa = fmt[a!]!, Fm = Math.max(s.format.frac, fa.frac);
        const arr = ref(ctx.state[o.state]);
        lines.push(`{ const i = ${idx(o.index)}; let v = 0; ${inlineSource("v", `${arr}[i] * ${2 ** (Fm - s.format.frac)} + ${r(a!)} * ${2 ** (Fm - fa.frac)}`, Fm - s.format.frac, s.format, draw(), sat)} if (${arr}[i] !== v) { ${arr}[i] = v + 0; ${act}[0]++; ${ver}[${o.state}]++; } }`);
        break;
      }
      case "CONST":
        lines.push(`${r(o.dst)} = ${o.imm};`);
        break;
      case "RAND_NORMAL":
        lines.push(`if (${r(a!)} !== 0) { ${act}[1]++; ${r(o.dst)} = ${c(`Math.round(${ref(ctx.normal)}(${site}, e) * 1099511627776)`, 40, d)}; } else ${r(o.dst)} = 0;`);
        break;
      case "SPIKE":
        lines.push(`if (${r(a!)} !== 0) { ${act}[2]++; ${ref(ctx.spike)}(${k.group}, e); }`);
        break;
      case "CMP_GE":
      case "CMP_GT":
        set(o.dst, `(${r(a!)} * ${2 ** -fmt[a!]!.frac} ${name === "CMP_GE" ? ">=" : ">"} ${r(b!)} * ${2 ** -fmt[b!]!.frac}) ? 1 : 0`, 0, d);
        break;
      case "SELECT":
        lines.push(`${r(o.dst)} = ${r(a!)} !== 0 ? ${c(r(b!), fmt[b!]!.frac, d)} : ${c(r(cc!), fmt[cc!]!.frac, d)};`);
        break;
      case "ADD":
      case "SUB":
      case "MIN":
      case "MAX": {
        const fa = fmt[a!]!, fb = fmt[b!]!, Fm = Math.max(fa.frac, fb.frac);
        const x = `${r(a!)} * ${2 ** (Fm - fa.frac)}`, y = `${r(b!)} * ${2 ** (Fm - fb.frac)}`;
        const expr = name === "ADD" ? `${x} + ${y}` : name === "SUB" ? `${x} - ${y}` : `Math.${name === "MIN" ? "min" : "max"}(${x}, ${y})`;
        set(o.dst, expr, Fm, d);
        break;
      }
      case "MUL":
        set(o.dst, `${r(a!)} * ${r(b!)}`, fmt[a!]!.frac + fmt[b!]!.frac, d);
        break;
      case "NEG":
        set(o.dst, `-${r(a!)}`, fmt[a!]!.frac, d);
        break;
      case "ABS":
        set(o.dst, `Math.abs(${r(a!)})`, fmt[a!]!.frac, d);
        break;
      case "COPY":
        set(o.dst, r(a!), fmt[a!]!.frac, d);
        break;
      case "NOW":
        set(o.dst, `${ref(ctx.now)}[0] + ${o.imm}`, 0, d);
        break;
      case "LOOKUP": {
        const table = Float64Array.from(o.table!);
        lines.push(`{ const i = Math.floor(${r(a!)} * ${2 ** -fmt[a!]!.frac}); ${r(o.dst)} = ${ref(table)}[i < 0 ? 0 : i > ${table.length - 1} ? ${table.length - 1} : i]; }`);
        break;
      }
      case "SHR":
      case "SHL":
        set(o.dst, r(a!), fmt[a!]!.frac + (name === "SHR" ? o.imm : -o.imm), d);
        break;
      default:
        throw new Error(`emulator codegen: no implementation of ${name}`);
    }
  });
  const decl = k.registers.length > 0 ? `let ${k.registers.map((_, i) => `r${i} = 0`).join(", ")};` : "";
  const body = `${preamble.join("\n")}\nreturn function run(e) {\n${decl}\n${lines.join("\n")}\n};`;
  // Only this file's templates and numbers printed from JS numbers reach the generated text.
  const factory = new Function(...args.map((_, i) => `q${i}`), body) as (...a: unknown[]) => (e: number) => void;
  return factory(...args);
}
