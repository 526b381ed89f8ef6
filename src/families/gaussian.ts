// 1-D Gaussian: θ_j = (mean_j, variance_j). Kernel: assembly/gaussian.ts.
import type { Family, Spec } from "../family.js";
import { copyIn, columnScales, magnitudeProblem } from "../data.js";
import { finiteAtLeast } from "../options.js";
import { MixemError, optionError } from "../errors.js";
import { LOG_2PI, componentObject, finite, forActive, logNormal, needData, oneDimensional, scalarInit } from "./shared.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, logInvGamma, priorNumber, priorObject, priorRule } from "../prior.js";
import * as M from "../math.js";


export const collapsed = (j: number) =>
  new MixemError("DEGENERATE", `component ${j} collapsed onto a single value (variance 0); raise options.regCovar or use options.prior`, "fit");

export interface GaussianComponent { mean: number; variance: number }

/**
 * Normal-inverse-gamma prior (mclust's conjugate prior for model "V"): σ² ~ InvGamma(dof/2, scale/2),
 * mean | σ² ~ N(mean, σ²/shrinkage). Defaults (mclust's priorControl()): shrinkage 0.01, the data's
 * mean, dof 3, scale var(data)/k².
 */
export interface GaussianPrior { weights: number; shrinkage: number; mean: number; dof: number; scale: number }

export const gaussian: Family = {
  name: "gaussian",
  options: { regCovar: finiteAtLeast(0), prior: priorRule },

  load(core, data, _options, path) {
    const x = copyIn(core, data, path, magnitudeProblem);
    try {
      return { n: x.length, dims: 1, x, aux: null, logConstant: 0, auxConst: 0, scale: columnScales(x.array, x.length, 1, path) };
    } catch (e) {
      core.free(x);
      throw e;
    }
  },

  resolvePrior(raw, ds, k, _options, path): GaussianPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "mean", "dof", "scale"], path);
    const data = (key: string) => {
      const x = needData(ds, `${path}.${key}`).x.array, n = x.length;
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x[i] / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
      return { mean, variance: n > 1 ? ss / (n - 1) : 0 };
    };
    return {
      weights: dirichletAlpha(o, path),
      shrinkage: priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path),
      mean: priorNumber(o, "mean", () => data("mean").mean, -Infinity, false, path),
      dof: priorNumber(o, "dof", () => 3, 0, true, path),
      scale: priorNumber(o, "scale", () => { const v = data("scale").variance; return (v > 0 ? v : 1) / (k * k); }, 0, true, path),
    };
  },

  configure(options): Spec {
    const regCovar = (options.regCovar as number | undefined) ?? 1e-6;
    const prior = options.prior as GaussianPrior | undefined;
    return {
      ...oneDimensional,
      kernel: "gaussianPass",
      thetaSize: 2,
      headerSize: 0,
      paramsSize: 3,
      statsSize: 3,
      initKeys: ["means", "variances"],
      settings: prior ? { regCovar, prior } : { regCovar },
      componentParameters: (k) => 2 * k,

      seed(seeds, ds, theta) {
        seeds.forEach((m, j) => { theta[2 * j] = m; theta[2 * j + 1] = ds.scale[0]; });
      },

      fromInit: scalarInit(["means", "variances"], (t, v, path) => {
        if (t === 1 && !(v > 0)) throw optionError(path, `must be a positive variance, got ${v}`);
        return v;
      }),

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
      // With the prior (MAP; Fraley & Raftery 2007, as mclust): with n = S0, ȳ = m + S1/S0 and
      // scatter W = S2 − n(S1/S0)²: mean = (n ȳ + κ μ₀)/(n + κ),
      // σ² = (ς² + W + κn/(κ+n)(ȳ − μ₀)²) / (n + ν + 3)   (ν + 2 when κ = 0: no prior on the mean).
      maximize(stats, theta, k, ds) {
        forActive(stats, 3, k, (j, s) => {
          const nk = stats[s], shift = stats[s + 1] / nk;
          let variance = stats[s + 2] / nk - shift * shift;
          if (prior) {
            const { shrinkage: kappa, mean: mu0, dof, scale } = prior;
            const ybar = theta[2 * j] + shift, e = ybar - mu0;
            const scatter = Math.max(stats[s + 2] - nk * shift * shift, 0);
            variance = (scale + scatter + ((kappa * nk) / (kappa + nk)) * e * e) / (nk + dof + (kappa > 0 ? 3 : 2));
            theta[2 * j] = (nk * ybar + kappa * mu0) / (nk + kappa);
          } else {
            theta[2 * j] += shift;
          }
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
          s += logInvGamma(v, prior.dof / 2, prior.scale / 2);
        }
        return s;
      },

      component: (theta, j): GaussianComponent => ({ mean: theta[2 * j], variance: theta[2 * j + 1] }),
      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["mean", "variance"], path);
        const variance = finite(o.variance, `${path}.variance`);
        if (!(variance > 0)) throw optionError(`${path}.variance`, `must be positive, got ${variance}`);
        theta[2 * j] = finite(o.mean, `${path}.mean`);
        theta[2 * j + 1] = variance;
      },

      sample(theta, j, rng, _trials, out, offset) {
        out[offset] = theta[2 * j] + Math.sqrt(theta[2 * j + 1]) * rng.normal();
      },
    };
  },
};
