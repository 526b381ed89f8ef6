// Options → the driver's settings (internal), shared by fitSync, fitStream, threaded fits and the
// workers: checked once, returned as plain data; then, once the data is loaded, the fit's spec.
import type { FitOptions } from "./types.js";
import type { DatasetParts, Family, Spec } from "./family.js";
import { FAMILY_NAMES, familyOf, type FamilyName } from "./families/index.js";
import { abortSignal, boolean, checkOptions, finiteAtLeast, func, initRule, integer, oneOf, ownOptions, weightList } from "./options.js";
import type { EMResult, EMSettings } from "./em.js";
import { MixtureModel } from "./model.js";
import { DEFAULTS } from "./defaults.js";
import { optionError } from "./errors.js";
import { checkHcSubset } from "./start.js";

/** Options every family takes. */
export const COMMON_OPTIONS = Object.freeze({
  family: oneOf(...FAMILY_NAMES),
  k: integer(1, 1 << 20),
  init: initRule,
  mode: oneOf("soft", "hard"),
  fixWeights: boolean,
  maxIter: integer(1),
  tol: finiteAtLeast(0),
  nInit: integer(1, 1e6),
  seed: integer(0, 2 ** 32 - 1), // every seed in this range starts a different stream (src/random.ts)
  onIteration: func,
  signal: abortSignal,
  threads: integer(1, 256),
  hcSubset: (v: unknown, path: string) => { checkHcSubset(v, path); },
});

/** A fit's options, checked: the family, the driver's settings (the prior comes with the data), the explicit init entries. */
export interface ResolvedFit {
  readonly familyName: FamilyName;
  readonly family: Family;
  /** The options as given (validated). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly k: number;
  readonly settings: Readonly<Omit<EMSettings, "prior">>;
  /** The explicit init object, checked against the family once the data's dimension is known. */
  readonly explicit: Readonly<Record<string, unknown>> | undefined;
  /** init "hc": the start is a partition's M-step (src/start.ts), made once the data is loaded. */
  readonly hc: boolean;
}

export function resolveFit(options: FitOptions): ResolvedFit {
  const given = ownOptions(options);
  const familyName = (given.family ?? DEFAULTS.family) as FamilyName;
  COMMON_OPTIONS.family(familyName, "options.family");
  const family = familyOf(familyName)!;
  const o = checkOptions(given, { ...COMMON_OPTIONS, ...family.options });
  if (o.k === undefined) throw optionError("options.k", "is required (the number of components)");
  const k = o.k as number;
  const explicit = typeof o.init === "object" ? ownOptions(o.init, "options.init") : undefined;
  const hc = o.init === "hc";
  const settings: Omit<EMSettings, "prior"> = {
    k,
    mode: (o.mode as EMSettings["mode"]) ?? DEFAULTS.mode,
    fixWeights: (o.fixWeights as boolean) ?? DEFAULTS.fixWeights,
    maxIter: (o.maxIter as number) ?? DEFAULTS.maxIter,
    tol: (o.tol as number) ?? DEFAULTS.tol,
    nInit: (o.nInit as number) ?? DEFAULTS.nInit,
    extraRestarts: o.nInit === undefined && !explicit && !hc ? DEFAULTS.extraRestarts : 0,
    seed: (o.seed as number) ?? DEFAULTS.seed,
    init: explicit || hc ? DEFAULTS.init : ((o.init as "kmeans++" | "random" | undefined) ?? DEFAULTS.init),
    onIteration: o.onIteration as EMSettings["onIteration"],
    signal: o.signal as AbortSignal | undefined,
  };
  if (explicit && settings.nInit > 1) throw optionError("options.nInit", "must be 1 with an explicit init (restarts need random seeding)");
  if (hc && settings.nInit > 1) throw optionError("options.nInit", 'must be 1 with init "hc" (the hierarchical start is deterministic)');
  settings.signal?.throwIfAborted?.();
  return { familyName, family, options: o, k, settings, explicit, hc };
}

/** The spec of a fit and its complete settings, once the data is loaded: the prior's defaults come from `ds`, the explicit init is checked. */
export function configureFit(r: ResolvedFit, ds: DatasetParts): { spec: Spec; settings: EMSettings } {
  const o = r.options;
  const prior = o.prior && o.prior !== false ? r.family.resolvePrior(o.prior, ds, r.k, o, "options.prior") : undefined;
  const spec = r.family.configure({ ...o, prior }, ds.dims);
  const settings: EMSettings = { ...r.settings, prior: prior as { weights: number } | undefined };
  if (r.explicit) settings.init = explicitInit(spec, r.familyName, r.explicit, r.k);
  return { spec, settings };
}

/** The model of a run's result; `dataSettings` are what the model keeps of its data (see Family.dataSettings). */
export function buildModel(r: ResolvedFit, spec: Spec, result: EMResult, n: number, dataSettings: Readonly<Record<string, unknown>>): MixtureModel {
  const settings = { mode: r.settings.mode, fixWeights: r.settings.fixWeights, ...spec.settings, ...dataSettings };
  return new MixtureModel(r.familyName, spec, result.theta, result.weights, settings, {
    logLikelihood: result.logLikelihood, history: result.history, iterations: result.iterations,
    converged: result.converged, stopReason: result.stopReason, nObservations: n,
    ...(result.logPosterior === undefined ? {} : { logPosterior: result.logPosterior, posteriorHistory: result.posteriorHistory }),
  });
}

function explicitInit(spec: Spec, family: FamilyName, init: Readonly<Record<string, unknown>>, k: number) {
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
