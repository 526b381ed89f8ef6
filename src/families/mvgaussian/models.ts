// The constrained covariance models of mclust (Banfield & Raftery 1993; Celeux & Govaert 1995):
// Σ_k = λ_k D_k A_k D_kᵀ with volume λ_k = |Σ_k|^{1/d}, shape A_k (diagonal, |A_k| = 1, entries in
// decreasing order for the orientation-bearing models, in coordinate order for the diagonal ones)
// and orientation D_k (orthogonal; I for the diagonal models), each Equal (E) across components,
// Variable (V) or the identity (I). VVV, EEE, VVI, VII are covariance.ts's full, tied, diag, spherical.
//
// Every M-step maximises Q = −½ Σ_k [n_k log|Σ_k| + tr(W_k Σ_k⁻¹)] under its constraint, with the
// scatter W_k = Σ_i r_ik (x_i − ȳ_k)(x_i − ȳ_k)ᵀ about the new mean ȳ_k (its diagonal w_k for the
// diagonal models), n_k = Σ_i r_ik, n = Σ_k n_k, g(v) = the geometric mean of v:
//   EII  λ = Σ_k tr W_k / (n d)                        EEI  Σ = diag(Σ_k w_k) / n
//   EVI  A_k = w_k / g(w_k), λ = Σ_k g(w_k) / n        VEI  iterate A ∝ Σ_k w_k/λ_k, λ_k = Σ_a w_ka/A_a / (n_k d)
//   VEE  iterate C ∝ Σ_k W_k/λ_k (|C| = 1), λ_k = tr(W_k C⁻¹) / (n_k d)
//   EEV  W_k = L_k Ω_k L_kᵀ (Ω decreasing): D_k = L_k, A = Σ_k Ω_k / g(Σ_k Ω_k), λ = g(Σ_k Ω_k) / n
//   VEV  D_k = L_k; iterate A ∝ Σ_k Ω_k/λ_k, λ_k = Σ_a Ω_ka/A_a / (n_k d)
//   EVV  λ = Σ_k |W_k|^{1/d} / n, Σ_k = λ W_k / |W_k|^{1/d}
//   EVE  iterate: D by the MM steps below with Ψ_k = A_k⁻¹, A_k = diag(Dᵀ W_k D) / g(·); then
//        λ = Σ_k tr(Dᵀ W_k D A_k⁻¹) / (n d)
//   VVE  iterate: D by the MM steps with Ψ_k = Λ_k⁻¹, Λ_k = λ_k A_k = diag(Dᵀ W_k D) / n_k
// The MM steps (Browne & McNicholas 2014; Kiers 2002) decrease f(D) = Σ_k tr(W_k D Ψ_k Dᵀ) over
// orthogonal D: with ω_k the largest eigenvalue of W_k, D ← polar(Σ_k (ω_k I − W_k) D Ψ_k), then
// with ψ_k the largest entry of Ψ_k, D ← polar(Σ_k W_k D (ψ_k I − Ψ_k)) (polar(G) = U Vᵀ for
// G = U S Vᵀ maximises tr(Gᵀ D)). mclust's VVE uses Ψ_k = A_k⁻¹ there, leaving out each
// component's volume λ_k: its orientation step then does not maximise Q (docs/covariance-models.md).
//
// The iterations (VEI, VEV, VEE, EVE, VVE) alternate exact maximisations over blocks, so Q never
// decreases along them. mclust stops them when the relative change of its target is at most
// tol[2] = sqrt(.Machine$double.eps) ≈ 1.5e-8 (emControl(); mclust.f's msvei/msvev, mclustaddson.f's
// msvee/mseve/msvve), which leaves the parameters about sqrt of that away from the maximiser. Here
// they run to convergence: until no parameter (λ_k, A_k entries, D entries) moves by more than
// INNER_TOL relative, at most INNER_MAX times (both below).
import { collapsed } from "../shared.js";
import { eigenSym, geometricMean, polarFactor } from "./decompose.js";
import { inverseCholesky } from "../../linalg.js";
import * as M from "../../math.js";

/** Inner iterations stop when no parameter moves by more than this, relative (a few ulps above rounding noise). */
export const INNER_TOL = 1e-13;
/** At most this many inner iterations per M-step (MM on the orientation converges linearly). */
export const INNER_MAX = 20000;

export type Term = "E" | "V" | "I";

/** Scratch of the constrained M-steps, sized for k components once (grown if k grows). */
export interface ModelScratch {
  k: number;
  /** W_k (d × d each; the diagonal models: d each) and n_k. */
  scatter: Float64Array;
  counts: Float64Array;
  /** Volumes, shapes (k × d) and eigenvectors (k × d × d) being computed. */
  volume: Float64Array;
  shape: Float64Array;
  vectors: Float64Array;
  omega: Float64Array;
  a: Float64Array; b: Float64Array; c: Float64Array; e: Float64Array; f: Float64Array;
  values: Float64Array; norms: Float64Array;
  /** Inner iterations of the last M-step (tests read it). */
  inner: number;
}

export function newScratch(d: number): ModelScratch {
  const dd = d * d;
  return {
    k: 0, scatter: new Float64Array(0), counts: new Float64Array(0), volume: new Float64Array(0), shape: new Float64Array(0),
    vectors: new Float64Array(0), omega: new Float64Array(0),
    a: new Float64Array(dd), b: new Float64Array(dd), c: new Float64Array(dd), e: new Float64Array(dd), f: new Float64Array(dd),
    values: new Float64Array(d), norms: new Float64Array(d), inner: 0,
  };
}

export function growScratch(x: ModelScratch, k: number, d: number): void {
  if (x.k >= k) return;
  x.k = k;
  x.scatter = new Float64Array(k * d * d);
  x.counts = new Float64Array(k);
  x.volume = new Float64Array(k);
  x.shape = new Float64Array(k * d);
  x.vectors = new Float64Array(k * d * d);
  x.omega = new Float64Array(k);
}

/** θ_j's layout: mean (d), Σ (d²), volume (1), shape (d), orientation (d², columns the axes). */
export const layout = (d: number) => ({ sigma: d, volume: d + d * d, shape: d + d * d + 1, orientation: 2 * d + d * d + 1, size: 2 * d + 2 * d * d + 1 });

/** Σ_j = volume · D diag(shape) Dᵀ from θ_j's decomposition slots (diagonal: D = I). */
export function composeSigma(theta: Float64Array, t: number, d: number, diagonal: boolean): void {
  const L = layout(d), vol = theta[t + L.volume];
  if (!(vol > 0 && Number.isFinite(vol))) throw collapsed(t / L.size);
  for (let a = 0; a < d; a++) if (!(theta[t + L.shape + a] > 0 && Number.isFinite(theta[t + L.shape + a]))) throw collapsed(t / L.size);
  if (diagonal) {
    theta.fill(0, t + d, t + d + d * d);
    for (let a = 0; a < d; a++) theta[t + d + a * d + a] = vol * theta[t + L.shape + a];
    return;
  }
  const D = t + L.orientation;
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += theta[D + a * d + c] * theta[t + L.shape + c] * theta[D + b * d + c];
    theta[t + d + a * d + b] = theta[t + d + b * d + a] = vol * s;
  }
}

/**
 * θ_j's decomposition slots from its Σ: the diagonal models keep coordinate order (D = I); the
 * others take Σ's eigenvalues, decreasing, and eigenvectors. Returns false if Σ is not positive definite.
 */
export function decomposeSigma(theta: Float64Array, t: number, d: number, diagonal: boolean, x: ModelScratch): boolean {
  const L = layout(d);
  if (diagonal) {
    for (let a = 0; a < d; a++) x.values[a] = theta[t + d + a * d + a];
    theta.fill(0, t + L.orientation, t + L.orientation + d * d);
    for (let a = 0; a < d; a++) theta[t + L.orientation + a * d + a] = 1;
  } else {
    for (let i = 0; i < d * d; i++) x.a[i] = theta[t + d + i];
    eigenSym(x.a, 0, d, x.values, theta, t + L.orientation);
  }
  for (let a = 0; a < d; a++) if (!(x.values[a] > 0)) return false;
  const vol = geometricMean(x.values, 0, d);
  theta[t + L.volume] = vol;
  for (let a = 0; a < d; a++) theta[t + L.shape + a] = x.values[a] / vol;
  return true;
}

/** What the constrained M-step needs: the problem size and the active components. */
export interface Joint {
  d: number;
  k: number;
  T: number;
  active: Uint8Array;
  x: ModelScratch;
}

const relChange = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** Writes the shared parts (volume/shape/orientation Equal across components) into inactive components and recomposes them. */
function inactive(J: Joint, theta: Float64Array, vol: Term, shape: Term, orient: Term, from: number): void {
  const { d, k, T, active } = J, L = layout(d);
  for (let j = 0; j < k; j++) if (!active[j]) {
    const t = j * T;
    if (vol === "E") theta[t + L.volume] = theta[from + L.volume];
    if (shape === "E") theta.copyWithin(t + L.shape, from + L.shape, from + L.shape + d);
    if (orient === "E") theta.copyWithin(t + L.orientation, from + L.orientation, from + L.orientation + d * d);
    composeSigma(theta, t, d, orient === "I");
  }
}

/** The first active component's θ offset (the driver calls the M-step only when one exists). */
const firstActive = (J: Joint) => { for (let j = 0; j < J.k; j++) if (J.active[j]) return j * J.T; return -1; };

/** Writes θ_j's volume/shape (from x.values at vo) and orientation (from src at so; null: I). */
function setDecomposition(theta: Float64Array, t: number, d: number, vol: number, shape: Float64Array, so: number, orientation: Float64Array | null, oo: number, shapeScale = 1): void {
  const L = layout(d);
  theta[t + L.volume] = vol;
  for (let a = 0; a < d; a++) theta[t + L.shape + a] = shape[so + a] * shapeScale;
  if (orientation) for (let i = 0; i < d * d; i++) theta[t + L.orientation + i] = orientation[oo + i];
  else {
    theta.fill(0, t + L.orientation, t + L.orientation + d * d);
    for (let a = 0; a < d; a++) theta[t + L.orientation + a * d + a] = 1;
  }
}

/**
 * Diagonal models EII, EEI, EVI, VEI (x.scatter holds w_k, d per component). `extra`: EII's and
 * EEI's prior (MAP), counted once: ς² added to the pooled scatter (each coordinate's for EEI) and
 * ν + 2 to the pooled count (EII: λ = (ς² + Σ_k tr B_k)/(ν + 2 + d Σ_k n_k); EEI:
 * σ²_a = (ς² + Σ_k B_k,aa)/(ν + 2 + Σ_k n_k), n_k already counting the mean's prior).
 */
export function diagonalJoint(J: Joint, theta: Float64Array, name: string, regCovar: number, scale: Float64Array, extra?: { scale: number; count: number }): void {
  const { d, k, T, active, x } = J, w = x.scatter, n = x.counts;
  let total = 0;
  for (let j = 0; j < k; j++) if (active[j]) total += n[j];
  x.inner = 0;
  if (name === "EII") {
    let tr = 0, meanScale = 0;
    for (let j = 0; j < k; j++) if (active[j]) for (let a = 0; a < d; a++) tr += w[j * d + a];
    for (let a = 0; a < d; a++) meanScale += scale[a] / d;
    // λ ≥ regCovar · mean(var(data)): the constrained maximiser (Q is unimodal in λ).
    const lambda = Math.max(extra ? (tr + extra.scale) / (total * d + extra.count) : tr / (total * d), regCovar * meanScale);
    x.values.fill(1);
    for (let j = 0; j < k; j++) { setDecomposition(theta, j * T, d, lambda, x.values, 0, null, 0); composeSigma(theta, j * T, d, true); }
    return;
  }
  if (name === "EEI") {
    // Σ = diag(Σ_k w_k)/n, each σ²_a ≥ regCovar · var_a (Q separates over coordinates).
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let j = 0; j < k; j++) if (active[j]) s += w[j * d + a];
      x.values[a] = Math.max(extra ? (s + extra.scale) / (total + extra.count) : s / total, regCovar * scale[a]);
      if (!(x.values[a] > 0)) throw collapsed(0);
    }
    const vol = geometricMean(x.values, 0, d);
    for (let j = 0; j < k; j++) { setDecomposition(theta, j * T, d, vol, x.values, 0, null, 0, 1 / vol); composeSigma(theta, j * T, d, true); }
    return;
  }
  if (name === "EVI") {
    let lambda = 0;
    for (let j = 0; j < k; j++) if (active[j]) {
      for (let a = 0; a < d; a++) if (!(w[j * d + a] > 0)) throw collapsed(j);
      x.volume[j] = geometricMean(w, j * d, d);
      lambda += x.volume[j];
    }
    lambda /= total;
    for (let j = 0; j < k; j++) if (active[j]) { setDecomposition(theta, j * T, d, lambda, w, j * d, null, 0, 1 / x.volume[j]); composeSigma(theta, j * T, d, true); }
    inactive(J, theta, "E", "V", "I", firstActive(J));
    return;
  }
  // VEI: alternate A ∝ Σ_k w_k/λ_k (|A| = 1) and λ_k = Σ_a w_ka/A_a / (n_k d), from λ_k = tr(w_k)/(n_k d).
  const A = x.values, lam = x.volume;
  for (let j = 0; j < k; j++) if (active[j]) {
    let tr = 0;
    for (let a = 0; a < d; a++) tr += w[j * d + a];
    lam[j] = tr / (n[j] * d);
    if (!(lam[j] > 0)) throw collapsed(j);
  }
  for (let it = 0; it < INNER_MAX; it++) {
    x.inner = it + 1;
    let moved = 0;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let j = 0; j < k; j++) if (active[j]) s += w[j * d + a] / lam[j];
      if (!(s > 0)) throw collapsed(0);
      x.norms[a] = s;
    }
    const g = geometricMean(x.norms, 0, d);
    for (let a = 0; a < d; a++) { const v = x.norms[a] / g; moved = Math.max(moved, relChange(v, A[a])); A[a] = v; }
    for (let j = 0; j < k; j++) if (active[j]) {
      let s = 0;
      for (let a = 0; a < d; a++) s += w[j * d + a] / A[a];
      const v = s / (n[j] * d);
      moved = Math.max(moved, relChange(v, lam[j]));
      lam[j] = v;
    }
    if (it > 0 && moved <= INNER_TOL) break;
  }
  for (let j = 0; j < k; j++) if (active[j]) { setDecomposition(theta, j * T, d, lam[j], A, 0, null, 0); composeSigma(theta, j * T, d, true); }
  inactive(J, theta, "V", "E", "I", firstActive(J));
}

/** tr(W Ψ) for W (d × d at wo) and symmetric Ψ (d × d at po). */
function traceProduct(W: Float64Array, wo: number, P: Float64Array, po: number, d: number): number {
  let s = 0;
  for (let i = 0; i < d * d; i++) s += W[wo + i] * P[po + i];
  return s;
}

/** out_a = (Dᵀ W D)_aa for D (d × d columns, at D[do]) and W (at wo). */
function rotatedDiagonal(W: Float64Array, wo: number, D: Float64Array, dOff: number, d: number, out: Float64Array, oo: number): void {
  for (let c = 0; c < d; c++) {
    let s = 0;
    for (let a = 0; a < d; a++) {
      let r = 0;
      for (let b = 0; b < d; b++) r += W[wo + a * d + b] * D[dOff + b * d + c];
      s += D[dOff + a * d + c] * r;
    }
    out[oo + c] = s;
  }
}

/**
 * How EVE's and VVE's common orientation is found for fixed Ψ_k: "sweeps" (the default: exact
 * plane rotations, planeSweep) or "mm" (mclust's two MM steps). Both alternate with the update of
 * Ψ_k and reach the same maximiser; the tests run both (test/mclust-models.test.ts).
 */
export const ORIENTATION: { solver: "sweeps" | "mm" } = { solver: "sweeps" };

/**
 * One sweep of exact plane rotations of D (Ψ_k fixed): for each pair of axes (p, q) the rotation
 * d_p ← c d_p − s d_q, d_q ← s d_p + c d_q by the angle θ that minimises
 * f(θ) = Σ_k tr(W_k D Ψ_k Dᵀ) = const + α cos 2θ + β sin 2θ, with M_k = Dᵀ W_k D,
 * α = Σ_k (ψ_kp − ψ_kq)(m_pp − m_qq)/2, β = Σ_k (ψ_kq − ψ_kp) m_pq: cos 2θ = −α/r, sin 2θ = −β/r,
 * r = √(α² + β²) (f drops by α + r ≥ 0; c, s by half-angle formulas, no trigonometry). A descent
 * step on the same f as the MM steps; the MM steps converge linearly at a rate 1 − O(gap/ω),
 * slowly where W_k's eigenvalues are close, these rotations do not. Returns the largest |sin θ|.
 */
function planeSweep(J: Joint, D: Float64Array, psi: Float64Array): number {
  const { d, k, active, x } = J, W = x.scatter, Mk = x.vectors, dd = d * d;
  for (let j = 0; j < k; j++) if (active[j]) {
    // M_k = Dᵀ W_k D (x.f holds W_k D).
    for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) {
      let v = 0;
      for (let b = 0; b < d; b++) v += W[j * dd + a * d + b] * D[b * d + c];
      x.f[a * d + c] = v;
    }
    for (let a = 0; a < d; a++) for (let c = 0; c <= a; c++) {
      let v = 0;
      for (let b = 0; b < d; b++) v += D[b * d + a] * x.f[b * d + c];
      Mk[j * dd + a * d + c] = Mk[j * dd + c * d + a] = v;
    }
  }
  let moved = 0;
  for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) {
    let alpha = 0, beta = 0;
    for (let j = 0; j < k; j++) if (active[j]) {
      const m = j * dd, dp = psi[j * d + p] - psi[j * d + q];
      alpha += (dp * (Mk[m + p * d + p] - Mk[m + q * d + q])) / 2;
      beta -= dp * Mk[m + p * d + q];
    }
    const r = Math.sqrt(alpha * alpha + beta * beta);
    if (!(r > 0)) continue;
    const cos2 = -alpha / r, sin2 = -beta / r;
    let c: number, s: number;
    if (cos2 > -0.5) { c = Math.sqrt((1 + cos2) / 2); s = sin2 / (2 * c); } else { s = Math.sqrt((1 - cos2) / 2) * (sin2 < 0 ? -1 : 1); c = sin2 / (2 * s); }
    if (!(Math.abs(s) > 1e-17)) continue;
    moved = Math.max(moved, Math.abs(s));
    for (let i = 0; i < d; i++) {
      const u = D[i * d + p], v = D[i * d + q];
      D[i * d + p] = c * u - s * v;
      D[i * d + q] = s * u + c * v;
    }
    for (let j = 0; j < k; j++) if (active[j]) {
      const m = j * dd, mpp = Mk[m + p * d + p], mqq = Mk[m + q * d + q], mpq = Mk[m + p * d + q];
      for (let i = 0; i < d; i++) if (i !== p && i !== q) {
        const u = Mk[m + i * d + p], v = Mk[m + i * d + q];
        Mk[m + i * d + p] = Mk[m + p * d + i] = c * u - s * v;
        Mk[m + i * d + q] = Mk[m + q * d + i] = s * u + c * v;
      }
      Mk[m + p * d + p] = c * c * mpp - 2 * c * s * mpq + s * s * mqq;
      Mk[m + q * d + q] = s * s * mpp + 2 * c * s * mpq + c * c * mqq;
      Mk[m + p * d + q] = Mk[m + q * d + p] = c * s * (mpp - mqq) + (c * c - s * s) * mpq;
    }
  }
  return moved;
}

/** Dense models VEE, EVE, VVE, EEV, VEV, EVV (x.scatter holds W_k, d × d per component). */
export function denseJoint(J: Joint, theta: Float64Array, name: string): void {
  const { d, k, T, active, x } = J, W = x.scatter, n = x.counts, dd = d * d, L = layout(d);
  let total = 0;
  for (let j = 0; j < k; j++) if (active[j]) total += n[j];
  x.inner = 0;

  if (name === "EEV" || name === "VEV" || name === "EVV") {
    // W_k = L_k Ω_k L_kᵀ, Ω_k decreasing (x.shape holds Ω_k, x.vectors L_k).
    for (let j = 0; j < k; j++) if (active[j]) {
      for (let i = 0; i < dd; i++) x.a[i] = W[j * dd + i];
      eigenSym(x.a, 0, d, x.values, x.vectors, j * dd);
      for (let a = 0; a < d; a++) {
        if (!(x.values[a] > 0)) throw collapsed(j);
        x.shape[j * d + a] = x.values[a];
      }
    }
    if (name === "EVV") {
      let lambda = 0;
      for (let j = 0; j < k; j++) if (active[j]) { x.volume[j] = geometricMean(x.shape, j * d, d); lambda += x.volume[j]; }
      lambda /= total;
      for (let j = 0; j < k; j++) if (active[j]) { setDecomposition(theta, j * T, d, lambda, x.shape, j * d, x.vectors, j * dd, 1 / x.volume[j]); composeSigma(theta, j * T, d, false); }
      inactive(J, theta, "E", "V", "V", firstActive(J));
      return;
    }
    const A = x.values;
    if (name === "EEV") {
      for (let a = 0; a < d; a++) { let s = 0; for (let j = 0; j < k; j++) if (active[j]) s += x.shape[j * d + a]; A[a] = s; }
      const g = geometricMean(A, 0, d);
      for (let a = 0; a < d; a++) A[a] /= g;
      for (let j = 0; j < k; j++) if (active[j]) { setDecomposition(theta, j * T, d, g / total, A, 0, x.vectors, j * dd); composeSigma(theta, j * T, d, false); }
      inactive(J, theta, "E", "E", "V", firstActive(J));
      return;
    }
    // VEV: as VEI on the eigenvalues Ω_k.
    const lam = x.volume;
    for (let j = 0; j < k; j++) if (active[j]) {
      let tr = 0;
      for (let a = 0; a < d; a++) tr += x.shape[j * d + a];
      lam[j] = tr / (n[j] * d);
    }
    for (let it = 0; it < INNER_MAX; it++) {
      x.inner = it + 1;
      let moved = 0;
      for (let a = 0; a < d; a++) { let s = 0; for (let j = 0; j < k; j++) if (active[j]) s += x.shape[j * d + a] / lam[j]; x.norms[a] = s; }
      const g = geometricMean(x.norms, 0, d);
      for (let a = 0; a < d; a++) { const v = x.norms[a] / g; moved = Math.max(moved, relChange(v, A[a])); A[a] = v; }
      for (let j = 0; j < k; j++) if (active[j]) {
        let s = 0;
        for (let a = 0; a < d; a++) s += x.shape[j * d + a] / A[a];
        const v = s / (n[j] * d);
        moved = Math.max(moved, relChange(v, lam[j]));
        lam[j] = v;
      }
      if (it > 0 && moved <= INNER_TOL) break;
    }
    for (let j = 0; j < k; j++) if (active[j]) { setDecomposition(theta, j * T, d, lam[j], A, 0, x.vectors, j * dd); composeSigma(theta, j * T, d, false); }
    inactive(J, theta, "V", "E", "V", firstActive(J));
    return;
  }

  if (name === "VEE") {
    // Alternate C ∝ Σ_k W_k/λ_k (|C| = 1) and λ_k = tr(W_k C⁻¹)/(n_k d), from λ_k = tr(W_k)/(n_k d).
    const lam = x.volume, C = x.b, Cinv = x.c;
    for (let j = 0; j < k; j++) if (active[j]) {
      let tr = 0;
      for (let a = 0; a < d; a++) tr += W[j * dd + a * d + a];
      lam[j] = tr / (n[j] * d);
      if (!(lam[j] > 0)) throw collapsed(j);
    }
    for (let it = 0; it < INNER_MAX; it++) {
      x.inner = it + 1;
      C.fill(0);
      for (let j = 0; j < k; j++) if (active[j]) for (let i = 0; i < dd; i++) C[i] += W[j * dd + i] / lam[j];
      // (C/|C|^{1/d})⁻¹ = |C|^{1/d} PᵀP with P = L⁻¹, C = L Lᵀ (Cholesky; also gives log|C|).
      const logDet = inverseCholesky(C, 0, d, x.a, 0, x.f);
      if (logDet === null) throw collapsed(0);
      const g = M.exp(logDet / d);
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let c = a; c < d; c++) s += x.a[c * d + a] * x.a[c * d + b]; // P lower: P_ca = 0 for c < a
        Cinv[a * d + b] = Cinv[b * d + a] = g * s;
      }
      let moved = 0;
      for (let j = 0; j < k; j++) if (active[j]) {
        const v = traceProduct(W, j * dd, Cinv, 0, d) / (n[j] * d);
        moved = Math.max(moved, relChange(v, lam[j]));
        lam[j] = v;
      }
      if (it > 0 && moved <= INNER_TOL) break;
    }
    // The final C (from the final λ_k) and its decomposition.
    C.fill(0);
    for (let j = 0; j < k; j++) if (active[j]) for (let i = 0; i < dd; i++) C[i] += W[j * dd + i] / lam[j];
    x.a.set(C);
    eigenSym(x.a, 0, d, x.values, x.e, 0);
    const g = geometricMean(x.values, 0, d);
    for (let j = 0; j < k; j++) if (active[j]) { setDecomposition(theta, j * T, d, lam[j], x.values, 0, x.e, 0, 1 / g); composeSigma(theta, j * T, d, false); }
    inactive(J, theta, "V", "E", "E", firstActive(J));
    return;
  }

  // EVE, VVE: D warm-started from the current common orientation (θ of the first active component).
  const variableVolume = name === "VVE";
  const D = x.e, from = firstActive(J);
  for (let i = 0; i < dd; i++) D[i] = theta[from + L.orientation + i];
  for (let j = 0; j < k; j++) if (active[j]) {
    for (let i = 0; i < dd; i++) x.a[i] = W[j * dd + i];
    eigenSym(x.a, 0, d, x.values, x.f, 0);
    if (!(x.values[d - 1] > 0)) throw collapsed(j);
    x.omega[j] = x.values[0];
  }
  // Ψ_k's diagonal in x.shape: 1/A_k (EVE) or 1/Λ_k (VVE), from the current D.
  const psi = x.shape;
  const updatePsi = (fromSweep = false): number => {
    let moved = 0;
    for (let j = 0; j < k; j++) if (active[j]) {
      // diag(Dᵀ W_k D): kept up to date by the sweep's rotations, else computed.
      if (fromSweep) for (let a = 0; a < d; a++) x.norms[a] = x.vectors[j * dd + a * d + a];
      else rotatedDiagonal(W, j * dd, D, 0, d, x.norms, 0);
      for (let a = 0; a < d; a++) if (!(x.norms[a] > 0)) throw collapsed(j);
      const g = variableVolume ? n[j] : geometricMean(x.norms, 0, d);
      for (let a = 0; a < d; a++) {
        const v = g / x.norms[a];
        moved = Math.max(moved, relChange(v, psi[j * d + a]));
        psi[j * d + a] = v;
      }
    }
    return moved;
  };
  psi.fill(1);
  updatePsi();
  const G = x.a, V = x.b, Dnew = x.c;
  for (let it = 0; it < INNER_MAX; it++) {
    x.inner = it + 1;
    let moved = 0;
    if (ORIENTATION.solver === "sweeps") moved = planeSweep(J, D, psi);
    else for (let step = 0; step < 2; step++) {
      G.fill(0);
      for (let j = 0; j < k; j++) if (active[j]) {
        const w = j * dd;
        let psiMax = 0;
        for (let a = 0; a < d; a++) psiMax = Math.max(psiMax, psi[j * d + a]);
        // step 0: G += (ω_k I − W_k) D Ψ_k;  step 1: G += W_k D (ψ_k I − Ψ_k).
        for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) {
          let wd = 0;
          for (let b = 0; b < d; b++) wd += W[w + a * d + b] * D[b * d + c];
          const p = psi[j * d + c];
          G[a * d + c] += step === 0 ? (x.omega[j] * D[a * d + c] - wd) * p : wd * (psiMax - p);
        }
      }
      polarFactor(G, d, Dnew, V, x.values);
      for (let i = 0; i < dd; i++) { moved = Math.max(moved, Math.abs(Dnew[i] - D[i])); D[i] = Dnew[i]; }
    }
    moved = Math.max(moved, updatePsi(ORIENTATION.solver === "sweeps"));
    if (moved <= INNER_TOL) break;
  }
  // Λ_k = diag(Dᵀ W_k D)/n_k (VVE) or A_k with one λ (EVE).
  let lambda = 0;
  for (let j = 0; j < k; j++) if (active[j]) {
    rotatedDiagonal(W, j * dd, D, 0, d, x.norms, 0);
    if (variableVolume) {
      for (let a = 0; a < d; a++) x.norms[a] /= n[j];
      const g = geometricMean(x.norms, 0, d);
      setDecomposition(theta, j * T, d, g, x.norms, 0, D, 0, 1 / g);
    } else {
      const g = geometricMean(x.norms, 0, d);
      lambda += d * g; // tr(Dᵀ W_k D A_k⁻¹) = d · g(diag(Dᵀ W_k D))
      setDecomposition(theta, j * T, d, 1, x.norms, 0, D, 0, 1 / g);
    }
  }
  if (!variableVolume) {
    lambda /= total * d;
    for (let j = 0; j < k; j++) if (active[j]) theta[j * T + L.volume] = lambda;
  }
  for (let j = 0; j < k; j++) if (active[j]) composeSigma(theta, j * T, d, false);
  inactive(J, theta, variableVolume ? "V" : "E", "V", "E", from);
}

/** mclust's nVarParams: free covariance parameters of model `name` with k components in d dimensions. */
export function varParams(name: string, k: number, d: number): number {
  const tri = (d * (d + 1)) / 2, rot = (d * (d - 1)) / 2;
  switch (name) {
    case "EII": return 1;
    case "VII": return k;
    case "EEI": return d;
    case "VEI": return k + d - 1;
    case "EVI": return 1 + k * (d - 1);
    case "VVI": return k * d;
    case "EEE": return tri;
    case "VEE": return k + tri - 1;
    case "EVE": return 1 + k * (d - 1) + rot;
    case "VVE": return k * d + rot;
    case "EEV": return 1 + (d - 1) + k * rot;
    case "VEV": return k + (d - 1) + k * rot;
    case "EVV": return 1 + k * (tri - 1);
    default: return k * tri; // VVV
  }
}
