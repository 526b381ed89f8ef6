/**
 * mixem — mixture models fitted by Expectation-Maximization, with the hot loop in WebAssembly.
 *
 *     import { fit } from "mixem";
 *     const model = await fit([1.2, 0.8, 5.1, 4.9, 5.3], { family: "gaussian", k: 2 });
 */
import type { FamilyName } from "./family.js";
import { FAMILIES } from "./families/index.js";
import { COMMON_OPTIONS, checkOptions, numberList, weightList } from "./options.js";
import { runEM, type EMSettings, type IterationInfo } from "./em.js";
import { MixtureModel, type ModelSettings } from "./model.js";
import { getCore, init } from "./wasm.js";
import { optionError } from "./errors.js";

export { MixtureModel, loadModel } from "./model.js";
export type { Component, EvalOptions, SampleOptions, ModelJSON, ModelSettings, FitSummary } from "./model.js";
export type { GaussianComponent } from "./families/gaussian.js";
export type { PoissonComponent } from "./families/poisson.js";
export type { BinomialComponent } from "./families/binomial.js";
export type { FamilyName } from "./family.js";
export type { IterationInfo, StopReason } from "./em.js";
export { MixemError, type MixemErrorCode } from "./errors.js";
export { init, initSync } from "./wasm.js";

/** Explicit initial parameters, one value per component. `weights` defaults to equal. */
export type ExplicitInit =
  | { weights?: number[]; means: number[]; variances: number[] }
  | { weights?: number[]; lambdas: number[] }
  | { weights?: number[]; p: number[] };

export interface FitOptions {
  /** Component distribution (default "gaussian"). */
  family?: FamilyName;
  /** Number of components (required). */
  k: number;
  /** "kmeans++" (default), "random" (k distinct data values), or explicit parameters. */
  init?: "kmeans++" | "random" | ExplicitInit;
  /** "soft" (default): EM. "hard": classification EM, each point wholly in its most likely component. */
  mode?: "soft" | "hard";
  /** Keep the mixing weights at their initial values (equal, or `init.weights`). Default false. */
  fixWeights?: boolean;
  /** Maximum number of E+M iterations (default 500). */
  maxIter?: number;
  /** Stop when the mean log-likelihood per point changes by less than this (default 1e-8; 0 never stops early). */
  tol?: number;
  /** Restarts from different seeds; the best log-likelihood wins (default 1). */
  nInit?: number;
  /** Seed of the PRNG used for initialisation (default 0: the same data and options give the same fit). */
  seed?: number;
  /** Called after every iteration; return false to stop. */
  onIteration?: (info: IterationInfo) => boolean | void;
  /** Checked between iterations: once aborted, the fit throws `signal.reason`. */
  signal?: AbortSignal;
  /** Gaussian: floor on every variance, as a multiple of the data's variance (default 1e-6). */
  regCovar?: number;
  /** Binomial: trials per observation, one number or one per value (required). */
  trials?: number | ArrayLike<number>;
}

export const DEFAULTS = Object.freeze({ family: "gaussian" as FamilyName, mode: "soft" as const, fixWeights: false, maxIter: 500, tol: 1e-8, nInit: 1, seed: 0, init: "kmeans++" as const });

/**
 * Fits a k-component mixture to `data` (number[] or any numeric typed array) by EM.
 * Compiles the WebAssembly core on first use; the fit itself runs synchronously.
 */
export async function fit(data: ArrayLike<number>, options: FitOptions): Promise<MixtureModel> {
  await init();
  return fitSync(data, options);
}

/** As `fit`, without awaiting (Node, Workers, or after `await init()` in a browser). */
export function fitSync(data: ArrayLike<number>, options: FitOptions): MixtureModel {
  const familyName = (options as { family?: unknown } | null)?.family ?? DEFAULTS.family;
  COMMON_OPTIONS.family(familyName, "options.family");
  const family = FAMILIES[familyName as FamilyName];
  const o = checkOptions(options, { ...COMMON_OPTIONS, ...family.options });
  if (o.k === undefined) throw optionError("options.k", "is required (the number of components)");
  const k = o.k as number;
  const settings: EMSettings = {
    k,
    mode: (o.mode as EMSettings["mode"]) ?? DEFAULTS.mode,
    fixWeights: (o.fixWeights as boolean) ?? DEFAULTS.fixWeights,
    maxIter: (o.maxIter as number) ?? DEFAULTS.maxIter,
    tol: (o.tol as number) ?? DEFAULTS.tol,
    nInit: (o.nInit as number) ?? DEFAULTS.nInit,
    seed: (o.seed as number) ?? DEFAULTS.seed,
    init: DEFAULTS.init,
    onIteration: o.onIteration as EMSettings["onIteration"],
    signal: o.signal as AbortSignal | undefined,
  };
  if (typeof o.init === "object") {
    if (settings.nInit > 1) throw optionError("options.nInit", "must be 1 with an explicit init (restarts need random seeding)");
    settings.init = explicitInit(family, o.init as Record<string, unknown>, k);
  } else if (o.init !== undefined) {
    settings.init = o.init as "kmeans++" | "random";
  }
  const config = family.configure(o);
  settings.signal?.throwIfAborted?.();

  const core = getCore();
  const ds = family.load(core, data, config, "data");
  try {
    const r = runEM(core, family, config, ds, settings);
    const modelSettings: ModelSettings = { mode: settings.mode, fixWeights: settings.fixWeights };
    if (familyName === "gaussian") modelSettings.regCovar = (config as { regCovar: number }).regCovar;
    if (familyName === "binomial") modelSettings.trials = ds.aux ? null : ds.auxConst;
    return new MixtureModel(familyName as FamilyName, r.theta, r.weights, modelSettings, {
      logLikelihood: r.logLikelihood, history: r.history, iterations: r.iterations,
      converged: r.converged, stopReason: r.stopReason, nObservations: ds.n,
    });
  } finally {
    core.free(ds.x, ds.aux);
  }
}

function explicitInit(family: (typeof FAMILIES)[FamilyName], init: Record<string, unknown>, k: number) {
  const allowed = ["weights", ...family.initKeys];
  for (const key of Object.keys(init))
    if (!allowed.includes(key)) throw optionError(`options.init.${key}`, `is not an initial parameter of family "${family.name}" (expected ${allowed.join(", ")})`);
  const T = family.thetaSize;
  const theta = new Float64Array(k * T);
  family.initKeys.forEach((key, t) => {
    if (init[key] === undefined) throw optionError(`options.init.${key}`, `is required for an explicit ${family.name} init`);
    numberList(init[key], k, `options.init.${key}`).forEach((v, j) => {
      theta[j * T + t] = family.initValue(t, v, `options.init.${key}[${j}]`);
    });
  });
  const weights = init.weights === undefined ? undefined : weightList(init.weights, k, "options.init.weights");
  return { theta, weights };
}
