// What the Student-t families (t, mvt) share: the `dof` option, the degrees-of-freedom steps of
// ECM and ECME, the kernel's per-component header and the sampler's scale draw.
//
// With latent scales U ~ Gamma(ν/2, ν/2), x | U ~ N(μ, Σ/U), the E-step gives the responsibility
// τ and u = E[U | x] = (ν + p)/(ν + δ²), E[log U | x] = log u + ψ((ν+p)/2) − log((ν+p)/2)
// (Peel & McLachlan 2000, eqs. 9–10, 26). The kernel (assembly/kernels/mvt.ts) sums per component
// S0 = Σ τ, Su = Σ τ u, Sq = Σ τ (log u − u), S1 = Σ τ u (x − m), S2 = Σ τ u (x − m)(x − m)ᵀ.
//
// CM-step 1 (μ, Σ given ν): μ = m + S1/Su, Σ = (S2 − S1 S1ᵀ/Su) / S0 (Peel & McLachlan eqs. 27–28).
// CM-step 2, ECM (ν maximising the expected complete log-likelihood, eq. 30): the root of
//   log(ν/2) − ψ(ν/2) + 1 + Sq/S0 + ψ((ν_old+p)/2) − log((ν_old+p)/2) = 0.
// ECME (Liu & Rubin 1994, 1995 §4): ν maximising the observed log-likelihood L itself at the new
// (w, μ, Σ). Its derivative in ν_j, by the same identities with τ and u taken at the candidate ν,
//   ∂L/∂ν_j = ½ [S0 (log(ν_j/2) − ψ(ν_j/2) − log((ν_j+p)/2) + ψ((ν_j+p)/2) + 1) + Sq]   (★)
// needs a pass over the data per candidate, so it is a `refine` step (family.ts): a safeguarded
// secant search on (★) in log ν (DofSearch), started from ν after CM-step 2.
//
// Bounds ν ∈ [DOF_MIN, DOF_MAX] for estimated ν: above 200 the t is a normal for every practical
// purpose (excess kurtosis 6/(ν − 4) < 0.031) and L is flat in ν (for normal data its maximum is at
// ν = ∞, where the search would never stop); below 0.5 the tails are heavier than Cauchy's, the
// component no longer has a mean, and L can grow by letting ν → 0 on a component that sits on a few
// points. A fixed `dof` may be any positive number.
import { optionError } from "../errors.js";
import { describe } from "../data.js";
import type { Random } from "../random.js";
import { EMPTY_MASS } from "./shared.js";
import { logGamma } from "../special.js";
import * as M from "../math.js";

export const DOF_MIN = 0.5;
export const DOF_MAX = 200;
/** ν of every component at the start (k-means++ or random seeds) when it is estimated. */
export const DOF_START = 30;
/** The ECME search stops when no step in log ν reaches this, or after DOF_STEPS passes. */
const DOF_TOL = 1e-11;
const DOF_STEPS = 20;
/**
 * … or when a step no smaller than half the one before follows a step of at most this (Newton's
 * steps shrink quadratically there: one that stops shrinking is the gradient's rounding, a
 * random walk of 1e-11 … 1e-9 in log ν where L is flat in ν, which ran to DOF_STEPS before).
 */
const DOF_STALL = 1e-6;
/**
 * After a Newton step of at least this (in log ν) the search expects another (the next one, about
 * the square of it, stays above DOF_TOL), so the pass at the new ν is asked light (PassRequest.light:
 * the ν statistics only; the kernels leave out the location and scale sums, mvt's scatter).
 */
const LIGHT_STEP = 1e-4;
/** A pass this much (relative) below the best is rounding, not a worse ν (L is flat at the root). */
const LL_SLACK = 1e-13;

/** The `dof` option: a positive number fixes ν; "estimate" (default) one ν per component; "equal" one shared ν. */
export type DofOption = number | "estimate" | "equal";

export interface DofOptionHolder {
  /**
   * t, mvt: the degrees of freedom ν. A positive number fixes it for every component; "estimate"
   * (default) estimates one per component, "equal" one shared by all (ECME, within [0.5, 200]).
   */
  dof?: DofOption;
}

export const dofRule = (v: unknown, path: string) => {
  if (v === "estimate" || v === "equal") return;
  if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0))
    throw optionError(path, `must be a positive finite number of degrees of freedom, "estimate" or "equal", got ${describe(v)}`);
};

export const dofOf = (options: Readonly<Record<string, unknown>>): DofOption => (options.dof as DofOption | undefined) ?? "estimate";

/** A degrees-of-freedom value in an init or a stored component: positive, finite; equal to the fixed dof or across components as the option says. */
export function checkDof(v: unknown, dof: DofOption, first: number | undefined, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0)) throw optionError(path, `must be a positive finite number of degrees of freedom, got ${describe(v)}`);
  if (typeof dof === "number" && v !== dof) throw optionError(path, `must equal options.dof = ${dof} (fixed), got ${v}`);
  if (dof === "equal" && first !== undefined && v !== first) throw optionError(path, `must equal the first component's (${first}): dof "equal" shares one ν`);
  return v;
}

/** log x − ψ(x) for x > 0, without the cancellation of subtracting the two for large x. */
export function logMinusDigamma(x: number): number {
  let shift = 0;
  let y = x;
  while (y < 10) { shift += 1 / y; y += 1; }
  // log y − ψ(y) = 1/(2y) + Σ B_2k / (2k y^2k) (the asymptotic series; y ≥ 10: error < 1e-17).
  const z = 1 / (y * y);
  const series = 1 / (2 * y) + z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z * (1 / 132 - z * (691 / 32760 - z / 12))))));
  // log x − ψ(x) = log y − ψ(y) − log(y/x) + Σ_{i<n} 1/(x + i), y = x + n.
  return y === x ? series : series - M.log(y / x) + shift;
}

/** The bracket of the ν search in log ν. */
const T_MIN = Math.log(DOF_MIN), T_MAX = Math.log(DOF_MAX);

/** (★)'s bracket without the ½: S0 (log(ν/2) − ψ(ν/2) − log((ν+p)/2) + ψ((ν+p)/2) + 1) + Sq. */
export const dofGradient = (nu: number, p: number, s0: number, sq: number) =>
  s0 * (logMinusDigamma(nu / 2) - logMinusDigamma((nu + p) / 2) + 1) + sq;

/**
 * The ECM root (CM-step 2): log(ν/2) − ψ(ν/2) = −c with c = 1 + Sq/S0 + ψ((ν_old+p)/2) − log((ν_old+p)/2).
 * The left side falls from +∞ to 0 as ν grows, so the root is unique; bisection in log ν on the
 * bounds (64 halvings: to the last bit), the bound itself when the root lies beyond it.
 */
export function ecmDof(nuOld: number, p: number, s0: number, sq: number): number {
  const c = 1 + sq / s0 - logMinusDigamma((nuOld + p) / 2);
  const f = (t: number) => logMinusDigamma(M.exp(t) / 2) + c;
  if (f(T_MAX) >= 0) return DOF_MAX;
  if (f(T_MIN) <= 0) return DOF_MIN;
  let lo = T_MIN, hi = T_MAX;
  for (let i = 0; i < 64; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) > 0) lo = mid; else hi = mid;
  }
  return M.exp(0.5 * (lo + hi));
}

/**
 * Where θ_j's ν is, and the statistics' layout (assembly/kernels/mvt.ts): S0, Su, Sq, Σ τq²,
 * Σ τ(1 − u)² at j·S … j·S + 4, the cross sums Σ τ_j h_j τ_l h_l (l ≤ j) at j·S + cross + l.
 */
export interface DofLayout {
  T: number; nuAt: number; S: number; p: number; cross: number;
  /** The kernel's light passes are lighter (mvt: no location and scale sums): ask for them. */
  light: boolean;
}

/** CM-step 2 (ECM) for every component with data (or the shared ν over all of them), from a pass's statistics. */
export function ecmStep(dof: DofOption, L: DofLayout, stats: Float64Array, theta: Float64Array, k: number, held?: Uint8Array): void {
  if (typeof dof === "number") return;
  if (held?.[L.nuAt] && dof === "equal") return; // a frozen shared ν (freeze: frozen for all)
  if (dof === "estimate") {
    for (let j = 0; j < k; j++) {
      const s0 = stats[j * L.S];
      if (s0 > EMPTY_MASS && !held?.[j * L.T + L.nuAt]) theta[j * L.T + L.nuAt] = ecmDof(theta[j * L.T + L.nuAt], L.p, s0, stats[j * L.S + 2]);
    }
    return;
  }
  let s0 = 0, sq = 0;
  for (let j = 0; j < k; j++) if (stats[j * L.S] > EMPTY_MASS) { s0 += stats[j * L.S]; sq += stats[j * L.S + 2]; }
  if (!(s0 > EMPTY_MASS)) return;
  const nu = ecmDof(theta[L.nuAt], L.p, s0, sq);
  for (let j = 0; j < k; j++) theta[j * L.T + L.nuAt] = nu;
}

/** 1/x − ψ'(x), the derivative of log x − ψ(x): recurrence to 10, then the asymptotic series of ψ'. */
export function logMinusDigammaPrime(x: number): number {
  let shift = 0;
  let y = x;
  while (y < 10) { shift += 1 / (y * y); y += 1; }
  // 1/y − ψ'(y) = −(1/(2y²) + 1/(6y³) − 1/(30y⁵) + 1/(42y⁷) − 1/(30y⁹) + 5/(66y¹¹) − 691/(2730y¹³) + 7/(6y¹⁵)).
  const z = 1 / (y * y);
  const series = -(z / 2 + (z / y) * (1 / 6 - z * (1 / 30 - z * (1 / 42 - z * (1 / 30 - z * (5 / 66 - z * (691 / 2730 - (7 / 6) * z)))))));
  // 1/x − ψ'(x) = [1/y − ψ'(y)] + 1/x − 1/y − Σ_{i<n} 1/(x + i)².
  return y === x ? series : series + 1 / x - 1 / y - shift;
}

/** C(ν) = log(ν/2) − ψ(ν/2) − log((ν+p)/2) + ψ((ν+p)/2) + 1: (★) is ½ (S0 C + Sq). */
export const dofConstant = (nu: number, p: number) => logMinusDigamma(nu / 2) - logMinusDigamma((nu + p) / 2) + 1;

/**
 * The ECME step as a `refine` (family.ts): Newton's method on L in t = log ν, every group — each
 * component with data ("estimate"), or all of them with one ν ("equal") — at once, since the
 * responsibilities couple them. From one pass at ν (kernel statistics, mvt.ts):
 *   ∂L/∂ν_j = ½ (S0 C_j + Sq),
 *   ∂²L/∂ν_j∂ν_l = ½ δ_jl (S0 C'_j + Σ τ(1 − u)²/(ν_j + p)) + ¼ (δ_jl Σ τ h² − Σ_i τ_ij h_ij τ_il h_il),
 * with h = C + log u − u and Σ τ h² = C² S0 + 2 C Sq + Σ τ q² (differentiating τ_ij = w_j t_ij / Σ w t
 * gives ∂τ_ij/∂ν_l = τ_ij (δ_jl − τ_il) h_il / 2). Groups at a bound whose gradient points beyond it
 * stay there. Where L is not concave the step is damped (Levenberg–Marquardt); steps are capped at
 * 2 in log ν and clamped to the bounds.
 * A pass below the best log-likelihood so far (beyond rounding) halves the step back towards the best ν. The search
 * ends when no group moves by DOF_TOL, when the step stops shrinking (DOF_STALL: rounding), or
 * after DOF_STEPS passes, on the best log-likelihood seen (starting with the pass at the M-step's
 * θ), so an iteration never lowers L.
 */
export class DofSearch {
  private size = 0;
  private t = new Float64Array(0);
  private g = new Float64Array(0);
  private h = new Float64Array(0);
  private f = new Float64Array(0);
  private bestT = new Float64Array(0);
  private free = new Int32Array(0);
  private step = 0;
  private bestLL = -Infinity;
  private reverting = false;
  /** The previous step's largest move in log ν (Infinity at the start and after a halving). */
  private last = Infinity;
  /** Passes this search has read, and the last search's. */
  private calls = 0;
  private lastCalls = 0;

  constructor(private readonly dof: DofOption, private readonly L: DofLayout) {}

  /** Frozen entries of θ (freeze: a held ν is neither searched nor set). */
  private held: Uint8Array | undefined;

  refine(theta: Float64Array, k: number, pass: { readonly logLikelihood: number; readonly stats: Float64Array }, held?: Uint8Array): boolean | "light" {
    if (typeof this.dof === "number") return false;
    this.held = held;
    this.calls++;
    if (this.reverting) return this.finish();
    const { T, nuAt, S, p, cross } = this.L, stats = pass.stats, ll = pass.logLikelihood;
    const shared = this.dof === "equal";
    const G = shared ? 1 : k;
    if (this.size < G) this.grow(G); // once per fit (k is fixed): not in the loop
    const t = this.t;
    for (let a = 0; a < G; a++) t[a] = M.log(theta[a * T + nuAt]);
    if (this.step > 0 && !(ll >= this.bestLL - LL_SLACK * Math.abs(this.bestLL))) {
      // Worse than the best pass: halve the way back to it.
      this.step++;
      this.last = Infinity;
      let moved = 0;
      for (let a = 0; a < G; a++) {
        const back = 0.5 * (t[a] + this.bestT[a]);
        moved = Math.max(moved, Math.abs(back - t[a]));
        this.setNu(theta, k, a, M.exp(back));
      }
      if (moved >= DOF_TOL && this.step <= DOF_STEPS) return true;
      for (let a = 0; a < G; a++) this.setNu(theta, k, a, M.exp(this.bestT[a]));
      this.reverting = true;
      return true;
    }
    this.bestLL = ll;
    this.bestT.set(t.subarray(0, G));
    // Gradient g and Hessian h in t = log ν over the free groups (n of them).
    const g = this.g, h = this.h, free = this.free;
    let n = 0;
    const s0Of = (j: number) => (stats[j * S] > EMPTY_MASS ? stats[j * S] : 0);
    const hOf = (j: number) => dofConstant(theta[j * T + nuAt], p);
    for (let a = 0; a < G; a++) {
      let grad = 0;
      for (let j = shared ? 0 : a; j < (shared ? k : a + 1); j++) if (s0Of(j)) grad += 0.5 * (stats[j * S] * hOf(j) + stats[j * S + 2]);
      const nu = theta[a * T + nuAt];
      const ga = nu * grad;
      let data = false;
      for (let j = shared ? 0 : a; j < (shared ? k : a + 1); j++) if (s0Of(j)) data = true;
      if (!data || held?.[a * T + nuAt]) continue;
      if ((ga > 0 && t[a] >= T_MAX) || (ga < 0 && t[a] <= T_MIN)) continue;
      free[n] = a;
      g[n++] = ga;
    }
    if (n === 0) return this.finish();
    // ∂²L/∂ν_j∂ν_l for components j, l (0 when either has no data).
    const second = (j: number, l: number) => {
      if (!s0Of(j) || !s0Of(l) || S - cross < k) return 0;
      const lo = Math.min(j, l), hi = Math.max(j, l);
      let v = -0.25 * stats[hi * S + cross + lo];
      if (j === l) {
        const nu = theta[j * T + nuAt], s0 = stats[j * S], sq = stats[j * S + 2], Cj = hOf(j);
        const dC = 0.5 * (logMinusDigammaPrime(nu / 2) - logMinusDigammaPrime((nu + p) / 2));
        v += 0.5 * (s0 * dC + stats[j * S + 4] / (nu + p)) + 0.25 * (Cj * Cj * s0 + 2 * Cj * sq + stats[j * S + 3]);
      }
      return v;
    };
    for (let x = 0; x < n; x++) for (let y = 0; y <= x; y++) {
      const a = free[x], b = free[y];
      let v = 0;
      if (shared) { for (let j = 0; j < k; j++) for (let l = 0; l < k; l++) v += second(j, l); }
      else v = second(a, b);
      const nuA = theta[a * T + nuAt], nuB = theta[b * T + nuAt];
      v *= nuA * nuB;
      if (x === y) v += g[x]; // + ν ∂L/∂ν: the chain rule's second term (g holds ν ∂L/∂ν)
      h[x * n + y] = h[y * n + x] = -v; // −Hessian
    }
    // Newton: solve (−H + λI) Δ = g by Cholesky, λ = 0 or, while that is not positive definite (L
    // not concave here), 1e-8, 1e-7, … times the largest |diagonal| (Levenberg–Marquardt: an ascent
    // step, shorter as λ grows); the ECM root when even that fails or the cross sums are missing.
    const f = this.f;
    let newton = S - cross >= k; // the cross sums are there (a fit's spec)
    let base = 0;
    for (let x = 0; x < n; x++) base = Math.max(base, Math.abs(h[x * n + x]));
    if (!(base > 0)) base = 1;
    for (let attempt = 0, lambda = 0; newton; attempt++, lambda = lambda === 0 ? 1e-8 * base : 10 * lambda) {
      if (attempt > 30) { newton = false; break; }
      let ok = true;
      for (let x = 0; x < n && ok; x++) for (let y = 0; y <= x; y++) {
        let v = h[x * n + y] + (x === y ? lambda : 0);
        for (let z = 0; z < y; z++) v -= f[x * n + z] * f[y * n + z];
        if (x === y) { if (!(v > 0)) { ok = false; break; } f[x * n + x] = Math.sqrt(v); }
        else f[x * n + y] = v / f[y * n + y];
      }
      if (ok) break;
    }
    let moved = 0, scale = 1;
    if (newton) {
      for (let x = 0; x < n; x++) { let v = g[x]; for (let z = 0; z < x; z++) v -= f[x * n + z] * g[z]; g[x] = v / f[x * n + x]; }
      for (let x = n - 1; x >= 0; x--) { let v = g[x]; for (let z = x + 1; z < n; z++) v -= f[z * n + x] * g[z]; g[x] = v / f[x * n + x]; }
      for (let x = 0; x < n; x++) scale = Math.min(scale, 2 / Math.abs(g[x]));
    } else {
      for (let x = 0; x < n; x++) {
        const a = free[x];
        let s0 = 0, sq = 0;
        for (let j = shared ? 0 : a; j < (shared ? k : a + 1); j++) if (s0Of(j)) { s0 += stats[j * S]; sq += stats[j * S + 2]; }
        g[x] = M.log(ecmDof(theta[a * T + nuAt], p, s0, sq)) - t[a];
      }
    }
    for (let x = 0; x < n; x++) {
      const a = free[x], next = Math.min(T_MAX, Math.max(T_MIN, t[a] + scale * g[x]));
      moved = Math.max(moved, Math.abs(next - t[a]));
      t[a] = next;
    }
    this.step++;
    const stalled = this.last <= DOF_STALL && moved >= 0.5 * this.last; // rounding: not taken
    this.last = moved;
    if (moved >= DOF_TOL && !stalled && this.step <= DOF_STEPS) {
      for (let a = 0; a < G; a++) this.setNu(theta, k, a, M.exp(t[a]));
      return this.L.light && moved >= LIGHT_STEP && this.step < DOF_STEPS ? "light" : true;
    }
    return this.finish(); // this pass is the best so far and stays
  }

  /**
   * Whether the pass after the next M-step may be light (Spec.lightFirst): the last search read three
   * passes or more, so the next is expected to step from its first (a search that ends there gets a full pass).
   */
  lightFirst(): boolean {
    return this.L.light && this.lastCalls >= 3;
  }

  private finish(): false {
    this.lastCalls = this.calls;
    this.calls = 0;
    this.step = 0;
    this.last = Infinity;
    this.reverting = false;
    this.bestLL = -Infinity;
    return false;
  }

  private setNu(theta: Float64Array, k: number, a: number, nu: number): void {
    const { T, nuAt } = this.L;
    if (this.held?.[a * T + nuAt]) return;
    if (this.dof === "equal") for (let j = 0; j < k; j++) theta[j * T + nuAt] = nu;
    else theta[a * T + nuAt] = nu;
  }

  private grow(n: number): void {
    this.size = n;
    this.t = new Float64Array(n);
    this.g = new Float64Array(n);
    this.h = new Float64Array(n * n);
    this.f = new Float64Array(n * n);
    this.bestT = new Float64Array(n);
    this.free = new Int32Array(n);
  }
}

/**
 * The kernel's per-component header (assembly/kernels/mvt.ts) at params[at …]: c (with the given
 * log w − ½ log|Σ|), a = (ν + p)/2, 1/ν, b = (ν + p)/ν, log b, C(ν).
 */
export function packHeader(params: Float64Array, at: number, nu: number, p: number, logWeightHalfLogDet: number): void {
  const a = (nu + p) / 2;
  params[at] = logWeightHalfLogDet + logGamma(a) - logGamma(nu / 2) - (p / 2) * M.log(nu * Math.PI);
  params[at + 1] = a;
  params[at + 2] = 1 / nu;
  params[at + 3] = (nu + p) / nu;
  params[at + 4] = M.log(params[at + 3]);
  params[at + 5] = dofConstant(nu, p);
}

/** The kernel's log w + log t from its header and δ² (for scoreSamples). */
export const headerLogJoint = (params: Float64Array, at: number, q: number) => params[at] - params[at + 1] * M.log1p(q * params[at + 2]);

/** 1/√W with W = χ²_ν/ν = Gamma(ν/2, rate ν/2): x = μ + L z /√W is t_ν(μ, L Lᵀ) exactly. */
export const scaleDraw = (rng: Random, nu: number) => 1 / Math.sqrt((2 * rng.gamma(nu / 2)) / nu);
