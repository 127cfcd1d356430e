/**
 * The expression tree shared by compiler, IR and executors. It is deliberately small: every node
 * here has a float64 meaning (interpret.ts, codegen) and, later, a fixed-point lowering.
 */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow";
export type CompareOp = "ge" | "gt" | "le" | "lt" | "eq" | "ne";
export type LogicOp = "and" | "or";
/** Functions a model may call. H is the Heaviside step with H(0) = 1, as in the STC authors' code. */
export const FUNCTIONS = {
  exp: 1,
  log: 1,
  sqrt: 1,
  abs: 1,
  H: 1,
  heaviside: 1,
  min: 2,
  max: 2,
  clip: 3,
  // Rate-unit activations (issue 14): f in tau dv/dt = -v + sum W f(v) + input.
  tanh: 1,
  logistic: 1,
  relu: 1,
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

/** Where a symbol lives: this element, the presynaptic neuron or the postsynaptic neuron. */
export type Scope = "self" | "pre" | "post";

export type Expr =
  | { op: "const"; value: number }
  | { op: "sym"; name: string; scope: Scope }
  | { op: "noise" }
  | { op: BinaryOp; a: Expr; b: Expr }
  | { op: "neg"; a: Expr }
  | { op: "call"; fn: FunctionName; args: Expr[] }
  | { op: "cmp"; cmp: CompareOp; a: Expr; b: Expr }
  | { op: LogicOp; a: Expr; b: Expr }
  | { op: "not"; a: Expr }
  | { op: "cond"; test: Expr; then: Expr; else: Expr };

export const num = (value: number): Expr => ({ op: "const", value });

/** Visits every node, children first. */
export function walk(e: Expr, visit: (node: Expr) => void): void {
  switch (e.op) {
    case "const":
    case "sym":
    case "noise":
      break;
    case "neg":
    case "not":
      walk(e.a, visit);
      break;
    case "call":
      e.args.forEach((a) => walk(a, visit));
      break;
    case "cond":
      walk(e.test, visit);
      walk(e.then, visit);
      walk(e.else, visit);
      break;
    default:
      walk(e.a, visit);
      walk(e.b, visit);
  }
  visit(e);
}

/** Rebuilds the tree bottom-up; `f` may replace any node. */
export function rewrite(e: Expr, f: (node: Expr) => Expr): Expr {
  switch (e.op) {
    case "const":
    case "sym":
    case "noise":
      return f(e);
    case "neg":
    case "not":
      return f({ ...e, a: rewrite(e.a, f) });
    case "call":
      return f({ ...e, args: e.args.map((a) => rewrite(a, f)) });
    case "cond":
      return f({ ...e, test: rewrite(e.test, f), then: rewrite(e.then, f), else: rewrite(e.else, f) });
    default:
      return f({ ...e, a: rewrite(e.a, f), b: rewrite(e.b, f) } as Expr);
  }
}

export function symbols(e: Expr): { name: string; scope: Scope }[] {
  const out: { name: string; scope: Scope }[] = [];
  walk(e, (n) => {
    if (n.op === "sym") out.push({ name: n.name, scope: n.scope });
  });
  return out;
}

/** Stable text form, used in dumps and error messages. */
export function show(e: Expr): string {
  const sym = (n: { name: string; scope: Scope }) => (n.scope === "self" ? n.name : `${n.name}_${n.scope}`);
  switch (e.op) {
    case "const":
      return Number.isInteger(e.value) ? e.value.toFixed(1) : String(e.value);
    case "sym":
      return sym(e);
    case "noise":
      return "xi";
    case "neg":
      return `(-${show(e.a)})`;
    case "not":
      return `(not ${show(e.a)})`;
    case "call":
      return `${e.fn}(${e.args.map(show).join(", ")})`;
    case "cond":
      return `(${show(e.test)} ? ${show(e.then)} : ${show(e.else)})`;
    case "cmp": {
      const ops = { ge: ">=", gt: ">", le: "<=", lt: "<", eq: "==", ne: "!=" };
      return `(${show(e.a)} ${ops[e.cmp]} ${show(e.b)})`;
    }
    default: {
      const ops = { add: "+", sub: "-", mul: "*", div: "/", pow: "^", and: "and", or: "or" };
      return `(${show(e.a)} ${ops[e.op]} ${show(e.b)})`;
    }
  }
}
