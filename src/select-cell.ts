// One cell of a selection — a (k, column) fit and its entry — as selectK runs it on the calling
// thread and selectKAsync's workers run it (src/worker-entry.ts): the same code, so the same numbers.
import { fitSyncWith } from "./fit-sync.js";
import type { FitOptions, ModelData } from "./types.js";
import { MixtureModel } from "./model.js";
import type { FamilyName } from "./families/index.js";
import { checkHcSubset, hcStarts, type HcStarts } from "./start.js";
import { resolveFit } from "./resolve.js";
import { loadDataset, withDataset } from "./dataset.js";
import { getCore, withBinary } from "./wasm.js";
import { Evaluator } from "./evaluator.js";
import type { Dataset } from "./family.js";
import { aic, bic } from "./criteria.js";
import { MixemError } from "./errors.js";
import type { SelectionEntry } from "./select.js";
import * as M from "./math.js";
import { countDistinct } from "./seeding.js";

/** mclust's EM tolerance, `emControl()$tol[1]`: a relative change of the log-likelihood (FitOptions.stop "relative"). */
export const MCLUST_TOL = 1e-5;

/** One (family, covariance) column of the search. */
export interface Column { family: FamilyName; covariance?: string; mclust?: string }

/** The options of one (k, column) fit. */
export function fitOptionsOf(fitOptions: Record<string, unknown>, column: Column, k: number, mclustLike: boolean): FitOptions {
  const o: Record<string, unknown> = { ...fitOptions, family: column.family, k };
  if (column.covariance) o.covariance = column.covariance;
  else delete o.covariance;
  // mclust's hc start, except with missing values (it needs complete rows): k-means++ there.
  if (o.init === undefined && mclustLike && o.missing !== "marginalize") o.init = "hc";
  // mclust's EM from its hc start stops at a relative change of 1e-5 (emControl()$tol[1]): so do these cells.
  if (o.init === "hc") { o.stop ??= "relative"; if (o.stop === "relative") o.tol ??= MCLUST_TOL; }
  if (o.init === undefined || o.init === "kmeans++" || o.init === "random") o.nInit ??= 3;
  o.accelerate ??= o.mode === "hard" || o.init === "hc" ? "none" : "squarem"; // SQUAREM by default; mclust's EM from its hc start
  return o as unknown as FitOptions;
}

/** The entry of one fitted model (scores, degeneracy) or of a failed fit; `ds`: the data as the fit loaded it. */
export function entryOf(column: Column, k: number, got: MixtureModel | unknown, ds: Dataset): SelectionEntry {
  const base = { k, family: column.family, ...(column.covariance ? { covariance: column.covariance, mclust: column.mclust } : {}) };
  if (!(got instanceof MixtureModel)) {
    const reason = got instanceof Error ? got.message : String(got);
    return { ...base, bic: NaN, aic: NaN, icl: NaN, logLikelihood: NaN, nParameters: NaN, model: null, error: "FAILED", reason };
  }
  const model = got;
  const n = model.nObservations;
  // Responsibilities (ICL) and statistics (spikes): one pass over the loaded data (predictProba's and accumulate's).
  const { proba, stats } = cellPass(model, ds);
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 0; j < k; j++) best = Math.max(best, proba[i * k + j]);
    entropy += M.log(best);
  }
  const b = bic(model.logLikelihood, model.nParameters, n);
  const entry: SelectionEntry = { ...base, bic: b, aic: aic(model.logLikelihood, model.nParameters), icl: b - 2 * entropy, logLikelihood: model.logLikelihood, nParameters: model.nParameters, model };
  const spikes = spikesOf(model, stats);
  if (spikes.length > 0) entry.spikes = spikes;
  if (model.warnings.length > 0 || spikes.length > 0) entry.error = "DEGENERATE";
  return entry;
}

/** Whether an error of a (k, model) fit makes that entry FAILED (rather than failing the selection). */
export const cellFailure = (e: unknown) => e instanceof MixemError && e.code === "DEGENERATE";


/** What the cells of one selection share: the data, the options, the hc partitions and each column's loaded data (free with freeCells). */
export interface CellContext {
  readonly data: ModelData;
  readonly fitOptions: Record<string, unknown>;
  readonly mclustLike: boolean;
  readonly ks: number[];
  readonly starts: Map<FamilyName, HcStarts>;
  readonly loaded: Map<string, Dataset>;
}

/**
 * Fits one (k, column) cell: its entry (FAILED when the fit fails as a cell may: cellFailure), or
 * "TOO_FEW" when k is above the smallest k tried and the data has fewer distinct points (no larger
 * k can be fitted either). Any other error is the selection's, thrown.
 */
export function fitCell(ctx: CellContext, column: Column, k: number): SelectionEntry | "TOO_FEW" {
  const o = fitOptionsOf(ctx.fitOptions, column, k, ctx.mclustLike);
  const key = `${column.family}:${column.covariance ?? ""}`;
  let got: unknown;
  try {
    const hc = (o as { init?: unknown }).init === "hc";
    if (!ctx.loaded.has(key)) { withBinary(); const r = resolveFit(o); ctx.loaded.set(key, loadDataset(r.family, ctx.data, r.options, "data")); }
    // Past the distinct points no k can be fitted (k-means++ refuses it; a quantile or hc start would
    // leave classes empty or on one value: mclust's NA): stopped here, as selectKAsync skips those cells.
    const distinct = distinctOf(ctx.loaded.get(key)!, ctx.ks[ctx.ks.length - 1]);
    if (k > ctx.ks[0] && k > distinct) return "TOO_FEW";
    if (hc && !ctx.starts.has(column.family)) ctx.starts.set(column.family, startsFor(ctx.data, o, fittable(ctx.ks, distinct)));
    got = fitSyncWith(ctx.data, o, hc ? ctx.starts.get(column.family) : undefined, ctx.loaded.get(key));
  } catch (e) {
    if (k > ctx.ks[0] && e instanceof MixemError && e.reason === "TOO_FEW_DISTINCT") return "TOO_FEW";
    if (!cellFailure(e)) throw e;
    got = e;
  }
  return entryOf(column, k, got, ctx.loaded.get(key)!);
}

/** The k of a selection that can be fitted on data with `distinct` points (the first is tried whatever it is): the hc partitions made. */
export const fittable = (ks: readonly number[], distinct: number) => ks.filter((k, i) => i === 0 || k <= distinct);

/** The distinct points of loaded data, counted up to `limit` (once per data set). */
const distinctCounts = new WeakMap<Dataset, number>();
function distinctOf(ds: Dataset, limit: number): number {
  let d = distinctCounts.get(ds);
  if (d === undefined) {
    const seeds = ds.seedPoints;
    distinctCounts.set(ds, (d = countDistinct(seeds, seeds.count ?? seeds.points.length / seeds.dims, limit, ds.weights?.array ?? null)));
  }
  return d;
}

/** Frees the cells' loaded data. */
export function freeCells(ctx: CellContext): void {
  for (const ds of ctx.loaded.values()) ds.free();
  ctx.loaded.clear();
}

/** init "hc": the partitions at every k, from the data as the family loads it (once per family). */
export function startsFor(data: ModelData, o: FitOptions, ks: number[]): HcStarts {
  withBinary();
  const r = resolveFit({ ...o, init: undefined } as FitOptions);
  return withDataset(loadDataset(r.family, data, r.options, "data"), (ds) =>
    hcStarts(ds.seedPoints, ds.n, ks, checkHcSubset((o as { hcSubset?: unknown }).hcSubset), (o as { seed?: number }).seed ?? 0, r.family, ds.weights?.array ?? null));
}


/**
 * Components whose own points have no spread: holding at least one point's worth of responsibility,
 * with a responsibility-weighted variance about their mean at or below the variance floor
 * regCovar × var(data) in some dimension (or 1e-12 × var(data) without a floor) — a spike on a
 * repeated value. The parameters alone miss these when a prior holds the variance up.
 */
function spikesOf(model: MixtureModel, stats: Float64Array): number[] {
  const own = model.spec.ownVariance;
  const scale = model.settings.scale;
  if (!own || !Array.isArray(scale)) return [];
  const floor = Math.max(typeof model.settings.regCovar === "number" ? model.settings.regCovar : 0, 1e-12);
  const width = stats.length / model.k;
  const out: number[] = [];
  for (let j = 0; j < model.k; j++) {
    if (!(stats[j * width] >= 1)) continue;
    if (own.call(model.spec, stats, j).some((v, a) => !(v > floor * scale[a] * (1 + 1e-9)))) out.push(j);
  }
  return out;
}

/** The model's responsibilities (n × k) and E-step statistics on data already loaded for it: one pass (predictProba's and accumulate's). */
function cellPass(model: MixtureModel, ds: Dataset): { proba: Float64Array; stats: Float64Array } {
  const mem = getCore().arena();
  const ev = new Evaluator(model.spec, model.k);
  try {
    const resp = mem.alloc((ds.missing ? ds.missing.rows : ds.n) * model.k); // every row as given (missing values: rows split off too)
    ev.run(ds, model.theta, model.weightArray, { hard: model.settings.mode === "hard", stats: true, respOut: resp });
    return { proba: resp.array.slice(), stats: ev.stats.slice() };
  } finally {
    ev.free();
    mem.free();
  }
}
