// Binomial: x heads out of n trials, θ_j = p_j. `trials` is one number or one per observation.
// Kernel: assembly/binomial.ts.
import type { Family, Spec } from "../family.js";
import { checkVector, copyIn, countProblem, describe } from "../data.js";
import { logChoose } from "../special.js";
import { dataError, optionError } from "../errors.js";
import { clampProbability, componentObject, finite, forActive, needData, oneDimensional, scalarInit } from "./shared.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, logBetaDensity, priorNumber, priorObject, priorRule } from "../prior.js";
import * as M from "../math.js";

export interface BinomialComponent { p: number }

/**
 * Beta(a, b) prior on each p. Default: κ = shrinkage (0.01) pseudo-observations of the data's mean
 * number of trials n̄ at p = ½: a = b = 1 + κ n̄ / 2, so the MAP probability is
 * (Σ r x + κ n̄/2) / (Σ r n + κ n̄): never exactly 0 or 1. (Centring on the data's own proportion
 * would not help a data set whose proportion is itself 0 or 1.)
 */
export interface BinomialPrior { weights: number; a: number; b: number }

const trialsRule = (v: unknown, path: string) => {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 1) throw optionError(path, `must be a positive integer (up to 2^53), got ${v}`);
    return;
  }
  if (v === null) return; // a model fitted with per-observation trials stores null
  checkVector(v, path); // per observation: each value is checked when the data is loaded
};

export const binomial: Family = {
  name: "binomial",
  options: { trials: trialsRule, prior: priorRule },

  load(core, data, options, path) {
    const trials = options.trials as number | ArrayLike<number> | null | undefined;
    if (trials === undefined || trials === null) throw optionError("options.trials", "is required for family \"binomial\" (a number of trials, or one per observation)");
    const n = checkVector(data, path);
    let aux = null;
    if (typeof trials !== "number") {
      if (trials.length !== n) throw optionError("options.trials", `has ${trials.length} values but the data has ${n}`);
      aux = copyIn(core, trials, "options.trials", (v) => (Number.isSafeInteger(v) && v >= 1 ? null : `${v} is not a valid number of trials (a positive integer up to 2^53)`));
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
    return { n, dims: 1, x, aux, logConstant, auxConst: typeof trials === "number" ? trials : 0, scale: new Float64Array([1]) };
  },

  resolvePrior(raw, ds, _k, _options, path): BinomialPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "a", "b"], path);
    const kappa = priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path);
    const half = (key: string) => {
      const d = needData(ds, `${path}.${key}`), t = d.aux?.array;
      let trials = 0;
      for (let i = 0; i < d.n; i++) trials += (t ? t[i] : d.auxConst) / d.n;
      return 1 + (kappa * trials) / 2;
    };
    return {
      weights: dirichletAlpha(o, path),
      a: priorNumber(o, "a", () => half("a"), 1, false, path),
      b: priorNumber(o, "b", () => half("b"), 1, false, path),
    };
  },

  configure(options): Spec {
    const prior = options.prior as BinomialPrior | undefined;
    return {
      ...oneDimensional,
      kernel: "binomialPass",
      thetaSize: 1,
      headerSize: 1,
      paramsSize: 3,
      statsSize: 3,
      initKeys: ["p"],
      settings: prior ? { prior } : {},
      componentParameters: (k) => k,

      // Seeds on the proportions x/n.
      seedPoints(ds) {
        const x = ds.x.array, t = ds.aux?.array;
        return { points: Float64Array.from(x, (v, i) => v / (t ? t[i] : ds.auxConst)), dims: 1 };
      },

      seed(seeds, _ds, theta) {
        seeds.forEach((p, j) => { theta[j] = clampProbability(p); });
      },

      fromInit: scalarInit(["p"], (_t, v, path) => {
        if (!(v >= 0 && v <= 1)) throw optionError(path, `must be a probability in [0, 1], got ${v}`);
        return clampProbability(v);
      }),

      // Header: n (when constant). Per component: log w_j + x·logit p_j + n·log(1 − p_j) (+ log C(n, x)).
      pack(theta, logWeights, ds, params) {
        params[0] = ds.auxConst;
        for (let j = 0; j < logWeights.length; j++) {
          const p = theta[j], log1m = M.log1p(-p);
          params[1 + 3 * j] = M.log(p) - log1m;
          params[2 + 3 * j] = log1m;
          params[3 + 3 * j] = logWeights[j];
        }
      },

      // p_j = Σ r x / Σ r n; with the prior (the posterior mode) (Σ r x + a − 1) / (Σ r n + a + b − 2).
      maximize(stats, theta, k) {
        const a = prior ? prior.a - 1 : 0, ab = prior ? prior.a + prior.b - 2 : 0;
        forActive(stats, 3, k, (j, s) => { theta[j] = clampProbability((stats[s + 1] + a) / (stats[s + 2] + ab)); });
      },

      logPrior(theta, k) {
        let s = 0;
        if (prior) for (let j = 0; j < k; j++) s += logBetaDensity(theta[j], prior.a, prior.b);
        return s;
      },

      component: (theta, j): BinomialComponent => ({ p: theta[j] }),
      fromComponent(c, theta, j, path) {
        const p = finite(componentObject(c, ["p"], path).p, `${path}.p`);
        if (!(p > 0 && p < 1)) throw optionError(`${path}.p`, `must be a probability in (0, 1), got ${p}`);
        theta[j] = p;
      },

      sample(theta, j, rng, trials, out, offset) {
        if (!(Number.isInteger(trials) && trials >= 1)) throw dataError("trials", `sampling a binomial needs a positive integer number of trials, got ${describe(trials)}`);
        out[offset] = rng.binomial(trials, theta[j]);
      },
    };
  },
};
