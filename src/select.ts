// Model selection over the number of components: fit each k (with restarts) and score it.
import { fitSyncWith } from "./fit-sync.js";
import type { DistributiveOmit, FamilyOfOptions, FitOptions, ModelData } from "./types.js";
import { MixtureModel } from "./model.js";
import { FAMILY_NAMES, familyOf, type FamilyName } from "./families/index.js";
import { COVARIANCE_MODELS, COVARIANCE_TYPES, type CovarianceType } from "./families/mvgaussian/covariance.js";
import { checkHcSubset, hcStarts, type HcStarts } from "./start.js";
import { COMMON_OPTIONS, resolveFit } from "./resolve.js";
import { loadDataset, withDataset } from "./dataset.js";
import { init, withBinary } from "./wasm.js";
import { fitInWorker, type WorkerFitOptions } from "./worker.js";
import { DEFAULTS } from "./defaults.js";
import { aic, bic } from "./criteria.js";
import { accumulate } from "./stats.js";
import { MixemError, optionError } from "./errors.js";
import { abortSignal, ownOptions } from "./options.js";
import { describe } from "./data.js";
import * as M from "./math.js";

export type Criterion = "bic" | "aic" | "icl";

/** mclust's order of its covariance models (the columns of its BIC table). */
export const MCLUST_ORDER = ["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"];

export interface SelectCommon {
  /** Smallest and largest k to try (inclusive). Default [1, 9] for mvgaussian (mclust's), else [1, 8]. */
  kRange?: [number, number];
  /** What picks the best (k, model) (lower is better for all three). Default "bic". */
  criterion?: Criterion;
  /** Called after each (k, model) is fitted (or failed). */
  onModel?: (entry: SelectionEntry) => void;
}

/**
 * selectK's options: fit's without `k`, and the range to search. mvgaussian: `covariance` may be
 * "all" (every covariance model, the default — as mclust's Mclust) or a list. `family` may be a
 * list of 1-D families: selection across families by the criterion. mvgaussian's default start is
 * init "hc" (mclust's); the other families keep k-means++ with 3 restarts.
 */
export type SelectOptions =
  | (DistributiveOmit<FitOptions, "k" | "covariance" | "labels" | "freeze"> & SelectCommon & { covariance?: CovarianceType | "all" | readonly CovarianceType[] })
  | (DistributiveOmit<FitOptions, "k" | "family" | "covariance" | "labels" | "freeze"> & SelectCommon & { family: readonly FamilyName[]; covariance?: CovarianceType | "all" | readonly CovarianceType[] });

/** The family a selection with options O returns models of. */
export type SelectFamilyOf<O> = O extends { family: readonly (infer F extends FamilyName)[] } ? F : FamilyOfOptions<O>;

export interface SelectionEntry<F extends FamilyName = FamilyName> {
  k: number;
  /** The family fitted (given when selecting across families, or always: the fit's family). */
  family: F;
  /** mvgaussian: the covariance model fitted (mixem's name), and `mclust`, mclust's name of it. */
  covariance?: string;
  mclust?: string;
  bic: number;
  aic: number;
  /** Integrated completed likelihood (mclust's): BIC − 2 Σ_i log max_k p(k | x_i). */
  icl: number;
  logLikelihood: number;
  nParameters: number;
  /** The fitted model; null when the fit failed (`error: "FAILED"`). */
  model: MixtureModel<F> | null;
  /**
   * "DEGENERATE" when the model has warnings (`model.warnings`: a component at the variance floor,
   * with fewer points than parameters, or singular): its scores are kept but it is never `best`
   * (mclust reports BIC = NA for such fits). "FAILED" when the fit could not finish (a covariance
   * singular even after the floor, a log-likelihood that is not finite): scores NaN, `model` null,
   * `reason` says why — mclust's NA cell. Absent for a sound fit.
   */
  error?: "DEGENERATE" | "FAILED";
  /** With error "FAILED": the fit's error message. */
  reason?: string;
  /** Components whose own points have no spread (see selectK): a reason for `error`, besides `model.warnings`. */
  spikes?: number[];
}

export interface Selection<F extends FamilyName = FamilyName> {
  criterion: Criterion;
  best: MixtureModel<F>;
  k: number;
  /** mvgaussian: the best entry's covariance model (mixem's name); family lists: see `family`. */
  covariance?: string;
  /** The best entry's family. */
  family: F;
  /** One entry per (k, model) tried, by k then model; k values that cannot be fitted (fewer distinct points) are left out. */
  scores: SelectionEntry<F>[];
  /**
   * True when every entry is degenerate or failed: `best` is then the least bad degenerate fit by
   * the criterion, and its `warnings` say why. False otherwise, and `best` is the best sound fit.
   */
  degenerate: boolean;
}

/** One (family, covariance) column of the search. */
interface Column { family: FamilyName; covariance?: CovarianceType; mclust?: string }

/** The columns a selection's options ask for (validated), and the k range. */
export function selectionPlan(data: ModelData, options: Record<string, unknown>): { columns: Column[]; kRange: [number, number]; mclustLike: boolean } {
  const families = (Array.isArray(options.family) ? options.family : [options.family ?? DEFAULTS.family]) as FamilyName[];
  if (families.length === 0) throw optionError("options.family", "must name at least one family");
  families.forEach((f, i) => { if (!familyOf(f)) throw optionError(Array.isArray(options.family) ? `options.family[${i}]` : "options.family", `must be one of ${FAMILY_NAMES.join(", ")}, got ${describe(f)}`); });
  if (Array.isArray(options.family) && new Set(families).size !== families.length) throw optionError("options.family", "names a family twice");
  // The families whose covariance models selectK searches (mvgaussian's, mclust's): asked of the registry.
  const withModels = (f: FamilyName) => familyOf(f)!.mclustModels === true;
  const mv = families.some(withModels);
  const cov = options.covariance ?? (mv ? "all" : undefined);
  if (cov !== undefined && !mv) throw optionError("options.covariance", `is an option of the families with covariance models (${FAMILY_NAMES.filter(withModels).join(", ")})`);
  const first = (data as ArrayLike<unknown>)?.[0];
  const dims = typeof options.dims === "number" ? options.dims : Array.isArray(first) || ArrayBuffer.isView(first) ? (first as ArrayLike<number>).length : 1;
  const columns: Column[] = [];
  for (const family of families) {
    if (!withModels(family)) { columns.push({ family }); continue; }
    let names: CovarianceType[];
    if (cov === "all") {
      // One per mclust model (aliases dropped), in mclust's order; in 1-D only E and V differ.
      const seen = new Set<string>();
      names = [];
      const ordered = [...COVARIANCE_TYPES].sort((a, b) => rank(COVARIANCE_MODELS[a].mclust) - rank(COVARIANCE_MODELS[b].mclust));
      for (const c of ordered) {
        const key = dims === 1 ? COVARIANCE_MODELS[c].mclust[0] : COVARIANCE_MODELS[c].mclust;
        if (!seen.has(key)) { seen.add(key); names.push(c); }
      }
      if (dims === 1) names.sort((a, b) => COVARIANCE_MODELS[a].mclust[0].localeCompare(COVARIANCE_MODELS[b].mclust[0])); // E, V
    } else if (typeof cov === "string") names = [cov as CovarianceType];
    else if (Array.isArray(cov) && cov.length > 0) names = cov as CovarianceType[];
    else throw optionError("options.covariance", `must be "all", a covariance model or a list of them, got ${describe(cov)}`);
    names.forEach((c, i) => { if (!COVARIANCE_TYPES.includes(c)) throw optionError(Array.isArray(cov) ? `options.covariance[${i}]` : "options.covariance", `must be one of ${COVARIANCE_TYPES.join(", ")} or "all", got ${describe(c)}`); });
    for (const c of names) columns.push({ family, covariance: c, mclust: dims === 1 ? COVARIANCE_MODELS[c].mclust[0] : COVARIANCE_MODELS[c].mclust });
  }
  const mclustLike = families.length === 1 && mv;
  const kRange = (options.kRange ?? (mclustLike ? [1, 9] : [1, 8])) as [number, number];
  if (!Array.isArray(kRange) || kRange.length !== 2 || !kRange.every((v) => Number.isInteger(v) && v >= 1 && v <= 1 << 20) || kRange[0] > kRange[1])
    throw optionError("options.kRange", `must be [min, max] with integers 1 ≤ min ≤ max, got ${describe(kRange)}`);
  return { columns, kRange, mclustLike };
}
const rank = (name: string) => { const i = MCLUST_ORDER.indexOf(name); return i < 0 ? MCLUST_ORDER.length : i; };

/** The options of one (k, column) fit. */
function fitOptionsOf(fitOptions: Record<string, unknown>, column: Column, k: number, mclustLike: boolean): FitOptions {
  const o: Record<string, unknown> = { ...fitOptions, family: column.family, k };
  if (column.covariance) o.covariance = column.covariance;
  else delete o.covariance;
  if (o.init === undefined && mclustLike) o.init = "hc";
  if (o.init === undefined || o.init === "kmeans++" || o.init === "random") o.nInit ??= 3;
  o.accelerate ??= o.mode === "hard" || o.init === "hc" ? "none" : "squarem"; // SQUAREM by default; mclust's EM from its hc start
  return o as unknown as FitOptions;
}

/** The entry of one fitted model (scores, degeneracy) or of a failed fit. */
function entryOf(data: ModelData, column: Column, k: number, got: MixtureModel | unknown, fitOptions: Record<string, unknown>): SelectionEntry {
  const base = { k, family: column.family, ...(column.covariance ? { covariance: column.covariance, mclust: column.mclust } : {}) };
  if (!(got instanceof MixtureModel)) {
    const reason = got instanceof Error ? got.message : String(got);
    return { ...base, bic: NaN, aic: NaN, icl: NaN, logLikelihood: NaN, nParameters: NaN, model: null, error: "FAILED", reason };
  }
  const model = got;
  const family = familyOf(column.family)!;
  // The fit options that evaluating the data again also needs (binomial: trials).
  const evalOptions = Object.fromEntries(Object.keys(family.evalOptions ?? {}).map((key) => [key, fitOptions[key]]));
  const n = model.nObservations;
  const proba = model.predictProba(data, evalOptions);
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 0; j < k; j++) best = Math.max(best, proba[i * k + j]);
    entropy += M.log(best);
  }
  const b = bic(model.logLikelihood, model.nParameters, n);
  const entry: SelectionEntry = { ...base, bic: b, aic: aic(model.logLikelihood, model.nParameters), icl: b - 2 * entropy, logLikelihood: model.logLikelihood, nParameters: model.nParameters, model };
  const spikes = spikesOf(model, data, evalOptions);
  if (spikes.length > 0) entry.spikes = spikes;
  if (model.warnings.length > 0 || spikes.length > 0) entry.error = "DEGENERATE";
  return entry;
}

/** Whether an error of a (k, model) fit makes that entry FAILED (rather than failing the selection). */
const cellFailure = (e: unknown) => e instanceof MixemError && e.code === "DEGENERATE";

/** The selection from its entries: the best sound entry by the criterion. */
function selectionOf(scores: SelectionEntry[], criterion: Criterion): Selection {
  const fitted = scores.filter((e) => e.model !== null && Number.isFinite(e[criterion]));
  if (fitted.length === 0) throw new MixemError("DEGENERATE", `no (k, model) of the selection could be fitted${scores[0]?.reason ? `: ${scores[0].reason}` : ""}`, "fit");
  const sound = fitted.filter((e) => e.error === undefined);
  const degenerate = sound.length === 0;
  const bestEntry = (degenerate ? fitted : sound).reduce((a, b) => (b[criterion] < a[criterion] ? b : a));
  return {
    criterion, best: bestEntry.model!, k: bestEntry.k, family: bestEntry.family,
    ...(bestEntry.covariance ? { covariance: bestEntry.covariance } : {}), scores, degenerate,
  };
}

function checkSelectOptions(options: unknown) {
  const all = ownOptions(options) as Record<string, unknown>;
  const { kRange: _k, criterion = "bic", onModel, onProgress: _p, signal: _s, ...rest } = all;
  if ("k" in rest && rest.k !== undefined) throw optionError("options.k", "is not an option of selectK: give kRange (the k to try)");
  if (rest.labels !== undefined) throw optionError("options.labels", "is not an option of selectK: fit one k with labels");
  if (rest.freeze !== undefined) throw optionError("options.freeze", "is not an option of selectK: fit one k with freeze");
  if (typeof criterion !== "string" || !["bic", "aic", "icl"].includes(criterion)) throw optionError("options.criterion", `must be one of "bic", "aic", "icl", got ${describe(criterion)}`);
  if (onModel !== undefined && typeof onModel !== "function") throw optionError("options.onModel", "must be a function");
  const { covariance: _c, family: _f, ...fitOptions } = rest;
  return { all, criterion: criterion as Criterion, onModel: onModel as ((e: SelectionEntry) => void) | undefined, fitOptions };
}

/**
 * Fits every k in kRange (and, for mvgaussian, every covariance model asked for; for a family
 * list, every family) and returns every score and the model with the lowest criterion. BIC =
 * −2 log L + p log n, AIC = −2 log L + 2p, ICL = BIC − 2 Σ_i log max_k z_ik, as mclust (whose BIC
 * has the opposite sign: higher is better there).
 *
 * mvgaussian by default answers as mclust's `Mclust(x)`: k = 1 … 9, every covariance model,
 * mclust's hierarchical start (init "hc"), computed once and shared by every k and model. A fit
 * that fails (a singular covariance) is entry `error: "FAILED"`, and a degenerate one (`model.warnings`)
 * `error: "DEGENERATE"`: neither is ever chosen (mclust's NA). If every entry is degenerate, the
 * least bad is returned with `degenerate: true`.
 */
export function selectK<const O extends SelectOptions>(data: ModelData, options?: O): Selection<SelectFamilyOf<O>>;
export function selectK(data: ModelData, options: SelectOptions = {}): Selection {
  const { all, criterion, onModel, fitOptions } = checkSelectOptions(options);
  const { columns, kRange, mclustLike } = selectionPlan(data, all);
  const starts = new Map<FamilyName, HcStarts>();
  const scores: SelectionEntry[] = [];
  const ks = Array.from({ length: kRange[1] - kRange[0] + 1 }, (_, i) => kRange[0] + i);
  const stopped = new Set<FamilyName>();
  for (const k of ks) {
    for (const column of columns) {
      if (stopped.has(column.family)) continue;
      const o = fitOptionsOf(fitOptions, column, k, mclustLike);
      let got: unknown;
      try {
        const hc = (o as { init?: unknown }).init === "hc";
        if (hc && !starts.has(column.family)) starts.set(column.family, startsFor(data, o, ks));
        got = fitSyncWith(data, o, hc ? starts.get(column.family) : undefined);
      } catch (e) {
        // Past the number of distinct points no larger k can be fitted either: stop there.
        if (k > kRange[0] && e instanceof MixemError && e.reason === "TOO_FEW_DISTINCT") { stopped.add(column.family); continue; }
        if (!cellFailure(e)) throw e;
        got = e;
      }
      const entry = entryOf(data, column, k, got, fitOptions);
      scores.push(entry);
      onModel?.(entry);
    }
  }
  return selectionOf(scores, criterion);
}

/** init "hc": the partitions at every k, from the data as the family loads it (once per family). */
function startsFor(data: ModelData, o: FitOptions, ks: number[]): HcStarts {
  withBinary();
  const r = resolveFit({ ...o, init: undefined } as FitOptions);
  return withDataset(loadDataset(r.family, data, r.options, "data"), (ds) =>
    hcStarts(Float64Array.from(ds.seedPoints.points), ds.n, ds.seedPoints.dims, ks, checkHcSubset((o as { hcSubset?: unknown }).hcSubset), (o as { seed?: number }).seed ?? 0));
}

/** selectKAsync's options: selectK's, and how to run the fits. */
export type SelectAsyncOptions = SelectOptions & {
  /** Workers fitting (k, model) pairs in parallel (default: the machine's cores, at most 4). */
  threads?: number;
  /** Called as each (k, model) fit finishes, with how many are done of how many. */
  onProgress?: (done: number, total: number, entry: SelectionEntry) => void;
  /** Once aborted, the selection stops its workers and rejects with `signal.reason`. */
  signal?: AbortSignal;
};

/**
 * selectK with the (k, model) fits run in parallel on `threads` workers (fitInWorker each); the
 * result is the same as selectK's. Progress per finished fit (`onProgress`), cancellation by `signal`.
 */
export async function selectKAsync<const O extends SelectAsyncOptions>(data: ModelData, options?: O): Promise<Selection<SelectFamilyOf<O>>>;
export async function selectKAsync(data: ModelData, options: SelectAsyncOptions = {}): Promise<Selection> {
  await init();
  const { all, criterion, onModel, fitOptions } = checkSelectOptions(options);
  const { threads: t, ...rest } = fitOptions;
  const { onProgress, signal } = all as { onProgress?: SelectAsyncOptions["onProgress"]; signal?: AbortSignal };
  if (onProgress !== undefined && typeof onProgress !== "function") throw optionError("options.onProgress", "must be a function");
  if (signal !== undefined) abortSignal(signal, "options.signal");
  if (t !== undefined) COMMON_OPTIONS.threads(t, "options.threads");
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => any } };
  const cores = g.navigator?.hardwareConcurrency ?? g.process?.getBuiltinModule?.("node:os")?.availableParallelism?.() ?? 1;
  const threads = (t as number | undefined) ?? Math.max(1, Math.min(4, cores));
  const { columns, kRange, mclustLike } = selectionPlan(data, all);
  const jobs: { k: number; column: Column; index: number }[] = [];
  for (let k = kRange[0]; k <= kRange[1]; k++) for (const column of columns) jobs.push({ k, column, index: jobs.length });
  const results: (SelectionEntry | undefined)[] = new Array(jobs.length);
  const tooFew = new Set<string>();
  let next = 0, done = 0;
  const run = async () => {
    while (next < jobs.length) {
      signal?.throwIfAborted();
      const job = jobs[next++];
      const o = fitOptionsOf(rest, job.column, job.k, mclustLike) as WorkerFitOptions;
      let got: unknown;
      try {
        got = await fitInWorker(data, { ...o, ...(signal ? { signal } : {}) } as WorkerFitOptions);
      } catch (e) {
        if (signal?.aborted) throw signal.reason ?? e;
        if (job.k > kRange[0] && e instanceof MixemError && e.reason === "TOO_FEW_DISTINCT") { tooFew.add(`${job.column.family}:${job.k}`); done++; continue; }
        if (!cellFailure(e)) throw e;
        got = e;
      }
      const entry = entryOf(data, job.column, job.k, got, rest);
      results[job.index] = entry;
      done++;
      onModel?.(entry);
      onProgress?.(done, jobs.length, entry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, run));
  // As selectK: a family stops at the first k it cannot fit.
  const scores = results.filter((e, i): e is SelectionEntry => {
    const job = jobs[i];
    for (let k = kRange[0] + 1; k <= job.k; k++) if (tooFew.has(`${job.column.family}:${k}`)) return false;
    return e !== undefined;
  });
  return selectionOf(scores, criterion);
}

/**
 * Components whose own points have no spread: holding at least one point's worth of responsibility,
 * with a responsibility-weighted variance about their mean at or below the variance floor
 * regCovar × var(data) in some dimension (or 1e-12 × var(data) without a floor) — a spike on a
 * repeated value. The parameters alone miss these when a prior holds the variance up.
 */
function spikesOf(model: MixtureModel, data: ModelData, evalOptions: Record<string, unknown>): number[] {
  const own = model.spec.ownVariance;
  const scale = model.settings.scale;
  if (!own || !Array.isArray(scale)) return [];
  const floor = Math.max(typeof model.settings.regCovar === "number" ? model.settings.regCovar : 0, 1e-12);
  const stats = Float64Array.from(accumulate(model, data, evalOptions).values);
  const width = stats.length / model.k;
  const out: number[] = [];
  for (let j = 0; j < model.k; j++) {
    if (!(stats[j * width] >= 1)) continue;
    if (own.call(model.spec, stats, j).some((v, a) => !(v > floor * scale[a] * (1 + 1e-9)))) out.push(j);
  }
  return out;
}
