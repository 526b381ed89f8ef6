// Log-normal: θ_j = (meanlog m_j, varlog σ²_j), the mean and variance of log x. Kernel:
// assembly/kernels/lognormal.ts (the 1-D Gaussian kernel on aux = log x, computed once when the
// data is loaded). The M-step, the floor and the prior are the 1-D Gaussian's on log x (gaussian.ts).
// The log-likelihood is that of x itself: log N(log x | m, σ²) − log x, the Jacobian Σ −log x added
// once per fit as the data's constant, so BIC compares with the other families on the same data.
import type { Family, Spec } from "../family.js";
import { optionError } from "../errors.js";
import { finiteAtLeast } from "../options.js";
import { componentObject, finite, noOptions, NONE, scalarInit } from "./shared.js";
import type { PriorOption } from "./shared.js";
import { loadWithLog, strictlyPositive } from "./positive.js";
import { gaussian, type GaussianPrior } from "./gaussian.js";
import { priorRule } from "../prior.js";
import * as M from "../math.js";

export interface LognormalComponent { meanlog: number; varlog: number }

/**
 * Normal-inverse-gamma prior on (meanlog, varlog), the Gaussian family's prior on log x:
 * varlog ~ InvGamma(dof/2, scale/2), meanlog | varlog ~ N(mean, varlog/shrinkage). Defaults:
 * shrinkage 0.01, the mean of log x, dof 3, scale var(log x)/k².
 */
export type LognormalPrior = GaussianPrior;

export interface LognormalOptions extends PriorOption {
  /** lognormal: floor on every varlog, absolute (log x has no unit; default 1e-6: an sd of log x of 0.001). */
  regCovar?: number;
}

/** The floor's scale: 1, whatever the data (the driver's scale is the variance of x, not of log x). */
const UNIT = { scale: new Float64Array([1]) };

export const lognormal: Family<LognormalComponent, { meanlogs: number[]; varlogs: number[] }, LognormalOptions, "meanlogs" | "varlogs"> = {
  summary: "positive values; each component a log-normal distribution (meanlog, varlog: the mean and variance of log x)",
  shape: "values",
  missing: "values",
  options: { regCovar: finiteAtLeast(0), prior: priorRule },
  evalOptions: NONE,
  dataSettings: NONE,
  kernels: ["lognormalPass"],
  plot: { kind: "density" },

  load(mem, data, _options, path, _dims, trusted) {
    return loadWithLog(mem, data, path, strictlyPositive, trusted, true);
  },

  // The Jacobian with sample weights: −Σ w_i log x_i (aux holds log x).
  weightedConstant(ds, w) {
    const lv = ds.aux!.array;
    let c = 0;
    for (let i = 0; i < ds.n; i++) if (w[i] !== 0) c -= w[i] * lv[i];
    return c;
  },

  // The Gaussian's prior with its defaults from log x.
  resolvePrior(raw, ds, k, options, path) {
    return gaussian.resolvePrior(raw, ds && { ...ds, x: ds.aux! }, k, options, path);
  },

  configure(options): Spec<LognormalComponent> {
    const g = gaussian.configure({ regCovar: options.regCovar, prior: options.prior }, 1);
    return {
      ...g,
      kernel: "lognormalPass",
      initKeys: ["meanlogs", "varlogs"],
      freeze: { meanlogs: g.freeze!.means, varlogs: g.freeze!.variances }, // the Gaussian's on log x
      // Seeds are log x: meanlog at the seed, varlog 1 (the seeding M-step then fits both).
      seed(seeds, _data, theta) {
        seeds.forEach((m, j) => { theta[2 * j] = m; theta[2 * j + 1] = 1; });
      },
      fromInit: scalarInit(["meanlogs", "varlogs"], (t, v, path) => {
        if (t === 1 && !(v > 0)) throw optionError(path, `must be a positive variance of log x, got ${v}`);
        return v;
      }),
      maximize: (stats, theta, k, _data, held) => g.maximize(stats, theta, k, UNIT, held),
      // The Gaussian kernel's formula on log x, and the Jacobian −log x.
      logJoint: (params, j, _x, _offset, aux, i) => g.logJoint!(params, j, aux!, i, null, i) - aux![i],
      component: (theta, j): LognormalComponent => ({ meanlog: theta[2 * j], varlog: theta[2 * j + 1] }),
      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["meanlog", "varlog"], path);
        const varlog = finite(o.varlog, `${path}.varlog`);
        if (!(varlog > 0)) throw optionError(`${path}.varlog`, `must be positive, got ${varlog}`);
        theta[2 * j] = finite(o.meanlog, `${path}.meanlog`);
        theta[2 * j + 1] = varlog;
      },
      // exp(m + σ z), z standard normal.
      sampler: noOptions(() => (theta, j, rng, out, offset) => { out[offset] = M.exp(theta[2 * j] + Math.sqrt(theta[2 * j + 1]) * rng.normal()); }),
      // log p(v) = −(log v − m)²/(2σ²) − ½ log(2πσ²) − log v, for v > 0.
      plotDensity: noOptions(() => ({
        logDensity: (theta, j, v) => {
          if (v <= 0) return -Infinity;
          const l = Math.log(v);
          return -((l - theta[2 * j]) ** 2) / (2 * theta[2 * j + 1]) - 0.5 * Math.log(2 * Math.PI * theta[2 * j + 1]) - l;
        },
      })),
    };
  },
};
