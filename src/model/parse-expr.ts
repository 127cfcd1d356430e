/**
 * Equation text -> expression tree. mathjs does the parsing (operators, precedence, numbers);
 * this file maps its nodes onto the small IR expression language and rejects anything else,
 * so nothing a model file says is ever evaluated as code.
 */
import type { MathNode } from "mathjs";
import { math } from "./units.ts";
import { FUNCTIONS, type Expr, type FunctionName } from "../ir/expr.ts";

export class ExprSyntaxError extends Error {}

const BINARY: Record<string, Expr["op"]> = {
  add: "add",
  subtract: "sub",
  multiply: "mul",
  divide: "div",
  pow: "pow",
  dotMultiply: "mul",
  dotDivide: "div",
  dotPow: "pow",
};
const COMPARE: Record<string, "ge" | "gt" | "le" | "lt" | "eq" | "ne"> = {
  largerEq: "ge",
  larger: "gt",
  smallerEq: "le",
  smaller: "lt",
  equal: "eq",
  unequal: "ne",
};

/**
 * mathjs' parse trees by text: parsing was a fifth of compiling a small model, and a study
 * compiles the same model files once per run (docs/benchmarks.md, "Studies"). convert() only
 * reads a tree and builds a new Expr each time, so no caller shares (or can change) a cached one.
 */
const PARSED = new Map<string, MathNode>();
const PARSED_MAX = 10_000;

export function parseExpr(text: string): Expr {
  const clean = text.replace(/\s+/g, " ").trim();
  let node = PARSED.get(clean);
  if (!node) {
    try {
      node = math.parse(clean);
    } catch (e) {
      throw new ExprSyntaxError(`cannot parse "${text}": ${(e as Error).message}`);
    }
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    PARSED.set(clean, node);
  }
  return convert(node, text);
}

function convert(node: MathNode, text: string): Expr {
  const n = node as MathNode & Record<string, any>;
  switch (n.type) {
    case "ConstantNode": {
      if (typeof n.value !== "number") throw new ExprSyntaxError(`only numbers are allowed as constants, got ${JSON.stringify(n.value)} in "${text}"`);
      return { op: "const", value: n.value };
    }
    case "SymbolNode":
      if (n.name === "xi") return { op: "noise" };
      if (n.name === "true" || n.name === "false") return { op: "const", value: n.name === "true" ? 1 : 0 };
      return { op: "sym", name: n.name, scope: "self" };
    case "ParenthesisNode":
      return convert(n.content, text);
    case "OperatorNode": {
      const args: Expr[] = n.args.map((a: MathNode) => convert(a, text));
      if (n.fn === "unaryMinus") return { op: "neg", a: args[0]! };
      if (n.fn === "unaryPlus") return args[0]!;
      if (n.fn === "not") return { op: "not", a: args[0]! };
      if (n.fn === "and" || n.fn === "or") return { op: n.fn, a: args[0]!, b: args[1]! };
      if (n.fn in COMPARE) return { op: "cmp", cmp: COMPARE[n.fn]!, a: args[0]!, b: args[1]! };
      const op = BINARY[n.fn];
      if (op && args.length === 2) return { op, a: args[0]!, b: args[1]! } as Expr;
      throw new ExprSyntaxError(`operator "${n.op}" is not supported in "${text}"`);
    }
    case "FunctionNode": {
      const name: string = n.fn?.name ?? "";
      if (!(name in FUNCTIONS)) {
        throw new ExprSyntaxError(`unknown function "${name}" in "${text}"; available: ${Object.keys(FUNCTIONS).join(", ")}`);
      }
      const fn = (name === "heaviside" ? "H" : name) as FunctionName;
      const arity = FUNCTIONS[fn];
      if (n.args.length !== arity) throw new ExprSyntaxError(`${name}() takes ${arity} argument(s), got ${n.args.length} in "${text}"`);
      return { op: "call", fn, args: n.args.map((a: MathNode) => convert(a, text)) };
    }
    case "ConditionalNode":
      return { op: "cond", test: convert(n.condition, text), then: convert(n.trueExpr, text), else: convert(n.falseExpr, text) };
    default:
      throw new ExprSyntaxError(`"${text}" is not a plain expression (found ${n.type}); write arithmetic on names and numbers, e.g. "-(V - V_rev) / tau_mem"`);
  }
}

export interface Assignment {
  target: string;
  op: "=" | "+=" | "-=" | "*=" | "/=";
  value: Expr;
}

/** Parses "Ca += Ca_pre" or "V = V_reset". */
export function parseAssignment(text: string): Assignment {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|\*=|\/=|=)(?!=)\s*(.+)$/.exec(text);
  if (!m) throw new ExprSyntaxError(`"${text}" is not an assignment; write e.g. "Ca += Ca_pre" or "V = V_reset"`);
  return { target: m[1]!, op: m[2] as Assignment["op"], value: parseExpr(m[3]!) };
}
