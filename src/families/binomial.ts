// Binomial: x heads out of n trials, θ_j = p_j. `trials` is one number or one per observation.
// Kernel: assembly/kernels/binomial.ts.
import type { Family, Spec } from "../family.js";
import { checkVector, copyIn, countProblem, describe } from "../data.js";
import { logChoose } from "../special.js";
import { MixemError, optionError } from "../errors.js";
import { clampProbability, forActive, needData, oneParameter } from "./shared.js";
import type { PriorOption } from "./shared.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, logBetaDensity, priorNumber, priorObject, priorRule, weightedMean } from "../prior.js";
import * as M from "../math.js";
import { coordinates } from "../squarem.js";

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

export interface BinomialOptions extends PriorOption {
  /** Binomial: trials per observation, one number or one per value (required). */
  trials: number | ArrayLike<number>;
}

/** The constant number of trials of a dataset (its settings), or 0 when they are per observation (in aux). */
const constantTrials = (settings: Readonly<Record<string, unknown>>) => (settings.trials as number | null) ?? 0;

/** Trials of a stored model: a positive integer, or null when the fit had one per observation. */
const storedTrials = (v: unknown, path: string) => {
  if (v !== null && !(typeof v === "number" && Number.isInteger(v) && v >= 1))
    throw new MixemError("INVALID_MODEL", `must be a positive integer or null, got ${describe(v)}`, path);
};

/** Trials for sampling or plotting: the option, or the fit's constant trials. */
function trialsFor(options: Readonly<Record<string, unknown>>, what: string): number {
  const trials = options.trials;
  if (!(typeof trials === "number" && trials >= 1)) throw optionError("options.trials", `is required to ${what} a binomial model fitted with per-observation trials`);
  return trials;
}

export const binomial: Family<BinomialComponent, { p: number[] }, BinomialOptions, "p"> = {
  summary: "x successes out of n trials (the `trials` option); each component a success probability p",
  shape: "values",
  missing: "values",
  options: { trials: trialsRule, prior: priorRule },
  evalOptions: { trials: trialsRule },
  dataSettings: { trials: storedTrials },
  perPoint: "trials",
  kernels: ["binomialPass"],
  plot: { kind: "counts", axis: "heads" },

  load(mem, data, options, path, _dims, trusted) {
    const trials = options.trials as number | ArrayLike<number> | null | undefined;
    if (trials === undefined || trials === null) throw optionError("options.trials", "is required for family \"binomial\" (a number of trials, or one per observation)");
    const n = checkVector(data, path);
    let aux = null;
    if (typeof trials !== "number") {
      if (trials.length !== n) throw optionError("options.trials", `has ${trials.length} values but the data has ${n}`);
      aux = copyIn(mem, trials, "options.trials", (v) => (Number.isSafeInteger(v) && v >= 1 ? null : `${v} is not a valid number of trials (a positive integer up to 2^53)`), trusted);
    }
    const nt = aux?.array;
    const x = copyIn(mem, data, path, (v, i) => {
      const problem = countProblem(v);
      if (problem) return problem;
      const ni = nt ? nt[i] : (trials as number);
      return v > ni ? `${v} heads is more than the ${ni} trials` : null;
    }, trusted);
    const xv = x.array, tv = aux?.array;
    let logConstant = 0;
    for (let i = 0; i < n; i++) logConstant += logChoose(tv ? tv[i] : (trials as number), xv[i]);
    // Seeds on the proportions x/n, written into WebAssembly memory when seeding first asks (no
    // JavaScript copy of the data; predict and score never ask).
    let proportions: typeof x | undefined;
    const seedPoints = {
      get points() {
        if (!proportions) {
          proportions = mem.alloc(n);
          const p = proportions.array, xv = x.array, t = aux?.array;
          for (let i = 0; i < n; i++) p[i] = xv[i] / (t ? t[i] : (trials as number));
        }
        return proportions.array;
      },
      dims: 1,
    };
    return { n, dims: 1, x, aux, logConstant, scale: new Float64Array([1]), seedPoints, settings: { trials: typeof trials === "number" ? trials : null } };
  },

  weightedConstant(ds, w) {
    const xv = ds.x.array, tv = ds.aux?.array, trials = ds.settings.trials as number;
    let c = 0;
    for (let i = 0; i < ds.n; i++) if (w[i] !== 0) c += w[i] * logChoose(tv ? tv[i] : trials, xv[i]);
    return c;
  },

  resolvePrior(raw, ds, _k, _options, path): BinomialPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "a", "b"], path);
    const kappa = priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path);
    const half = (key: string) => {
      const d = needData(ds, `${path}.${key}`), t = d.aux?.array;
      let trials = 0;
      if (d.weights) trials = t ? weightedMean(t, d.weights.array) : constantTrials(d.settings); // sample weights: Σ w n / Σ w
      else for (let i = 0; i < d.n; i++) trials += (t ? t[i] : constantTrials(d.settings)) / d.n;
      return 1 + (kappa * trials) / 2;
    };
    return {
      weights: dirichletAlpha(o, path),
      a: priorNumber(o, "a", () => half("a"), 1, false, path),
      b: priorNumber(o, "b", () => half("b"), 1, false, path),
    };
  },

  configure(options): Spec<BinomialComponent> {
    const prior = options.prior as BinomialPrior | undefined;
    return {
      dims: 1, kernel: "binomialPass", workColumns: 0,
      thetaSize: 1, headerSize: 1, paramsSize: 3, statsSize: 3,
      free: coordinates(["probability"]), // SQUAREM: logit p
      settings: prior ? { prior } : {},
      ...oneParameter<BinomialComponent>({
        initKey: "p", key: "p", clamp: clampProbability,
        valid: (v) => v >= 0 && v <= 1, what: "a probability in [0, 1]", stored: (v) => v > 0 && v < 1, storedWhat: "a probability in (0, 1)",
        logPrior: prior && ((v) => logBetaDensity(v, prior.a, prior.b)),
      }),

      // Header: n (when constant). Per component: log w_j + x·logit p_j + n·log(1 − p_j) (+ log C(n, x)).
      pack(theta, logWeights, ds, params) {
        params[0] = constantTrials(ds.settings);
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

      // log w_j + x·logit p_j + n·log(1 − p_j) + log C(n, x), n the point's trials.
      logJoint(params, j, x, offset, aux, i) {
        const n = aux ? aux[i] : params[0], v = x[offset];
        return params[3 + 3 * j] + (v * params[1 + 3 * j] + n * params[2 + 3 * j]) + logChoose(n, v);
      },

      sampler(options) {
        const trials = trialsFor(options, "sample");
        return (theta, j, rng, out, offset) => { out[offset] = rng.binomial(trials, theta[j]); };
      },

      // log Bin(v | n, p) = log C(n, v) + v log p + (n − v) log(1 − p), over 0 … n.
      plotDensity(options) {
        const trials = trialsFor(options, "plot");
        return {
          logDensity: (theta, j, v) => logChoose(trials, v) + v * Math.log(theta[j]) + (trials - v) * Math.log1p(-theta[j]),
          upTo: () => trials,
        };
      },
    };
  },
};
