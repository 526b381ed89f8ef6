// 1-D Gaussian: θ_j = (mean_j, variance_j). Kernel: assembly/gaussian.ts.
import type { Dataset, Family } from "../family.js";
import { copyIn, meanVariance } from "../data.js";
import { finiteAtLeast } from "../options.js";
import { optionError } from "../errors.js";
import { componentObject } from "./shared.js";

const LOG_2PI = Math.log(2 * Math.PI);

export interface GaussianComponent { mean: number; variance: number }
export interface GaussianConfig { regCovar: number }

export const gaussian: Family<GaussianConfig, GaussianComponent> = {
  name: "gaussian",
  kernel: "gaussianPass",
  thetaSize: 2,
  headerSize: 0,
  paramsSize: 3,
  statsSize: 3,
  freeParameters: 2,
  initKeys: ["means", "variances"],
  options: { regCovar: finiteAtLeast(0) },

  configure: (o) => ({ regCovar: (o.regCovar as number | undefined) ?? 1e-6 }),

  load(core, data, _config, path): Dataset {
    const values = copyIn(core, data, path);
    const n = values.length;
    const v = values.array;
    const { variance } = meanVariance(n, (i) => v[i]);
    return { n, x: values, aux: null, logConstant: 0, auxConst: 0, spread: variance > 0 ? variance : 1 };
  },

  location: (ds, i) => ds.x.array[i],

  seed(seeds, ds, _config, theta) {
    seeds.forEach((m, j) => { theta[2 * j] = m; theta[2 * j + 1] = ds.spread; });
  },

  initValue(key, value, path) {
    if (key === 1 && !(value > 0)) throw optionError(path, `must be a positive variance, got ${value}`);
    return value;
  },

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
  maximize(stats, s, theta, t, ds, config) {
    const nk = stats[s];
    const shift = stats[s + 1] / nk;
    theta[t] += shift;
    theta[t + 1] = Math.max(stats[s + 2] / nk - shift * shift, config.regCovar * ds.spread);
  },

  component: (theta, t) => ({ mean: theta[t], variance: theta[t + 1] }),
  fromComponent(c, theta, t, path) {
    const o = componentObject(c, ["mean", "variance"], path);
    if (!(o.variance > 0)) throw optionError(`${path}.variance`, `must be positive, got ${o.variance}`);
    theta[t] = o.mean; theta[t + 1] = o.variance;
  },

  sample: (theta, t, rng) => theta[t] + Math.sqrt(theta[t + 1]) * rng.normal(),
};
