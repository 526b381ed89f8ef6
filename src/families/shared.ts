// Pieces the family modules share.
import { MixemError, optionError } from "../errors.js";
import { copyIn, countProblem, describe } from "../data.js";
import { logFactorial } from "../special.js";
import { numberList } from "../options.js";
import type { Family, Points } from "../family.js";
import type { Region } from "../wasm.js";
import * as M from "../math.js";

/** A model's `scale` setting: the training data's variance per dimension (dataSettings of the Gaussian families). */
export const scaleRule = (v: unknown, path: string) => {
  if (v === undefined) return; // models stored before it was kept
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && x > 0 && Number.isFinite(x)))
    throw optionError(path, `must be an array of positive numbers (the data's variance per dimension), got ${describe(v)}`);
};

/** The `prior` option, which every family takes. */
export interface PriorOption {
  /**
   * MAP-EM with conjugate priors: `true` for the defaults, or an object of prior parameters
   * (`weights`: Dirichlet concentration ≥ 1, default 1; `shrinkage` κ, default 0.01; and per family
   * gaussian/mvgaussian `mean`, `dof`, `scale`; poisson `shape`, `rate`; binomial/bernoulli `a`, `b`;
   * exponential `shape`, `rate`; lognormal as gaussian, on log x; gamma and negbinomial have none).
   */
  prior?: boolean | Record<string, unknown>;
}

/** The `regCovar` option of the Gaussian families. */
export interface RegCovarOption {
  /** gaussian, mvgaussian: floor on every variance, as a multiple of the data's variance (default 1e-6). */
  regCovar?: number;
}

/** The `ridge` option of the Gaussian families. */
export interface RidgeOption {
  /**
   * gaussian, mvgaussian: a constant added to every variance (covariance diagonal) after each
   * M-step, as scikit-learn's `reg_covar` (absolute, not scaled by the data). Default: none. With
   * `regCovar: 0` the fit reproduces scikit-learn's; with both, the ridge is added first and the
   * floor applies to the sum.
   */
  ridge?: number;
}

/** The `dims` option of the families whose points are rows. */
export interface DimsOption {
  /** mvgaussian, bernoulli: values per row when the data is one flat row-major array. */
  dims?: number;
}

/** A variance that fell to 0 (no floor and no prior to hold it). */
export const collapsed = (j: number) =>
  new MixemError("DEGENERATE", `component ${j} collapsed onto a single value (variance 0); raise options.regCovar or use options.prior`, "fit");

/** A component whose expected count Σ r is at most this keeps its previous parameters. */
export const EMPTY_MASS = 1e-10;

/** log 2π as a literal (the double nearest it, which is also the core's log(2π)): no WebAssembly call at import time. */
export const LOG_2PI = 1.8378770664093453;

/** Calls f(j, s) for every component j with Σ r > EMPTY_MASS; s = j · statsSize. */
export function forActive(stats: Float64Array, statsSize: number, k: number, f: (j: number, s: number) => void): void {
  for (let j = 0; j < k; j++) if (stats[j * statsSize] > EMPTY_MASS) f(j, j * statsSize);
}

/** Checks that c is an object with exactly these keys; returns it. */
export function componentObject(c: unknown, keys: readonly string[], path: string): Record<string, unknown> {
  if (typeof c !== "object" || c === null || Array.isArray(c)) throw optionError(path, `must be an object with ${keys.join(", ")}, got ${describe(c)}`);
  const o = c as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!keys.includes(key)) throw optionError(`${path}.${key}`, `is not a parameter of this family (expected ${keys.join(", ")})`);
  for (const key of keys) if (o[key] === undefined) throw optionError(`${path}.${key}`, "is missing");
  return o;
}

/** A finite number. */
export function finite(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw optionError(path, `must be a finite number, got ${describe(v)}`);
  return v;
}

/**
 * fromInit for 1-D families: each init key is a list of k numbers, checked by `check`
 * (returns θ's value or throws), written at θ[j · keys.length + t].
 */
export function scalarInit(keys: readonly string[], check: (t: number, v: number, path: string) => number) {
  return (init: Readonly<Record<string, unknown>>, k: number, theta: Float64Array, path: string) => {
    keys.forEach((key, t) => {
      numberList(init[key], k, `${path}.${key}`).forEach((v, j) => {
        theta[j * keys.length + t] = check(t, v, `${path}.${key}[${j}]`);
      });
    });
  };
}

/** A family with one parameter per component (θ_j a number): what distinguishes it. */
export interface OneParameter {
  /** The explicit-init key (a list of k values) and the component's key. */
  initKey: string;
  key: string;
  /** Keeps a value in range (seeds and explicit init). */
  clamp: (v: number) => number;
  /** Explicit init: accepted values, and what the error says they must be. */
  valid: (v: number) => boolean;
  what: string;
  /** A stored component: accepted values, and what the error says they must be. */
  stored: (v: number) => boolean;
  storedWhat: string;
  /** log prior density of one parameter, with a prior. */
  logPrior?: (v: number) => number;
}

/** The Spec parts of a one-parameter family: init key and count, seeding, explicit init, the prior's density, the component in and out. */
export function oneParameter<C extends object>(o: OneParameter) {
  return {
    initKeys: [o.initKey],
    // freeze: each component's parameter has an M-step of its own (src/freeze.ts).
    freeze: { [o.initKey]: { slots: (j: number) => [j], parameters: (c: number) => c } },
    componentParameters: (k: number) => k,
    seed(seeds: Float64Array, _data: unknown, theta: Float64Array) {
      seeds.forEach((v, j) => { theta[j] = o.clamp(v); });
    },
    fromInit: scalarInit([o.initKey], (_t, v, path) => {
      if (!o.valid(v)) throw optionError(path, `must be ${o.what}, got ${v}`);
      return o.clamp(v);
    }),
    logPrior(theta: Float64Array, k: number) {
      let s = 0;
      if (o.logPrior) for (let j = 0; j < k; j++) s += o.logPrior(theta[j]);
      return s;
    },
    component: (theta: Float64Array, j: number) => ({ [o.key]: theta[j] }) as C,
    fromComponent(c: unknown, theta: Float64Array, j: number, path: string) {
      const v = finite(componentObject(c, [o.key], path)[o.key], `${path}.${o.key}`);
      if (!o.stored(v)) throw optionError(`${path}.${o.key}`, `must be ${o.storedWhat}, got ${v}`);
      theta[j] = v;
    },
  };
}

/** Probabilities stay in [PROB_FLOOR, 1 − PROB_FLOOR] so every log-density is finite. */
export const PROB_FLOOR = 1e-12;
export const clampProbability = (p: number) => Math.min(1 - PROB_FLOOR, Math.max(PROB_FLOOR, p));
/** Poisson rates stay at or above RATE_FLOOR (log 0 would make 0·log λ undefined). */
export const RATE_FLOOR = 1e-12;
/** The data region itself as seeding locations (the view re-made whenever it is read). */
export const regionPoints = (x: Region, dims: number): Points => ({ get points() { return x.array; }, dims });

/** No options beyond the fit's (evalOptions, dataSettings of most families). */
export const NONE = Object.freeze({});

/** A sampler or plot density that takes no options (the model's settings come merged in: ignored). */
export const noOptions = <T>(make: () => T) => (_options: Readonly<Record<string, unknown>>): T => make();

/** The data behind a default prior value; a loaded model has none, so every value must be given. */
export function needData<T>(ds: T | null, path: string): T {
  if (ds === null) throw optionError(path, "is missing (a stored prior lists every parameter)");
  return ds;
}

/** log N(x; mean, variance). */
export const logNormal = (x: number, mean: number, variance: number) =>
  -0.5 * (M.log(2 * Math.PI * variance) + ((x - mean) * (x - mean)) / variance);

/**
 * Loading counts (non-negative integers) for the count families (poisson, negbinomial): the
 * per-point constant is −log x!, summed as −Σ w_i log x_i! under sample weights.
 */
export const COUNTS: Pick<Family, "load" | "weightedConstant"> = {
  load(mem, data, _options, path, _dims, trusted) {
    const x = copyIn(mem, data, path, countProblem, trusted);
    const v = x.array;
    let logConstant = 0;
    for (let i = 0; i < x.length; i++) logConstant -= logFactorial(v[i]);
    return { n: x.length, dims: 1, x, aux: null, logConstant, scale: new Float64Array([1]), seedPoints: regionPoints(x, 1), settings: NONE };
  },
  weightedConstant(ds, w) {
    const v = ds.x.array;
    let c = 0;
    for (let i = 0; i < ds.n; i++) if (w[i] !== 0) c -= w[i] * logFactorial(v[i]);
    return c;
  },
};
