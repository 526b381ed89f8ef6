// A fitted mixture: parameters, fit diagnostics, and evaluation on new data through the same
// WASM kernels the fit used (so fit(x).predict(x) matches the fit's last E-step exactly).
import type { FamilyName, Spec } from "./family.js";
import type { StopReason } from "./em.js";
import { Evaluator } from "./evaluator.js";
import { FAMILIES } from "./families/index.js";
import { getCore } from "./wasm.js";
import { Random } from "./random.js";
import { MixemError, optionError } from "./errors.js";
import { checkOptions, integer, weightList } from "./options.js";
import { describe } from "./data.js";
import type { GaussianComponent } from "./families/gaussian.js";
import type { PoissonComponent } from "./families/poisson.js";
import type { BinomialComponent } from "./families/binomial.js";
import type { MvGaussianComponent } from "./families/mvgaussian.js";
import type { BernoulliComponent } from "./families/bernoulli.js";
import * as M from "./math.js";

export type Component = GaussianComponent | PoissonComponent | BinomialComponent | MvGaussianComponent | BernoulliComponent;

/** Data for a fitted model's methods: values (1-D families) or rows (mvgaussian, bernoulli). */
export type ModelData = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** Options of predict / predictProba / score / bic / aic. */
export interface EvalOptions {
  /** Binomial only: trials for the new data (one number or one per value); defaults to the fit's constant trials. */
  trials?: number | ArrayLike<number>;
}

export interface SampleOptions {
  /** PRNG seed (default 0). */
  seed?: number;
  /** Binomial only: the number of trials for every draw (defaults to the fit's constant trials). */
  trials?: number;
}

/** The settings a model keeps (they decide its parameter count and how new data is read). */
export interface ModelSettings {
  mode: "soft" | "hard";
  fixWeights: boolean;
  /** gaussian, mvgaussian: the variance floor used in the fit. */
  regCovar?: number;
  /** binomial: the constant number of trials of the fit, or null when it had one per observation. */
  trials?: number | null;
  /** mvgaussian: "full" | "tied" | "diag" | "spherical". */
  covariance?: string;
  /** mvgaussian, bernoulli: dimensions per point. */
  dims?: number;
  /** MAP-EM: the prior with every default resolved (see FitOptions.prior). */
  prior?: Record<string, unknown>;
  /** gaussian, mvgaussian: the fit data's variance per dimension (what regCovar's floor scales). */
  scale?: number[];
}

export interface FitSummary {
  logLikelihood: number;
  history: number[];
  /** MAP-EM only: log-likelihood + log prior density, at the result and after each iteration. */
  logPosterior?: number;
  posteriorHistory?: number[];
  iterations: number;
  converged: boolean;
  stopReason: StopReason;
  nObservations: number;
}

/** The serialised form: plain JSON, exact (every double survives JSON.stringify/parse). */
export interface ModelJSON {
  format: "mixem-model";
  version: 1;
  family: FamilyName;
  k: number;
  weights: number[];
  components: Component[];
  settings: ModelSettings;
  fit: FitSummary;
}

export class MixtureModel {
  readonly family: FamilyName;
  readonly k: number;
  /** Values per point (1 for gaussian, poisson, binomial). */
  readonly dims: number;
  /** Mixing weights (sum to 1). */
  readonly weights: readonly number[];
  /** Parameters of each component: {mean, variance} | {lambda} | {p}. */
  readonly components: readonly Component[];
  readonly settings: Readonly<ModelSettings>;
  /** Incomplete log-likelihood Σ_i log Σ_k w_k p(x_i | θ_k) of the training data at these parameters. */
  readonly logLikelihood: number;
  /** Log-likelihood after each iteration; the last equals `logLikelihood`. */
  readonly history: readonly number[];
  /**
   * MAP-EM only (undefined otherwise): log-likelihood + log p(θ) + log p(weights), with normalised
   * prior densities — the objective the fit increases — and its value after each iteration.
   */
  readonly logPosterior: number | undefined;
  readonly posteriorHistory: readonly number[] | undefined;
  readonly iterations: number;
  readonly converged: boolean;
  readonly stopReason: StopReason;
  readonly nObservations: number;

  /** @internal */
  readonly spec: Spec;
  /** @internal */
  readonly theta: Float64Array;
  /** @internal */
  readonly weightArray: Float64Array;

  /** @internal Use `fit` or `loadModel`. */
  constructor(family: FamilyName, spec: Spec, theta: Float64Array, weights: Float64Array, settings: ModelSettings, fit: FitSummary) {
    this.family = family;
    this.spec = spec;
    this.k = weights.length;
    this.dims = spec.dims;
    this.theta = theta;
    this.weightArray = weights;
    this.weights = Object.freeze(Array.from(weights));
    this.components = Object.freeze(Array.from({ length: this.k }, (_, j) => deepFreeze(spec.component(theta, j) as Component)));
    this.settings = Object.freeze({ ...settings });
    this.logLikelihood = fit.logLikelihood;
    this.history = Object.freeze([...fit.history]);
    this.logPosterior = fit.logPosterior;
    this.posteriorHistory = fit.posteriorHistory ? Object.freeze([...fit.posteriorHistory]) : undefined;
    this.iterations = fit.iterations;
    this.converged = fit.converged;
    this.stopReason = fit.stopReason;
    this.nObservations = fit.nObservations;
  }

  /** Number of free parameters: k × (per component) + (k − 1) weights unless they were fixed. */
  get nParameters(): number {
    return this.spec.componentParameters(this.k) + (this.settings.fixWeights ? 0 : this.k - 1);
  }

  /**
   * Responsibilities p(component j | x_i): a row-major Float64Array of n × k
   * (`proba[i * k + j]`).
   */
  predictProba(data: ModelData, options?: EvalOptions): Float64Array {
    return this.evaluate(data, options, true).proba!;
  }

  /** Most likely component of each value (0-based). */
  predict(data: ModelData, options?: EvalOptions): Int32Array {
    const proba = this.predictProba(data, options);
    const k = this.k, n = proba.length / k;
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
      labels[i] = best;
    }
    return labels;
  }

  /** Mean log-likelihood per value (as scikit-learn's `score`). */
  score(data: ModelData, options?: EvalOptions): number {
    const { logLikelihood, n } = this.evaluate(data, options, false);
    return logLikelihood / n;
  }

  /** Total log-likelihood of the data under the model. */
  logLikelihoodOf(data: ModelData, options?: EvalOptions): number {
    return this.evaluate(data, options, false).logLikelihood;
  }

  /** Bayesian information criterion −2 log L + p log n (lower is better; mclust reports its negative). */
  bic(data: ModelData, options?: EvalOptions): number {
    const { logLikelihood, n } = this.evaluate(data, options, false);
    return -2 * logLikelihood + this.nParameters * M.log(n);
  }

  /** Akaike information criterion −2 log L + 2p (lower is better). */
  aic(data: ModelData, options?: EvalOptions): number {
    return -2 * this.evaluate(data, options, false).logLikelihood + 2 * this.nParameters;
  }

  /**
   * Draws n points and the component each came from. `values` is n × dims, row-major
   * (n values for the 1-D families).
   */
  sample(n: number, options: SampleOptions = {}): { values: Float64Array; labels: Int32Array; dims: number } {
    integer(0, 2 ** 30)(n, "n");
    checkOptions(options, { seed: integer(Number.MIN_SAFE_INTEGER), trials: integer(1) });
    const trials = options.trials ?? this.settings.trials ?? NaN;
    if (this.family === "binomial" && !(trials >= 1)) throw optionError("options.trials", "is required to sample a binomial model fitted with per-observation trials");
    const rng = new Random(options.seed ?? 0);
    const d = this.dims;
    const values = new Float64Array(n * d), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let u = rng.uniform(), j = 0;
      while (j < this.k - 1 && u >= this.weightArray[j]) { u -= this.weightArray[j]; j++; }
      labels[i] = j;
      this.spec.sample(this.theta, j, rng, trials, values, i * d);
    }
    return { values, labels, dims: d };
  }

  toJSON(): ModelJSON {
    return {
      format: "mixem-model",
      version: 1,
      family: this.family,
      k: this.k,
      weights: [...this.weights],
      components: this.components.map((c) => JSON.parse(JSON.stringify(c))),
      settings: { ...this.settings },
      fit: {
        logLikelihood: this.logLikelihood,
        history: [...this.history],
        ...(this.logPosterior === undefined ? {} : { logPosterior: this.logPosterior, posteriorHistory: [...this.posteriorHistory!] }),
        iterations: this.iterations,
        converged: this.converged,
        stopReason: this.stopReason,
        nObservations: this.nObservations,
      },
    };
  }

  private evaluate(data: ModelData, options: EvalOptions | undefined, wantProba: boolean) {
    const fam = FAMILIES[this.family];
    const opts = checkOptions(options ?? {}, fam.options.trials ? { trials: fam.options.trials } : {});
    const core = getCore();
    const ds = fam.load(core, data, { ...this.settings, trials: opts.trials ?? this.settings.trials }, "data", this.dims);
    let ev: Evaluator;
    try {
      ev = new Evaluator(core, this.spec, this.k);
    } catch (e) {
      core.free(ds.x, ds.aux);
      throw e;
    }
    const resp = wantProba ? core.alloc(ds.n * this.k) : null;
    try {
      const logLikelihood = ev.run(ds, this.theta, this.weightArray, 0, resp ? resp.ptr : 0);
      return { logLikelihood, n: ds.n, proba: resp ? resp.array.slice() : undefined };
    } finally {
      ev.free();
      core.free(resp, ds.x, ds.aux);
    }
  }
}

/** Rebuilds a model from `model.toJSON()` (after any JSON round trip), validating every field. */
export function loadModel(json: unknown): MixtureModel {
  const bad = (path: string, msg: string) => new MixemError("INVALID_MODEL", msg, path);
  const obj = (v: unknown, path: string) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(path, `must be an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  };
  const m = obj(json, "model");
  if (m.format !== "mixem-model") throw bad("model.format", `must be "mixem-model", got ${describe(m.format)}`);
  if (m.version !== 1) throw bad("model.version", `unsupported version ${describe(m.version)} (this mixem reads version 1)`);
  const family = m.family as FamilyName;
  if (typeof family !== "string" || !Object.hasOwn(FAMILIES, family)) throw bad("model.family", `unknown family ${describe(m.family)}`);
  const fam = FAMILIES[family];
  const k = m.k;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) throw bad("model.k", `must be a positive integer, got ${describe(k)}`);
  const weights = weightList(m.weights, k, "model.weights", "INVALID_MODEL");
  if (!Array.isArray(m.components) || m.components.length !== k) throw bad("model.components", `must be an array of ${k} components`);
  const s = obj(m.settings, "model.settings");
  if (s.mode !== "soft" && s.mode !== "hard") throw bad("model.settings.mode", `must be "soft" or "hard", got ${describe(s.mode)}`);
  if (typeof s.fixWeights !== "boolean") throw bad("model.settings.fixWeights", `must be true or false, got ${describe(s.fixWeights)}`);
  const { mode: _m, fixWeights: _f, ...familySettings } = s;
  const dims = familySettings.dims ?? 1;
  if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1) throw bad("model.settings.dims", `must be a positive integer, got ${describe(dims)}`);
  let spec: Spec;
  try {
    checkOptions(familySettings, { ...fam.options, dims: integer(1, 1 << 20), scale: scaleRule }, "model.settings");
    if (familySettings.scale !== undefined && (familySettings.scale as number[]).length !== dims)
      throw optionError("model.settings.scale", `must have ${dims} values (one per dimension)`);
    if (familySettings.prior !== undefined)
      familySettings.prior = fam.resolvePrior(familySettings.prior, null, k, { ...familySettings, dims }, "model.settings.prior");
    spec = fam.configure(familySettings, dims);
  } catch (e) {
    throw e instanceof MixemError ? new MixemError("INVALID_MODEL", e.message) : e;
  }
  if (!Array.isArray(m.components) || m.components.length !== k) throw bad("model.components", `must be an array of ${k} components`);
  const theta = new Float64Array(k * spec.thetaSize);
  m.components.forEach((c, j) => {
    try {
      spec.fromComponent(c, theta, j, `model.components[${j}]`);
    } catch (e) {
      throw e instanceof MixemError ? new MixemError("INVALID_MODEL", e.message) : e;
    }
  });
  const settings: ModelSettings = { mode: s.mode, fixWeights: s.fixWeights, ...(spec.settings as Partial<ModelSettings>) };
  if (familySettings.scale !== undefined) settings.scale = [...(familySettings.scale as number[])];
  if (family === "binomial") {
    if (s.trials !== null && !(typeof s.trials === "number" && Number.isInteger(s.trials) && s.trials >= 1))
      throw bad("model.settings.trials", `must be a positive integer or null, got ${describe(s.trials)}`);
    settings.trials = s.trials as number | null;
  }
  const f = obj(m.fit, "model.fit");
  const history = f.history;
  const finiteList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
  if (!finiteList(history)) throw bad("model.fit.history", "must be an array of finite numbers");
  if (typeof f.logLikelihood !== "number" || !Number.isFinite(f.logLikelihood)) throw bad("model.fit.logLikelihood", `must be a finite number, got ${describe(f.logLikelihood)}`);
  for (const key of ["iterations", "nObservations"] as const)
    if (typeof f[key] !== "number" || !Number.isInteger(f[key]) || (f[key] as number) < 0) throw bad(`model.fit.${key}`, `must be a non-negative integer, got ${describe(f[key])}`);
  if (typeof f.converged !== "boolean") throw bad("model.fit.converged", "must be true or false");
  if (!["converged", "maxIter", "callback"].includes(f.stopReason as string)) throw bad("model.fit.stopReason", `unknown stop reason ${describe(f.stopReason)}`);
  const summary: FitSummary = {
    logLikelihood: f.logLikelihood as number, history: history as number[], iterations: f.iterations as number,
    converged: f.converged, stopReason: f.stopReason as StopReason, nObservations: f.nObservations as number,
  };
  if (settings.prior !== undefined) {
    const ph = f.posteriorHistory;
    if (typeof f.logPosterior !== "number" || !Number.isFinite(f.logPosterior)) throw bad("model.fit.logPosterior", `must be a finite number for a model with a prior, got ${describe(f.logPosterior)}`);
    if (!finiteList(ph)) throw bad("model.fit.posteriorHistory", "must be an array of finite numbers");
    summary.logPosterior = f.logPosterior;
    summary.posteriorHistory = ph as number[];
  }
  return new MixtureModel(family, spec, theta, weights, settings, summary);
}

const scaleRule = (v: unknown, path: string) => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && x > 0 && Number.isFinite(x)))
    throw optionError(path, `must be an array of positive numbers (the data's variance per dimension), got ${describe(v)}`);
};

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
