// Binomial: x heads out of n trials, θ_j = p_j. `trials` is one number or one per observation.
// Kernel: assembly/binomial.ts.
import type { Family } from "../family.js";
import { checkVector, copyIn, countProblem, describe } from "../data.js";
import { logChoose } from "../special.js";
import { dataError, optionError } from "../errors.js";
import { clampProbability, componentObject } from "./shared.js";

export interface BinomialComponent { p: number }
export interface BinomialConfig { trials: number | ArrayLike<number> | undefined }

const trialsRule = (v: unknown, path: string) => {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 1) throw optionError(path, `must be a positive integer, got ${v}`);
    return;
  }
  checkVector(v, path); // per observation: each value is checked when the data is loaded
};

export const binomial: Family<BinomialConfig, BinomialComponent> = {
  name: "binomial",
  kernel: "binomialPass",
  thetaSize: 1,
  headerSize: 1,
  paramsSize: 3,
  statsSize: 3,
  freeParameters: 1,
  initKeys: ["p"],
  options: { trials: trialsRule },

  configure: (o) => ({ trials: o.trials as BinomialConfig["trials"] }),

  load(core, data, config, path) {
    const { trials } = config;
    if (trials === undefined) throw optionError("options.trials", "is required for family \"binomial\" (a number of trials, or one per observation)");
    const n = checkVector(data, path);
    let aux = null;
    if (typeof trials !== "number") {
      if (trials.length !== n) throw optionError("options.trials", `has ${trials.length} values but the data has ${n}`);
      aux = copyIn(core, trials, "options.trials", (v) => (Number.isInteger(v) && v >= 1 ? null : `${v} is not a valid number of trials (a positive integer)`));
    }
    const nt = aux?.array;
    let x;
    try {
      x = copyIn(core, data, path, (v, i) => {
        const problem = countProblem(v);
        if (problem) return problem;
        const ni = nt ? nt[i] : (trials as number);
        return v > ni ? `${v} heads is more than the ${ni} trials` : null;
      });
    } catch (e) {
      core.free(aux);
      throw e;
    }
    const xv = x.array, tv = aux?.array;
    let logConstant = 0;
    for (let i = 0; i < n; i++) logConstant += logChoose(tv ? tv[i] : (trials as number), xv[i]);
    return { n, x, aux, logConstant, auxConst: typeof trials === "number" ? trials : 0, spread: 1 };
  },

  location: (ds, i) => ds.x.array[i] / (ds.aux ? ds.aux.array[i] : ds.auxConst),

  seed(seeds, _ds, _config, theta) {
    seeds.forEach((p, j) => { theta[j] = clampProbability(p); });
  },

  initValue(_key, value, path) {
    if (!(value >= 0 && value <= 1)) throw optionError(path, `must be a probability in [0, 1], got ${value}`);
    return clampProbability(value);
  },

  // Header: n (when constant). Per component: log w_j + x·logit p_j + n·log(1 − p_j) (+ log C(n, x)).
  pack(theta, logWeights, ds, params) {
    params[0] = ds.auxConst;
    for (let j = 0; j < logWeights.length; j++) {
      const p = theta[j], log1m = Math.log1p(-p);
      params[1 + 3 * j] = Math.log(p) - log1m;
      params[2 + 3 * j] = log1m;
      params[3 + 3 * j] = logWeights[j];
    }
  },

  // p_j = Σ r x / Σ r n.
  maximize(stats, s, theta, t) {
    theta[t] = clampProbability(stats[s + 1] / stats[s + 2]);
  },

  component: (theta, t) => ({ p: theta[t] }),
  fromComponent(c, theta, t, path) {
    const o = componentObject(c, ["p"], path);
    if (!(o.p > 0 && o.p < 1)) throw optionError(`${path}.p`, `must be a probability in (0, 1), got ${o.p}`);
    theta[t] = o.p;
  },

  sample(theta, t, rng, trials) {
    if (!(Number.isInteger(trials) && trials >= 1)) throw dataError("trials", `sampling a binomial needs a positive integer number of trials, got ${describe(trials)}`);
    return rng.binomial(trials, theta[t]);
  },
};
