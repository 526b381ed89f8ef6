// Plain-TypeScript reference families for positive values and over-dispersed counts, independent
// of src/: their own log Γ (Lanczos), ψ and ψ' (recurrence to 12, then series), and plain Newton
// steps on log a for the shape equation log a − ψ(a) = s. Same policies as mixem (clamps, the
// negative-binomial ECM step), so the WASM path matches them to rounding.
import type { RefFamily } from "./em.js";

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
export function lgamma(x: number): number {
  if (x < 0.5) return lgamma(x + 1) - Math.log(x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
export function digamma(x: number): number {
  let s = 0;
  for (; x < 12; x++) s -= 1 / x;
  const f = 1 / (x * x);
  return s + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - f * 691 / 32760)))));
}
export function trigamma(x: number): number {
  let s = 0;
  for (; x < 12; x++) s += 1 / (x * x);
  const f = 1 / (x * x);
  return s + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f * (1 / 30 - f * 5 / 66))));
}
const logFactorial = (n: number) => lgamma(n + 1);

/** log x − ψ(x), by its series from 12 up (log x − ψ(x) → 1/(2x): no cancellation for large x). */
export function logMinusDigamma(x: number): number {
  if (x < 12) return Math.log(x) - digamma(x);
  const f = 1 / (x * x);
  return 0.5 / x + f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - f * 691 / 32760)))));
}
/** ψ(x + r) − ψ(r) for a count x: Σ_{m<x} 1/(r + m) (exact, below 1000), else the difference. */
const digammaDiff = (x: number, r: number) => {
  if (x >= 1000) return digamma(x + r) - digamma(r);
  let s = 0;
  for (let m = 0; m < x; m++) s += 1 / (r + m);
  return s;
};

const lgammaDiff = (x: number, r: number) => {
  if (x >= 1000) return lgamma(x + r) - lgamma(r);
  let s = 0;
  for (let m = 0; m < x; m++) s += Math.log(r + m);
  return s;
};

const SHAPE_MIN = 1e-8, SHAPE_MAX = 1e8;
/** Root of log a − ψ(a) = s in [1e-8, 1e8]: Newton on t = log a from the moment estimate. */
export function shapeRoot(s: number): number {
  const g = logMinusDigamma;
  if (!(s > g(SHAPE_MAX))) return SHAPE_MAX;
  if (s >= g(SHAPE_MIN)) return SHAPE_MIN;
  let t = Math.log(0.5 / s);
  for (let i = 0; i < 200; i++) {
    const a = Math.exp(t);
    const f = g(a) - s, df = a * (1 / a - trigamma(a)); // d/dt of g(e^t)
    const step = f / df;
    t -= Math.max(-2, Math.min(2, step));
    if (Math.abs(step) < 1e-15) break;
  }
  return Math.min(SHAPE_MAX, Math.max(SHAPE_MIN, Math.exp(t)));
}
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** θ = [λ]; with a Gamma(shape, rate) prior the M-step is the posterior mode. */
export const exponentialRefMAP = (shape = 1, rate = 0): RefFamily => ({
  logDensity: (x, _a, i, [l]) => Math.log(l) - l * x[i],
  maximize: (x, _a, r, nk) => [clamp((nk + shape - 1) / (sum(r.map((ri, i) => ri * x[i])) + rate), 1e-110, 1e110)],
});
export const exponentialRef = exponentialRefMAP();

/** θ = [shape, rate]: shape from log a − ψ(a) = log x̄ − mean log x, rate = a / x̄. */
export const gammaRef: RefFamily = {
  logDensity: (x, _a, i, [a, b]) => a * Math.log(b) - lgamma(a) + (a - 1) * Math.log(x[i]) - b * x[i],
  maximize(x, _a, r, nk) {
    const mean = sum(r.map((ri, i) => ri * x[i])) / nk;
    const a = shapeRoot(Math.log(mean) - sum(r.map((ri, i) => ri * Math.log(x[i]))) / nk);
    return [a, clamp(a / mean, 1e-110, 1e110)];
  },
};

/** θ = [meanlog, varlog]: the Gaussian M-step on log x; varlog floored at regCovar (absolute). */
export const lognormalRef = (regCovar = 1e-6): RefFamily => ({
  logDensity: (x, _a, i, [m, v]) => { const l = Math.log(x[i]); return -0.5 * Math.log(2 * Math.PI * v) - (l - m) ** 2 / (2 * v) - l; },
  maximize(x, _a, r, nk) {
    const m = sum(r.map((ri, i) => ri * Math.log(x[i]))) / nk;
    return [m, Math.max(sum(r.map((ri, i) => ri * (Math.log(x[i]) - m) ** 2)) / nk, regCovar)];
  },
});

/**
 * Σ_{m<x} r m/(r + m)², as mixem's kernel bounds it: the sum itself, except for x ≥ 32 with r > 64x,
 * where mixem takes the power series in m/r cut after its 4th (negative) term — a lower bound
 * within 3e-7 of the sum — computed here from Faulhaber's sums too (beyond 1000, the sum by ψ and ψ').
 */
function curvatureBound(x: number, r: number): number {
  if (x >= 32 && r > 64 * x) {
    const n = x - 1, s1 = (n * x) / 2, s2 = (n * x * (2 * n + 1)) / 6, s4 = (n * x * (2 * n + 1) * (3 * n * n + 3 * n - 1)) / 30;
    return s1 / r - (2 * s2) / r ** 2 + (3 * s1 * s1) / r ** 3 - (4 * s4) / r ** 4;
  }
  if (x >= 1000) return r * (digamma(x + r) - digamma(r)) - r * r * (trigamma(r) - trigamma(x + r));
  let s = 0;
  for (let m = 1; m < x; m++) s += (r * m) / (r + m) ** 2;
  return s;
}

/**
 * The curvature step: with u = log r, maximise ℓδ + C(e^{−|δ|} − 1 + |δ|) − n r log1p(μ/r) − S₁ log(r + μ)
 * (r = r' e^δ) at its first stationary point in the direction of its slope at 0: bracketed by
 * doubling from 1/64, then bisection.
 */
export function curvedRoot(ell: number, curv: number, n: number, s1: number, mu: number, r0: number): number {
  const lo = Math.log(SHAPE_MIN / r0), hi = Math.log(SHAPE_MAX / r0);
  const slope = (d: number) => { const r = r0 * Math.exp(d); return ell + Math.sign(d) * curv * (1 - Math.exp(-Math.abs(d))) + r * (-n * Math.log1p(mu / r) + (n * mu - s1) / (r + mu)); };
  const d0 = slope(0);
  if (d0 === 0) return r0;
  const dir = Math.sign(d0), end = dir > 0 ? hi : lo;
  let a = 0, b = dir / 64;
  for (;;) {
    if (dir * b >= dir * end) { b = end; if (dir * slope(b) > 0) return r0 * Math.exp(b); break; }
    if (dir * slope(b) <= 0) break;
    a = b; b *= 2;
  }
  for (let i = 0; i < 300 && Math.abs(b - a) > 1e-15 * Math.max(1, Math.abs(Math.log(r0) + a)); i++) { const m = (a + b) / 2; if (dir * slope(m) > 0) a = m; else b = m; }
  return r0 * Math.exp((a + b) / 2);
}

/**
 * θ = [mean, size], mixem's documented step: μ = Σ r x / Σ r; with E = mean_r(ψ(x + r') − ψ(r')) at the
 * previous size r', the gamma–Poisson step (log r − ψ(r) = log1p(μ/r') − E + log r' − ψ(r') + (x̄ − μ)/(r' + μ))
 * and the curvature step (curvedRoot); the one farther from r' (in log r) is taken.
 */
export const negbinomialRef: RefFamily = {
  // log Γ(x + r) − log Γ(r) = Σ_{m<x} log(r + m) for a count x (below 1000; the difference of two
  // log Γ would lose ~1e-7 at r = 1e8), and r log(r/(r + μ)) = −r log1p(μ/r).
  logDensity: (x, _a, i, [mu, r]) => lgammaDiff(x[i], r) - logFactorial(x[i]) - r * Math.log1p(mu / r) + x[i] * Math.log(mu / (r + mu)),
  maximize(x, _a, resp, nk, [, r0]) {
    const s1 = sum(resp.map((ri, i) => ri * x[i])), xbar = s1 / nk;
    const mu = Math.max(xbar, 1e-12);
    const e = sum(resp.map((ri, i) => ri * digammaDiff(x[i], r0))) / nk;
    const curv = sum(resp.map((ri, i) => ri * curvatureBound(x[i], r0)));
    const a = shapeRoot(Math.log1p(mu / r0) - e + logMinusDigamma(r0) + (xbar - mu) / (r0 + mu));
    const b = curvedRoot(r0 * e * nk, curv, nk, s1, mu, r0);
    return [mu, Math.abs(Math.log(a / r0)) >= Math.abs(Math.log(b / r0)) ? a : b];
  },
};

/** The mixture log-likelihood of a family at (weights, θ): for direct checks of a fixed point. */
export function mixtureLogLik(fam: RefFamily, x: number[], weights: number[], theta: number[][]): number {
  let ll = 0;
  for (let i = 0; i < x.length; i++) {
    const t = theta.map((th, j) => Math.log(weights[j]) + fam.logDensity(x, null, i, th));
    const m = Math.max(...t);
    ll += m + Math.log(sum(t.map((v) => Math.exp(v - m))));
  }
  return ll;
}

/** Test data: Gamma(a, rate) for a whole number a (a sum of exponentials); NB(μ, r) for whole r as Poisson(Gamma). */
export const gammaIntDraw = (u: () => number, a: number, rate: number) => { let t = 0; for (let i = 0; i < a; i++) t -= Math.log(1 - u()); return t / rate; };
export const negbinomialDraw = (u: () => number, mu: number, r: number, poisson: (u: () => number, l: number) => number) => poisson(u, (gammaIntDraw(u, r, 1) * mu) / r);
