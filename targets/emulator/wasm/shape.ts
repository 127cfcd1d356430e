/**
 * Which kernels the SIMD path takes (shape: periodic or spike-triggered, self-indexed loads and stores of the
 * kernel's own group, supported ops, at most 16 bits), and where their state arrays live in the
 * module's memory.
 */
import type { IrFixedFormat, IrProgram } from "../../../src/ir/codec.ts";
import { OP_BY_CODE } from "../../../src/ir/ops.ts";

type Kernel = IrProgram["kernels"][number];

const SUPPORTED = new Set(["LOAD", "STORE", "STORE_ADD", "CONST", "ADD", "SUB", "MUL", "NEG", "ABS", "MIN", "MAX", "SHR", "SHL", "CMP_GE", "CMP_GT", "SELECT", "COPY", "RAND_NORMAL"]);

/** Where each state array lives: byte offset in memory (-1 if unused) and elements per array (a multiple of 8). */
export interface SimdLayout {
  offsets: number[];
  capacity: number;
  bytes: number;
  /**
   * Per draw site (a RAND_NORMAL op, or a conversion with stochastic rounding that drops bits), in
   * the order an element takes its draws: byte offsets of two Int32 arrays of `capacity` elements.
   * The kernel writes `need` (-1 where the element draws, else 0) and reads `value`: for RAND_NORMAL
   * the draw converted to `format` by the host, for rounding floor(u 2^shift) of the draw u.
   */
  draws: DrawLayout[];
}

export interface DrawLayout {
  /** The op that draws (its index in the kernel: the draw's site, src/ir/draws.ts). */
  op: number;
  need: number;
  value: number;
  kind: "normal" | "round";
  shift: number;
  format: IrFixedFormat;
}

/** The layout with its draw sites' arrays after the states (found by generating the kernel once). */
export function withDraws(layout: SimdLayout, sites: Omit<DrawLayout, "need" | "value">[]): SimdLayout {
  const base = layout.offsets.reduce((m, o) => (o >= 0 ? Math.max(m, o + layout.capacity * 2) : m), 0);
  const draws = sites.map((x, j) => ({ ...x, need: base + j * layout.capacity * 8, value: base + j * layout.capacity * 8 + layout.capacity * 4 }));
  return { ...layout, draws, bytes: Math.max(16, base + draws.length * layout.capacity * 8) };
}

/** Layout for the states a kernel touches, each padded to a multiple of 8 elements (16 bytes). */
export function layoutFor(k: Kernel, p: IrProgram): { layout: SimdLayout; states: number[] } {
  const size = p.groups[k.group]!.size;
  const capacity = Math.max(8, Math.ceil(size / 8) * 8);
  const states = [...new Set(k.ops.filter((o) => OP_BY_CODE.get(o.op)!.name.startsWith("LOAD") || OP_BY_CODE.get(o.op)!.name.startsWith("STORE")).map((o) => o.state))].sort((a, b) => a - b);
  const offsets = p.states.map(() => -1);
  states.forEach((s, i) => (offsets[s] = i * capacity * 2));
  return { layout: { offsets, capacity, bytes: Math.max(16, states.length * capacity * 2), draws: [] }, states };
}

/** Why the kernel cannot run here, or null. Checks the shape; generateSimd() also checks exactness. */
export function shapeProblem(k: Kernel, p: IrProgram): string | null {
  return shapeProblems(k, p)[0] ?? null;
}

/**
 * Every reason of shape the kernel cannot run here, without repeats (for reports: what the SIMD
 * path would need to take it).
 */
export function shapeProblems(k: Kernel, p: IrProgram): string[] {
  const out = new Set<string>();
  if (k.registers.some((r) => r.format.width > 16)) out.add("a register wider than 16 bits");
  for (const o of k.ops) {
    const name = OP_BY_CODE.get(o.op)!.name;
    if (!SUPPORTED.has(name)) out.add(`op ${name}`);
    if ((name === "LOAD" || name.startsWith("STORE")) && o.index !== 1) out.add(`${name} at a pre-/postsynaptic index`);
    if ((name === "LOAD" || name.startsWith("STORE")) && p.states[o.state]!.group !== k.group) out.add(`${name} of another group's state`);
    if ((name === "LOAD" || name.startsWith("STORE")) && p.states[o.state]!.format.width > 16) out.add("a state wider than 16 bits");
  }
  if (drawGatedByDraw(k)) out.add("RAND_NORMAL gated by a value drawn before it");
  return [...out];
}

/**
 * True if some RAND_NORMAL's condition may depend on an earlier draw of the same element (through
 * registers, or states stored and loaded again). The SIMD path finds which elements draw in a
 * first pass without the draws, which is exact only when the conditions do not depend on them.
 */
function drawGatedByDraw(k: Kernel): boolean {
  const reg = new Set<number>(), state = new Set<number>();
  for (const o of k.ops) {
    const name = OP_BY_CODE.get(o.op)!.name;
    const tainted = o.src.some((r) => reg.has(r));
    if (name === "RAND_NORMAL" && tainted) return true;
    if (name.startsWith("STORE")) {
      if (tainted) state.add(o.state);
      continue;
    }
    if (name === "RAND_NORMAL" || tainted || (name === "LOAD" && state.has(o.state))) reg.add(o.dst);
    else reg.delete(o.dst);
  }
  return false;
}
