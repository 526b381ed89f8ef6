// Options → the driver's settings, shared by fitSync, fitStream and threaded fits (internal).
import type { FitOptions } from "./index.js";
import type { Dataset, FamilyName, Spec } from "./family.js";
import { FAMILIES } from "./families/index.js";
import { COMMON_OPTIONS, checkOptions, weightList } from "./options.js";
import type { EMResult, EMSettings } from "./em.js";
import { MixtureModel, type ModelSettings } from "./model.js";
import { optionError } from "./errors.js";

export const DEFAULTS = Object.freeze({ family: "gaussian" as FamilyName, mode: "soft" as const, fixWeights: false, maxIter: 500, tol: 1e-8, nInit: 1, seed: 0, init: "kmeans++" as const });

/** Options checked and resolved into the driver's settings (shared by fitSync and fitStream). */
export function resolveFit(options: FitOptions) {
  const familyName = ((options as { family?: unknown } | null)?.family ?? DEFAULTS.family) as FamilyName;
  COMMON_OPTIONS.family(familyName, "options.family");
  const family = FAMILIES[familyName];
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
    init: (o.init as "kmeans++" | "random" | undefined) ?? DEFAULTS.init,
    onIteration: o.onIteration as EMSettings["onIteration"],
    signal: o.signal as AbortSignal | undefined,
  };
  const explicit = typeof o.init === "object" ? (o.init as Record<string, unknown>) : undefined;
  if (explicit && settings.nInit > 1) throw optionError("options.nInit", "must be 1 with an explicit init (restarts need random seeding)");
  settings.signal?.throwIfAborted?.();
  /** Resolves the prior (defaults from ds) and the explicit init once the data's dimension is known. */
  const configure = (ds: Dataset) => {
    const prior = o.prior && o.prior !== false ? family.resolvePrior(o.prior, ds, k, o, "options.prior") : undefined;
    settings.prior = prior as { weights: number } | undefined;
    const spec = family.configure({ ...o, prior }, ds.dims);
    if (explicit) settings.init = explicitInit(spec, familyName, explicit, k);
    return spec;
  };
  /** The model from a run's result. */
  const model = (spec: Spec, r: EMResult, n: number, scale: Float64Array, trials: number | null) => {
    const modelSettings: ModelSettings = { mode: settings.mode, fixWeights: settings.fixWeights, ...(spec.settings as Partial<ModelSettings>) };
    if (familyName === "binomial") modelSettings.trials = trials;
    if (familyName === "gaussian" || familyName === "mvgaussian") modelSettings.scale = Array.from(scale);
    return new MixtureModel(familyName, spec, r.theta, r.weights, modelSettings, {
      logLikelihood: r.logLikelihood, history: r.history, iterations: r.iterations,
      converged: r.converged, stopReason: r.stopReason, nObservations: n,
      ...(r.logPosterior === undefined ? {} : { logPosterior: r.logPosterior, posteriorHistory: r.posteriorHistory }),
    });
  };
  return { familyName, family, o, k, settings, configure, model };
}

function explicitInit(spec: Spec, family: FamilyName, init: Record<string, unknown>, k: number) {
  const allowed = ["weights", ...spec.initKeys];
  for (const key of Object.keys(init))
    if (!allowed.includes(key)) throw optionError(`options.init.${key}`, `is not an initial parameter of family "${family}" (expected ${allowed.join(", ")})`);
  for (const key of spec.initKeys)
    if (init[key] === undefined) throw optionError(`options.init.${key}`, `is required for an explicit ${family} init`);
  const theta = new Float64Array(k * spec.thetaSize);
  spec.fromInit(init, k, theta, "options.init");
  const weights = init.weights === undefined ? undefined : weightList(init.weights, k, "options.init.weights");
  return { theta, weights };
}
