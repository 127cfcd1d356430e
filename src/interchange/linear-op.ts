/**
 * Sparse linear maps between flattened NIR signals: the weights between two populations after
 * composing every Affine, Linear, Scale, Conv, pooling, Flatten and Delay node on the way. An
 * entry is (pre, post, weight, delay, label). Labels name shared weights (one convolution kernel
 * element, one pooling window): they survive composition with index-only maps (Flatten, Delay,
 * nested-graph ports) and are dropped when two weighted maps are multiplied.
 */
export interface LinearOp {
  nIn: number;
  nOut: number;
  pre: number[];
  post: number[];
  w: number[];
  /** Delay of each entry in seconds. */
  d: number[];
  /** Index into `labels`, or -1. */
  label: number[];
  labels: string[];
  /** Every input goes to exactly one output with weight 1 (Flatten, Delay, ports). */
  indexOnly: boolean;
  /** Weights were stored as float32 (written back as the shortest decimal of that float32). */
  f32?: boolean;
}

export function emptyOp(nIn: number, nOut: number): LinearOp {
  return { nIn, nOut, pre: [], post: [], w: [], d: [], label: [], labels: [], indexOnly: false };
}

export function identityOp(n: number, delays?: ArrayLike<number>): LinearOp {
  const op = emptyOp(n, n);
  for (let i = 0; i < n; i++) push(op, i, i, 1, delays ? delays[i]! : 0, -1);
  op.indexOnly = true;
  return op;
}

export function push(op: LinearOp, pre: number, post: number, w: number, d: number, label: number): void {
  op.pre.push(pre);
  op.post.push(post);
  op.w.push(w);
  op.d.push(d);
  op.label.push(label);
}

/** a after b: b maps S -> M, a maps M -> N. */
export function compose(a: LinearOp, b: LinearOp): LinearOp {
  const out = emptyOp(b.nIn, a.nOut);
  if (a.indexOnly) {
    // Re-index b's outputs; b's labels (shared weights) survive.
    const to = new Int32Array(a.nIn).fill(-1);
    const dl = new Float64Array(a.nIn);
    for (let k = 0; k < a.pre.length; k++) (to[a.pre[k]!] = a.post[k]!), (dl[a.pre[k]!] = a.d[k]!);
    out.labels = b.labels;
    for (let k = 0; k < b.pre.length; k++) push(out, b.pre[k]!, to[b.post[k]!]!, b.w[k]!, b.d[k]! + dl[b.post[k]!]!, b.label[k]!);
    out.indexOnly = b.indexOnly;
    out.f32 = b.f32;
    return out;
  }
  if (b.indexOnly) {
    const from = new Int32Array(b.nOut).fill(-1);
    const dl = new Float64Array(b.nOut);
    for (let k = 0; k < b.pre.length; k++) (from[b.post[k]!] = b.pre[k]!), (dl[b.post[k]!] = b.d[k]!);
    out.labels = a.labels;
    out.f32 = a.f32;
    for (let k = 0; k < a.pre.length; k++) push(out, from[a.pre[k]!]!, a.post[k]!, a.w[k]!, a.d[k]! + dl[a.pre[k]!]!, a.label[k]!);
    return out;
  }
  // General product: entries with the same (pre, post, delay) add up.
  const byIn: number[][] = Array.from({ length: a.nIn }, () => []);
  for (let k = 0; k < a.pre.length; k++) byIn[a.pre[k]!]!.push(k);
  const index = new Map<string, number>();
  for (let j = 0; j < b.pre.length; j++) {
    for (const k of byIn[b.post[j]!]!) {
      const s = b.pre[j]!, n = a.post[k]!, d = a.d[k]! + b.d[j]!, w = a.w[k]! * b.w[j]!;
      const key = `${s},${n},${d}`;
      const at = index.get(key);
      if (at === undefined) {
        index.set(key, out.pre.length);
        push(out, s, n, w, d, -1);
      } else out.w[at]! += w;
    }
  }
  return out;
}

/** Entries of two maps from the same source into the same target, side by side. */
export function concat(a: LinearOp, b: LinearOp): LinearOp {
  const out = emptyOp(a.nIn, a.nOut);
  out.labels = [...a.labels, ...b.labels];
  out.f32 = a.f32 === true && b.f32 === true;
  for (let k = 0; k < a.pre.length; k++) push(out, a.pre[k]!, a.post[k]!, a.w[k]!, a.d[k]!, a.label[k]!);
  for (let k = 0; k < b.pre.length; k++) push(out, b.pre[k]!, b.post[k]!, b.w[k]!, b.d[k]!, b.label[k]! < 0 ? -1 : b.label[k]! + a.labels.length);
  return out;
}

/** y = op x for a constant vector (biases travelling through later maps). */
export function applyToVector(op: LinearOp, x: Float64Array): Float64Array {
  const y = new Float64Array(op.nOut);
  for (let k = 0; k < op.pre.length; k++) y[op.post[k]!]! += op.w[k]! * x[op.pre[k]!]!;
  return y;
}
