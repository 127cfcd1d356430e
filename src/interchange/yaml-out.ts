/**
 * Model data as YAML that reads like the hand-written models: block style for the structure,
 * flow style ({ ... }, [ ... ]) for lists and for the small mappings inside them. Written by hand
 * rather than through the yaml package's Document, which takes seconds for the 10^5-element weight
 * lists an imported network has; the output is parsed back in the tests.
 */

const PLAIN = /^[A-Za-z_][A-Za-z0-9_ .+\-*/()]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === "boolean") return String(v);
  const s = String(v);
  // Quantities like "0.0025 s" and names stay bare; anything YAML could misread is double-quoted.
  if ((PLAIN.test(s) || /^-?[0-9.]+(e-?[0-9]+)? [A-Za-z^0-9 ]+$/.test(s)) && !RESERVED.test(s) && !s.endsWith(" ")) return s;
  return JSON.stringify(s);
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  if (v !== null && typeof v === "object") return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(", ")} }`;
  return scalar(v);
}

/** Mappings shown on one line: connectivity, per-element values, sources, recordings and stimuli. */
const isFlowMap = (v: Record<string, unknown>) => ["values", "pairs", "var", "target", "source"].some((k) => k in v);

function block(map: Record<string, unknown>, indent: string, out: string[]): void {
  for (const [k, v] of Object.entries(map)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !isFlowMap(v as Record<string, unknown>)) {
      out.push(`${indent}${k}:`);
      block(v as Record<string, unknown>, `${indent}  `, out);
    } else if (Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x))) {
      // Lists of mappings (stimuli, recordings): one item per line.
      out.push(`${indent}${k}:`);
      for (const x of v) out.push(`${indent}  - ${flow(x)}`);
    } else out.push(`${indent}${k}: ${flow(v)}`);
  }
}

export function toYaml(data: Record<string, unknown>, comment: string): string {
  const out = [`# ${comment}`, ""];
  block(data, "", out);
  return `${out.join("\n")}\n`;
}
