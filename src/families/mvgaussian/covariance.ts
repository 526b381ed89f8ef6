// mvgaussian's covariance models as a table of strategies (as scikit-learn picks its covariance
// functions from a dict). Each row says which kernel evaluates it, how many free parameters it has,
// what an explicit covariance may be, its M-step for the covariances and its log prior density.
// mclust's names (Banfield & Raftery 1993; Celeux & Govaert 1995): volume, shape, orientation,
// each Equal or Variable across components (I: identity shape/orientation).
//
// The M-step, with statistics about the current mean m: S0 = Σr, S1 = Σr(x−m), S2 = Σr(x−m)(x−m)ᵀ
// (or its diagonal); n = S0, ȳ = m + S1/S0, δ = S1/S0 and scatter W = S2 − n δδᵀ:
//   maximum likelihood: mean ȳ, Σ = W / n;  tied: Σ = Σ_j W_j / Σ_j n_j.
//   MAP (Fraley & Raftery 2007, as mclust): mean (n ȳ + κ μ₀)/(n + κ), and with
//   B = W + κn/(κ+n) (ȳ − μ₀)(ȳ − μ₀)ᵀ:  full Σ = (Λ + B)/(n + ν + d + 2);
//   tied Σ = (Λ + Σ_j B_j)/(Σ_j n_j + ν + d + 1 + k); diag σ²_a = (ς² + B_aa)/(n + ν + 3);
//   spherical σ² = (ς² + tr B)/(n d + ν + d + 2)   (κ = 0: no mean prior, the mean terms drop).
// Then `ridge` (scikit-learn's reg_covar) is added to the diagonal, if set, and then the floor
// Σ ⪰ regCovar · diag(var(data)) (floorCovariance: the constrained maximiser, so EM stays monotone). The means are updated by the family before the covariance step.
import { cholesky, floorCovariance, logDetFromCholesky } from "../../linalg.js";
import { logInvGamma } from "../../prior.js";
import { collapsed, logNormal } from "../shared.js";
import type { CovarianceInput } from "./io.js";
import { logInverseWishart, logMeanPrior, type MvGaussianPrior, type PriorScratch } from "./prior.js";
import { denseJoint, diagonalJoint, varParams, type ModelScratch, type Term } from "./models.js";


/** The constants of one fit's M-step and its scratch, allocated once per fit (not per iteration). */
export interface MStep extends PriorScratch {
  readonly d: number;
  /** θ values per component: d + d². */
  readonly T: number;
  readonly prior: MvGaussianPrior | undefined;
  /** The inverse-Wishart scale Λ (dense types with a prior), d × d. */
  readonly lambda: Float64Array | null;
  /** κ, and 1 when the means have a prior (κ > 0): they count in the MAP denominators. */
  readonly kappa: number;
  readonly meanTerms: number;
  readonly regCovar: number;
  /** Added to every variance (covariance diagonal) before the floor: scikit-learn's reg_covar; 0 = none. */
  readonly ridge: number;
  readonly pooledScatter: Float64Array;
  readonly pooledSigma: Float64Array;
  readonly diagonal: Float64Array;
  /** Zeros: the statistics of an empty component (a constrained model's MAP step), one component's length. */
  readonly noData: Float64Array;
  /** Which components had data in this M-step (tied), grown once. */
  active: Uint8Array;
  pooled: number;
  pooledMeans: number;
  /** The constrained models' scratch (models.ts), and θ's values per component. */
  x: ModelScratch;
  stride: number;
}

/** One covariance model. */
export interface CovarianceModel {
  /** mclust's name. */
  readonly mclust: string;
  /** Volume, shape, orientation: Equal, Variable or the identity (models.ts). */
  readonly terms: readonly [Term, Term, Term];
  /** The M-step fills θ's volume/shape/orientation itself (else they are taken from Σ afterwards). */
  readonly decomposes: boolean;
  /** Dense: full Σ_j (kernel mvnFullPass, d × d statistics); otherwise diagonal (mvnDiagPass, d). */
  readonly dense: boolean;
  /** One Σ shared by every component (its factor is computed once per pass). */
  readonly shared: boolean;
  /** What an explicit covariance may be besides a d × d matrix. */
  readonly input: CovarianceInput;
  /** Free covariance parameters of k components in d dimensions. */
  parameters(k: number, d: number): number;
  /** The covariance of active component j (mean already updated; θ_j at t; its statistics at s). */
  component(m: MStep, stats: Float64Array, s: number, nk: number, shrink: number, theta: Float64Array, t: number, j: number, scale: Float64Array): void;
  /** After every component (tied: the pooled covariance). */
  finish?(m: MStep, theta: Float64Array, k: number, scale: Float64Array): void;
  /** log p(Σ_j, mean_j) summed over the components (a prior is given). */
  logPrior(m: MStep, prior: MvGaussianPrior, theta: Float64Array, k: number): number;
}

const triangle = (d: number) => (d * (d + 1)) / 2;

/** W_ab + κn/(κ+n) δ_a δ_b (B's entry; ws.deviation holds ȳ − μ₀). */
function scatterEntry(m: MStep, stats: Float64Array, s: number, nk: number, shrink: number, a: number, b: number): number {
  const d = m.d, da = nk > 0 ? stats[s + 1 + a] / nk : 0, db = nk > 0 ? stats[s + 1 + b] / nk : 0; // nk = 0: an empty component under a prior
  return stats[s + 1 + d + a * d + b] - nk * da * db + shrink * m.deviation[a] * m.deviation[b];
}

/** B's diagonal into m.diagonal (W_aa clipped at 0 against rounding); returns its trace. */
function diagonalScatter(m: MStep, stats: Float64Array, s: number, nk: number, shrink: number): number {
  const d = m.d, v = m.diagonal;
  let trace = 0;
  for (let a = 0; a < d; a++) {
    const da = nk > 0 ? stats[s + 1 + a] / nk : 0;
    v[a] = Math.max(stats[s + 1 + d + a] - nk * da * da, 0) + shrink * m.deviation[a] * m.deviation[a];
    trace += v[a];
  }
  return trace;
}

/** m.diagonal onto Σ_j's diagonal. */
function writeDiagonal(m: MStep, theta: Float64Array, t: number, j: number): void {
  for (let a = 0; a < m.d; a++) {
    if (!(m.diagonal[a] > 0)) throw collapsed(j);
    theta[t + m.d + a * m.d + a] = m.diagonal[a];
  }
}

/** log p(Σ_j, mean_j) for a dense Σ_j (inverse-Wishart counted once when shared); −∞ if Σ_j is not positive definite. */
function denseLogPrior(m: MStep, prior: MvGaussianPrior, theta: Float64Array, k: number, shared: boolean): number {
  const { d, T } = m;
  let total = 0;
  for (let j = 0; j < k; j++) {
    const t = j * T;
    if (!cholesky(theta.subarray(t + d, t + T), d, m.factor)) return -Infinity;
    const logDet = logDetFromCholesky(m.factor, d);
    if (prior.shrinkage > 0) total += logMeanPrior(prior, theta, t, d, logDet, m);
    if (!shared || j === 0) total += logInverseWishart(prior, m.lambda!, d, logDet, m);
  }
  return total;
}

/** The covariance models by name (mvgaussian's `covariance` option): mclust's 14 names and four aliases. */
export type MclustModelName = "EII" | "VII" | "EEI" | "VEI" | "EVI" | "VVI" | "EEE" | "VEE" | "EVE" | "VVE" | "EEV" | "VEV" | "EVV" | "VVV";
export type CovarianceType = "full" | "tied" | "diag" | "spherical" | MclustModelName;

/**
 * Stores W_k (or its diagonal) and n_k for the joint M-step (finish). With a prior (MAP, see
 * `constrained`): B_k = W_k + κn_k/(κ+n_k)(ȳ_k − μ₀)(ȳ_k − μ₀)ᵀ and n_k + [κ > 0]; a model with one
 * matrix per component also adds its prior's scale (Λ, or ς² on the diagonal) and count
 * (ν + d + 1 inverse-Wishart, ν + 2 inverse-gamma) here, so that its M-step is maximum likelihood's
 * on these.
 */
function collect(m: MStep, stats: Float64Array, s: number, nk: number, shrink: number, dense: boolean, perComponent: boolean, j: number): void {
  const d = m.d, x = m.x, prior = m.prior;
  x.counts[j] = prior ? nk + m.meanTerms + (perComponent ? prior.dof + (dense ? d + 1 : 2) : 0) : nk;
  if (dense) {
    for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
      let v = scatterEntry(m, stats, s, nk, shrink, a, b);
      if (perComponent && m.lambda) v += m.lambda[a * d + b];
      x.scatter[j * d * d + a * d + b] = x.scatter[j * d * d + b * d + a] = v;
    }
  } else {
    diagonalScatter(m, stats, s, nk, shrink);
    if (perComponent && prior) for (let a = 0; a < d; a++) m.diagonal[a] += prior.scale as number;
    x.scatter.set(m.diagonal, j * d);
  }
}

/**
 * log p(θ) of a constrained model: N(mean_k | μ₀, Σ_k/κ) for every component (κ > 0), and the
 * covariance prior once for EII and EEI (one matrix: an inverse-gamma on σ², or on each σ²_a), per
 * component for the others (inverse-gamma on each σ²_ka: VEI, EVI; inverse-Wishart: EEV, VEV).
 */
function constrainedLogPrior(m: MStep, prior: MvGaussianPrior, theta: Float64Array, k: number, name: MclustModelName, dense: boolean): number {
  if (dense) return denseLogPrior(m, prior, theta, k, false);
  const { d, T } = m, scale = prior.scale as number;
  let total = 0;
  for (let j = 0; j < k; j++) {
    const t = j * T;
    if (prior.shrinkage > 0) for (let a = 0; a < d; a++) total += logNormal(theta[t + a], prior.mean[a], theta[t + d + a * d + a] / prior.shrinkage);
    if (j > 0 && (name === "EII" || name === "EEI")) continue;
    for (let a = 0; a < (name === "EII" ? 1 : d); a++) total += logInvGamma(theta[t + d + a * d + a], prior.dof / 2, scale / 2);
  }
  return total;
}

const noPrior = () => 0;
const joint = (m: MStep, k: number) => ({ d: m.d, k, T: m.stride, active: m.active, x: m.x });

/** The constrained models with a MAP M-step (`prior`); VEE, EVE, VVE and EVV have none. */
export const PRIOR_MODELS: readonly MclustModelName[] = ["EII", "EEI", "VEI", "EVI", "EEV", "VEV"];

/**
 * A constrained model of models.ts: the statistics are collected per component, the M-step is joint.
 * With a prior (PRIOR_MODELS), the log-posterior in (λ, A, D) has the log-likelihood's form with
 * W_k → B_k plus the prior's scale and n_k → n_k + [κ > 0] plus the prior's count (collect), the
 * prior counted once for EII and EEI (their one matrix: diagonalJoint's `extra`), once per
 * component for the others — so the maximum-likelihood M-step on those is the MAP M-step.
 */
function constrained(mclust: MclustModelName, terms: [Term, Term, Term]): CovarianceModel {
  const diagonal = terms[2] === "I", oneMatrix = mclust === "EII" || mclust === "EEI";
  return {
    mclust, terms, decomposes: true, dense: !diagonal, shared: false, input: mclust === "EII" ? "scalar" : diagonal ? "diagonal" : "matrix",
    parameters: (k, d) => varParams(mclust, k, d),
    component(m, stats, s, nk, shrink, _theta, _t, j) { collect(m, stats, s, nk, shrink, !diagonal, !oneMatrix, j); },
    finish(m, theta, k, scale) {
      const extra = m.prior && oneMatrix ? { scale: m.prior.scale as number, count: m.prior.dof + 2 } : undefined;
      if (diagonal) diagonalJoint(joint(m, k), theta, mclust, m.regCovar, scale, extra);
      else denseJoint(joint(m, k), theta, mclust);
    },
    logPrior: PRIOR_MODELS.includes(mclust) ? (m, prior, theta, k) => constrainedLogPrior(m, prior, theta, k, mclust, !diagonal) : noPrior,
  };
}

const BASE: Readonly<Record<"full" | "tied" | "diag" | "spherical", CovarianceModel>> = {
  /** Each component its own Σ_j (mclust VVV). */
  full: {
    mclust: "VVV", terms: ["V", "V", "V"], decomposes: false, dense: true, shared: false, input: "matrix",
    parameters: (k, d) => k * triangle(d),
    component(m, stats, s, nk, shrink, theta, t, _j, scale) {
      const d = m.d, at = t + d;
      const denominator = m.prior ? nk + m.prior.dof + d + 1 + m.meanTerms : nk;
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
        let v = scatterEntry(m, stats, s, nk, shrink, a, b);
        if (m.lambda) v += m.lambda[a * d + b];
        v /= denominator;
        theta[at + a * d + b] = theta[at + b * d + a] = v;
      }
      if (m.ridge) for (let a = 0; a < d; a++) theta[at + a * d + a] += m.ridge;
      floorCovariance(theta, at, d, scale, m.regCovar, m.work);
    },
    logPrior: (m, prior, theta, k) => denseLogPrior(m, prior, theta, k, false),
  },
  /** One Σ shared by all components (mclust EEE). */
  tied: {
    mclust: "EEE", terms: ["E", "E", "E"], decomposes: false, dense: true, shared: true, input: "matrix",
    parameters: (_k, d) => triangle(d),
    component(m, stats, s, nk, shrink) {
      const d = m.d;
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) m.pooledScatter[a * d + b] += scatterEntry(m, stats, s, nk, shrink, a, b);
      m.pooled += nk;
      m.pooledMeans += m.meanTerms;
    },
    finish(m, theta, k, scale) {
      if (!(m.pooled > 0)) return;
      const { d, T, prior } = m, scatter = m.pooledScatter, sigma = m.pooledSigma;
      let denominator = m.pooled;
      if (prior) {
        // Components without data keep their means, but their mean priors still involve Σ.
        if (m.kappa > 0) for (let j = 0; j < k; j++) if (!m.active[j]) {
          for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) scatter[a * d + b] += m.kappa * (theta[j * T + a] - prior.mean[a]) * (theta[j * T + b] - prior.mean[b]);
          m.pooledMeans++;
        }
        for (let i = 0; i < d * d; i++) scatter[i] += m.lambda![i];
        denominator = m.pooled + prior.dof + d + 1 + m.pooledMeans;
      }
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) sigma[a * d + b] = sigma[b * d + a] = scatter[a * d + b] / denominator;
      if (m.ridge) for (let a = 0; a < d; a++) sigma[a * d + a] += m.ridge;
      floorCovariance(sigma, 0, d, scale, m.regCovar, m.work);
      for (let j = 0; j < k; j++) theta.set(sigma, j * T + d);
    },
    logPrior: (m, prior, theta, k) => denseLogPrior(m, prior, theta, k, true),
  },
  /** Each Σ_j diagonal (mclust VVI). */
  diag: {
    mclust: "VVI", terms: ["V", "V", "I"], decomposes: false, dense: false, shared: false, input: "diagonal",
    parameters: (k, d) => k * d,
    component(m, stats, s, nk, shrink, theta, t, j, scale) {
      diagonalScatter(m, stats, s, nk, shrink);
      const v = m.diagonal, prior = m.prior;
      for (let a = 0; a < m.d; a++) {
        let variance = prior ? ((prior.scale as number) + v[a]) / (nk + prior.dof + 2 + m.meanTerms) : v[a] / nk;
        if (m.ridge) variance += m.ridge;
        v[a] = Math.max(variance, m.regCovar * scale[a]);
      }
      writeDiagonal(m, theta, t, j);
    },
    logPrior(m, prior, theta, k) {
      const { d, T } = m;
      let total = 0;
      for (let j = 0; j < k; j++) for (let a = 0; a < d; a++) {
        const v = theta[j * T + d + a * d + a];
        if (prior.shrinkage > 0) total += logNormal(theta[j * T + a], prior.mean[a], v / prior.shrinkage);
        total += logInvGamma(v, prior.dof / 2, (prior.scale as number) / 2);
      }
      return total;
    },
  },
  /** Each Σ_j = σ²_j I (mclust VII). */
  spherical: {
    mclust: "VII", terms: ["V", "I", "I"], decomposes: false, dense: false, shared: false, input: "scalar",
    parameters: (k) => k,
    component(m, stats, s, nk, shrink, theta, t, j, scale) {
      const d = m.d, prior = m.prior;
      const trace = diagonalScatter(m, stats, s, nk, shrink);
      let meanScale = 0;
      for (let a = 0; a < d; a++) meanScale += scale[a] / d;
      let variance = prior ? ((prior.scale as number) + trace) / (nk * d + prior.dof + 2 + m.meanTerms * d) : trace / (nk * d);
      if (m.ridge) variance += m.ridge; // scikit-learn: the mean of the diagonal after adding reg_covar
      m.diagonal.fill(Math.max(variance, m.regCovar * meanScale));
      writeDiagonal(m, theta, t, j);
    },
    logPrior(m, prior, theta, k) {
      const { d, T } = m;
      let total = 0;
      for (let j = 0; j < k; j++) {
        const v = theta[j * T + d];
        if (prior.shrinkage > 0) for (let a = 0; a < d; a++) total += logNormal(theta[j * T + a], prior.mean[a], v / prior.shrinkage);
        total += logInvGamma(v, prior.dof / 2, (prior.scale as number) / 2);
      }
      return total;
    },
  },
};

// Pure-annotated, so a bundle that never reads the table drops it (and the models' code).
export const COVARIANCE_MODELS: Readonly<Record<CovarianceType, CovarianceModel>> = /* @__PURE__ */ (() => ({
  ...BASE,
  EII: constrained("EII", ["E", "I", "I"]),
  VII: BASE.spherical,
  EEI: constrained("EEI", ["E", "E", "I"]),
  VEI: constrained("VEI", ["V", "E", "I"]),
  EVI: constrained("EVI", ["E", "V", "I"]),
  VVI: BASE.diag,
  EEE: BASE.tied,
  VEE: constrained("VEE", ["V", "E", "E"]),
  EVE: constrained("EVE", ["E", "V", "E"]),
  VVE: constrained("VVE", ["V", "V", "E"]),
  EEV: constrained("EEV", ["E", "E", "V"]),
  VEV: constrained("VEV", ["V", "E", "V"]),
  EVV: constrained("EVV", ["E", "V", "V"]),
  VVV: BASE.full,
}))();
export const COVARIANCE_TYPES = /* @__PURE__ */ Object.keys(COVARIANCE_MODELS) as CovarianceType[];
/** mclust's 14 model names, in mclust's order. */
export const MCLUST_MODELS: readonly MclustModelName[] = ["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"];
