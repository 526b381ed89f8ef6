// Options → the driver's settings (internal), shared by fitSync, fitStream, threaded fits and the
// workers: checked once, returned as plain data; then, once the data is loaded, the fit's spec.
import type { FitOptions } from "./types.js";
import type { DatasetParts, Family, Spec } from "./family.js";
import { FAMILY_NAMES, familyOf, type FamilyName } from "./families/index.js";
import { abortSignal, boolean, checkOptions, finiteAtLeast, func, initRule, integer, oneOf, ownOptions, sampleWeightsRule, labelsRule, weightList } from "./options.js";
import type { EMResult, EMSettings } from "./em.js";
import { MixtureModel } from "./model.js";
import { DEFAULTS } from "./defaults.js";
import { optionError, readFailure } from "./errors.js";
import { checkHcSubset } from "./start.js";
import { arrowColumnsRule } from "./arrow.js";
import { freezeRule, frozenAt, readFreeze, type FreezeSettings } from "./freeze.js";

/** Options every family takes. */
export const COMMON_OPTIONS = Object.freeze({
  family: oneOf(...FAMILY_NAMES),
  k: integer(1, 1 << 20),
  init: initRule,
  mode: oneOf("soft", "hard"),
  fixWeights: boolean,
  maxIter: integer(1),
  tol: finiteAtLeast(0),
  stop: oneOf("perPoint", "relative"),
  nInit: integer(1, 1e6),
  seed: integer(0, 2 ** 32 - 1), // every seed in this range starts a different stream (src/random.ts)
  onIteration: func,
  signal: abortSignal,
  threads: integer(1, 256),
  sampleWeights: sampleWeightsRule,
  hcSubset: (v: unknown, path: string) => { checkHcSubset(v, path); },
  accelerate: oneOf("none", "squarem"),
  columns: arrowColumnsRule, // the columns of an Arrow table (a family with a `columns` option of its own overrides this rule)
  missing: oneOf("error", "marginalize"),
  labels: labelsRule,
  freeze: freezeRule,
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
  /** A warm start: the fitted model (or its JSON) given as init. */
  readonly warm: WarmStart | undefined;
  /** init "hc": the start is a partition's M-step (src/start.ts), made once the data is loaded. */
  readonly hc: boolean;
}

/** A model given as init: what a warm start takes of it. */
export interface WarmStart { family: string; k: number; dims: number | undefined; weights: ArrayLike<number>; components: readonly unknown[] }

/**
 * `init` as a fitted model (a MixtureModel, or its JSON: `format: "mixem-model"`), or undefined.
 * Of JSON only what a start needs is read here; its components are checked by the family in configureFit.
 */
function warmStart(init: unknown, k: number): WarmStart | undefined {
  let format: unknown;
  try {
    if (init instanceof MixtureModel) return { family: init.family, k: init.k, dims: init.dims, weights: init.weights, components: init.components };
    format = typeof init === "object" && init !== null ? (init as { format?: unknown }).format : undefined;
    // A model of another copy of mixem (its CommonJS build beside the ESM one, a per-family entry
    // such as mixem/gaussian): not this copy's MixtureModel, so read through its JSON.
    if (format === undefined && typeof (init as { toJSON?: unknown } | null)?.toJSON === "function" && Object.hasOwn(init as object, "theta")) {
      init = (init as { toJSON(): unknown }).toJSON();
      format = typeof init === "object" && init !== null ? (init as { format?: unknown }).format : undefined;
    }
  } catch (e) {
    throw readFailure(e, "INVALID_OPTION", "options.init"); // a getter or Proxy that throws, a revoked Proxy
  }
  if (format !== "mixem-model") return undefined;
  const m = ownOptions(init, "options.init");
  const family = m.family, components = m.components;
  if (typeof family !== "string") throw optionError("options.init.family", "must be a family name (a model's JSON)");
  if (!Array.isArray(components)) throw optionError("options.init.components", "must be an array (a model's JSON)");
  if (components.length !== k) throw optionError("options.init", `is a model of k = ${components.length} components; options.k is ${k}`);
  // The weights as stored (read once, checked), as from the model itself: renormalising would move
  // their last bits when they do not sum to exactly 1, and the warm start with them.
  return { family, k, dims: undefined, weights: weightList(m.weights, k, "options.init.weights", "INVALID_OPTION", true), components };
}

export function resolveFit(options: FitOptions): ResolvedFit {
  const given = ownOptions(options);
  const familyName = (given.family ?? DEFAULTS.family) as FamilyName;
  COMMON_OPTIONS.family(familyName, "options.family");
  const family = familyOf(familyName)!;
  const o = checkOptions(given, { ...COMMON_OPTIONS, ...family.options });
  if (o.k === undefined) throw optionError("options.k", "is required (the number of components)");
  const k = o.k as number;
  const warm = warmStart(o.init, o.k as number);
  const explicit = typeof o.init === "object" && !warm ? ownOptions(o.init, "options.init") : undefined;
  const hc = o.init === "hc";
  const settings: Omit<EMSettings, "prior"> = {
    k,
    mode: (o.mode as EMSettings["mode"]) ?? DEFAULTS.mode,
    fixWeights: (o.fixWeights as boolean) ?? DEFAULTS.fixWeights,
    maxIter: (o.maxIter as number) ?? DEFAULTS.maxIter,
    tol: (o.tol as number) ?? DEFAULTS.tol,
    stop: (o.stop as EMSettings["stop"]) ?? DEFAULTS.stop,
    nInit: (o.nInit as number) ?? DEFAULTS.nInit,
    extraRestarts: o.nInit === undefined && !explicit && !warm && !hc ? DEFAULTS.extraRestarts : 0,
    seed: (o.seed as number) ?? DEFAULTS.seed,
    init: explicit || warm || hc ? DEFAULTS.init : ((o.init as "kmeans++" | "random" | undefined) ?? DEFAULTS.init),
    onIteration: o.onIteration as EMSettings["onIteration"],
    signal: o.signal as AbortSignal | undefined,
    accelerate: (o.accelerate as EMSettings["accelerate"]) ?? DEFAULTS.accelerate,
  };
  if (settings.accelerate === "squarem" && settings.mode === "hard")
    throw optionError("options.accelerate", 'must be "none" with mode "hard" (SQUAREM accelerates soft EM)'); // hard assignments: no smooth map
  if ((explicit || warm) && settings.nInit > 1) throw optionError("options.nInit", `must be 1 with ${warm ? "a model as init" : "an explicit init"} (restarts need random seeding)`);
  if (hc && settings.nInit > 1) throw optionError("options.nInit", 'must be 1 with init "hc" (the hierarchical start is deterministic)');
  if (warm && warm.family !== familyName) throw optionError("options.init", `is a ${warm.family} model; this fit is family "${familyName}"`);
  if (warm && warm.k !== k) throw optionError("options.init", `is a model of k = ${warm.k} components; options.k is ${k}`);
  if (o.labels !== undefined && hc) throw optionError("options.labels", 'cannot be used with init "hc" (the hierarchical start ignores labels); use "kmeans++" (labelled components start at their class means) or an explicit init');
  settings.signal?.throwIfAborted?.();
  return { familyName, family, options: o, k, settings, explicit, warm, hc };
}

/** The spec of a fit and its complete settings, once the data is loaded: the prior's defaults come from `ds`, the explicit init is checked. */
export function configureFit(r: ResolvedFit, ds: DatasetParts): { spec: Spec; settings: EMSettings; freeze?: FreezeSettings } {
  const o = r.options;
  const prior = o.prior && o.prior !== false ? r.family.resolvePrior(o.prior, ds, r.k, o, "options.prior") : undefined;
  // The data's settings (what a model keeps of its data: categorical levels) are defaults under the options.
  const spec = r.family.configure({ ...ds.settings, ...o, prior }, ds.dims);
  const settings: EMSettings = { ...r.settings, prior: prior as { weights: number } | undefined };
  if (r.explicit) settings.init = explicitInit(spec, r.familyName, r.explicit, r.k);
  if (r.warm) settings.init = warmInit(spec, r.warm, ds.dims);
  let freeze: FreezeSettings | undefined;
  if (o.freeze !== undefined) {
    const f = readFreeze(o.freeze, spec, r.k, r.familyName);
    if (f.allWeights) settings.fixWeights = true; // the short form's meaning
    if (Object.keys(f.settings).length > 0) {
      if (typeof settings.init !== "object")
        throw optionError("options.freeze", `needs values to hold: explicit options.init or a fitted model (only { weights: true } may start from equal weights)`);
      const start = settings.init;
      settings.frozen = frozenAt(spec, f.settings, r.k, start.theta, start.weights ?? new Float64Array(r.k).fill(1 / r.k));
      freeze = f.settings;
    }
  }
  return { spec, settings, freeze };
}

/** The model of a run's result; `dataSettings` are what the model keeps of its data (see Family.dataSettings). */
export function buildModel(r: ResolvedFit, spec: Spec, result: EMResult, n: number, dataSettings: Readonly<Record<string, unknown>>, fit?: { settings: EMSettings; freeze?: FreezeSettings }, nMissing?: number): MixtureModel {
  const marginalize = r.options.missing === "marginalize";
  const settings = {
    mode: r.settings.mode, fixWeights: fit?.settings.fixWeights ?? r.settings.fixWeights, ...(marginalize ? { missing: "marginalize" as const } : {}), ...spec.settings, ...dataSettings,
    ...(result.scale && "scale" in dataSettings ? { scale: Array.from(result.scale) } : {}), // Spec.robustScale
    ...(fit?.freeze ? { freeze: fit.freeze } : {}),
  };
  return new MixtureModel(r.familyName, spec, result.theta, result.weights, settings, {
    logLikelihood: result.logLikelihood, history: result.history, ...(result.objective === undefined ? {} : { objective: result.objective }), iterations: result.iterations, passes: result.passes,
    converged: result.converged, stopReason: result.stopReason, nObservations: n,
    ...(marginalize ? { nMissing: nMissing ?? 0 } : {}),
    ...(result.logPosterior === undefined ? {} : { logPosterior: result.logPosterior, posteriorHistory: result.posteriorHistory }),
  });
}

/**
 * A warm start: the model's parameters and weights, exactly (so 5 iterations and 5 more from that
 * model are 10 in one go). Its components must be ones this fit's model can hold: read into this
 * fit's parameters and back, each must come out the same (a full covariance does not fit "diag").
 */
/** Whether two components hold the same numbers, each within `tol` relative (or absolute below 1), and the same shape. */
function sameNumbers(a: unknown, b: unknown, tol = 1e-10): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameNumbers(v, b[i], tol));
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((key) => Object.hasOwn(b, key) && sameNumbers((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], tol));
  }
  return a === b;
}

function warmInit(spec: Spec, warm: WarmStart, dims: number) {
  if (warm.dims !== undefined && warm.dims !== dims) throw optionError("options.init", `is a model of ${warm.dims} dimensions; the data has ${dims}`);
  const theta = new Float64Array(warm.k * spec.thetaSize);
  const heldBack = (j: number) => sameNumbers(spec.component(theta, j), warm.components[j]);
  const refused = (j: number) => optionError(`options.init.components[${j}]`, "is not a component this fit's model can hold (another covariance model or parameter constraint)");
  let bad = -1;
  warm.components.forEach((c, j) => {
    try {
      spec.fromComponent(c, theta, j, `options.init.components[${j}]`);
    } catch (e) {
      throw readFailure(e, "INVALID_OPTION", `options.init.components[${j}]`);
    }
    // Read in and back out, the component must come back: exactly, or within rounding for the
    // covariance models that store a decomposition (volume, shape, orientation) and so re-derive it.
    if (bad < 0 && !heldBack(j)) bad = j;
  });
  if (bad >= 0) {
    // Models whose components share a part (EVE, VVE: one orientation) are read jointly, as an
    // explicit init of the same parameters (means and covariances), and then must come back.
    const joint: Record<string, unknown[]> = {};
    for (const key of spec.initKeys) {
      const one = key.endsWith("s") ? key.slice(0, -1) : undefined;
      if (!one || !warm.components.every((c) => Object.hasOwn(c as object, one))) throw refused(bad);
      joint[key] = warm.components.map((c) => (c as Record<string, unknown>)[one]);
    }
    try {
      spec.fromInit(joint, warm.k, theta, "options.init");
    } catch {
      throw refused(bad);
    }
    // Those parameters must come back (the shared part is estimated by inner iterations to 1e-13:
    // to 1e-8; a decomposition's axes may come back in another order, so it is not compared).
    const read = Object.keys(joint).map((key) => key.slice(0, -1));
    for (let j = 0; j < warm.k; j++) {
      const back = spec.component(theta, j) as Record<string, unknown>, given = warm.components[j] as Record<string, unknown>;
      if (!read.every((key) => sameNumbers(back[key], given[key], 1e-8))) throw refused(j);
    }
  }
  return { theta, weights: Float64Array.from(warm.weights) };
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
