/**
 * Generation-time evaluation with the reference interpreter's own exactOp and convert: an op whose
 * sources are all constants becomes a constant, and an op whose only varying source takes just two
 * values (a comparison's 0/1, typically a Heaviside factor) becomes a two-entry table, v ? K1 : K0.
 * Both are exact by construction, and they remove most multiplies from plasticity kernels.
 */
import type { IrFixedFormat } from "../../../src/ir/codec.ts";
import { convert, exactOp } from "../../../src/ir/reference.ts";

export type Fold = { kind: "const"; value: bigint } | { kind: "table"; src: number; lo: bigint; k0: bigint; k1: bigint } | null;

const noDraw = (): number => {
  throw new Error("stochastic rounding is never folded");
};

/**
 * `srcs`: each source register with its format, its constant value (null if it varies) and its
 * range. Returns how the op's result can be computed without its arithmetic, or null.
 */
export function fold(name: string, imm: number, d: IrFixedFormat, srcs: { r: number; fmt: IrFixedFormat; konst: bigint | null; lo: bigint; hi: bigint }[]): Fold {
  if (d.rounding === 3) return null;
  const at = (vary: number, v: bigint): bigint => {
    const x = exactOp(name, srcs.map((s, i) => ({ raw: i === vary ? v : s.konst!, frac: s.fmt.frac })), imm);
    return convert(x, d, noDraw);
  };
  const varying = srcs.map((s, i) => (s.konst === null ? i : -1)).filter((i) => i >= 0);
  if (varying.length === 0) return { kind: "const", value: at(-1, 0n) };
  if (varying.length > 1) return null;
  const s = srcs[varying[0]!]!;
  if (s.hi - s.lo !== 1n) return null;
  return { kind: "table", src: s.r, lo: s.lo, k0: at(varying[0]!, s.lo), k1: at(varying[0]!, s.hi) };
}
