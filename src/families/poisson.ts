// Poisson: θ_j = λ_j. Kernel: assembly/poisson.ts.
import type { Family } from "../family.js";
import { copyIn, countProblem } from "../data.js";
import { logFactorial } from "../special.js";
import { optionError } from "../errors.js";
import { componentObject, RATE_FLOOR } from "./shared.js";

export interface PoissonComponent { lambda: number }

export const poisson: Family<Record<string, never>, PoissonComponent> = {
  name: "poisson",
  kernel: "poissonPass",
  thetaSize: 1,
  headerSize: 0,
  paramsSize: 2,
  statsSize: 2,
  freeParameters: 1,
  initKeys: ["lambdas"],
  options: {},

  configure: () => ({}),

  load(core, data, _config, path) {
    const x = copyIn(core, data, path, countProblem);
    const v = x.array;
    let logConstant = 0;
    for (let i = 0; i < x.length; i++) logConstant -= logFactorial(v[i]);
    return { n: x.length, x, aux: null, logConstant, auxConst: 0, spread: 1 };
  },

  location: (ds, i) => ds.x.array[i],

  seed(seeds, _ds, _config, theta) {
    seeds.forEach((m, j) => { theta[j] = Math.max(m, RATE_FLOOR); });
  },

  initValue(_key, value, path) {
    if (!(value >= 0)) throw optionError(path, `must be a non-negative rate, got ${value}`);
    return Math.max(value, RATE_FLOOR);
  },

  // log w_j + x log λ_j − λ_j − log x!
  pack(theta, logWeights, _ds, params) {
    for (let j = 0; j < logWeights.length; j++) {
      params[2 * j] = Math.log(theta[j]);
      params[2 * j + 1] = logWeights[j] - theta[j];
    }
  },

  // λ_j = Σ r x / Σ r.
  maximize(stats, s, theta, t) {
    theta[t] = Math.max(stats[s + 1] / stats[s], RATE_FLOOR);
  },

  component: (theta, t) => ({ lambda: theta[t] }),
  fromComponent(c, theta, t, path) {
    const o = componentObject(c, ["lambda"], path);
    if (!(o.lambda > 0)) throw optionError(`${path}.lambda`, `must be positive, got ${o.lambda}`);
    theta[t] = o.lambda;
  },

  sample: (theta, t, rng) => rng.poisson(theta[t]),
};
