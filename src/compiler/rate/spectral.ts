/**
 * Weight scaling by spectral radius (issue 14): a recurrent projection's per-synapse weight
 * parameter is multiplied so that the matrix W[post][pre] has the requested spectral radius
 * max |lambda|. Eigenvalues come from ml-matrix (a maintained package), not a hand-written solver.
 */
import { createHash } from "node:crypto";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { VarDecl } from "../../ir/program.ts";
import type { ProjectionDef } from "../model.ts";
import type { Collector } from "../passes/resolve.ts";

/**
 * Radii already computed in this process, by a hash of the matrix. The eigendecomposition is most of
 * an ESN-100's compile time, and a study's grid points that differ only in other parameters share
 * their seed's weights (common random numbers), so a sweep computes each matrix once. Bounded.
 */
const known = new Map<string, number>();
const KNOWN_MAX = 64;

/** max |lambda| of the n x n matrix with entries w[k] at (post[k], pre[k]) (duplicates add). */
export function spectralRadius(n: number, pre: Int32Array, post: Int32Array, w: Float64Array): number {
  const h = createHash("sha256").update(`${n}|${w.length}|`);
  for (const a of [pre, post, w]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const key = h.digest("hex");
  const hit = known.get(key);
  if (hit !== undefined) return hit;
  const r = computeRadius(n, pre, post, w);
  if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value!);
  known.set(key, r);
  return r;
}

function computeRadius(n: number, pre: Int32Array, post: Int32Array, w: Float64Array): number {
  const m = Matrix.zeros(n, n);
  for (let k = 0; k < w.length; k++) m.set(post[k]!, pre[k]!, m.get(post[k]!, pre[k]!) + w[k]!);
  const eig = new EigenvalueDecomposition(m);
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, Math.hypot(eig.realEigenvalues[i]!, eig.imaginaryEigenvalues[i]!));
  return r;
}

export function scaleToSpectralRadius(pr: ProjectionDef, vars: VarDecl[], pre: Int32Array, post: Int32Array, nPost: number, c: Collector): void {
  const spec = pr.spectralRadius!;
  const { param, value } = spec.value;
  if (pr.pre !== pr.post) {
    c.add({ code: "not-recurrent", message: `spectral_radius needs a recurrent projection (pre and post the same population), "${pr.name}" goes from "${pr.pre}" to "${pr.post}"`, where: spec.where });
    return;
  }
  const v = vars.find((x) => x.kind === "param" && x.name === param);
  if (!v) {
    const p = pr.params.get(param);
    c.add({
      code: "invalid-value",
      message: p ? `spectral_radius scales "${param}", which is one fixed value; draw it per synapse from a distribution (e.g. { dist: uniform, low: -1, high: 1 })` : `spectral_radius names "${param}", which is not a parameter of "${pr.name}"`,
      where: spec.where,
      received: param,
      expected: [...pr.params.keys()].join(", "),
    });
    return;
  }
  const r = spectralRadius(nPost, pre, post, v.init);
  if (!(r > 0) || !Number.isFinite(r)) {
    c.add({ code: "invalid-value", message: `the weights of "${pr.name}" have spectral radius ${r}; cannot scale it to ${value}`, where: spec.where, hint: "check connect.p and the weight distribution" });
    return;
  }
  const f = value / r;
  for (let k = 0; k < v.init.length; k++) v.init[k] = v.init[k]! * f;
}
