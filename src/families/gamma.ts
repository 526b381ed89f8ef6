// Gamma: θ_j = (shape a_j, rate b_j). Kernel: assembly/kernels/gamma.ts, with aux = log x
// (computed once when the data is loaded).
import type { Family, Spec } from "../family.js";
import { optionError } from "../errors.js";
import { componentObject, finite, forActive, noOptions, NONE, scalarInit } from "./shared.js";
import type { PriorOption } from "./shared.js";
import { loadWithLog, positiveProblem, RATE_MAX, RATE_MIN, SHAPE_MAX, SHAPE_MIN, solveDigamma, solveShape } from "./positive.js";
import { priorRule } from "../prior.js";
import { logGamma } from "../special.js";
import * as M from "../math.js";

export interface GammaComponent { shape: number; rate: number }

export interface GammaOptions extends PriorOption {}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A family without a standard conjugate prior (gamma shape, negative-binomial size): `prior` is refused, naming why. */
export function noPrior(name: string, what: string) {
  return (raw: unknown, _ds: unknown, _k: number, _options: unknown, path: string): Record<string, unknown> => {
    throw optionError(path, `is not available for family "${name}" (${what} has no standard conjugate prior); fit without it`);
  };
}

export const gamma: Family<GammaComponent, { shapes: number[]; rates: number[] }, GammaOptions, "shapes" | "rates"> = {
  summary: "positive values; each component a gamma distribution (shape, rate)",
  shape: "values",
  missing: "values",
  options: { prior: priorRule },
  evalOptions: NONE,
  dataSettings: NONE,
  kernels: ["gammaPass"],
  plot: { kind: "density" },

  load(mem, data, _options, path, _dims, trusted) {
    return loadWithLog(mem, data, path, positiveProblem(false), trusted, false);
  },

  resolvePrior: noPrior("gamma", "the shape"),

  configure(): Spec<GammaComponent> {
    return {
      dims: 1, kernel: "gammaPass", workColumns: 0,
      thetaSize: 2, headerSize: 0, paramsSize: 3, statsSize: 3,
      initKeys: ["shapes", "rates"],
      settings: {},
      componentParameters: (k) => 2 * k,

      // Seeds are log x: shape 1 (exponential) with mean x; the seeding M-step then fits both.
      seed(seeds, _data, theta) {
        seeds.forEach((l, j) => { theta[2 * j] = 1; theta[2 * j + 1] = clamp(1 / M.exp(l), RATE_MIN, RATE_MAX); });
      },

      fromInit: scalarInit(["shapes", "rates"], (t, v, path) => {
        if (!(v > 0)) throw optionError(path, `must be a positive ${t === 0 ? "shape" : "rate"}, got ${v}`);
        return t === 0 ? clamp(v, SHAPE_MIN, SHAPE_MAX) : clamp(v, RATE_MIN, RATE_MAX);
      }),

      // c_j + α_j log x + β_j x: c_j = log w_j + a log b − log Γ(a), α_j = a − 1, β_j = −b.
      pack(theta, logWeights, _ds, params) {
        for (let j = 0; j < logWeights.length; j++) {
          const a = theta[2 * j], b = theta[2 * j + 1];
          params[3 * j] = logWeights[j] + a * M.log(b) - logGamma(a);
          params[3 * j + 1] = a - 1;
          params[3 * j + 2] = -b;
        }
      },

      // With n = Σr, x̄ = Σ r x / n, L = Σ r log x / n: the shape solves log a − ψ(a) = log x̄ − L
      // (Minka 2002, Newton: see solveShape), then the rate is a / x̄. Both are clamped to their
      // ranges; the expected log-likelihood, profiled over the rate, is concave in a, so EM stays monotone.
      // freeze (src/freeze.ts): the steps are joint, so with one held the other takes its own
      // conditional maximum — shape held: rate a / x̄; rate held: ψ(a) = log b + L (solveDigamma).
      maximize(stats, theta, k, _data, held) {
        forActive(stats, 3, k, (j, s) => {
          const mean = stats[s + 1] / stats[s];
          if (held?.[2 * j] || held?.[2 * j + 1]) {
            if (!held[2 * j]) theta[2 * j] = solveDigamma(M.log(theta[2 * j + 1]) + stats[s + 2] / stats[s]);
            else if (!held[2 * j + 1]) theta[2 * j + 1] = clamp(theta[2 * j] / mean, RATE_MIN, RATE_MAX);
            return;
          }
          const a = solveShape(M.log(mean) - stats[s + 2] / stats[s]);
          theta[2 * j] = a;
          theta[2 * j + 1] = clamp(a / mean, RATE_MIN, RATE_MAX);
        });
      },

      freeze: {
        shapes: { slots: (j) => [2 * j], parameters: (c) => c },
        rates: { slots: (j) => [2 * j + 1], parameters: (c) => c },
      },

      logPrior: () => 0,

      logJoint(params, j, x, offset, aux, i) {
        return params[3 * j] + aux![i] * params[3 * j + 1] + x[offset] * params[3 * j + 2];
      },

      component: (theta, j): GammaComponent => ({ shape: theta[2 * j], rate: theta[2 * j + 1] }),
      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["shape", "rate"], path);
        for (const [t, key] of [[0, "shape"], [1, "rate"]] as const) {
          const v = finite(o[key], `${path}.${key}`);
          if (!(v > 0)) throw optionError(`${path}.${key}`, `must be positive, got ${v}`);
          theta[2 * j + t] = v;
        }
      },

      // Marsaglia & Tsang (2000) for Gamma(a, 1) (Random.gamma), divided by the rate.
      sampler: noOptions(() => (theta, j, rng, out, offset) => { out[offset] = rng.gamma(theta[2 * j]) / theta[2 * j + 1]; }),

      plotDensity: noOptions(() => ({
        logDensity: (theta, j, v) => {
          const a = theta[2 * j], b = theta[2 * j + 1];
          return v <= 0 ? -Infinity : a * Math.log(b) - logGamma(a) + (a - 1) * Math.log(v) - b * v;
        },
      })),
    };
  },
};
