// mvgaussian's conjugate priors (Fraley & Raftery 2007, as mclust's priorControl()): resolving the
// defaults from the data, and the normalised log prior density of the parameters.
import type { DatasetParts } from "../../family.js";
import { numberList } from "../../options.js";
import { optionError } from "../../errors.js";
import { cholesky, logDetFromCholesky, solveQuadratic } from "../../linalg.js";
import { logMultiGamma } from "../../special.js";
import { DEFAULT_SHRINKAGE, dataMoments, dirichletAlpha, priorNumber, priorObject } from "../../prior.js";
import { needData } from "../shared.js";
import { listOf } from "./io.js";
import * as M from "../../math.js";

/**
 * mean | Σ ~ N(mean, Σ/shrinkage); Σ ~ inverse-Wishart(dof, scale) with scale a d × d matrix for
 * the dense covariance types (full, tied); each σ²_a ~ InvGamma(dof/2, scale/2) (diag) or
 * σ² ~ InvGamma(dof/2, scale/2) (spherical) with a scalar scale.
 * Defaults: shrinkage 0.01, the data's mean, dof d + 2, scale var(data) / k^(2/d) (dense; the
 * sample covariance matrix) or Σ_a var_a / d / k^(2/d) (diag, spherical).
 */
export interface MvGaussianPrior { weights: number; shrinkage: number; mean: number[]; dof: number; scale: number | number[][] }

/** The prior of `raw` with every default filled in from the data (`dense`: an inverse-Wishart scale matrix). */
export function resolveMvPrior(raw: unknown, ds: DatasetParts | null, k: number, d: number, dense: boolean, path: string): MvGaussianPrior & Record<string, unknown> {
  const o = priorObject(raw, ["shrinkage", "mean", "dof", "scale"], path);
  // Computed once (for the mean and the scale alike).
  let known: { mean: number[]; cov: number[][]; n: number; missing: boolean } | undefined;
  const moments = (key: string) => (known ??= (() => {
    const data = needData(ds, `${path}.${key}`), x = data.x.array, n = data.n;
    // Sample weights and/or missing values: weighted moments over the observed values (src/prior.ts);
    // n, what decides a dense scale's off-diagonal terms, the rows of positive weight.
    if (data.weights || data.missing) { const m = dataMoments(data, d, dense, `${path}.${key}`); return { mean: m.mean, cov: m.cov, n: m.rows, missing: !!data.missing }; }
    const mean = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += x[i * d + a] / n;
    const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++)
      cov[a][b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / Math.max(n - 1, 1);
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[b][a] = cov[a][b];
    return { mean, cov, n, missing: false };
  })());
  const fac = M.pow(1 / k, 2 / d);
  const mean = o.mean === undefined ? moments("mean").mean : numberList(o.mean, d, `${path}.mean`);
  let scale: number | number[][];
  if (dense) {
    if (o.scale === undefined) {
      const { cov, n, missing } = moments("scale");
      scale = cov.map((row, a) => row.map((v, b) => (n > d ? fac * v : a === b ? fac * v : 0)));
      // Missing values: covariances over the rows observing both columns need not make a
      // positive-definite matrix; then the variances alone.
      if (missing && !cholesky(scale.flat(), d)) scale = scale.map((row, a) => row.map((v, b) => (a === b ? v : 0)));
    } else {
      scale = listOf(o.scale, d, `${path}.scale`).map((r, a) => numberList(r, d, `${path}.scale[${a}]`));
    }
    if (!cholesky(scale.flat(), d)) throw optionError(`${path}.scale`, "must be a symmetric positive-definite d × d matrix");
  } else {
    scale = priorNumber(o, "scale", () => { const { cov } = moments("scale"); return (fac * cov.reduce((t, r, a) => t + r[a], 0)) / d; }, 0, true, path);
  }
  return {
    weights: dirichletAlpha(o, path),
    shrinkage: priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path),
    mean,
    dof: priorNumber(o, "dof", () => d + 2, dense ? d - 1 : 0, true, path),
    scale,
  };
}

/** Scratch for the log prior densities (d-vectors and d × d matrices), allocated once per fit. */
export interface PriorScratch { factor: Float64Array; work: Float64Array; deviation: Float64Array }

/** log N(mean_j | μ₀, Σ_j/κ) (κ > 0), from Σ_j's Cholesky factor (in s.factor) and log|Σ_j|. */
export function logMeanPrior(prior: MvGaussianPrior, theta: Float64Array, t: number, d: number, logDet: number, s: PriorScratch): number {
  if (!(prior.shrinkage > 0)) return 0;
  for (let a = 0; a < d; a++) s.deviation[a] = theta[t + a] - prior.mean[a];
  const q = solveQuadratic(s.factor, d, s.deviation, s.work);
  return -0.5 * (d * M.log((2 * Math.PI) / prior.shrinkage) + logDet + prior.shrinkage * q);
}

/** log IW(Σ; ν, Λ) = ν/2 log|Λ| − νd/2 log 2 − log Γ_d(ν/2) − (ν+d+1)/2 log|Σ| − ½ tr(Λ Σ⁻¹), Σ's factor in s.factor. */
export function logInverseWishart(prior: MvGaussianPrior, lambda: Float64Array, d: number, logDet: number, s: PriorScratch): number {
  const dof = prior.dof;
  cholesky(lambda, d, s.work);
  const logDetLam = logDetFromCholesky(s.work, d);
  let trace = 0;
  for (let c = 0; c < d; c++) {
    for (let a = 0; a < d; a++) s.deviation[a] = lambda[a * d + c];
    trace += solveQuadratic(s.factor, d, s.deviation, s.work, c);
  }
  return (dof / 2) * logDetLam - ((dof * d) / 2) * Math.LN2 - logMultiGamma(dof / 2, d) - ((dof + d + 1) / 2) * logDet - 0.5 * trace;
}
