/**
 * Generation-time evaluation, with the reference interpreter's own exactOp and convert, of values
 * that depend on at most a few two-valued conditions (a comparison's 0/1: the Heaviside factors
 * of plasticity rules). Such a register is a table over its conditions (no conditions: a
 * constant); an op on tables and constants gives a new table, computed here for every combination
 * and so exact by construction. A table is materialised in the lanes only when an op that cannot
 * fold reads it, as a tree of bitselects on the conditions' 0/-1 masks.
 */
import type { IrFixedFormat } from "../../../src/ir/codec.ts";
import { convert, exactOp } from "../../../src/ir/reference.ts";
import { type Body, Simd, V128 } from "./assembler.ts";
import type { Lanes } from "./convert.ts";

/** Entries indexed by the bitmask of the conditions (bit i: condition conds[i] holds). */
interface Table {
  conds: number[];
  entries: bigint[];
}

const MAX_CONDS = 3;
const noDraw = (): number => {
  throw new Error("stochastic rounding is never folded");
};

export class Tables {
  private readonly table: (Table | null)[];
  /** The register's lanes do not hold its table yet. */
  private readonly pending: boolean[];
  /** Per condition: its 0/-1 mask locals (halves 0 and 1). */
  private readonly masks: (readonly [number, number])[] = [];
  private readonly condOf = new Map<number, number>(); // value number -> condition

  constructor(private readonly body: Body, private readonly reg: readonly (readonly [number, number])[], private readonly range: Lanes[]) {
    // Every register holds 0 before its first write (the reference starts each element from zero).
    this.table = reg.map(() => ({ conds: [], entries: [0n] }));
    this.pending = reg.map(() => true);
  }

  setConst(r: number, v: bigint): void {
    this.set(r, { conds: [], entries: [v] });
  }

  /** The register's value if it is a known constant, else null. */
  constant(r: number): bigint | null {
    const t = this.table[r];
    return t && t.conds.length === 0 ? t.entries[0]! : null;
  }

  /** A new condition whose 0/-1 mask locals the caller fills. */
  newCondition(): { id: number; masks: readonly [number, number] } {
    const masks = [this.body.local(V128), this.body.local(V128)] as const;
    this.masks.push(masks);
    return { id: this.masks.length - 1, masks };
  }

  /** r = k1 where the condition holds, else k0 (not yet in its lanes). */
  setCondition(r: number, cond: number, k0: bigint, k1: bigint): void {
    this.set(r, k0 === k1 ? { conds: [], entries: [k0] } : { conds: [cond], entries: [k0, k1] });
  }

  /** The register now holds a value computed in its lanes. */
  overwrite(r: number): void {
    this.table[r] = null;
    this.pending[r] = false;
  }

  copy(from: number, to: number): void {
    if (from === to) return;
    this.table[to] = this.table[from]!;
    this.pending[to] = this.pending[from]!;
    this.range[to] = this.range[from]!;
    if (!this.pending[to]) for (const h of [0, 1]) this.body.get(this.reg[from]![h]!).set(this.reg[to]![h]!);
  }

  /** Told where each materialisation's code begins and ends (it belongs to no single op). */
  onMaterialise?: (begin: boolean) => void;

  /** Makes the register's lanes hold its value before an op reads them. */
  need(r: number): void {
    if (!this.pending[r]) return;
    this.pending[r] = false;
    this.onMaterialise?.(true);
    const t = this.table[r]!;
    // A tree of bitselects on the conditions' masks, constants at the leaves; equal subtrees share.
    const leaves = (level: number, idx: number): bigint[] => (level === t.conds.length ? [t.entries[idx]!] : [...leaves(level + 1, idx), ...leaves(level + 1, idx | (1 << level))]);
    const emit = (level: number, idx: number, h: number): void => {
      if (level === t.conds.length) {
        this.body.splat(Number(t.entries[idx]!));
        return;
      }
      const off = leaves(level + 1, idx), on = leaves(level + 1, idx | (1 << level));
      if (off.every((v, i) => v === on[i])) return emit(level + 1, idx, h);
      emit(level + 1, idx | (1 << level), h);
      emit(level + 1, idx, h);
      this.body.get(this.masks[t.conds[level]!]![h]!).simd(Simd.bitselect);
    };
    for (const h of [0, 1]) {
      emit(0, 0, h);
      this.body.set(this.reg[r]![h]!);
    }
    this.onMaterialise?.(false);
  }

  /**
   * Folds dst = name(srcs) if every source is a table, a constant or two-valued, over at most
   * MAX_CONDS conditions in all. Returns false (nothing emitted that matters) otherwise.
   */
  tryFold(name: string, imm: number, d: IrFixedFormat, srcs: number[], fmt: IrFixedFormat[], valueOf: number[], dst: number): boolean {
    if (d.rounding === 3) return false;
    const descs: Table[] = [];
    for (const r of srcs) {
      const t = this.table[r] ?? this.condition(r, valueOf[r]!);
      if (!t) return false;
      descs.push(t);
    }
    const conds = [...new Set(descs.flatMap((t) => t.conds))].sort((x, y) => x - y);
    if (conds.length > MAX_CONDS) return false;
    const entries: bigint[] = [];
    for (let m = 0; m < 1 << conds.length; m++) {
      const x = exactOp(name, descs.map((t, i) => {
        let idx = 0;
        t.conds.forEach((c, j) => (m & (1 << conds.indexOf(c)) ? (idx |= 1 << j) : 0));
        return { raw: t.entries[idx]!, frac: fmt[srcs[i]!]!.frac };
      }), imm);
      entries.push(convert(x, d, noDraw));
    }
    this.set(dst, entries.every((e) => e === entries[0]) ? { conds: [], entries: [entries[0]!] } : { conds, entries });
    return true;
  }

  private set(r: number, t: Table): void {
    this.table[r] = t;
    this.pending[r] = true;
    let lo = t.entries[0]!, hi = lo;
    for (const e of t.entries) (lo = e < lo ? e : lo), (hi = e > hi ? e : hi);
    this.range[r] = { lo, hi, unsigned: false };
  }

  /** A register holding one of two adjacent values {lo, lo + 1} becomes a condition (its mask is computed now, while the register holds it). */
  private condition(r: number, value: number): Table | null {
    const { lo, hi } = this.range[r]!;
    if (hi - lo !== 1n) return null;
    let c = this.condOf.get(value);
    if (c === undefined) {
      const { id, masks } = this.newCondition();
      for (const h of [0, 1]) {
        this.body.get(this.reg[r]![h]!);
        if (lo !== 0n) this.body.splat(Number(lo)).simd(Simd.i32x4Sub);
        this.body.simd(Simd.i32x4Neg).set(masks[h]);
      }
      this.condOf.set(value, (c = id));
    }
    return { conds: [c], entries: [lo, hi] };
  }
}
