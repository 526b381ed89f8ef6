// Degenerate fits: components whose likelihood (and so BIC, AIC, ICL) says nothing about the data,
// which model selection leaves out as mclust does (it reports BIC = NA for them). Read from the
// fitted parameters alone (a loaded model gets the same warnings as the fit that made it): the
// public components (a `variance`, or a `covariance` matrix), the weights, nObservations, and the
// settings the Gaussian floor uses (`regCovar`, `scale`, `covariance`). Families without variances
// get the effective-count test only.
import { cholesky, symmetricEigen } from "./linalg.js";

/** Why a component is degenerate (see `degeneracies`). */
export type DegeneracyCode = "VARIANCE_AT_FLOOR" | "TOO_FEW_POINTS" | "SINGULAR";

/** One degenerate component of a fitted model. */
export interface Degeneracy {
  readonly code: DegeneracyCode;
  /** 0-based index into model.components. */
  readonly component: number;
  readonly message: string;
}

/** mclust's `emControl()$eps`: R's `.Machine$double.eps`. */
export const MCLUST_EPS = 2.220446049250313e-16;
/** A variance within this relative distance of the floor is at the floor (the floor is applied exactly, so this only absorbs rounding). */
const FLOOR_TOLERANCE = 1e-9;
/** Effective counts this far below the parameter count are rounding (soft responsibilities leak ~1e-10). */
const COUNT_TOLERANCE = 1e-6;

/** What the checks read of a model (MixtureModel has all of it). */
export interface ModelView {
  readonly k: number;
  readonly dims: number;
  readonly weights: readonly number[];
  readonly components: readonly object[];
  readonly settings: Readonly<Record<string, unknown>>;
  readonly nObservations: number;
  readonly spec: { componentParameters(k: number): number; readonly robustScale?: unknown };
}

/**
 * The degenerate components of a fitted model, in component order (a component may appear under
 * several codes):
 *
 * - `VARIANCE_AT_FLOOR`: a variance (1-D), a diagonal variance, or an eigenvalue of the covariance
 *   in units of the data's variances (D^{-½} Σ D^{-½}, D = diag(var(data))) sits at the floor
 *   `regCovar` to rounding (spherical: σ² at regCovar × the mean of the data's variances) — the
 *   floor, not the data, sets it: typically a component spiking on one value or a few collinear points.
 * - `TOO_FEW_POINTS`: its effective count Σ_i r_ij = weight × n is below its free parameters
 *   (the parameters one more component adds: 2 for a 1-D Gaussian, d + d(d+1)/2 for a full covariance).
 * - `SINGULAR`: mclust's test (its `eps` = 2.22e-16), on the covariance in units of the data's
 *   variances so that it does not depend on the data's scale: in 1-D σ²/var(data) ≤ eps; in d > 1
 *   min|diag L| / (1 + max|diag L|) ≤ √eps for the Cholesky factor L (mclust's rcond estimate).
 *   With the default floor (1e-6) this only fires with `regCovar` near 0.
 */
export function degeneracies(model: ModelView): Degeneracy[] {
  const out: Degeneracy[] = [];
  const { k, dims: d, settings } = model;
  const cp = (kk: number) => model.spec.componentParameters(kk);
  const perComponent = k > 1 ? cp(k) - cp(k - 1) : cp(1);
  const regCovar = typeof settings.regCovar === "number" ? settings.regCovar : 0;
  const scale = Array.isArray(settings.scale) && settings.scale.length === d ? (settings.scale as number[]) : null;
  const n = model.nObservations;
  // t and mvt: the scale is the smaller of the variance and (1.4826 · MAD)² (Spec.robustScale).
  const v = model.spec.robustScale ? "robust var(data)" : "var(data)";
  for (let j = 0; j < k; j++) {
    const push = (code: DegeneracyCode, message: string) => out.push({ code, component: j, message: `component ${j}: ${message}` });
    const c = model.components[j] as { variance?: unknown; covariance?: unknown };
    if (typeof c.variance === "number" && scale) {
      const relative = c.variance / scale[0];
      if (regCovar > 0 && relative <= regCovar * (1 + FLOOR_TOLERANCE))
        push("VARIANCE_AT_FLOOR", `variance ${fmt(c.variance)} is at the floor regCovar × ${v} = ${fmt(regCovar * scale[0])}`);
      if (relative <= MCLUST_EPS) push("SINGULAR", `variance ${fmt(c.variance)} is ≤ eps × ${v} (mclust's test, eps = ${MCLUST_EPS})`);
    } else if (Array.isArray(c.covariance) && scale) {
      covarianceChecks(c.covariance as number[][], d, scale, regCovar, (settings.covariance === "spherical" || settings.covariance === "VII" || settings.covariance === "EII"), v, push);
    }
    const count = model.weights[j] * n;
    if (count < perComponent * (1 - COUNT_TOLERANCE))
      push("TOO_FEW_POINTS", `holds ${fmt(count)} points (weight × n) for its ${perComponent} free parameters`);
  }
  return out;
}

function covarianceChecks(cov: number[][], d: number, scale: readonly number[], regCovar: number, spherical: boolean, v: string, push: (code: DegeneracyCode, message: string) => void) {
  const standard = new Float64Array(d * d);
  // √(s_a s_b); as √s_a √s_b where the product leaves the doubles (a scale below 1e-162 or above
  // 1e154: a robust scale, or data near its limits), which made every such covariance "singular".
  const root = (a: number, b: number) => { const p = scale[a] * scale[b]; return p > 0 && p < Infinity ? Math.sqrt(p) : Math.sqrt(scale[a]) * Math.sqrt(scale[b]); };
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) standard[a * d + b] = cov[a][b] / root(a, b);
  if (regCovar > 0) {
    if (spherical) {
      const meanScale = scale.reduce((s, v) => s + v / d, 0);
      if (cov[0][0] <= regCovar * meanScale * (1 + FLOOR_TOLERANCE))
        push("VARIANCE_AT_FLOOR", `variance ${fmt(cov[0][0])} is at the floor regCovar × mean ${v} = ${fmt(regCovar * meanScale)}`);
    } else {
      const { values } = symmetricEigen(standard, d);
      let min = Infinity, max = 0;
      for (const v of values) { min = Math.min(min, v); max = Math.max(max, Math.abs(v)); }
      // The floor is applied through an eigen-decomposition: allow its rounding, relative to the largest eigenvalue.
      if (min <= regCovar * (1 + FLOOR_TOLERANCE) + 16 * d * Number.EPSILON * max)
        push("VARIANCE_AT_FLOOR", `smallest eigenvalue of the covariance in units of ${v}, ${fmt(min)}, is at the floor regCovar = ${fmt(regCovar)}`);
    }
  }
  const L = cholesky(standard, d);
  if (L === null) {
    push("SINGULAR", "covariance is not positive definite");
    return;
  }
  let umin = Infinity, umax = 0;
  for (let a = 0; a < d; a++) { const u = Math.abs(L[a * d + a]); umin = Math.min(umin, u); umax = Math.max(umax, u); }
  if (umin / (1 + umax) <= Math.sqrt(MCLUST_EPS))
    push("SINGULAR", `covariance is near-singular: min|diag L| / (1 + max|diag L|) = ${fmt(umin / (1 + umax))} ≤ √eps (mclust's test, on the covariance in units of var(data))`);
}

const fmt = (v: number) => Number(v.toPrecision(4)).toString();
