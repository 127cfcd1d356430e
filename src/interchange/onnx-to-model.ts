/**
 * An ONNX graph as an engram model of discrete-time rate units (models/components/onnx/): every
 * tensor computed from the graph's signal input is an affine map of unit populations' outputs
 * (rows of (population, element, weight) plus a constant), folded through Gemm, MatMul, Add, Sub,
 * Mul, Div by constants, Identity, Reshape and Flatten; an activation (Relu, Sigmoid, Tanh, Clip)
 * or a graph output turns the map into a new population whose projections carry its weights (a
 * dense layer becomes an all_to_all projection), its constant a projection from the bias unit;
 * RNN becomes a tanh population with input weights W and recurrent weights R. Each population
 * adds one step of latency; where two paths of different latency meet (a skip connection),
 * identity relay populations delay the shorter one. Constant subgraphs are evaluated once.
 *
 * Time: without an RNN the graph is static: the signal tensor is one sample held on every step
 * and an output is read at the step its latency reaches. With an RNN, axis 0 of the signal is
 * the RNN's time (one row per step) and the other axes are elements.
 */
import { EngramError } from "../diagnostics/diagnostic.ts";
import { displayPath } from "../model/load.ts";
import { run as evalNode } from "./onnx-eval.ts";
import type { OnnxGraph, OnnxNode, Tensor } from "./onnx-read.ts";

type Unit = "identity" | "tanh" | "logistic" | "relu" | "clip";
interface Entry {
  p: number;
  j: number;
  w: number;
}
interface Sig {
  kind: "sig";
  /** Element dims (without the time axis when timed). */
  dims: number[];
  timed: boolean;
  /** Steps from the signal input to the populations this map reads. */
  latency: number;
  rows: Entry[][];
  bias: Float64Array;
}
type Val = Sig | { kind: "const"; t: Tensor };

interface Pop {
  name: string;
  unit: Unit;
  size: number;
  latency: number;
  params: Record<string, unknown>;
  /** Incoming weights by source population: key pre * size + post -> weight. */
  incoming: Map<number, Map<number, number>>;
  source: string;
}

export interface OnnxOutputMap {
  name: string;
  /** Full ONNX dims of the output. */
  dims: number[];
  /** The recording (`as`) that holds it: columns `${record}[i]`. */
  record: string;
  population: string;
  /** Recorded samples (tick numbers, dt = 1 ms) that hold the output, in order; each gives `size` elements. */
  ticks: number[];
}

export interface OnnxModel {
  network: Record<string, unknown>;
  /** Component files used (models/components/onnx/<name>.yaml). */
  components: string[];
  /** The stream stimulus' CSV: file name and text. */
  csv: { file: string; text: string };
  outputs: OnnxOutputMap[];
  signal: { name: string; dims: number[]; timed: boolean };
}

const count = (d: number[]) => d.reduce((a, b) => a * b, 1);
const BIAS = 0;
const F32_MAX = 3.4028234663852886e38;

export interface OnnxToModelOptions {
  name: string;
  /** Graph input that carries the signal; the others must be bound (initializers or test data). */
  signal: string;
  /** Tensors for the graph's non-initializer inputs (the signal's value is the stream written). */
  feeds: Map<string, Tensor>;
}

export function onnxToModel(g: OnnxGraph, opt: OnnxToModelOptions): OnnxModel {
  const where = (path: string) => ({ file: displayPath(g.file), path: [path] });
  const signalTensor = opt.feeds.get(opt.signal);
  if (!signalTensor) throw new EngramError([{ code: "unbound-input", message: `signal input "${opt.signal}" has no test-data tensor to write as the model's stimulus`, where: where("graph.input") }]);
  const timed = g.nodes.some((n) => n.op === "RNN");
  const S = timed ? signalTensor.dims[0]! : 1;
  if (timed && signalTensor.dims.length < 2) throw new EngramError([{ code: "shape-mismatch", message: `signal "${opt.signal}" of an RNN graph must be [seq, batch, input], got ${JSON.stringify(signalTensor.dims)}`, where: where("graph.input") }]);

  const pops: Pop[] = [{ name: "bias", unit: "identity", size: 1, latency: 0, params: { b: 1 }, incoming: new Map(), source: "constant 1 (biases)" }];
  const usedNames = new Set(["bias"]);
  const popName = (hint: string) => {
    let base = `u_${hint.replace(/[^A-Za-z0-9_]/g, "_")}`.replace(/_+$/, "") || "u";
    if (base.length > 40) base = base.slice(0, 40);
    let name = base;
    for (let k = 2; usedNames.has(name); k++) name = `${base}_${k}`;
    usedNames.add(name);
    return name;
  };
  const identitySig = (p: number, dims: number[], isTimed: boolean): Sig => ({ kind: "sig", dims, timed: isTimed, latency: pops[p]!.latency, rows: Array.from({ length: pops[p]!.size }, (_, i) => [{ p, j: i, w: 1 }]), bias: new Float64Array(pops[p]!.size) });

  /** A population computing unit(rows + bias): one step later than what it reads. */
  const materialise = (s: Sig, unit: Unit, hint: string, params: Record<string, unknown> = {}): number => {
    const p = pops.length;
    const pop: Pop = { name: popName(hint), unit, size: s.rows.length, latency: s.latency + 1, params, incoming: new Map(), source: hint };
    pops.push(pop);
    const add = (q: number, j: number, i: number, w: number) => {
      let m = pop.incoming.get(q);
      if (!m) pop.incoming.set(q, (m = new Map()));
      const key = j * pop.size + i;
      m.set(key, (m.get(key) ?? 0) + w);
    };
    s.rows.forEach((row, i) => {
      for (const e of row) add(e.p, e.j, i, e.w);
      if (s.bias[i] !== 0) add(BIAS, 0, i, s.bias[i]!);
    });
    return p;
  };
  const delay = (s: Sig, to: number, hint: string): Sig => {
    let out = s;
    while (out.latency < to) out = identitySig(materialise(out, "identity", `${hint}_relay`), out.dims, out.timed);
    return out;
  };

  // The signal population: identity units driven by the stream stimulus.
  const sigDims = timed ? signalTensor.dims.slice(1) : signalTensor.dims;
  const signalPop = pops.length;
  pops.push({ name: popName(opt.signal), unit: "identity", size: count(sigDims), latency: 0, params: {}, incoming: new Map(), source: `graph input ${opt.signal}` });
  const values = new Map<string, Val>();
  for (const [name, t] of g.initializers) values.set(name, { kind: "const", t });
  for (const [name, t] of opt.feeds) if (name !== opt.signal) values.set(name, { kind: "const", t });
  values.set(opt.signal, identitySig(signalPop, sigDims, timed));

  for (const n of g.nodes) {
    const fail = (message: string, code = "unsupported-graph"): never => {
      throw new EngramError([{ code, message: `node ${n.name} (${n.op}): ${message}`, where: where(`graph.node[${n.index}]`) }]);
    };
    const input = (k: number): Val | undefined => {
      const name = n.inputs[k];
      if (name === undefined || name === "") return undefined;
      return values.get(name) ?? fail(`input "${name}" is not computed by any earlier node, initializer or graph input`, "shape-mismatch");
    };
    const ins = n.inputs.map((_, k) => input(k));
    if (ins.every((v) => v === undefined || v.kind === "const")) {
      const outs = evalNode(n, (k) => (ins[k] as { t: Tensor } | undefined)?.t, (m) => fail(m, "shape-mismatch"));
      outs.forEach((t, k) => n.outputs[k] && values.set(n.outputs[k]!, { kind: "const", t }));
      continue;
    }
    const outs = lowerNode(n, ins, { fail, materialise, identitySig, delay, pops, S });
    outs.forEach((v, k) => n.outputs[k] && values.set(n.outputs[k]!, v));
  }

  // Graph outputs: a population each (reused when the output already is one population, as is).
  const outputs: OnnxOutputMap[] = [];
  const recordings: Record<string, unknown>[] = [];
  let maxTick = 1;
  for (const o of g.outputs) {
    const v = values.get(o.name);
    if (!v) throw new EngramError([{ code: "shape-mismatch", message: `graph output "${o.name}" is computed by no node`, where: where("graph.output") }]);
    if (v.kind === "const") throw new EngramError([{ code: "unsupported-graph", message: `graph output "${o.name}" does not depend on the signal input "${opt.signal}": a constant has no engram population`, where: where("graph.output") }]);
    const whole = v.rows.every((r, i) => r.length === 1 && r[0]!.j === i && r[0]!.w === 1 && r[0]!.p === v.rows[0]![0]!.p && v.bias[i] === 0) && pops[v.rows[0]![0]!.p]!.size === v.rows.length && v.rows[0]![0]!.p !== signalPop;
    const p = whole ? v.rows[0]![0]!.p : materialise(v, "identity", `out_${o.name}`);
    const pop = pops[p]!;
    const record = pop.name;
    if (!recordings.some((r) => r.as === record)) recordings.push({ var: `${pop.name}.x`, as: record, elements: "all", every: "1 ms" });
    const ticks = v.timed ? Array.from({ length: S }, (_, s) => s + 1 + pop.latency) : [S + pop.latency];
    maxTick = Math.max(maxTick, ...ticks);
    outputs.push({ name: o.name, dims: v.timed ? [S, ...v.dims] : v.dims, record, population: pop.name, ticks });
  }

  // The stream: one CSV row per step; a timed signal's rows then zeros, a static one repeated.
  const K = pops[signalPop]!.size;
  const header = Array.from({ length: K }, (_, k) => `${pops[signalPop]!.name}_${k}`);
  const rows: string[] = [header.join(",")];
  for (let t = 0; t < maxTick; t++) {
    const s = timed ? t : 0;
    rows.push(Array.from({ length: K }, (_, k) => (s < S ? String(signalTensor.data[s * K + k]) : "0")).join(","));
  }
  const csv = { file: `${opt.name}-input.csv`, text: `${rows.join("\n")}\n` };

  const usesBias = pops.some((q) => q.incoming.has(BIAS));
  const populations: Record<string, unknown> = {};
  const projections: Record<string, unknown> = {};
  pops.forEach((q, p) => {
    if (p === BIAS && !usesBias) return;
    populations[q.name] = { neuron: `onnx-${q.unit}.yaml`, size: q.size, ...(Object.keys(q.params).length ? { params: q.params } : {}) };
    for (const [src, m] of q.incoming) projections[`${pops[src]!.name}_to_${q.name}`] = projection(pops[src]!, q, m);
  });
  const network: Record<string, unknown> = {
    engram: 1,
    kind: "network",
    name: opt.name,
    doc: `Imported from ${displayPath(g.file)} (ONNX opset ${g.opset}) by engram import: discrete-time rate units, one step (1 ms) per layer; the signal "${opt.signal}" comes from ${csv.file}. Outputs: ${outputs.map((o) => `${o.name} -> ${o.record} at tick(s) ${o.ticks.length > 3 ? `${o.ticks[0]}..${o.ticks[o.ticks.length - 1]}` : o.ticks.join(", ")}`).join("; ")} (docs/interchange.md).`,
    dt: "1 ms",
    duration: `${maxTick} ms`,
    seed: 1,
    populations,
    projections,
    stimuli: [{ kind: "stream", target: pops[signalPop]!.name, input: "I_in", source: { csv: csv.file } }],
    recordings,
    record_spikes: [],
  };
  const components = [...new Set(pops.filter((q, p) => p !== BIAS || usesBias).map((q) => `onnx-${q.unit}`)), "onnx-weight"];
  return { network, components, csv, outputs, signal: { name: opt.signal, dims: signalTensor.dims, timed } };
}

/** A dense block as all_to_all (NIR's and engram's [post][pre] row-major order), else explicit pairs. */
function projection(pre: Pop, post: Pop, m: Map<number, number>): Record<string, unknown> {
  const base = { pre: pre.name, post: post.name, synapse: "onnx-weight.yaml" };
  if (m.size === pre.size * post.size && pre.name !== "bias") {
    const w = new Array<number>(pre.size * post.size);
    for (const [key, x] of m) w[(key % post.size) * pre.size + Math.floor(key / post.size)] = x;
    return { ...base, connect: "all_to_all", params: { w: w.every((x) => x === w[0]) ? w[0] : { values: w } } };
  }
  const keys = [...m.keys()].sort((a, b) => (a % post.size) - (b % post.size) || a - b);
  const w = keys.map((k) => m.get(k)!);
  return { ...base, connect: { kind: "pairs", pairs: keys.map((k) => [Math.floor(k / post.size), k % post.size]) }, params: { w: w.every((x) => x === w[0]) ? w[0] : { values: w } } };
}

interface Ctx {
  fail: (m: string, code?: string) => never;
  materialise: (s: Sig, unit: Unit, hint: string, params?: Record<string, unknown>) => number;
  identitySig: (p: number, dims: number[], timed: boolean) => Sig;
  delay: (s: Sig, to: number, hint: string) => Sig;
  pops: Pop[];
  S: number;
}

/** numpy broadcasting: the output dims and, per output element, the element of a and of b. */
function broadcast(da: number[], db: number[], fail: (m: string) => never): { dims: number[]; ia: Int32Array; ib: Int32Array } {
  const rank = Math.max(da.length, db.length);
  const pa = [...Array(rank - da.length).fill(1), ...da], pb = [...Array(rank - db.length).fill(1), ...db];
  const dims = pa.map((x, i) => {
    if (x !== pb[i] && x !== 1 && pb[i] !== 1) fail(`shapes ${JSON.stringify(da)} and ${JSON.stringify(db)} do not broadcast`);
    return Math.max(x, pb[i]!);
  });
  const n = count(dims);
  const ia = new Int32Array(n), ib = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let a = 0, b = 0;
    for (let r = 0; r < rank; r++) (a = a * pa[r]! + (pa[r] === 1 ? 0 : idx[r]!)), (b = b * pb[r]! + (pb[r] === 1 ? 0 : idx[r]!));
    ia[k] = a;
    ib[k] = b;
    for (let r = rank - 1; r >= 0; r--) {
      if (++idx[r]! < dims[r]!) break;
      idx[r] = 0;
    }
  }
  return { dims, ia, ib };
}

/** A constant against a signal's element dims: a timed signal's time axis must see size 1. */
function constDims(s: Sig, t: Tensor, fail: (m: string) => never): number[] {
  if (!s.timed || t.dims.length <= s.dims.length) return t.dims;
  if (t.dims.length > s.dims.length + 1 || t.dims[0] !== 1) fail(`constant ${JSON.stringify(t.dims)} varies along the time axis of the signal`);
  return t.dims.slice(1);
}

const scaleRow = (row: Entry[], f: number): Entry[] => (f === 1 ? row : row.map((e) => ({ p: e.p, j: e.j, w: e.w * f })));

function lowerNode(n: OnnxNode, ins: (Val | undefined)[], c: Ctx): Val[] {
  const { fail } = c;
  const sigAt = (k: number): Sig => {
    const v = ins[k];
    if (!v || v.kind !== "sig") return fail(`input ${k} must be computed from the signal`);
    return v;
  };
  const constAt = (k: number, what: string): Tensor => {
    const v = ins[k];
    if (!v) return fail(`missing ${what}`, "shape-mismatch");
    if (v.kind !== "const") return fail(`${what} must be a constant (an initializer, Constant or bound test-data tensor), engram's weights are fixed`);
    return v.t;
  };
  const attr = (k: string) => n.attrs.get(k);
  const activation = (unit: Unit, params: Record<string, unknown> = {}): Val[] => {
    const s = sigAt(0);
    return [c.identitySig(c.materialise(s, unit, n.outputs[0] ?? n.name, params), s.dims, s.timed)];
  };
  switch (n.op) {
    case "Identity":
      return [ins[0]!];
    case "Relu":
      return activation("relu");
    case "Sigmoid":
      return activation("logistic");
    case "Tanh":
      return activation("tanh");
    case "Clip": {
      const bound = (k: number, name: string, dflt: number) => {
        const t = ins[k] ? constAt(k, name) : undefined;
        if (t && t.data.length !== 1) fail(`${name} must be a scalar, got ${JSON.stringify(t.dims)}`, "shape-mismatch");
        return t ? t.data[0]! : (attr(name)?.f ?? dflt);
      };
      const lo = bound(1, "min", -F32_MAX), hi = bound(2, "max", F32_MAX);
      return activation("clip", { lo, hi });
    }
    case "Add":
    case "Sub":
    case "Mul":
    case "Div": {
      const a = ins[0]!, b = ins[1]!;
      if (a.kind === "sig" && b.kind === "sig") {
        if (n.op === "Mul" || n.op === "Div") fail(`the product or quotient of two signals is not linear; engram's projections carry weight x signal only`);
        if (a.timed !== b.timed) fail("one operand follows the RNN's time axis and the other does not");
        const L = Math.max(a.latency, b.latency);
        const x = c.delay(a, L, n.name), y = c.delay(b, L, n.name);
        const { dims, ia, ib } = broadcast(x.dims, y.dims, fail);
        const sign = n.op === "Sub" ? -1 : 1;
        return [{ kind: "sig", dims, timed: a.timed, latency: L, rows: Array.from(ia, (i, k) => [...x.rows[i]!, ...scaleRow(y.rows[ib[k]!]!, sign)]), bias: Float64Array.from(ia, (i, k) => x.bias[i]! + sign * y.bias[ib[k]!]!) }];
      }
      const sigFirst = a.kind === "sig";
      const s = (sigFirst ? a : b) as Sig;
      const t = (sigFirst ? b : a) as { t: Tensor };
      const { dims, ia, ib } = broadcast(s.dims, constDims(s, t.t, fail), fail);
      const cv = (k: number) => t.t.data[ib[k]!]!;
      const row = (k: number) => s.rows[ia[k]!]!;
      const bias = (k: number) => s.bias[ia[k]!]!;
      let rows: Entry[][], out: Float64Array;
      if (n.op === "Add" || n.op === "Sub") {
        const sign = n.op === "Sub" && !sigFirst ? -1 : 1; // c - s = -s + c
        const cs = n.op === "Sub" && sigFirst ? -1 : 1;
        rows = Array.from(ia, (_, k) => scaleRow(row(k), sign));
        out = Float64Array.from(ia, (_, k) => sign * bias(k) + cs * cv(k));
      } else {
        if (n.op === "Div" && !sigFirst) fail("a constant divided by a signal is not linear");
        if (n.op === "Div") for (let k = 0; k < ia.length; k++) if (cv(k) === 0) fail(`divides by a zero element of the constant (index ${ib[k]})`, "invalid-value");
        const f = (k: number) => (n.op === "Mul" ? cv(k) : 1 / cv(k));
        rows = Array.from(ia, (_, k) => scaleRow(row(k), f(k)));
        out = Float64Array.from(ia, (_, k) => bias(k) * f(k));
      }
      return [{ kind: "sig", dims, timed: s.timed, latency: s.latency, rows, bias: out }];
    }
    case "Reshape":
    case "Flatten": {
      const s = sigAt(0);
      const full = s.timed ? [c.S, ...s.dims] : s.dims;
      const shape = n.op === "Reshape" ? constAt(1, "shape") : undefined;
      const probe = evalNode(n, (k) => (k === 0 ? { dims: full, data: new Float64Array(count(full)) } : shape), (m) => fail(m, "shape-mismatch"))[0]!;
      if (s.timed && probe.dims[0] !== c.S) fail(`reshapes the time axis (${c.S} steps) of the RNN's signal to ${JSON.stringify(probe.dims)}`);
      return [{ ...s, dims: s.timed ? probe.dims.slice(1) : probe.dims }];
    }
    case "MatMul":
    case "Gemm": {
      const s = sigAt(0);
      const B = constAt(1, "B");
      if (B.dims.length !== 2) fail(`B must be a matrix, got ${JSON.stringify(B.dims)}`, "shape-mismatch");
      const gemm = n.op === "Gemm";
      if (gemm && (attr("transA")?.i ?? 0) === 1) fail("transA = 1 on the signal transposes it across samples; engram maps features only");
      if (gemm && s.dims.length !== 2) fail(`A must be a matrix, got ${JSON.stringify(s.timed ? [c.S, ...s.dims] : s.dims)}`, "shape-mismatch");
      const tB = gemm && (attr("transB")?.i ?? 0) === 1;
      const [K, N] = tB ? [B.dims[1]!, B.dims[0]!] : [B.dims[0]!, B.dims[1]!];
      const Kin = s.dims[s.dims.length - 1] ?? 1;
      if (K !== Kin) fail(`the signal ${JSON.stringify(s.dims)} has ${Kin} features and B ${JSON.stringify(B.dims)}${tB ? " (transposed)" : ""} expects ${K}`, "shape-mismatch");
      const alpha = gemm ? (attr("alpha")?.f ?? 1) : 1;
      const M = s.rows.length / K;
      const rows: Entry[][] = [];
      const bias = new Float64Array(M * N);
      for (let m = 0; m < M; m++)
        for (let j = 0; j < N; j++) {
          const acc = new Map<number, Entry>();
          let b = 0;
          for (let k = 0; k < K; k++) {
            const w = alpha * B.data[tB ? j * K + k : k * N + j]!;
            if (w === 0) continue;
            b += w * s.bias[m * K + k]!;
            for (const e of s.rows[m * K + k]!) {
              const key = e.p * 2 ** 26 + e.j;
              const at = acc.get(key);
              if (at) at.w += w * e.w;
              else acc.set(key, { p: e.p, j: e.j, w: w * e.w });
            }
          }
          rows.push([...acc.values()]);
          bias[m * N + j] = b;
        }
      let out: Sig = { kind: "sig", dims: [...s.dims.slice(0, -1), N], timed: s.timed, latency: s.latency, rows, bias };
      const C = gemm && ins[2] ? constAt(2, "C") : undefined;
      if (C) {
        const beta = attr("beta")?.f ?? 1;
        const { dims, ia, ib } = broadcast(out.dims, C.dims, fail);
        if (dims.join() !== out.dims.join()) fail(`C ${JSON.stringify(C.dims)} does not broadcast to ${JSON.stringify(out.dims)}`, "shape-mismatch");
        out = { ...out, bias: Float64Array.from(ia, (i, k) => out.bias[i]! + beta * C.data[ib[k]!]!) };
      }
      return [out];
    }
    case "RNN": {
      const X = sigAt(0);
      if (!X.timed) fail("the RNN's X must be the signal with its time axis");
      const W = constAt(1, "W"), R = constAt(2, "R");
      const Bt = ins[3] ? constAt(3, "B") : undefined;
      if ((attr("direction")?.s ?? "forward") !== "forward") fail(`direction ${attr("direction")?.s} is not supported (forward only)`);
      if ((attr("layout")?.i ?? 0) !== 0) fail("layout 1 is not supported");
      if (attr("clip")) fail("the clip attribute is not supported");
      if (ins[4]) fail("sequence_lens is not supported (every sequence runs all steps)");
      if (ins[5] && (ins[5].kind !== "const" || ins[5].t.data.some((x) => x !== 0))) fail("a non-zero initial_h is not supported: the population starts at tanh(0) = 0");
      if (X.dims.length !== 2) fail(`X must be [seq, batch, input], got ${JSON.stringify([c.S, ...X.dims])}`, "shape-mismatch");
      const [batch, In] = X.dims as [number, number];
      const H = attr("hidden_size")?.i ?? W.dims[1]!;
      if (W.dims.join() !== [1, H, In].join()) fail(`W must be [1, ${H}, ${In}], got ${JSON.stringify(W.dims)}`, "shape-mismatch");
      if (R.dims.join() !== [1, H, H].join()) fail(`R must be [1, ${H}, ${H}], got ${JSON.stringify(R.dims)}`, "shape-mismatch");
      if (Bt && Bt.dims.join() !== [1, 2 * H].join()) fail(`B must be [1, ${2 * H}], got ${JSON.stringify(Bt.dims)}`, "shape-mismatch");
      // Input part X_t W^T + Wb + Rb as an affine map, then the population, then R on itself.
      const rows: Entry[][] = [];
      const bias = new Float64Array(batch * H);
      for (let b = 0; b < batch; b++)
        for (let j = 0; j < H; j++) {
          const row: Entry[] = [];
          let cb = Bt ? Bt.data[j]! + Bt.data[H + j]! : 0;
          for (let k = 0; k < In; k++) {
            const w = W.data[j * In + k]!;
            cb += w * X.bias[b * In + k]!;
            row.push(...scaleRow(X.rows[b * In + k]!, w));
          }
          rows.push(row);
          bias[b * H + j] = cb;
        }
      const p = c.materialise({ kind: "sig", dims: [batch, H], timed: true, latency: X.latency, rows, bias }, "tanh", n.outputs[1] || n.outputs[0] || n.name);
      const rec = new Map<number, number>();
      for (let b = 0; b < batch; b++) for (let j = 0; j < H; j++) for (let k = 0; k < H; k++) if (R.data[j * H + k] !== 0) rec.set((b * H + k) * batch * H + b * H + j, R.data[j * H + k]!);
      c.pops[p]!.incoming.set(p, rec);
      const Y = c.identitySig(p, [1, batch, H], true);
      const Yh: Sig = { ...c.identitySig(p, [1, batch, H], false) };
      return [Y, Yh];
    }
  }
  return fail("unsupported op");
}
