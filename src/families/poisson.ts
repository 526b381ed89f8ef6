// Poisson: θ_j = λ_j. Kernel: assembly/kernels/loglinear.ts (at dims = 1).
import type { Family, Spec } from "../family.js";
import { COUNTS, forActive, needData, noOptions, NONE, oneParameter, RATE_FLOOR } from "./shared.js";
import { logFactorial } from "../special.js";
import type { PriorOption } from "./shared.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, logGammaDensity, priorNumber, priorObject, priorRule, weightedMean } from "../prior.js";
import * as M from "../math.js";
import { coordinates } from "../squarem.js";

export interface PoissonComponent { lambda: number }

/**
 * Gamma(shape, rate) prior on each λ. Default: κ = shrinkage (0.01) pseudo-observations at the
 * data's mean x̄: shape 1 + κ x̄, rate κ, so the MAP rate is (Σ r x + κ x̄) / (Σ r + κ).
 */
export interface PoissonPrior { weights: number; shape: number; rate: number }

export interface PoissonOptions extends PriorOption {}

export const poisson: Family<PoissonComponent, { lambdas: number[] }, PoissonOptions, "lambdas"> = {
  summary: "counts (non-negative integers); each component a Poisson rate λ",
  shape: "values",
  missing: "values",
  options: { prior: priorRule },
  evalOptions: NONE,
  dataSettings: NONE,
  kernels: ["loglinearPass"],
  plot: { kind: "counts", axis: "count" },

  ...COUNTS, // counts in, −Σ log x! as the per-point constant (shared.ts)

  resolvePrior(raw, ds, _k, _options, path): PoissonPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "shape", "rate"], path);
    const kappa = priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, true, path);
    const mean = () => {
      const parts = needData(ds, `${path}.shape`);
      if (parts.weights) return weightedMean(parts.x.array, parts.weights.array); // sample weights: Σ w x / Σ w
      const x = parts.x.array; let m = 0; for (let i = 0; i < x.length; i++) m += x[i] / x.length; return m;
    };
    return {
      weights: dirichletAlpha(o, path),
      shape: priorNumber(o, "shape", () => 1 + kappa * mean(), 1, false, path),
      rate: priorNumber(o, "rate", () => kappa, 0, true, path),
    };
  },

  configure(options): Spec<PoissonComponent> {
    const prior = options.prior as PoissonPrior | undefined;
    return {
      dims: 1, kernel: "loglinearPass", workColumns: 0,
      thetaSize: 1, headerSize: 0, paramsSize: 2, statsSize: 2,
      free: coordinates(["rate"]), // SQUAREM: log λ
      settings: prior ? { prior } : {},
      ...oneParameter<PoissonComponent>({
        initKey: "lambdas", key: "lambda", clamp: (v) => Math.max(v, RATE_FLOOR),
        valid: (v) => v >= 0, what: "a non-negative rate", stored: (v) => v > 0, storedWhat: "positive",
        logPrior: prior && ((v) => logGammaDensity(v, prior.shape, prior.rate)),
      }),

      // log w_j + x log λ_j − λ_j − log x!: per component [c_j = log w_j − λ_j, β_j = log λ_j].
      pack(theta, logWeights, _ds, params) {
        for (let j = 0; j < logWeights.length; j++) {
          params[2 * j] = logWeights[j] - theta[j];
          params[2 * j + 1] = M.log(theta[j]);
        }
      },

      // λ_j = Σ r x / Σ r; with the prior (the posterior mode) (Σ r x + shape − 1) / (Σ r + rate).
      maximize(stats, theta, k) {
        const a = prior ? prior.shape - 1 : 0, b = prior ? prior.rate : 0;
        forActive(stats, 2, k, (j, s) => { theta[j] = Math.max((stats[s + 1] + a) / (stats[s] + b), RATE_FLOOR); });
      },

      // c_j + x·β_j − log x! (the kernel's terms and the per-point constant).
      logJoint: (params, j, x, offset) => params[2 * j] + x[offset] * params[2 * j + 1] - logFactorial(x[offset]),

      sampler: noOptions(() => (theta, j, rng, out, offset) => { out[offset] = rng.poisson(theta[j]); }),

      // log Pois(v | λ) = v log λ − λ − log v!; drawn up to 2λ + 5 (or the data's largest count).
      plotDensity: noOptions(() => ({
        logDensity: (theta, j, v) => v * Math.log(theta[j]) - theta[j] - logFactorial(v),
        upTo: (theta, k) => theta.subarray(0, k).reduce((m, l) => Math.max(m, Math.ceil(l * 2 + 5)), 0),
      })),
    };
  },
};
