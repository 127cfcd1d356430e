/**
 * IR kernel -> WebAssembly SIMD module. Eight elements per iteration: states are Int16 arrays
 * (struct of arrays) in a shared memory, loaded as i16x8; every register lives in two i32x4
 * locals (lanes 0-3 and 4-7), wide enough for the exact product of two 16-bit values, so each op
 * computes the reference interpreter's exact intermediate and emitConvert rounds and bounds it.
 * Only kernels whose every step is exact in 32-bit lanes are generated; others get a reason
 * (the JS path keeps them).
 */
import type { IrFixedFormat, IrProgram } from "../../../src/ir/codec.ts";
import { OP_BY_CODE } from "../../../src/ir/ops.ts";
import { bounds, convert } from "../../../src/ir/reference.ts";
import { Body, loopOver8, moduleBytes, Op, Simd, V128 } from "./assembler.ts";
import { ceilDiv, type DrawSite, emitAlignedAdd, emitConvert, floorDiv, type Lanes, lanesFor, Unsupported } from "./convert.ts";
import { Tables } from "./tables.ts";
import { type DrawLayout, layoutFor, shapeProblem, type SimdLayout, withDraws } from "./shape.ts";

export type { SimdLayout } from "./shape.ts";

export type SimdModule = { ok: true; bytes: Uint8Array<ArrayBuffer>; layout: SimdLayout; states: number[]; simdOps: number; constOps: number } | { ok: false; reason: string };

type Kernel = IrProgram["kernels"][number];

export function generateSimd(k: Kernel, p: IrProgram): SimdModule {
  const shape = shapeProblem(k, p);
  if (shape) return { ok: false, reason: shape };
  try {
    const { layout: bare, states } = layoutFor(k, p);
    const { bytes, simdOps, constOps, layout } = emitKernel(k, p, bare);
    return { ok: true, bytes, layout, states, simdOps, constOps };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, reason: e.message };
    throw e;
  }
}

const full = (f: IrFixedFormat): Lanes => {
  const [lo, hi] = bounds(f);
  return { lo, hi, unsigned: false };
};

/**
 * Generates twice: the first pass records which ops read locals that other ops wrote; the second
 * drops the code of every op that no store depends on (e.g. a subtraction whose only reader
 * became a threshold test). Both passes make the same decisions, so the reads are the same.
 */
function emitKernel(k: Kernel, p: IrProgram, bare: SimdLayout): { bytes: Uint8Array<ArrayBuffer>; simdOps: number; constOps: number; layout: SimdLayout } {
  const first = emitPass(k, p, bare, null);
  // The first pass found the draw sites (same decisions in both passes); the second addresses their arrays.
  const layout = withDraws(bare, first.sites);
  const second = emitPass(k, p, layout, first.live);
  if (second.sites.length !== first.sites.length) throw new Error("SIMD generator: the passes found different draw sites");
  return { bytes: moduleBytes(second.body, Math.max(1, Math.ceil(layout.bytes / 65536))), simdOps: second.body.simdOps, constOps: second.body.constOps, layout };
}

/**
 * Ops with an effect besides their register, kept even if no store reads them: stores, and draws
 * (the host reads which elements drew; an unused draw still advances the stream).
 */
const effect = (k: Kernel, o: Kernel["ops"][number]): boolean => {
  const name = OP_BY_CODE.get(o.op)!.name;
  return name.startsWith("STORE") || name === "RAND_NORMAL" || k.registers[o.dst]?.format.rounding === 3;
};

function emitPass(k: Kernel, p: IrProgram, layout: SimdLayout, live: Set<number> | null): { body: Body; live: Set<number>; sites: Omit<DrawLayout, "need" | "value">[] } {
  const body = new Body();
  const sites: Omit<DrawLayout, "need" | "value">[] = [];
  const tmp2 = body.local(V128);
  // Which op last wrote each local; a read by another op makes the writer live.
  let current = -1;
  // Materialisations of tables are nodes of their own (ids after the ops), kept even when the op
  // that triggered them is dropped: later ops may read them.
  const writer = new Map<number, number>();
  const reads = new Map<number, Set<number>>(); // per node: the nodes whose locals it reads
  body.onSet = (i) => void writer.set(i, current);
  body.onGet = (i) => {
    const w = writer.get(i);
    if (w === undefined || w < 0 || w === current || current < 0) return;
    if (!reads.has(current)) reads.set(current, new Set());
    reads.get(current)!.add(w);
  };
  let chunks: [number, number, number][][] = [], chunkStart: [number, number, number] = [0, 0, 0], owner = -1, materialised = k.ops.length;
  const fmt = k.registers.map((r) => r.format);
  // Two i32x4 locals per register (halves 0 and 1), plus scratch.
  const reg = k.registers.map(() => [body.local(V128), body.local(V128)] as const);
  const tmp = body.local(V128), vec = body.local(V128), half = [body.local(V128), body.local(V128)] as const, sel = body.local(V128);
  const range: Lanes[] = k.registers.map(() => ({ lo: 0n, hi: 0n, unsigned: false }));
  const tables = new Tables(body, reg, range);
  tables.onMaterialise = (begin) => {
    if (begin) {
      chunkStart = body.mark();
      owner = current;
      current = materialised++;
    } else {
      chunks.push([chunkStart, body.mark()]);
      current = owner;
    }
  };
  // Value numbers: an op repeating an earlier one on the same values is a register copy (the IR
  // repeats subexpressions, e.g. each Heaviside factor once per use).
  const valueOf: number[] = k.registers.map(() => 0);
  const holder = new Map<number, number>(); // value number -> a register holding it
  const numbered = new Map<string, number>(); // op key -> value number
  const stateVersion = p.states.map(() => 0);
  let values = 1;
  const assign = (r: number, value: number) => {
    if (holder.get(valueOf[r]!) === r) holder.delete(valueOf[r]!);
    valueOf[r] = value;
    holder.set(value, r);
  };
  // Per register written by ADD/SUB: how its exact intermediate was formed, so a comparison of it
  // with a constant can test that intermediate against a threshold instead (see the CMP case).
  const def: ({ sub: boolean; a: number; b: number; va: number; vb: number; sa: number; sb: number; frac: number; x: Lanes } | null)[] = k.registers.map(() => null);
  const fmtKey = (f: IrFixedFormat) => `${f.width},${f.signed},${f.frac},${f.rounding},${f.overflow}`;
  const ARITH = new Set(["ADD", "SUB", "MUL", "NEG", "ABS", "MIN", "MAX", "SHR", "SHL", "CMP_GE", "CMP_GT", "SELECT", "COPY"]);
  const narrowed = narrowedOps(k, p);

  loopOver8(body, (off) => {
    k.ops.forEach((o, index) => {
      current = index;
      chunks = [];
      const mark = body.mark();
      step(o);
      if (live && !live.has(index) && !effect(k, o)) body.rollback(mark, chunks);
    });
    current = -1;
    function step(o: Kernel["ops"][number]): void {
      const name = OP_BY_CODE.get(o.op)!.name;
      const [a, b, c] = o.src;
      const d = fmt[o.dst]!;
      // How the first source was formed (read before dst, which may be the same register, is forgotten).
      const srcDef = o.src.length > 0 ? def[o.src[0]!]! : null;
      if (!name.startsWith("STORE")) def[o.dst] = null;
      // No value numbering of a stochastic result: a repeated op draws again.
      const key = d.rounding === 3 ? "" : name === "LOAD" ? `LOAD|${o.state}|${stateVersion[o.state]}|${fmtKey(d)}` : name === "CONST" ? `CONST|${o.imm}|${fmtKey(d)}` : ARITH.has(name) ? `${name}|${o.imm}|${fmtKey(d)}|${o.src.map((r) => valueOf[r]).join(",")}` : "";
      const seen = key ? numbered.get(key) : undefined;
      const from = seen !== undefined ? holder.get(seen) : undefined;
      if (from !== undefined) {
        tables.copy(from, o.dst);
        if (from !== o.dst) def[o.dst] = def[from]!;
        assign(o.dst, seen!);
        return;
      }
      const value = values++;
      if (key) numbered.set(key, value);
      if (name === "CONST") {
        if (o.imm < -(2 ** 31) || o.imm >= 2 ** 31) throw new Unsupported("constant beyond 32 bits");
        tables.setConst(o.dst, BigInt(o.imm));
        assign(o.dst, value);
        return;
      }
      if (ARITH.has(name) && tables.tryFold(name, o.imm, d, o.src, fmt, valueOf, o.dst)) {
        assign(o.dst, value);
        return;
      }
      for (const r of o.src) tables.need(r);
      let kept = false; // the op left dst as a table
      const both = (emit: (h: 0 | 1) => Lanes): Lanes => {
        let out: Lanes = { lo: 0n, hi: 0n, unsigned: false };
        for (const h of [0, 1] as const) out = emit(h);
        return out;
      };
      /** Pushes register r (half h) shifted left by `by` bits (alignment to a finer format). */
      const aligned = (r: number, h: 0 | 1, by: number) => {
        body.get(reg[r]![h]!);
        if (by >= 32) body.op(0x1a).splat(0);
        else if (by > 0) body.i32(by).simd(Simd.i32x4Shl);
      };
      const scaled = (x: Lanes, by: number): [bigint, bigint] => [x.lo << BigInt(by), x.hi << BigInt(by)];
      // This op's draw site (at most one conversion per op may draw; both halves share it).
      let site: DrawLayout | null = null;
      const addrOf = () => body.get(off).i32(1).op(Op.i32Shl); // Int32 slot of lane 0: twice the i16 offset
      let drawHalf: 0 | 1 = 0;
      const drawAt = (kind: "normal" | "round", shift: number, format: IrFixedFormat): DrawSite => {
        if (!site) {
          const at = layout.draws[sites.length];
          sites.push({ op: current, kind, shift, format });
          site = { op: current, need: at?.need ?? 0, value: at?.value ?? 0, kind, shift, format };
        }
        return { need: site.need + 16 * drawHalf, value: site.value + 16 * drawHalf, addr: addrOf, tmp2 };
      };
      const draw = (s: number) => drawAt("round", s, d);
      const toDst = (h: 0 | 1, x: Lanes, frac: number): void => {
        drawHalf = h;
        range[o.dst] = emitConvert(body, x, frac, d, tmp, narrowed.has(current), draw);
        body.set(reg[o.dst]![h]!);
      };
      switch (name) {
        case "LOAD": {
          const s = p.states[o.state]!;
          body.get(off).mem(Simd.load, layout.offsets[o.state]!).set(vec);
          const out = both((h) => {
            const u = !s.format.signed;
            body.get(vec).simd(h === 0 ? (u ? Simd.i32x4ExtendLowU : Simd.i32x4ExtendLowS) : u ? Simd.i32x4ExtendHighU : Simd.i32x4ExtendHighS);
            toDst(h, full(s.format), s.format.frac);
            return range[o.dst]!;
          });
          range[o.dst] = out;
          break;
        }
        case "STORE":
        case "STORE_ADD": {
          const s = p.states[o.state]!, sf = s.format, fa = fmt[a!]!;
          if (name === "STORE_ADD") body.get(off).mem(Simd.load, layout.offsets[o.state]!).set(vec);
          for (const h of [0, 1] as const) {
            if (name === "STORE") {
              body.get(reg[a!]![h]!);
              // an unclamped register (narrowedOps) is saturated by the narrowing below
              drawHalf = h;
              if (!range[a!]!.unclamped) emitConvert(body, range[a!]!, fa.frac, sf, tmp, false, (s) => drawAt("round", s, sf));
            } else {
              const F = Math.max(sf.frac, fa.frac);
              const u = !sf.signed;
              body.get(vec).simd(h === 0 ? (u ? Simd.i32x4ExtendLowU : Simd.i32x4ExtendLowS) : u ? Simd.i32x4ExtendHighU : Simd.i32x4ExtendHighS);
              if (F > sf.frac) body.i32(F - sf.frac).simd(Simd.i32x4Shl);
              aligned(a!, h, F - fa.frac);
              body.simd(Simd.i32x4Add);
              const [slo, shi] = scaled(full(sf), F - sf.frac), [rlo, rhi] = scaled(range[a!]!, F - fa.frac);
              if (F - sf.frac >= 32) throw new Unsupported("STORE_ADD alignment beyond 32 bits");
              drawHalf = h;
              emitConvert(body, lanesFor(slo + rlo, shi + rhi, "STORE_ADD"), F, sf, tmp, false, (s) => drawAt("round", s, sf));
            }
            body.set(half[h]);
          }
          // Both halves are exact in the state's range: narrowing cannot saturate (unsigned 16-bit keeps its bit pattern).
          body.get(off).get(half[0]).get(half[1]).simd(sf.signed ? Simd.i16x8NarrowS : Simd.i16x8NarrowU).mem(Simd.store, layout.offsets[o.state]!);
          break;
        }
        case "ADD":
        case "SUB":
        case "MIN":
        case "MAX":
        case "CMP_GE":
        case "CMP_GT": {
          const fa = fmt[a!]!, fb = fmt[b!]!, F = Math.max(fa.frac, fb.frac);
          const [alo, ahi] = scaled(range[a!]!, F - fa.frac), [blo, bhi] = scaled(range[b!]!, F - fb.frac);
          let x: Lanes;
          if (name === "ADD") x = lanesFor(alo + blo, ahi + bhi, name);
          else if (name === "SUB") x = lanesFor(alo - bhi, ahi - blo, name);
          else {
            // Comparisons need both operands valid in one lane representation.
            const lo = alo < blo ? alo : blo, hi = ahi > bhi ? ahi : bhi;
            x = lanesFor(lo, hi, name);
            if (name === "MIN" || name === "MAX") x = { lo: name === "MIN" ? (alo < blo ? alo : blo) : alo > blo ? alo : blo, hi: name === "MIN" ? (ahi < bhi ? ahi : bhi) : ahi > bhi ? ahi : bhi, unsigned: x.unsigned };
          }
          const u = x.unsigned;
          const op = { ADD: Simd.i32x4Add, SUB: Simd.i32x4Sub, MIN: u ? Simd.i32x4MinU : Simd.i32x4MinS, MAX: u ? Simd.i32x4MaxU : Simd.i32x4MaxS, CMP_GE: u ? Simd.i32x4GeU : Simd.i32x4GeS, CMP_GT: u ? Simd.i32x4GtU : Simd.i32x4GtS }[name];
          const cmp = name.startsWith("CMP");
          const da = srcDef, kb = tables.constant(b!), fa0 = fmt[a!]!;
          if (cmp && (d.frac >= 0 || d.rounding !== 3) && da && kb !== null && fa0.overflow === 2 && fa0.rounding !== 3 && valueOf[da.a] === da.va && valueOf[da.b] === da.vb) {
            // a = convert(e) is monotone in the exact intermediate e (saturating, floor or nearest),
            // so "a >= K" (or ">") is "e >= t" for a threshold t found here with the reference's convert.
            const holds = (e: bigint): boolean => {
              const lhs = convert({ raw: e, frac: da.frac }, fa0, () => 0) << BigInt(F - fa0.frac), rhs = kb << BigInt(F - fb.frac);
              return name === "CMP_GE" ? lhs >= rhs : lhs > rhs;
            };
            const noDraw = () => 0; // never called: see the mask path below
            const [k0, k1] = [convert({ raw: 0n, frac: 0 }, d, noDraw), convert({ raw: 1n, frac: 0 }, d, noDraw)];
            if (!holds(da.x.hi)) tables.setConst(o.dst, k0);
            else if (holds(da.x.lo)) tables.setConst(o.dst, k1);
            else {
              let lo = da.x.lo, hi = da.x.hi; // holds(lo) false, holds(hi) true
              while (hi - lo > 1n) {
                const mid = (lo + hi) >> 1n;
                if (holds(mid)) hi = mid;
                else lo = mid;
              }
              const cond = tables.newCondition();
              // One side of the sum a constant: e = C + V 2^sv >= hi is V >= ceil((hi - C) / 2^sv), and
              // e = C - V 2^sv >= hi is V <= floor((C - hi) / 2^sv): V compared with one constant,
              // without its shift and the subtraction (exact: integers throughout).
              const ka = tables.constant(da.a), kc = tables.constant(da.b);
              const v = ka !== null && kc === null ? da.b : kc !== null && ka === null ? da.a : -1;
              const vr = v >= 0 ? range[v]! : null;
              let t: bigint | null = null, below = false;
              if (v >= 0 && vr && !vr.unsigned) {
                const C = v === da.b ? ka! << BigInt(da.sa) : (da.sub ? -kc! : kc!) << BigInt(da.sb);
                const sv = v === da.b ? da.sb : da.sa;
                below = v === da.b && da.sub;
                t = below ? floorDiv(C - hi, sv) + 1n : ceilDiv(hi - C, sv);
                if (t < -(1n << 31n) || t >= 1n << 31n) t = null;
              }
              if (t !== null) {
                tables.need(v);
                for (const h of [0, 1] as const) {
                  if (below) body.splat(Number(t)).get(reg[v]![h]!).simd(Simd.i32x4GtS).set(cond.masks[h]); // t > V
                  else body.get(reg[v]![h]!).splat(Number(t)).simd(Simd.i32x4GeS).set(cond.masks[h]); // V >= t
                }
              } else {
                tables.need(da.a);
                tables.need(da.b);
                for (const h of [0, 1] as const) {
                  aligned(da.a, h, da.sa);
                  aligned(da.b, h, da.sb);
                  body.simd(da.sub ? Simd.i32x4Sub : Simd.i32x4Add).splat(Number(hi)).simd(da.x.unsigned ? Simd.i32x4GeU : Simd.i32x4GeS).set(cond.masks[h]);
                }
              }
              tables.setCondition(o.dst, cond.id, k0, k1);
            }
            kept = true;
            break;
          }
          if (cmp && (d.frac >= 0 || d.rounding !== 3)) {
            // The comparison's 0/-1 mask is kept as a condition: its 0/1 (in d) is a two-entry table,
            // materialised only if an op that cannot fold reads it.
            const cond = tables.newCondition();
            for (const h of [0, 1] as const) {
              aligned(a!, h, F - fa.frac);
              aligned(b!, h, F - fb.frac);
              body.simd(op).set(cond.masks[h]);
            }
            const noDraw = () => 0; // never called: converting 0 or 1 to frac >= 0, or without stochastic rounding
            tables.setCondition(o.dst, cond.id, convert({ raw: 0n, frac: 0 }, d, noDraw), convert({ raw: 1n, frac: 0 }, d, noDraw));
            kept = true;
            break;
          }
          // ADD with an operand on the destination's grid: that operand's shift is saved (emitAlignedAdd).
          const s = F - d.frac, xi = name === "ADD" && s > 0 ? (F - fa.frac === s ? a! : F - fb.frac === s ? b! : -1) : -1;
          const yi = xi === a ? b! : a!, sy = F - fmt[yi]!.frac;
          const [ylo, yhi] = scaled(range[yi]!, sy), xr = xi >= 0 ? range[xi]! : null;
          range[o.dst] = both((h) => {
            if (xi >= 0 && xr) {
              const m = body.mark();
              aligned(yi, h, sy);
              const out = emitAlignedAdd(body, lanesFor(ylo, yhi, name), reg[xi]![h]!, xr, x, s, d, narrowed.has(current));
              if (out) {
                range[o.dst] = out;
                body.set(reg[o.dst]![h]!);
                return out;
              }
              body.rollback(m);
            }
            aligned(a!, h, F - fa.frac);
            aligned(b!, h, F - fb.frac);
            body.simd(op);
            if (cmp) body.simd(Simd.i32x4Neg); // all-ones mask -> 1
            toDst(h, cmp ? { lo: 0n, hi: 1n, unsigned: false } : x, cmp ? 0 : F);
            return range[o.dst]!;
          });
          if (name === "ADD" || name === "SUB") def[o.dst] = { sub: name === "SUB", a: a!, b: b!, va: valueOf[a!]!, vb: valueOf[b!]!, sa: F - fa.frac, sb: F - fb.frac, frac: F, x };
          break;
        }
        case "MUL": {
          const ra = range[a!]!, rb = range[b!]!;
          const corners = [ra.lo * rb.lo, ra.lo * rb.hi, ra.hi * rb.lo, ra.hi * rb.hi];
          const x = lanesFor(corners.reduce((m, v) => (v < m ? v : m)), corners.reduce((m, v) => (v > m ? v : m)), name);
          range[o.dst] = both((h) => {
            body.get(reg[a!]![h]!).get(reg[b!]![h]!).simd(Simd.i32x4Mul); // exact mod 2^32, and x fits its lanes
            toDst(h, x, fmt[a!]!.frac + fmt[b!]!.frac);
            return range[o.dst]!;
          });
          break;
        }
        case "NEG":
        case "ABS": {
          const ra = range[a!]!;
          const x = name === "NEG" ? lanesFor(-ra.hi, -ra.lo, name) : lanesFor(ra.lo >= 0n ? ra.lo : ra.hi <= 0n ? -ra.hi : 0n, ra.hi > -ra.lo ? ra.hi : -ra.lo, name);
          range[o.dst] = both((h) => {
            body.get(reg[a!]![h]!).simd(name === "NEG" ? Simd.i32x4Neg : Simd.i32x4Abs);
            toDst(h, x, fmt[a!]!.frac);
            return range[o.dst]!;
          });
          break;
        }
        case "SHR":
        case "SHL":
        case "COPY": {
          const frac = fmt[a!]!.frac + (name === "SHR" ? o.imm : name === "SHL" ? -o.imm : 0);
          const ra = range[a!]!;
          range[o.dst] = both((h) => {
            body.get(reg[a!]![h]!);
            toDst(h, ra, frac);
            return range[o.dst]!;
          });
          break;
        }
        case "SELECT": {
          // The reference converts only the chosen operand; without stochastic rounding converting both is the same.
          if (d.rounding === 3) throw new Unsupported("SELECT with stochastic rounding (only the chosen operand draws)");
          const rb = range[b!]!, rc = range[c!]!;
          let out: Lanes = rb;
          for (const h of [0, 1] as const) {
            body.get(reg[b!]![h]!);
            const xb = emitConvert(body, rb, fmt[b!]!.frac, d, tmp);
            body.set(sel).get(reg[c!]![h]!);
            const xc = emitConvert(body, rc, fmt[c!]!.frac, d, tmp);
            body.set(tmp).get(sel).get(tmp);
            body.get(reg[a!]![h]!).splat(0).simd(Simd.i32x4Ne).simd(Simd.bitselect).set(reg[o.dst]![h]!);
            out = { lo: xb.lo < xc.lo ? xb.lo : xc.lo, hi: xb.hi > xc.hi ? xb.hi : xc.hi, unsigned: false };
          }
          range[o.dst] = out;
          break;
        }
        case "RAND_NORMAL": {
          // The host draws (simd-runner.ts): this pass writes which elements draw and reads the
          // draws, already in d, from the layout's arrays (Int32, 4 bytes per element: twice the
          // i16 offset, plus 16 bytes for lanes 4-7).
          for (const h of [0, 1] as const) {
            drawHalf = h;
            const at = drawAt("normal", 40 - d.frac, d);
            at.addr();
            body.get(reg[a!]![h]!).splat(0).simd(Simd.i32x4Ne).mem(Simd.store, at.need);
            at.addr();
            body.mem(Simd.load, at.value).set(reg[o.dst]![h]!);
          }
          range[o.dst] = full(d);
          break;
        }
        default:
          throw new Unsupported(`op ${name}`);
      }
      if (name === "STORE" || name === "STORE_ADD") stateVersion[o.state]++;
      else {
        if (range[o.dst]?.unclamped && key) numbered.delete(key); // not a value other ops may reuse
        if (!kept) tables.overwrite(o.dst);
        assign(o.dst, value);
      }
    }
  });
  // Live: the stores and, transitively, every op whose locals a live op reads.
  const alive = new Set<number>();
  const visit = (i: number): void => {
    if (alive.has(i)) return;
    alive.add(i);
    for (const w of reads.get(i) ?? []) visit(w);
  };
  k.ops.forEach((o, i) => effect(k, o) && visit(i));
  return { body, live: alive, sites };
}

/**
 * Ops whose 16-bit saturating result is only stored, unchanged, into states of the same format
 * before the register is written again: their clamp is left to the store's i16x8 narrowing, which
 * saturates to the same range.
 */
function narrowedOps(k: Kernel, p: IrProgram): Set<number> {
  const out = new Set<number>();
  const fmt = k.registers.map((r) => r.format);
  const same = (x: IrFixedFormat, y: IrFixedFormat) => x.width === y.width && x.signed === y.signed && x.frac === y.frac && x.overflow === y.overflow;
  k.ops.forEach((o, i) => {
    const name = OP_BY_CODE.get(o.op)!.name;
    const d = fmt[o.dst];
    if (!d || name.startsWith("STORE") || name === "CONST" || name === "SELECT" || name.startsWith("CMP") || d.width !== 16 || d.overflow !== 2) return;
    let stores = 0, ok = true;
    for (let j = i + 1; j < k.ops.length && ok; j++) {
      const q = k.ops[j]!, qn = OP_BY_CODE.get(q.op)!.name;
      if (q.src.includes(o.dst)) {
        if (qn === "STORE" && same(p.states[q.state]!.format, d)) stores++;
        else ok = false;
      }
      if (!qn.startsWith("STORE") && q.dst === o.dst) break;
    }
    if (ok && stores > 0) out.add(i);
  });
  return out;
}
