// Poisson: θ_j = λ_j. Kernel: assembly/poisson.ts.
import type { Family, Spec } from "../family.js";
import { copyIn, countProblem } from "../data.js";
import { logFactorial } from "../special.js";
import { optionError } from "../errors.js";
import { componentObject, finite, forActive, oneDimensional, RATE_FLOOR, scalarInit } from "./shared.js";

export interface PoissonComponent { lambda: number }

export const poisson: Family = {
  name: "poisson",
  options: {},

  load(core, data, _options, path) {
    const x = copyIn(core, data, path, countProblem);
    const v = x.array;
    let logConstant = 0;
    for (let i = 0; i < x.length; i++) logConstant -= logFactorial(v[i]);
    return { n: x.length, dims: 1, x, aux: null, logConstant, auxConst: 0, scale: new Float64Array([1]) };
  },

  configure(): Spec {
    return {
      ...oneDimensional,
      kernel: "poissonPass",
      thetaSize: 1,
      headerSize: 0,
      paramsSize: 2,
      statsSize: 2,
      initKeys: ["lambdas"],
      settings: {},
      componentParameters: (k) => k,

      seed(seeds, _ds, theta) {
        seeds.forEach((m, j) => { theta[j] = Math.max(m, RATE_FLOOR); });
      },

      fromInit: scalarInit(["lambdas"], (_t, v, path) => {
        if (!(v >= 0)) throw optionError(path, `must be a non-negative rate, got ${v}`);
        return Math.max(v, RATE_FLOOR);
      }),

      // log w_j + x log λ_j − λ_j − log x!
      pack(theta, logWeights, _ds, params) {
        for (let j = 0; j < logWeights.length; j++) {
          params[2 * j] = Math.log(theta[j]);
          params[2 * j + 1] = logWeights[j] - theta[j];
        }
      },

      // λ_j = Σ r x / Σ r.
      maximize(stats, theta, k) {
        forActive(stats, 2, k, (j, s) => { theta[j] = Math.max(stats[s + 1] / stats[s], RATE_FLOOR); });
      },

      component: (theta, j): PoissonComponent => ({ lambda: theta[j] }),
      fromComponent(c, theta, j, path) {
        const lambda = finite(componentObject(c, ["lambda"], path).lambda, `${path}.lambda`);
        if (!(lambda > 0)) throw optionError(`${path}.lambda`, `must be positive, got ${lambda}`);
        theta[j] = lambda;
      },

      sample(theta, j, rng, _trials, out, offset) {
        out[offset] = rng.poisson(theta[j]);
      },
    };
  },
};
