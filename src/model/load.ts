/**
 * Reads a model file (YAML), follows `extends` chains, validates every file against its zod schema
 * and keeps, for every path in the merged document, the file, line and column it came from, so
 * that any later diagnostic can point at what the user wrote.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve, relative } from "node:path";
import { parseDocument, LineCounter, isMap, isSeq, isScalar, type Node as YamlNode } from "yaml";
import type { ZodType } from "zod";
import { EngramError, type Diagnostic, type SourceLocation, didYouMean } from "../diagnostics/diagnostic.ts";
import { DEFAULT_LIMITS } from "../ir/limits.ts";

type Path = (string | number)[];

export interface LoadedDoc<T> {
  data: T;
  /** Files in the extends chain, most derived first. */
  files: string[];
  /** Where the value at `path` was written (longest matching prefix). */
  locate(path: Path): SourceLocation;
  /** The file that wrote the value at `path`, for resolving relative references. */
  fileOf(path: Path): string;
}

export interface RawDoc {
  file: string;
  data: Record<string, unknown>;
  locate(path: Path): SourceLocation;
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/**
 * Refuses by type and size before reading: a directory, /dev/zero or a FIFO is no model file, and
 * a file too big to be one would take minutes to parse.
 */
function checkModelFile(file: string, from: SourceLocation | undefined, maxBytes: number, what: string): void {
  const where = from ?? { file: displayPath(file), path: [] };
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" || code === "ENOTDIR" ? "not found" : `cannot be read (${code ?? (e as Error).message})`;
    throw new EngramError([{ code: "file-not-found", message: `${what} ${why}: ${displayPath(file)}`, where, received: displayPath(file) }]);
  }
  if (!st.isFile()) {
    const kind = st.isDirectory() ? "a directory" : st.isCharacterDevice() || st.isBlockDevice() ? "a device" : st.isFIFO() ? "a pipe" : st.isSocket() ? "a socket" : "not a regular file";
    throw new EngramError([{ code: "not-a-file", message: `${displayPath(file)} is ${kind}, not a ${what}`, where, received: displayPath(file), expected: "a YAML file" }]);
  }
  if (st.size > maxBytes) {
    throw new EngramError([{ code: "limit", message: `${what} ${displayPath(file)} has ${st.size} bytes, more than the limit of ${maxBytes} (such a file is hand-sized text; YAML parsing takes seconds per megabyte)`, where, received: `${st.size} bytes`, hint: `raise it with --limit model-file-bytes=${st.size} if this file is meant to be this big` }]);
  }
}

/** The YAML package's own bound on alias expansion (a "billion laughs" file stops here). */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads one YAML file as a located document. `what` names the kind of file in messages; only model
 * files must carry "engram: 1" or "kind:" (study files are read here too).
 */
export function readYaml(file: string, from?: SourceLocation, what = "model file", maxBytes: number = DEFAULT_LIMITS.modelFileBytes): RawDoc {
  checkModelFile(file, from, maxBytes, what);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    // A regular file that still cannot be read (permissions, /proc/self/mem): say so, located.
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new EngramError([{ code: "unreadable", message: `${what} ${displayPath(file)} cannot be read (${code})`, where: from ?? { file: displayPath(file), path: [] }, received: displayPath(file) }]);
  }
  const key = `${what}\0${file}\0${process.cwd()}\0${text}`;
  const known = PARSED.get(key);
  if (known) return known;
  const parsed = parseYaml(file, text, from, what);
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(key, parsed);
  return parsed;
}

/**
 * Files already parsed, by their text (and kind, name and the folder names are shown from): a
 * study compiles the same model files once per run, and parsing their YAML was a third of that
 * compile (docs/benchmarks.md, "Studies"). The text is read every time, so an edited file is
 * parsed again. The data is frozen: every reader builds new objects from it (merge, zod), and one
 * that wrote into it would fail loudly instead of changing the next run's model.
 */
const PARSED = new Map<string, RawDoc>();
const PARSED_MAX = 64;

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function parseYaml(file: string, text: string, from: SourceLocation | undefined, what: string): RawDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const shown = displayPath(file);
  if (doc.errors.length > 0) {
    throw new EngramError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        // A repeated key: name it (the parser's message does not).
        const key = e.code === "DUPLICATE_KEY" ? /^[^\s:]+/.exec(text.slice(e.pos[0], e.pos[0] + 100))?.[0] : undefined;
        return { code: "yaml-syntax", message: `YAML syntax error: ${e.message.split("\n")[0]}${key ? ` ("${key}")` : ""}`, where: { file: shown, path: key ? [key] : [], line: pos.line, column: pos.col }, received: key };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package throws a ReferenceError for alias expansion beyond maxAliasCount.
    if (!(e instanceof ReferenceError)) throw e;
    throw new EngramError([{ code: "yaml-aliases", message: `YAML aliases expand too far: ${e.message.split("\n")[0]}`, where: { file: shown, path: [] }, expected: `at most ${MAX_ALIAS_COUNT} uses of an alias that holds other aliases`, hint: "write the values out instead of nesting aliases (*name)" }]);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    // Never quote the content: it may be a file that is no model at all (extends: /etc/passwd).
    const kind = data === null ? "an empty document" : Array.isArray(data) ? `a list of ${data.length} items` : typeof data === "string" ? `plain text (${data.length} characters), not key: value lines` : `a single ${typeof data}`;
    throw new EngramError([{ code: "not-a-mapping", message: `${shown} is not a ${what}: a ${what} must be a YAML mapping (key: value lines)`, where: from ?? { file: shown, path: [] }, received: kind }]);
  }
  if (what === "model file" && !("engram" in data) && !("kind" in data)) {
    // A mapping that is no engram file at all (extends: /etc/shadow): refuse it before the schema
    // would list its keys, which are its content.
    const keys = Object.keys(data).length;
    throw new EngramError([{ code: "not-a-model", message: `${shown} is not an engram model file: it has neither "engram: 1" nor "kind:"`, where: from ?? { file: shown, path: [] }, received: `a mapping with ${keys} key${keys === 1 ? "" : "s"}`, expected: 'a file starting "engram: 1" and "kind: network|neuron|synapse"' }]);
  }
  const locate = (path: Path): SourceLocation => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
      if (node && (isMap(node) || isSeq(node) || isScalar(node)) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { file: shown, path, line: pos.line, column: pos.col };
      }
    }
    return { file: shown, path };
  };
  return { file, data: deepFreeze(data as Record<string, unknown>), locate };
}

/** Validates raw YAML data against a schema and turns zod issues into located diagnostics. */
export function validate<T>(schema: ZodType<T>, raw: RawDoc, partial = false): T {
  const result = schema.safeParse(raw.data);
  if (result.success) return result.data;
  // A file that extends another may leave required keys to its base: judge missing keys after the merge.
  const issues = partial
    ? result.error.issues.filter((i) => valueAt(raw.data, i.path.filter((p): p is string | number => typeof p !== "symbol")) !== undefined)
    : result.error.issues;
  if (issues.length === 0) return undefined as T;
  const diagnostics: Diagnostic[] = issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const where = raw.locate(path);
    const received = valueAt(raw.data, path);
    if (issue.code === "unrecognized_keys") {
      const keys = (issue as { keys: string[] }).keys;
      const parent = valueAt(raw.data, path);
      const known = knownKeys(schema, path, raw.data);
      const hint = keys.map((k) => didYouMean(k, known)).filter(Boolean);
      return {
        code: "unknown-key",
        message: `unknown key${keys.length > 1 ? "s" : ""} ${listed(keys.map((k) => `"${k}"`))}`,
        where: raw.locate([...path, keys[0]!]),
        expected: known.length > 0 ? `one of ${known.join(", ")}` : undefined,
        received: listed(keys),
        hint: hint.length > 0 ? `did you mean "${hint[0]}"?` : parent === undefined ? undefined : undefined,
      };
    }
    return {
      code: "invalid-value",
      message: issue.message,
      where,
      received: received === undefined ? "nothing (the key is missing)" : quote(received),
    };
  });
  throw new EngramError(diagnostics);
}

/** At most five items, then how many more. */
function listed(items: string[]): string {
  return items.length <= 5 ? items.join(", ") : `${items.slice(0, 5).join(", ")} and ${items.length - 5} more`;
}

/** A value as the user wrote it: non-finite numbers as themselves (JSON would say null), long ones cut. */
function quote(v: unknown): string {
  const text = typeof v === "number" && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}... (${text.length} characters)` : text;
}

function valueAt(data: unknown, path: Path): unknown {
  let cur: unknown = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Keys the schema accepts at `path`, found by asking zod which keys it would not reject. */
function knownKeys(schema: ZodType<unknown>, path: Path, data: unknown): string[] {
  let s: any = schema;
  let cur: unknown = data;
  for (const p of path) {
    s = unwrap(s);
    cur = (cur as Record<string | number, unknown>)?.[p];
    if (s?.def?.type === "object") s = s.def.shape[p];
    else if (s?.def?.type === "record") s = s.def.valueType;
    else if (s?.def?.type === "array") s = s.def.element;
    else if (s?.def?.type === "union" || s?.def?.type === "discriminated_union" || s?.def?.type === "union") {
      s = pickOption(s, cur);
      // pickOption chooses the branch for the current value; the shape lookup happens next iteration
      if (s?.def?.type === "object") continue;
    } else return [];
  }
  s = unwrap(s);
  if (s?.def?.type === "union") s = pickOption(s, cur);
  s = unwrap(s);
  return s?.def?.type === "object" ? Object.keys(s.def.shape) : [];
}

function unwrap(s: any): any {
  while (s?.def && (s.def.type === "optional" || s.def.type === "default" || s.def.type === "nullable")) s = s.def.innerType;
  return s;
}

function pickOption(s: any, value: unknown): any {
  const options: any[] = s?.def?.options ?? [];
  const kind = (value as { kind?: unknown })?.kind;
  const objs = options.map(unwrap).filter((o) => o?.def?.type === "object");
  const byKind = objs.find((o) => o.def.shape.kind?.def?.values?.includes?.(kind));
  return byKind ?? objs[0];
}

/** Deep merge: mappings merge key by key, everything else (lists, scalars) is replaced. */
function merge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
    return out;
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * A value set from outside the model file (a study's grid point), written where `where` points:
 * diagnostics about it, and relative paths in it, refer to that file.
 */
export interface ModelOverride {
  path: Path;
  value: unknown;
  where: SourceLocation;
  /** The absolute path of the file that set it. */
  file: string;
}

/**
 * Loads `file` and its `extends` chain. Each file is validated on its own (so an unknown key is
 * reported in the file that has it), then the chain is merged, base first. `overrides` apply on
 * top of the merged document as one more, most derived layer; an override of `extends` replaces
 * the top file's base.
 */
export function loadModelFile<T>(file: string, schema: ZodType<T>, from?: SourceLocation, overrides: ModelOverride[] = [], maxBytes: number = DEFAULT_LIMITS.modelFileBytes): LoadedDoc<T> {
  const chain: RawDoc[] = [];
  const newBase = overrides.find((o) => o.path.length === 1 && o.path[0] === "extends");
  let current = resolve(file);
  let fromLoc = from;
  const seen = new Set<string>();
  for (;;) {
    if (seen.has(current)) {
      throw new EngramError([{ code: "extends-cycle", message: `"extends" forms a cycle through ${displayPath(current)}`, where: fromLoc }]);
    }
    seen.add(current);
    const raw = readYaml(current, fromLoc, "model file", maxBytes);
    validate(schema, raw, true);
    chain.push(raw);
    const parent = chain.length === 1 && newBase ? newBase.value : raw.data.extends;
    if (typeof parent !== "string") break;
    fromLoc = chain.length === 1 && newBase ? newBase.where : raw.locate(["extends"]);
    current = resolve(dirname(chain.length === 1 && newBase ? newBase.file : current), parent);
  }
  if (overrides.length > 0) chain.unshift(overrideLayer(chain, overrides));
  let merged: unknown = {};
  for (let i = chain.length - 1; i >= 0; i--) merged = merge(merged, chain[i]!.data);
  const data = validate(schema, { ...chain[0]!, data: merged as Record<string, unknown> });

  const owner = (path: Path): RawDoc => {
    // The most derived file that has a value at the longest prefix of the path.
    for (let n = path.length; n >= 1; n--) {
      for (const raw of chain) if (valueAt(raw.data, path.slice(0, n)) !== undefined) return raw;
    }
    return chain[0]!;
  };
  return {
    data,
    files: chain.map((r) => r.file),
    locate: (path) => owner(path).locate(path),
    fileOf: (path) => owner(path).file,
  };
}

/** The overrides as a document of their own, located in the file that set them. */
function overrideLayer(files: RawDoc[], overrides: ModelOverride[]): RawDoc {
  const chain = [...files]; // the model files only (the caller adds this layer to its list)
  const top = chain[0]!;
  const data: Record<string, unknown> = {};
  for (const o of overrides) {
    if (o.path[0] === "extends") continue;
    let cur: Record<string | number, unknown> = data;
    o.path.forEach((key, i) => {
      if (i === o.path.length - 1) cur[key] = o.value;
      else cur = (cur[key] ??= {}) as Record<string | number, unknown>;
    });
  }
  const starts = (path: Path, prefix: Path) => prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
  return {
    file: overrides.find((o) => o.path[0] !== "extends")?.file ?? top.file,
    data,
    locate: (path) => {
      // At or inside an override, or on the way to one that no model file has (a misspelt key).
      const o = overrides.find((x) => starts(path, x.path) || (starts(x.path, path) && chain.every((raw) => valueAt(raw.data, path) === undefined)));
      return o ? { ...o.where, path } : top.locate(path);
    },
  };
}
