/**
 * Chi-squared quantiles for the IPC threshold (seed-models.md E step 4). Written here because no
 * dependency of the project has the inverse chi-squared distribution (mathjs has the gamma function
 * but not the incomplete one): the regularised lower incomplete gamma P(a, x) by its power series
 * below a + 1 and its continued fraction above (Legendre's, evaluated by the modified Lentz
 * method), and the quantile by bisection on P, which is monotone in x.
 */
import { lgamma } from "mathjs";

const EPS = 1e-15;

/** P(a, x) = gamma(a, x) / Gamma(a), a > 0, x >= 0. */
export function regularisedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const front = Math.exp(-x + a * Math.log(x) - (lgamma(a) as number));
  if (x < a + 1) {
    // sum_n x^n / (a (a+1) ... (a+n))
    let term = 1 / a, sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return front * sum;
  }
  // Q(a, x) = front / (x + 1 - a - 1(1-a)/(x + 3 - a - ...)) by modified Lentz.
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return 1 - front * h;
}

/** Upper-tail quantile: the x with P(chi2_k > x) = p (scipy's chi2.isf(p, k)). */
export function chi2Isf(p: number, k: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`chi2Isf: p must be in (0, 1), got ${p}`);
  if (!(k > 0)) throw new RangeError(`chi2Isf: degrees of freedom must be positive, got ${k}`);
  const cdf = (x: number) => regularisedGammaP(k / 2, x / 2);
  let lo = 0, hi = Math.max(1, k);
  while (1 - cdf(hi) > p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (1 - cdf(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
