/**
 * Diagnostics are records, collected by loaders and passes and rendered once.
 * A user error never surfaces as a stack trace: the CLI catches EngramError and prints render().
 */
export interface SourceLocation {
  file: string;
  /** Path inside the document, e.g. ["populations", "post", "params", "tau_mem"]. */
  path: (string | number)[];
  line?: number;
  column?: number;
}

export interface Diagnostic {
  code: string;
  message: string;
  where?: SourceLocation;
  expected?: string;
  received?: string;
  hint?: string;
}

export class EngramError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(renderDiagnostics(diagnostics));
    this.name = "EngramError";
    this.diagnostics = diagnostics;
  }
}

export function formatPath(path: (string | number)[]): string {
  let out = "";
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  }
  return out;
}

export function formatLocation(where: SourceLocation): string {
  const pos = where.line !== undefined ? `:${where.line}${where.column !== undefined ? `:${where.column}` : ""}` : "";
  const path = where.path.length > 0 ? ` at ${formatPath(where.path)}` : "";
  return `${where.file}${pos}${path}`;
}

export function renderDiagnostic(d: Diagnostic): string {
  const head = d.where ? `${formatLocation(d.where)}: ` : "";
  let text = `${head}${d.message} [${d.code}]`;
  if (d.expected !== undefined) text += `\n    expected: ${d.expected}`;
  if (d.received !== undefined) text += `\n    received: ${d.received}`;
  if (d.hint !== undefined) text += `\n    hint: ${d.hint}`;
  return text;
}

export function renderDiagnostics(list: Diagnostic[]): string {
  const n = list.length;
  const body = list.map(renderDiagnostic).join("\n");
  return n > 1 ? `${n} problems:\n${body}` : body;
}

/** Closest candidate by edit distance, for "did you mean" hints. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
