// Exponential: θ_j = λ_j (rate). Kernel: assembly/kernels/loglinear.ts (at dims = 1), as Poisson:
// log w_j + log λ_j − λ_j x = c_j + x·β_j with c_j = log w_j + log λ_j, β_j = −λ_j.
// Values ≥ 0: the density λ e^{−λx} is finite at 0 (log p(0) = log λ), and durations recorded as 0
// are common; a component on zeros alone is held at RATE_MAX instead of an infinite rate.
import type { Family, Spec } from "../family.js";
import { copyIn } from "../data.js";
import { forActive, needData, noOptions, NONE, oneParameter, regionPoints } from "./shared.js";
import type { PriorOption } from "./shared.js";
import { positiveProblem, RATE_MAX, RATE_MIN } from "./positive.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, logGammaDensity, priorNumber, priorObject, priorRule, weightedMean } from "../prior.js";
import * as M from "../math.js";

export interface ExponentialComponent { rate: number }

/**
 * Gamma(shape, rate) prior on each rate λ (conjugate). Default: κ = shrinkage (0.01)
 * pseudo-observations at the data's mean x̄: shape 1 + κ, rate κ x̄, so the MAP rate is
 * (Σ r + κ) / (Σ r x + κ x̄).
 */
export interface ExponentialPrior { weights: number; shape: number; rate: number }

export interface ExponentialOptions extends PriorOption {}

const clampRate = (v: number) => Math.min(RATE_MAX, Math.max(RATE_MIN, v));

export const exponential: Family<ExponentialComponent, { rates: number[] }, ExponentialOptions, "rates"> = {
  summary: "non-negative values (waiting times, sizes); each component an exponential distribution (rate)",
  shape: "values",
  missing: "values",
  options: { prior: priorRule },
  evalOptions: NONE,
  dataSettings: NONE,
  kernels: ["loglinearPass"],
  plot: { kind: "density" },

  load(mem, data, _options, path, _dims, trusted) {
    const x = copyIn(mem, data, path, positiveProblem(true), trusted);
    return { n: x.length, dims: 1, x, aux: null, logConstant: 0, scale: new Float64Array([1]), seedPoints: regionPoints(x, 1), settings: NONE };
  },

  resolvePrior(raw, ds, _k, _options, path): ExponentialPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "shape", "rate"], path);
    const kappa = priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, true, path);
    const mean = () => {
      const parts = needData(ds, `${path}.rate`), x = parts.x.array;
      let m = 0;
      if (parts.weights) m = weightedMean(x, parts.weights.array); // sample weights: Σ w x / Σ w
      else for (let i = 0; i < x.length; i++) m += x[i] / x.length;
      return m > 0 ? m : 1;
    };
    return {
      weights: dirichletAlpha(o, path),
      shape: priorNumber(o, "shape", () => 1 + kappa, 1, false, path),
      rate: priorNumber(o, "rate", () => kappa * mean(), 0, true, path),
    };
  },

  configure(options): Spec<ExponentialComponent> {
    const prior = options.prior as ExponentialPrior | undefined;
    return {
      dims: 1, kernel: "loglinearPass", workColumns: 0,
      thetaSize: 1, headerSize: 0, paramsSize: 2, statsSize: 2,
      settings: prior ? { prior } : {},
      ...oneParameter<ExponentialComponent>({
        initKey: "rates", key: "rate", clamp: clampRate,
        valid: (v) => v > 0, what: "a positive rate", stored: (v) => v > 0, storedWhat: "positive",
        logPrior: prior && ((v) => logGammaDensity(v, prior.shape, prior.rate)),
      }),
      // Seeds are values x (≥ 0): rate 1/x, or RATE_MAX at 0.
      seed(seeds, _data, theta) {
        seeds.forEach((v, j) => { theta[j] = clampRate(1 / v); });
      },

      // c_j = log w_j + log λ_j, β_j = −λ_j.
      pack(theta, logWeights, _ds, params) {
        for (let j = 0; j < logWeights.length; j++) {
          params[2 * j] = logWeights[j] + M.log(theta[j]);
          params[2 * j + 1] = -theta[j];
        }
      },

      // λ_j = Σ r / Σ r x; with the prior (the posterior mode) (Σ r + shape − 1) / (Σ r x + rate).
      // Clamped to [RATE_MIN, RATE_MAX]: the expected log-likelihood is concave in λ, so the clamped
      // value is the constrained maximum and EM stays monotone.
      maximize(stats, theta, k) {
        const a = prior ? prior.shape - 1 : 0, b = prior ? prior.rate : 0;
        forActive(stats, 2, k, (j, s) => { theta[j] = clampRate((stats[s] + a) / (stats[s + 1] + b)); });
      },

      logJoint: (params, j, x, offset) => params[2 * j] + x[offset] * params[2 * j + 1],

      // Inversion: −log(1 − u)/λ, u uniform on [0, 1).
      sampler: noOptions(() => (theta, j, rng, out, offset) => { out[offset] = -M.log1p(-rng.uniform()) / theta[j]; }),

      plotDensity: noOptions(() => ({
        logDensity: (theta, j, v) => (v < 0 ? -Infinity : Math.log(theta[j]) - theta[j] * v),
      })),
    };
  },
};
