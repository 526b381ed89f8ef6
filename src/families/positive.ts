// Pieces the families on positive values and counts share (exponential, gamma, lognormal,
// negbinomial): reading positive data with its log as a second column, log Γ and ψ as the
// negative-binomial kernel computes them, and the Newton solver of log a − ψ(a) = s that gives the
// gamma shape and the negative-binomial size.
import { copyIn } from "../data.js";
import type { Arena } from "../wasm.js";
import type { DatasetParts } from "../family.js";
import { regionPoints, NONE } from "./shared.js";
import * as M from "../math.js";

/**
 * Exponential and gamma data lie in [1e-100, 1e100] (exponential: or 0): rates up to RATE_MAX
 * then keep every rate·x finite. Beyond, rescale the data.
 */
export const POSITIVE_MIN = 1e-100;
export const POSITIVE_MAX = 1e100;
/** Rates stay in [RATE_MIN, RATE_MAX] (an exponential component on zeros alone would have rate ∞). */
export const RATE_MIN = 1e-110;
export const RATE_MAX = 1e110;
/** Gamma shapes and negative-binomial sizes stay in [SHAPE_MIN, SHAPE_MAX] (equal values would give ∞). */
export const SHAPE_MIN = 1e-8;
export const SHAPE_MAX = 1e8;

export function positiveProblem(allowZero: boolean) {
  return (v: number): string | null => {
    if (allowZero && v === 0) return null;
    if (!(v > 0)) return `${v} is not positive; this family takes values ${allowZero ? "≥ 0" : "> 0"}`;
    if (v < POSITIVE_MIN || v > POSITIVE_MAX) return `${v} is outside [1e-100, 1e100], where rate·x stays finite; rescale the data`;
    return null;
  };
}

export const strictlyPositive = (v: number): string | null => (v > 0 ? null : `${v} is not positive; this family takes values > 0`);

/**
 * Loads positive values with log x as the second value per point (aux), computed once here rather
 * than in every pass. Seeding works on log x (k-means++ distances on a log scale suit skewed
 * positive data). `logConstant`: Σ −log x when `jacobian` (the log-normal density on x's own scale).
 */
export function loadWithLog(mem: Arena, data: unknown, path: string, problem: (v: number) => string | null, trusted: boolean | undefined, jacobian: boolean): DatasetParts {
  const x = copyIn(mem, data, path, problem, trusted);
  const n = x.length;
  const aux = mem.alloc(n);
  const xv = x.array, lv = aux.array;
  let logConstant = 0;
  for (let i = 0; i < n; i++) lv[i] = M.log(xv[i]);
  if (jacobian) for (let i = 0; i < n; i++) logConstant -= lv[i];
  return { n, dims: 1, x, aux, logConstant, scale: new Float64Array([1]), seedPoints: regionPoints(aux, 1), settings: NONE };
}

// log Γ and ψ as assembly/kernels/negbinomial.ts computes them (same operations, same order).
const HALF_LOG_2PI = 0.91893853320467274;
const SERIES_FROM = 10;
const stirling = (y: number) => {
  const u = 1 / y, u2 = u * u;
  return u * (1 / 12 - u2 * (1 / 360 - u2 * (1 / 1260 - u2 * (1 / 1680 - u2 / 1188))));
};
/** log y − ψ(y) for y ≥ 10 (asymptotic series). */
const logMinusDigammaSeries = (y: number) => {
  const u = 1 / y, u2 = u * u;
  return 0.5 * u + u2 * (1 / 12 - u2 * (1 / 120 - u2 * (1 / 252 - u2 * (1 / 240 - u2 / 132))));
};

/** log Γ(y), y > 0 (recurrence up to 10, then Stirling). */
export function lgammaNB(y: number): number {
  let p = 1;
  while (y < SERIES_FROM) { p *= y; y += 1; }
  return (y - 0.5) * M.log(y) - y + HALF_LOG_2PI + stirling(y) - M.log(p);
}

/** log y − ψ(y) for y ≥ 10, as the kernel's series. */
export const logMinusDigammaAbove10 = logMinusDigammaSeries;

/** ψ(y), y > 0. */
export function digamma(y: number): number {
  let s = 0;
  while (y < SERIES_FROM) { s += 1 / y; y += 1; }
  return M.log(y) - logMinusDigammaSeries(y) - s;
}

/** ψ'(y), y > 0: ψ'(y) = ψ'(y + 1) + 1/y² up to 10, then 1/y + 1/(2y²) + 1/(6y³) − 1/(30y⁵) + 1/(42y⁷) − 1/(30y⁹). */
export function trigamma(y: number): number {
  let s = 0;
  while (y < SERIES_FROM) { s += 1 / (y * y); y += 1; }
  const u = 1 / y, u2 = u * u;
  return s + u + u2 * (0.5 + u * (1 / 6 - u2 * (1 / 30 - u2 * (1 / 42 - u2 / 30))));
}

/** g(a) = log a − ψ(a) > 0, without cancellation for large a: g(a) = log(a/(a+m)) + g(a+m) + Σ_{t<m} 1/(a+t). */
export function logMinusDigamma(a: number): number {
  let s = 0, y = a;
  while (y < SERIES_FROM) { s += 1 / y; y += 1; }
  return (y === a ? 0 : M.log(a / y)) + logMinusDigammaSeries(y) + s;
}

/** D(x, r) = log Γ(x + r) − log Γ(r), as the negative-binomial kernel computes it (lgr = log Γ(r) when r < 10). */
export function lgammaRatio(x: number, r: number, lgr: number): number {
  if (r >= SERIES_FROM) return (r - 0.5) * M.log1p(x / r) + x * (M.log(x + r) - 1) + (stirling(x + r) - stirling(r));
  return lgammaNB(x + r) - lgr;
}

/**
 * The a in [SHAPE_MIN, SHAPE_MAX] solving log a − ψ(a) = s (s ≥ 0; s = 0 gives SHAPE_MAX).
 * Minka (2002), "Estimating a Gamma distribution": start a₀ = (3 − s + √((s − 3)² + 24 s)) / (12 s),
 * then generalised Newton steps 1/a' = 1/a + (g(a) − s) / (a² (1/a − ψ'(a))), g(a) = log a − ψ(a),
 * until |a' − a| ≤ 1e-15·a (4–6 steps). g is decreasing, so the root is kept in a bracket and a step
 * leaving it bisects (geometrically) instead. The objective is concave in a, so the clamped root is
 * the maximiser over [SHAPE_MIN, SHAPE_MAX] (EM stays monotone).
 */
export function solveShape(s: number): number {
  if (!(s > logMinusDigamma(SHAPE_MAX))) return SHAPE_MAX;
  if (s >= logMinusDigamma(SHAPE_MIN)) return SHAPE_MIN;
  let lo = SHAPE_MIN, hi = SHAPE_MAX;
  let a = (3 - s + Math.sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
  if (!(a > lo && a < hi)) a = Math.sqrt(lo * hi);
  for (let it = 0; it < 100; it++) {
    const f = logMinusDigamma(a) - s;
    if (f > 0) lo = a; else hi = a; // g decreasing: g(a) > s → root above a
    const next = 1 / (1 / a + f / (a * a * (1 / a - trigamma(a))));
    const a1 = next > lo && next < hi ? next : Math.sqrt(lo * hi);
    if (Math.abs(a1 - a) <= 1e-15 * a) return a1;
    a = a1;
  }
  return a;
}

/**
 * The size step from the curvature bound: with u = log r, the objective's data part D(u) =
 * Σ r_i Σ_{m<x_i} log(e^u + m) has D''(u' + t) ≥ D''(u') e^{−|t|} term by term (each term's
 * curvature p(1 − p), p = r/(r + m), changes by at most that factor), so
 *   F(u' + δ) ≥ F(u') + ℓ δ + C (e^{−|δ|} − 1 + |δ|) + R(u' + δ) − R(u')
 * with ℓ = Σ r_i r'(ψ(x_i + r') − ψ(r')) (D's slope), C ≤ D''(u') (the kernel's lower bound) and
 * R(r) = −n r log1p(μ/r) − S₁ log(r + μ) exact. The bound's slope at δ = 0 is F's; its first
 * stationary point in that direction (doubling steps from 1/64 to bracket it, then bisection to
 * |Δδ| ≤ 1e-15) raises the bound, hence F. Returns r' when F is flat there, the range's end when
 * the bound rises all the way.
 */
export function solveCurved(ell: number, curv: number, n: number, s1: number, mu: number, r0: number): number {
  const u0 = M.log(r0), lo = M.log(SHAPE_MIN) - u0, hi = M.log(SHAPE_MAX) - u0;
  const slope = (d: number) => {
    const r = r0 * M.exp(d), a = Math.abs(d);
    return ell + (d < 0 ? -1 : 1) * curv * (1 - M.exp(-a)) + r * (-n * M.log1p(mu / r) + (n * mu - s1) / (r + mu));
  };
  const d0 = slope(0);
  if (d0 === 0 || !(d0 === d0)) return r0;
  const dir = d0 > 0 ? 1 : -1, end = dir > 0 ? hi : lo;
  let a = 0, b = dir / 64;
  for (;;) {
    if (dir * b >= dir * end) { b = end; if (dir * slope(b) > 0) return r0 * M.exp(b); break; }
    if (dir * slope(b) <= 0) break;
    a = b; b *= 2;
  }
  for (let it = 0; it < 200 && Math.abs(b - a) > 1e-15 * Math.max(1, Math.abs(u0 + a)); it++) {
    const m = 0.5 * (a + b);
    if (dir * slope(m) > 0) a = m; else b = m;
  }
  return r0 * M.exp(0.5 * (a + b));
}

/**
 * The a in [SHAPE_MIN, SHAPE_MAX] solving ψ(a) = y (the gamma shape's step with the rate held:
 * ψ(a) = log b + Σ r log x / Σ r). Minka's start (a₀ = e^y + ½ for y ≥ −2.22, else −1/(y + γ)), then
 * Newton steps a' = a − (ψ(a) − y)/ψ'(a) kept in a bracket (ψ increasing; a step leaving it bisects
 * geometrically), until |a' − a| ≤ 1e-15·a. The objective a log b − log Γ(a) + a L is concave in a,
 * so the clamped root is its maximiser over the range.
 */
export function solveDigamma(y: number): number {
  if (!(y > digamma(SHAPE_MIN))) return SHAPE_MIN;
  if (y >= digamma(SHAPE_MAX)) return SHAPE_MAX;
  let lo = SHAPE_MIN, hi = SHAPE_MAX;
  let a = y >= -2.22 ? M.exp(y) + 0.5 : -1 / (y + 0.5772156649015329);
  if (!(a > lo && a < hi)) a = Math.sqrt(lo * hi);
  for (let it = 0; it < 100; it++) {
    const f = digamma(a) - y;
    if (f < 0) lo = a; else hi = a;
    const next = a - f / trigamma(a);
    const a1 = next > lo && next < hi ? next : Math.sqrt(lo * hi);
    if (Math.abs(a1 - a) <= 1e-15 * a) return a1;
    a = a1;
  }
  return a;
}
