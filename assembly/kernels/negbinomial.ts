// Negative binomial (dims = 1; counts), mean μ_j and size r_j:
//   log NB(x | μ, r) = log Γ(x + r) − log Γ(r) − log x! + r log(r/(r+μ)) + x log(μ/(r+μ)).
// log w_j + log NB = c_j + x·β_j + D(x, r_j) with c_j = log w_j + r_j log(r_j/(r_j+μ_j)) (+ −log Γ(r_j) when
// r_j < 10: see D), β_j = log(μ_j/(r_j+μ_j)); −log x! is added once per fit, outside the kernel.
// Kernel parameters per component j (no header): [c_j, β_j, r_j, log Γ(r_j) or 0, ψ(r_j) or log r_j − ψ(r_j)]
// (the first of each pair when r_j < 10, the second at and above).
// Statistics per component: [Σ r, Σ r·x, Σ r·(ψ(x + r_j) − ψ(r_j)), Σ r·c(x, r_j)] — the last two at the
// current r_j, for the size's update (families/negbinomial.ts), with c a lower bound on
// Σ_{m<x} r m/(r + m)² (the curvature of log Γ(x + r) − log Γ(r) in log r). Scalar: log Γ, ψ and ψ'
// per point and component.
// No work columns. src/families/positive.ts repeats these formulas in TypeScript (logJoint).
import { blockedPass, COLUMN, F64 } from "../pass";

const PARAMS: usize = 5;
const STATS: usize = 4;
const HALF_LOG_2PI: f64 = 0.91893853320467274;
/** Below it, log Γ and ψ are shifted up by their recurrences; at and above, their asymptotic series. */
const SERIES_FROM: f64 = 10;

/** log Γ(y) − ((y − ½) log y − y + ½ log 2π) for y ≥ 10 (Stirling's series; next term < 2e-14). */
// @ts-ignore: decorator
@inline function stirling(y: f64): f64 {
  const u = 1 / y, u2 = u * u;
  return u * (1.0 / 12 - u2 * (1.0 / 360 - u2 * (1.0 / 1260 - u2 * (1.0 / 1680 - u2 / 1188))));
}

/** log y − ψ(y) for y ≥ 10 (asymptotic series; next term < 3e-14). */
// @ts-ignore: decorator
@inline function logMinusDigamma(y: f64): f64 {
  const u = 1 / y, u2 = u * u;
  return 0.5 * u + u2 * (1.0 / 12 - u2 * (1.0 / 120 - u2 * (1.0 / 252 - u2 * (1.0 / 240 - u2 / 132))));
}

/** log Γ(y), y > 0: Γ(y) = Γ(y + m) / (y (y + 1) ⋯ (y + m − 1)) up to y + m ≥ 10, then Stirling. */
function lgamma(y: f64): f64 {
  let p = 1.0;
  while (y < SERIES_FROM) { p *= y; y += 1; }
  return (y - 0.5) * Math.log(y) - y + HALF_LOG_2PI + stirling(y) - Math.log(p);
}

/** ψ(y), y > 0: ψ(y) = ψ(y + 1) − 1/y up to y ≥ 10, then log y − (log y − ψ(y)). */
function digamma(y: f64): f64 {
  let s = 0.0;
  while (y < SERIES_FROM) { s += 1 / y; y += 1; }
  return Math.log(y) - logMinusDigamma(y) - s;
}

/**
 * D(x, r) = log Γ(x + r) − log Γ(r) without cancelling two large numbers: for r ≥ 10,
 * (r − ½) log1p(x/r) + x (log(x + r) − 1) + S(x + r) − S(r) (S: stirling); below, log Γ(x + r) − lgr.
 */
// @ts-ignore: decorator
@inline function lgammaRatio(x: f64, r: f64, lgr: f64): f64 {
  if (r >= SERIES_FROM) return (r - 0.5) * Math.log1p(x / r) + x * (Math.log(x + r) - 1) + (stirling(x + r) - stirling(r));
  return lgamma(x + r) - lgr;
}

/**
 * ψ(x + r) − ψ(r) (0 at x = 0): for r ≥ 10, log1p(x/r) − (log y − ψ(y)) at y = x + r + (log r − ψ(r)),
 * with no cancellation as r grows; below, ψ(x + r) − ψ(r). p4: ψ(r), or log r − ψ(r) for r ≥ 10.
 */
// @ts-ignore: decorator
@inline function digammaDiff(x: f64, r: f64, p4: f64): f64 {
  if (r >= SERIES_FROM) return Math.log1p(x / r) - logMinusDigamma(x + r) + p4;
  return digamma(x + r) - p4;
}

/** ψ'(y), y > 0: ψ'(y) = ψ'(y + 1) + 1/y² up to 10, then 1/y + 1/(2y²) + 1/(6y³) − 1/(30y⁵) + 1/(42y⁷) − 1/(30y⁹). */
function trigamma(y: f64): f64 {
  let s = 0.0;
  while (y < SERIES_FROM) { s += 1 / (y * y); y += 1; }
  const u = 1 / y, u2 = u * u;
  return s + u + u2 * (0.5 + u * (1.0 / 6 - u2 * (1.0 / 30 - u2 * (1.0 / 42 - u2 / 30))));
}

/**
 * A lower bound (exact below x = 32) on Σ_{m<x} r m/(r + m)² for a count x, without cancellation:
 * x < 32: the sum; r > 64x: Σ_j (−1)^j (j+1) S_{j+1}/r^{j+1} with S_p = Σ_{m<x} m^p (m/r < 1/64),
 * cut after the negative j = 3 term (alternating, decreasing: a lower bound); otherwise
 * r (ψ(x + r) − ψ(r)) − r² (ψ'(r) − ψ'(x + r)) (dpsi = ψ(x + r) − ψ(r)), where r ≤ 64x keeps it exact enough.
 */
function curvature(x: f64, r: f64, dpsi: f64): f64 {
  if (x < 32) {
    let s = 0.0;
    for (let m = 1.0; m < x; m += 1) s += (r * m) / ((r + m) * (r + m));
    return s;
  }
  if (r > 64 * x) {
    const n = x - 1, s1 = 0.5 * n * x, s2 = (n * x * (2 * n + 1)) / 6, s3 = s1 * s1;
    const s4 = (n * x * (2 * n + 1) * (3 * n * n + 3 * n - 1)) / 30;
    const q = 1 / r;
    return q * (s1 - q * (2 * s2 - q * (3 * s3 - q * 4 * s4)));
  }
  return r * dpsi - r * r * (trigamma(r) - trigamma(x + r));
}

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * PARAMS * F64;
    const c = load<f64>(p), beta = load<f64>(p, 8), r = load<f64>(p, 16), lgr = load<f64>(p, 24);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count * F64; i += 8) {
      const v = load<f64>(x + i);
      store<f64>(o + i, c + v * beta + lgammaRatio(v, r, lgr));
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const r = load<f64>(params + <usize>j * PARAMS * F64, 16), p4 = load<f64>(params + <usize>j * PARAMS * F64, 32);
    const w = resp + <usize>j * COLUMN;
    let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (let i: usize = 0; i < <usize>count * F64; i += 8) {
      const ri = load<f64>(w + i);
      if (ri == 0) continue; // padding, hard EM: adds nothing (and skips the ψ)
      const v = load<f64>(x + i);
      const d = digammaDiff(v, r, p4);
      s0 += ri; s1 += ri * v; s2 += ri * d; s3 += ri * curvature(v, r, d);
    }
    const s = stats + <usize>j * STATS * F64;
    store<f64>(s, load<f64>(s) + s0);
    store<f64>(s, load<f64>(s, 8) + s1, 8);
    store<f64>(s, load<f64>(s, 16) + s2, 16);
    store<f64>(s, load<f64>(s, 24) + s3, 24);
  }
}

export function negbinomialPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, <i32>STATS, x, aux, n, 1, params, k, stats, scratch, respOut, labels, flags);
}
