// 1-D Gaussian: θ_j = (mean_j, variance_j). Kernel: assembly/gaussian.ts.
import type { Family, Spec } from "../family.js";
import { copyIn, columnScales } from "../data.js";
import { finiteAtLeast } from "../options.js";
import { optionError } from "../errors.js";
import { componentObject, finite, forActive, oneDimensional, scalarInit } from "./shared.js";

const LOG_2PI = Math.log(2 * Math.PI);

export interface GaussianComponent { mean: number; variance: number }

export const gaussian: Family = {
  name: "gaussian",
  options: { regCovar: finiteAtLeast(0) },

  load(core, data, _options, path) {
    const x = copyIn(core, data, path);
    return { n: x.length, dims: 1, x, aux: null, logConstant: 0, auxConst: 0, scale: columnScales(x.array, x.length, 1) };
  },

  configure(options): Spec {
    const regCovar = (options.regCovar as number | undefined) ?? 1e-6;
    return {
      ...oneDimensional,
      kernel: "gaussianPass",
      thetaSize: 2,
      headerSize: 0,
      paramsSize: 3,
      statsSize: 3,
      initKeys: ["means", "variances"],
      settings: { regCovar },
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
          params[3 * j + 2] = logWeights[j] - 0.5 * (LOG_2PI + Math.log(variance));
        }
      },

      // Statistics about the current mean m: S0 = Σr, S1 = Σr(x−m), S2 = Σr(x−m)².
      // New mean m' = m + S1/S0; variance = S2/S0 − (S1/S0)² (= Σr(x−m')²/S0), floored at
      // regCovar × var(data). A floor (unlike scikit-learn's added reg_covar) maximises the expected
      // complete log-likelihood under the constraint σ² ≥ floor, so soft EM stays monotone.
      maximize(stats, theta, k, ds) {
        forActive(stats, 3, k, (j, s) => {
          const nk = stats[s], shift = stats[s + 1] / nk;
          theta[2 * j] += shift;
          theta[2 * j + 1] = Math.max(stats[s + 2] / nk - shift * shift, regCovar * ds.scale[0]);
        });
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
