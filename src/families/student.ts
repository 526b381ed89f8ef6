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
// secant search on (★) in log ν, started from ν after CM-step 2 and the ECM root of the pass at it.
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
/** The secant search stops when a step in log ν is below this, or after DOF_STEPS passes. */
const DOF_TOL = 1e-9;
const DOF_STEPS = 30;

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

/** Where θ_j's ν is, and the statistics' layout: S0, Su, Sq at j·S, j·S + 1, j·S + 2. */
export interface DofLayout { T: number; nuAt: number; S: number; p: number }

/** CM-step 2 (ECM) for every component with data (or the shared ν over all of them), from a pass's statistics. */
export function ecmStep(dof: DofOption, L: DofLayout, stats: Float64Array, theta: Float64Array, k: number): void {
  if (typeof dof === "number") return;
  if (dof === "estimate") {
    for (let j = 0; j < k; j++) {
      const s0 = stats[j * L.S];
      if (s0 > EMPTY_MASS) theta[j * L.T + L.nuAt] = ecmDof(theta[j * L.T + L.nuAt], L.p, s0, stats[j * L.S + 2]);
    }
    return;
  }
  let s0 = 0, sq = 0;
  for (let j = 0; j < k; j++) if (stats[j * L.S] > EMPTY_MASS) { s0 += stats[j * L.S]; sq += stats[j * L.S + 2]; }
  if (!(s0 > EMPTY_MASS)) return;
  const nu = ecmDof(theta[L.nuAt], L.p, s0, sq);
  for (let j = 0; j < k; j++) theta[j * L.T + L.nuAt] = nu;
}

/**
 * The ECME step as a `refine` (family.ts): per group — each component with data ("estimate"), or
 * all of them with one ν ("equal") — a secant search for the root of (★) in t = log ν, kept inside
 * a bracket that each evaluated sign narrows (★ > 0: the root lies above), bisecting when the secant
 * leaves it; the first trial is the ECM root of the first pass. Each trial is one pass. The search
 * keeps the best log-likelihood seen, starting with the pass at the M-step's θ, and ends on it, so
 * an iteration never lowers L.
 */
export class DofSearch {
  private groups = 0;
  private size = 0;
  private t = new Float64Array(0);
  private tPrev = new Float64Array(0); private gPrev = new Float64Array(0);
  private lo = new Float64Array(0); private hi = new Float64Array(0);
  private best = new Float64Array(0); private done = new Uint8Array(0);
  private step = 0;
  private bestLL = -Infinity;
  private reverting = false;

  constructor(private readonly dof: DofOption, private readonly L: DofLayout) {}

  refine(theta: Float64Array, k: number, pass: { readonly logLikelihood: number; readonly stats: Float64Array }): boolean {
    if (typeof this.dof === "number") return false;
    if (this.reverting) return this.finish();
    const { T, nuAt, S, p } = this.L, stats = pass.stats, ll = pass.logLikelihood;
    const shared = this.dof === "equal";
    this.groups = shared ? 1 : k;
    if (this.size < this.groups) this.grow(this.groups); // once per fit (k is fixed): not in the loop
    const G = this.groups;
    // (★) and the data of group a at the θ of this pass.
    const gradient = (a: number) => {
      if (!shared) return stats[a * S] > EMPTY_MASS ? dofGradient(theta[a * T + nuAt], p, stats[a * S], stats[a * S + 2]) : 0;
      let s = 0;
      for (let j = 0; j < k; j++) if (stats[j * S] > EMPTY_MASS) s += dofGradient(theta[j * T + nuAt], p, stats[j * S], stats[j * S + 2]);
      return s;
    };
    const hasData = (a: number) => {
      if (!shared) return stats[a * S] > EMPTY_MASS;
      for (let j = 0; j < k; j++) if (stats[j * S] > EMPTY_MASS) return true;
      return false;
    };
    if (this.step === 0 || ll > this.bestLL) {
      this.bestLL = ll;
      for (let a = 0; a < G; a++) this.best[a] = theta[a * T + nuAt];
    }
    let moving = false;
    for (let a = 0; a < G; a++) {
      if (this.step === 0) {
        this.done[a] = hasData(a) ? 0 : 1;
        this.lo[a] = T_MIN;
        this.hi[a] = T_MAX;
      }
      if (this.done[a]) continue;
      const t = M.log(theta[a * T + nuAt]), g = gradient(a);
      if (g > 0) this.lo[a] = Math.max(this.lo[a], t);
      else if (g < 0) this.hi[a] = Math.min(this.hi[a], t);
      let next: number;
      if (this.step === 0) {
        // The ECM root of this pass (its statistics at the candidate's own ν).
        if (shared) {
          let s0 = 0, sq = 0;
          for (let j = 0; j < k; j++) if (stats[j * S] > EMPTY_MASS) { s0 += stats[j * S]; sq += stats[j * S + 2]; }
          next = M.log(ecmDof(theta[nuAt], p, s0, sq));
        } else {
          next = M.log(ecmDof(theta[a * T + nuAt], p, stats[a * S], stats[a * S + 2]));
        }
      } else {
        next = t - (g * (t - this.tPrev[a])) / (g - this.gPrev[a]);
      }
      if (g === 0 || (g > 0 && t >= T_MAX) || (g < 0 && t <= T_MIN)) { this.done[a] = 1; continue; } // a root, or at the bound it lies beyond
      if (!(next > this.lo[a] && next < this.hi[a])) next = 0.5 * (this.lo[a] + this.hi[a]);
      next = Math.min(T_MAX, Math.max(T_MIN, next));
      if (Math.abs(next - t) < DOF_TOL) { this.done[a] = 1; continue; }
      this.tPrev[a] = t; this.gPrev[a] = g;
      this.t[a] = next;
      moving = true;
    }
    this.step++;
    if (moving && this.step <= DOF_STEPS) {
      for (let a = 0; a < G; a++) if (!this.done[a]) this.setNu(theta, k, a, M.exp(this.t[a]));
      return true;
    }
    // Done: end on the best pass seen — this one, or one more pass back at the best ν.
    if (ll >= this.bestLL) return this.finish();
    for (let a = 0; a < G; a++) this.setNu(theta, k, a, this.best[a]);
    this.reverting = true;
    return true;
  }

  private finish(): false {
    this.step = 0;
    this.reverting = false;
    this.bestLL = -Infinity;
    return false;
  }

  private setNu(theta: Float64Array, k: number, a: number, nu: number): void {
    const { T, nuAt } = this.L;
    if (this.dof === "equal") for (let j = 0; j < k; j++) theta[j * T + nuAt] = nu;
    else theta[a * T + nuAt] = nu;
  }

  private grow(n: number): void {
    this.size = n;
    this.t = new Float64Array(n);
    this.tPrev = new Float64Array(n); this.gPrev = new Float64Array(n);
    this.lo = new Float64Array(n); this.hi = new Float64Array(n);
    this.best = new Float64Array(n); this.done = new Uint8Array(n);
  }
}

/**
 * The kernel's per-component header (assembly/kernels/mvt.ts) at params[at …]: c (with the given
 * log w − ½ log|Σ|), a = (ν + p)/2, 1/ν, b = (ν + p)/ν, log b.
 */
export function packHeader(params: Float64Array, at: number, nu: number, p: number, logWeightHalfLogDet: number): void {
  const a = (nu + p) / 2;
  params[at] = logWeightHalfLogDet + logGamma(a) - logGamma(nu / 2) - (p / 2) * M.log(nu * Math.PI);
  params[at + 1] = a;
  params[at + 2] = 1 / nu;
  params[at + 3] = (nu + p) / nu;
  params[at + 4] = M.log(params[at + 3]);
}

/** The kernel's log w + log t from its header and δ² (for scoreSamples). */
export const headerLogJoint = (params: Float64Array, at: number, q: number) => params[at] - params[at + 1] * M.log1p(q * params[at + 2]);

/** 1/√W with W = χ²_ν/ν = Gamma(ν/2, rate ν/2): x = μ + L z /√W is t_ν(μ, L Lᵀ) exactly. */
export const scaleDraw = (rng: Random, nu: number) => 1 / Math.sqrt((2 * rng.gamma(nu / 2)) / nu);
