/**
 * Normalised Legendre polynomials: sqrt(2d + 1) P_d(u) has unit variance under u ~ U[-1, 1], and
 * different degrees are uncorrelated (seed-models.md E step 2). P_d by Bonnet's recursion
 * (n + 1) P_{n+1} = (2n + 1) u P_n - n P_{n-1}.
 */

/** One row per degree 0..maxDegree: table[d][t] = sqrt(2d + 1) P_d(u[t]). */
export function legendreTable(u: Float64Array, maxDegree: number): Float64Array[] {
  const raw: Float64Array[] = [new Float64Array(u.length).fill(1), Float64Array.from(u)];
  for (let n = 1; n < maxDegree; n++) {
    const next = new Float64Array(u.length), p = raw[n]!, q = raw[n - 1]!;
    for (let t = 0; t < u.length; t++) next[t] = ((2 * n + 1) * u[t]! * p[t]! - n * q[t]!) / (n + 1);
    raw.push(next);
  }
  return raw.slice(0, maxDegree + 1).map((p, d) => {
    const s = Math.sqrt(2 * d + 1);
    for (let t = 0; t < p.length; t++) p[t]! *= s;
    return p;
  });
}
