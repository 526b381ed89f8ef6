// 1-D Gaussian: θ_j = (mean_j, variance_j). Kernel: assembly/kernels/gaussian.ts.
import { DEFAULTS } from "../defaults.js";
import type { Family, Spec } from "../family.js";
import { copyIn, columnScales, magnitudeProblem } from "../data.js";
import { finiteAtLeast, oneOf } from "../options.js";
import { dataError, optionError } from "../errors.js";
import { LOG_2PI, collapsed, componentObject, finite, forActive, logNormal, needData, noOptions, NONE, regionPoints, scalarInit, scaleRule } from "./shared.js";
import type { RegCovarOption, PriorOption, RidgeOption } from "./shared.js";
import { DEFAULT_SHRINKAGE, dataMoments, dirichletAlpha, logInvGamma, priorNumber, priorObject, priorRule } from "../prior.js";
import * as M from "../math.js";
import { coordinates } from "../squarem.js";


/** Rows (an array whose first entry is an array or typed array), read without throwing. */
function looksLikeRows(data: unknown): boolean {
  try {
    if (!Array.isArray(data) || data.length === 0) return false;
    const first: unknown = data[0];
    return Array.isArray(first) || (ArrayBuffer.isView(first) && !(first instanceof DataView));
  } catch {
    return false; // unreadable: copyIn reports it
  }
}

export interface GaussianComponent { mean: number; variance: number }

/**
 * Normal-inverse-gamma prior (mclust's conjugate prior for model "V"): σ² ~ InvGamma(dof/2, scale/2),
 * mean | σ² ~ N(mean, σ²/shrinkage). Defaults (mclust's priorControl()): shrinkage 0.01, the data's
 * mean, dof 3, scale var(data)/k².
 */
export interface GaussianPrior { weights: number; shrinkage: number; mean: number; dof: number; scale: number }

export interface GaussianOptions extends RegCovarOption, RidgeOption, PriorOption {
  /** gaussian: "V" (default), each component its own variance, or "E", one variance shared by all (mclust's 1-D models). */
  covariance?: "E" | "V";
}

export const gaussian: Family<GaussianComponent, { means: number[]; variances: number[] }, GaussianOptions, "means" | "variances"> = {
  summary: "real values; each component a normal distribution (mean, variance)",
  shape: "values",
  missing: "values",
  options: { regCovar: finiteAtLeast(0), ridge: finiteAtLeast(0), prior: priorRule, covariance: oneOf("E", "V") },
  evalOptions: NONE,
  dataSettings: { scale: scaleRule },
  kernels: ["gaussianPass"],
  plot: { kind: "density" },
  // mclust's 1-D models, both with a prior too (Mclust(x)'s E and V).
  mclustModels: { all: () => ["E", "V"], mclust: (c) => c },

  load(mem, data, _options, path, dims, trusted) {
    if (!trusted && looksLikeRows(data)) {
      // Rows with text in them are categories (or mixed columns), not coordinates.
      const first = (data as ArrayLike<unknown>)[0], text = Array.isArray(first) && first.some((v) => typeof v === "string");
      throw dataError(`${path}[0]`, dims !== undefined ? "is not a number (an array); this gaussian model reads one number per point"
        : text ? 'is not a number (an array with text); family "gaussian" takes one number per point: for rows of levels use family: "categorical", for mixed columns family: "independent"'
        : 'is not a number (an array); family "gaussian" takes one number per point: for rows (number[][]) use family: "mvgaussian"');
    }
    const x = copyIn(mem, data, path, magnitudeProblem, trusted);
    const scale = columnScales(x.array, x.length, 1, path);
    return { n: x.length, dims: 1, x, aux: null, logConstant: 0, scale, seedPoints: regionPoints(x, 1), settings: { scale: Array.from(scale) } };
  },

  resolvePrior(raw, ds, k, _options, path): GaussianPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "mean", "dof", "scale"], path);
    let known: { mean: number; variance: number } | undefined; // computed once, for the mean and the scale alike
    const data = (key: string) => (known ??= (() => {
      const parts = needData(ds, `${path}.${key}`);
      // Sample weights: the weighted mean and variance Σw(x − x̄_w)²/(Σw − 1), as of duplicated rows.
      if (parts.weights) { const m = dataMoments(parts, 1, false, `${path}.${key}`); return { mean: m.mean[0], variance: m.cov[0][0] }; }
      const x = parts.x.array, n = x.length;
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x[i] / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
      return { mean, variance: n > 1 ? ss / (n - 1) : 0 };
    })());
    return {
      weights: dirichletAlpha(o, path),
      shrinkage: priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path),
      mean: priorNumber(o, "mean", () => data("mean").mean, -Infinity, false, path),
      dof: priorNumber(o, "dof", () => 3, 0, true, path),
      scale: priorNumber(o, "scale", () => { const v = data("scale").variance; return (v > 0 ? v : 1) / (k * k); }, 0, true, path),
    };
  },

  configure(options): Spec<GaussianComponent> {
    const regCovar = (options.regCovar as number | undefined) ?? DEFAULTS.regCovar;
    const ridge = options.ridge as number | undefined;
    const prior = options.prior as GaussianPrior | undefined;
    const equal = options.covariance === "E";
    const settings: Record<string, unknown> = { regCovar };
    if (options.covariance !== undefined) settings.covariance = options.covariance;
    if (ridge !== undefined) settings.ridge = ridge;
    if (prior) settings.prior = prior;
    return {
      dims: 1, kernel: "gaussianPass", workColumns: 0,
      thetaSize: 2, headerSize: 0, paramsSize: 3, statsSize: 3,
      free: coordinates(["location", "variance"]), // SQUAREM: mean/√scale, log σ²
      initKeys: ["means", "variances"],
      // freeze (src/freeze.ts): a frozen mean's shift statistic S1 = 0 makes the variance step
      // Σr(x − m)²/Σr about it; the mean's step does not involve the variance.
      freeze: {
        means: {
          slots: (j) => [2 * j], zeroStats: [1], parameters: (c) => c,
        },
        variances: { slots: (j) => [2 * j + 1], parameters: (c) => (equal ? 1 : c), ...(equal ? { shared: 'covariance "E" has one variance for all components' } : {}) },
      },
      settings,
      componentParameters: (k) => (equal ? k + 1 : 2 * k), // mclust's nMclustParams less the weights

      seed(seeds, ds, theta) {
        seeds.forEach((m, j) => { theta[2 * j] = m; theta[2 * j + 1] = ds.scale[0]; });
      },

      fromInit(init, k, theta, path) {
        scalarInit(["means", "variances"], (t, v, p) => {
          if (t === 1 && !(v > 0)) throw optionError(p, `must be a positive variance, got ${v}`);
          return v;
        })(init, k, theta, path);
        if (equal) for (let j = 1; j < k; j++)
          if (Math.abs(theta[2 * j + 1] - theta[1]) > 1e-8 * theta[1])
            throw optionError(`${path}.variances[${j}]`, `must equal variances[0] (${theta[1]}): covariance "E" has one variance shared by all components, got ${theta[2 * j + 1]}`);
      },

      // c_j + a_j (x − mean_j)² with a_j = −1/(2σ²_j), c_j = log w_j − ½ log(2πσ²_j).
      pack(theta, logWeights, _ds, params) {
        for (let j = 0; j < logWeights.length; j++) {
          const variance = theta[2 * j + 1];
          params[3 * j] = theta[2 * j];
          params[3 * j + 1] = -0.5 / variance;
          params[3 * j + 2] = logWeights[j] - 0.5 * (LOG_2PI + M.log(variance));
        }
      },

      // Statistics about the current mean m: S0 = Σr, S1 = Σr(x−m), S2 = Σr(x−m)².
      // New mean m' = m + S1/S0; variance = S2/S0 − (S1/S0)² (= Σr(x−m')²/S0), floored at
      // regCovar × var(data). A floor (unlike scikit-learn's added reg_covar) maximises the expected
      // complete log-likelihood under the constraint σ² ≥ floor, so soft EM stays monotone.
      // `ridge` (scikit-learn's reg_covar) is added to the variance before the floor.
      // With the prior (MAP; Fraley & Raftery 2007, as mclust): with n = S0, ȳ = m + S1/S0 and
      // scatter W = S2 − n(S1/S0)²: mean = (n ȳ + κ μ₀)/(n + κ),
      // σ² = (ς² + W + κn/(κ+n)(ȳ − μ₀)²) / (n + ν + 3)   (ν + 2 when κ = 0: no prior on the mean).
      // freeze with the prior: a frozen mean m (S1 = 0, so ȳ = m) enters the variance's prior term
      // as κ (m − μ₀)² — the MAP variance given m — not κn/(κ+n)(ȳ − μ₀)² (the mean maximised out).
      maximize(stats, theta, k, ds, held) {
        if (equal) {
          // "E": means as "V"; σ² = Σ_k W_k / Σ_k n_k (W_k the scatter about the new mean), floored.
          // MAP (mclust's prior for "E"): mean_k = (n_k ȳ_k + κ μ₀)/(n_k + κ) and
          // σ² = (ς² + Σ_k [W_k + κ n_k/(κ+n_k)(ȳ_k − μ₀)²]) / (n + ν + 2 + k_mean), k_mean the number
          // of active components when κ > 0 (their mean priors involve σ²), else 0.
          let scatter = 0, total = 0;
          forActive(stats, 3, k, (j, s) => {
            const nk = stats[s], shift = stats[s + 1] / nk;
            scatter += Math.max(stats[s + 2] - nk * shift * shift, 0);
            total += nk;
            if (prior) {
              const { shrinkage: kappa, mean: mu0 } = prior, ybar = theta[2 * j] + shift, e = ybar - mu0;
              scatter += (held?.[2 * j] ? kappa : (kappa * nk) / (kappa + nk)) * e * e;
              if (kappa > 0) total += 1;
              theta[2 * j] = (nk * ybar + kappa * mu0) / (nk + kappa);
            } else theta[2 * j] += shift;
          });
          if (prior) { scatter += prior.scale; total += prior.dof + 2; }
          let variance = scatter / total;
          if (ridge !== undefined) variance += ridge;
          variance = Math.max(variance, regCovar * ds.scale[0]);
          if (!(variance > 0)) throw collapsed(0);
          for (let j = 0; j < k; j++) theta[2 * j + 1] = variance;
          return;
        }
        forActive(stats, 3, k, (j, s) => {
          const nk = stats[s], shift = stats[s + 1] / nk;
          let variance = stats[s + 2] / nk - shift * shift;
          if (prior) {
            const { shrinkage: kappa, mean: mu0, dof, scale } = prior;
            const ybar = theta[2 * j] + shift, e = ybar - mu0;
            const scatter = Math.max(stats[s + 2] - nk * shift * shift, 0);
            variance = (scale + scatter + (held?.[2 * j] ? kappa : (kappa * nk) / (kappa + nk)) * e * e) / (nk + dof + (kappa > 0 ? 3 : 2));
            theta[2 * j] = (nk * ybar + kappa * mu0) / (nk + kappa);
          } else {
            theta[2 * j] += shift;
          }
          if (ridge !== undefined) variance += ridge;
          theta[2 * j + 1] = Math.max(variance, regCovar * ds.scale[0]);
          if (!(theta[2 * j + 1] > 0)) throw collapsed(j);
        });
      },

      logPrior(theta, k) {
        if (!prior) return 0;
        let s = 0;
        for (let j = 0; j < k; j++) {
          const m = theta[2 * j], v = theta[2 * j + 1];
          if (prior.shrinkage > 0) s += logNormal(m, prior.mean, v / prior.shrinkage);
          if (!equal || j === 0) s += logInvGamma(v, prior.dof / 2, prior.scale / 2); // "E": one σ², one prior
        }
        return s;
      },

      // The kernel's formula: c_j + (a_j (x − mean_j)) (x − mean_j).
      logJoint(params, j, x, offset) {
        const e = x[offset] - params[3 * j];
        return params[3 * j + 2] + params[3 * j + 1] * e * e;
      },

      // Statistics about the mean m: S2/S0 − (S1/S0)² is the points' own variance about their mean.
      ownVariance(stats, j) {
        const s = 3 * j, shift = stats[s + 1] / stats[s];
        return [stats[s + 2] / stats[s] - shift * shift];
      },

      component: (theta, j): GaussianComponent => ({ mean: theta[2 * j], variance: theta[2 * j + 1] }),
      validate(theta, k, path) {
        if (equal) for (let j = 1; j < k; j++) if (theta[2 * j + 1] !== theta[1])
          throw optionError(`${path}[${j}].variance`, 'must equal component 0\'s: covariance "E" shares one variance');
      },
      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["mean", "variance"], path);
        const variance = finite(o.variance, `${path}.variance`);
        if (!(variance > 0)) throw optionError(`${path}.variance`, `must be positive, got ${variance}`);
        theta[2 * j] = finite(o.mean, `${path}.mean`);
        theta[2 * j + 1] = variance;
      },

      sampler: noOptions(() => (theta, j, rng, out, offset) => { out[offset] = theta[2 * j] + Math.sqrt(theta[2 * j + 1]) * rng.normal(); }),

      plotDensity: noOptions(() => ({
        logDensity: (theta, j, v) => -((v - theta[2 * j]) ** 2) / (2 * theta[2 * j + 1]) - 0.5 * Math.log(2 * Math.PI * theta[2 * j + 1]),
      })),
    };
  },
};
