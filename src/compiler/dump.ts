/** Readable text form of any compiler stage, for --dump-after. */
import { show, type Expr } from "../ir/expr.ts";

const EXPR_OPS = new Set(["const", "sym", "noise", "add", "sub", "mul", "div", "pow", "neg", "call", "cmp", "and", "or", "not", "cond"]);

function isExpr(v: unknown): v is Expr {
  return typeof v === "object" && v !== null && EXPR_OPS.has((v as { op?: unknown }).op as string);
}

export function dumpStage(pass: string, stage: unknown): string {
  const seen = new WeakSet<object>();
  const json = JSON.stringify(
    stage,
    (key, value) => {
      if (key === "where" || key === "locate" || key === "def" || key === "resolved") return undefined;
      if (isExpr(value)) return show(value);
      if (value instanceof Map) return Object.fromEntries(value);
      if (ArrayBuffer.isView(value)) {
        const arr = Array.from(value as unknown as ArrayLike<number>);
        return arr.length > 16 ? `${value.constructor.name}(${arr.length}) [${arr.slice(0, 8).join(", ")}, ...]` : arr;
      }
      if (typeof value === "object" && value !== null) {
        if (seen.has(value)) return "(see above)";
        seen.add(value);
      }
      return value;
    },
    2,
  );
  return `=== after pass "${pass}" ===\n${json}`;
}
