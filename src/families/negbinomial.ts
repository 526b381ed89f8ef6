// Negative binomial: θ_j = (mean μ_j, size r_j), variance μ + μ²/r (r → ∞: Poisson).
// Kernel: assembly/kernels/negbinomial.ts. Counts, as Poisson.
import type { Family, Spec } from "../family.js";
import { optionError } from "../errors.js";
import { COUNTS, componentObject, finite, forActive, noOptions, NONE, RATE_FLOOR, scalarInit } from "./shared.js";
import type { PriorOption } from "./shared.js";
import { digamma, lgammaNB, lgammaRatio, logMinusDigamma, logMinusDigammaAbove10, SHAPE_MAX, SHAPE_MIN, solveCurved, solveShape } from "./positive.js";
import { noPrior } from "./gamma.js";
import { priorRule } from "../prior.js";
import { logFactorial, logGamma } from "../special.js";
import * as M from "../math.js";

export interface NegbinomialComponent { mean: number; size: number }

export interface NegbinomialOptions extends PriorOption {}

/** Means stay at or above RATE_FLOOR (0 would make 0·log μ undefined), sizes in [SHAPE_MIN, SHAPE_MAX]. */
const clampMean = (v: number) => Math.max(v, RATE_FLOOR);
const clampSize = (v: number) => Math.min(SHAPE_MAX, Math.max(SHAPE_MIN, v));
/** The kernel's cut between recurrence and series (assembly/kernels/negbinomial.ts). */
const SERIES_FROM = 10;

export const negbinomial: Family<NegbinomialComponent, { means: number[]; sizes: number[] }, NegbinomialOptions, "means" | "sizes"> = {
  summary: "over-dispersed counts (non-negative integers); each component a negative binomial (mean, size)",
  shape: "values",
  missing: "values",
  options: { prior: priorRule },
  evalOptions: NONE,
  dataSettings: NONE,
  kernels: ["negbinomialPass"],
  plot: { kind: "counts", axis: "count" },

  ...COUNTS, // counts in, −Σ log x! as the per-point constant (shared.ts)

  resolvePrior: noPrior("negbinomial", "the size"),

  configure(): Spec<NegbinomialComponent> {
    return {
      dims: 1, kernel: "negbinomialPass", workColumns: 0,
      thetaSize: 2, headerSize: 0, paramsSize: 5, statsSize: 4,
      initKeys: ["means", "sizes"],
      settings: {},
      componentParameters: (k) => 2 * k,

      // Seeds are counts: mean at the seed, size 1 (the seeding M-step then fits both).
      seed(seeds, _data, theta) {
        seeds.forEach((v, j) => { theta[2 * j] = clampMean(v); theta[2 * j + 1] = 1; });
      },

      fromInit: scalarInit(["means", "sizes"], (t, v, path) => {
        if (t === 0 && !(v >= 0)) throw optionError(path, `must be a non-negative mean, got ${v}`);
        if (t === 1 && !(v > 0)) throw optionError(path, `must be a positive size, got ${v}`);
        return t === 0 ? clampMean(v) : clampSize(v);
      }),

      // [c_j, β_j, r_j, log Γ(r_j) or 0, ψ(r_j) or log r_j − ψ(r_j)] (r_j < 10, or not):
      // c_j = log w_j + r log(r/(r+μ)) = log w_j − r log1p(μ/r), β_j = log(μ/(r+μ)) = −log1p(r/μ).
      pack(theta, logWeights, _ds, params) {
        for (let j = 0; j < logWeights.length; j++) {
          const mu = theta[2 * j], r = theta[2 * j + 1], small = r < SERIES_FROM;
          params[5 * j] = logWeights[j] - r * M.log1p(mu / r);
          params[5 * j + 1] = -M.log1p(r / mu);
          params[5 * j + 2] = r;
          params[5 * j + 3] = small ? lgammaNB(r) : 0;
          params[5 * j + 4] = small ? digamma(r) : logMinusDigammaAbove10(r);
        }
      },

      // Statistics: n = Σr, S₁ = Σ r x, E = Σ r (ψ(x + r') − ψ(r')) and C (a lower bound on
      // Σ r Σ_{m<x} r'm/(r' + m)²) at the current size r'. The mean maximises Σ r log NB for any size:
      // μ = S₁/n. For the size, two minorize–maximize steps, each of which alone never lowers the
      // log-likelihood (so neither does the choice between them):
      //   gamma–Poisson (λ ~ Gamma(r, r/μ), x | λ ~ Poisson(λ), λ's posterior at (μ, r')): the gamma
      //     shape's equation log r − ψ(r) = log1p(μ/r') − E/n + (log r' − ψ(r')) + (x̄ − μ)/(r' + μ),
      //     by Minka's Newton (solveShape); fast when r is small against μ;
      //   the curvature bound on log Γ(x + r) − log Γ(r) in log r (solveCurved: slope ℓ = r'E, curvature
      //     ≥ C e^{−|Δ log r|}); close to Newton's step on the exact equation when r is large (near
      //     Poisson), where the first crawls.
      // Both bounds touch the objective at r' with its slope, so to second order the one that moves r
      // farther is the closer to the maximum: it is taken. At a fixed point both give the weighted
      // digamma equation of the negative-binomial MLE, Σ r [ψ(x + r) − ψ(r) + log(r/(r + μ))] = 0.
      // freeze (src/freeze.ts): the mean's step does not involve the size (a frozen size is kept);
      // a frozen mean μ enters both size bounds as it is, so the size step is the conditional one.
      maximize(stats, theta, k, _data, held) {
        forActive(stats, 4, k, (j, s) => {
          const n = stats[s], xbar = stats[s + 1] / n, e = stats[s + 2] / n, r0 = theta[2 * j + 1];
          const mu = held?.[2 * j] ? theta[2 * j] : clampMean(xbar);
          theta[2 * j] = mu;
          if (held?.[2 * j + 1]) return;
          const byGamma = solveShape(M.log1p(mu / r0) - e + logMinusDigamma(r0) + (xbar - mu) / (r0 + mu));
          const byCurvature = solveCurved(r0 * stats[s + 2], stats[s + 3], n, stats[s + 1], mu, r0);
          theta[2 * j + 1] = Math.abs(M.log(byGamma / r0)) >= Math.abs(M.log(byCurvature / r0)) ? byGamma : byCurvature;
        });
      },

      freeze: {
        means: { slots: (j) => [2 * j], parameters: (c) => c },
        sizes: { slots: (j) => [2 * j + 1], parameters: (c) => c },
      },

      logPrior: () => 0,

      // The kernel's formula: c_j + x β_j + D(x, r_j) − log x!.
      logJoint(params, j, x, offset) {
        const v = x[offset];
        return params[5 * j] + v * params[5 * j + 1] + lgammaRatio(v, params[5 * j + 2], params[5 * j + 3]) - logFactorial(v);
      },

      component: (theta, j): NegbinomialComponent => ({ mean: theta[2 * j], size: theta[2 * j + 1] }),
      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["mean", "size"], path);
        for (const [t, key] of [[0, "mean"], [1, "size"]] as const) {
          const v = finite(o[key], `${path}.${key}`);
          if (!(v > 0)) throw optionError(`${path}.${key}`, `must be positive, got ${v}`);
          theta[2 * j + t] = v;
        }
      },

      // Gamma–Poisson mixture: λ ~ Gamma(r, rate r/μ) (Marsaglia–Tsang), then Poisson(λ) (exact).
      sampler: noOptions(() => (theta, j, rng, out, offset) => {
        const mu = theta[2 * j], r = theta[2 * j + 1];
        out[offset] = rng.poisson((rng.gamma(r) * mu) / r);
      }),

      // log NB(v | μ, r); drawn up to μ + 6 sd + 5 (sd² = μ + μ²/r).
      plotDensity: noOptions(() => ({
        logDensity: (theta, j, v) => {
          const mu = theta[2 * j], r = theta[2 * j + 1];
          return logGamma(v + r) - logGamma(r) - logFactorial(v) - r * Math.log1p(mu / r) - v * Math.log1p(r / mu);
        },
        upTo: (theta, k) => {
          let m = 0;
          for (let j = 0; j < k; j++) {
            const mu = theta[2 * j], r = theta[2 * j + 1];
            m = Math.max(m, Math.ceil(mu + 6 * Math.sqrt(mu + (mu * mu) / r) + 5));
          }
          return m;
        },
      })),
    };
  },
};
