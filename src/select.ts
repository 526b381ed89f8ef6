// Model selection over the number of components: fit each k (with restarts) and score it.
import type { DistributiveOmit, FamilyOfOptions, FitOptions, FitOptionsFor, ModelData } from "./types.js";
import { modelFromParts, type MixtureModel } from "./model.js";
import type { Spec } from "./family.js";
import { FAMILY_NAMES, familyOf, type FamilyName } from "./families/index.js";
import { COMMON_OPTIONS, resolveFit } from "./resolve.js";
import { loadDataset, withDataset } from "./dataset.js";
import { compiledCore, init } from "./wasm.js";
import { dataSettingsOf, errorFrom, loadWorkerSource, sendable, snapshotOptions, startWorker, unsendable, type WorkerHandle } from "./worker.js";
import type { SelectRequest, WorkerReply } from "./worker-protocol.js";
import { cellFailure, fitCell, fitOptionsOf, fittable, freeCells, startsFor, type CellContext, type Column } from "./select-cell.js";
import { DEFAULTS } from "./defaults.js";
import { jsAllocation, MixemError, optionError } from "./errors.js";
import { abortSignal, ownOptions } from "./options.js";
import { describe, peek } from "./data.js";
import { arrowDims, arrowKind, arrowRows } from "./arrow.js";
import { restoreRows } from "./missing.js";
import { countDistinct } from "./seeding.js";

export type Criterion = "bic" | "aic" | "icl";

/** mclust's order of its covariance models (the columns of its BIC table). */
export const MCLUST_ORDER = ["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"];

export interface SelectCommon {
  /** Smallest and largest k to try (inclusive). Default [1, 9] for gaussian or mvgaussian alone (mclust's), else [1, 8]. */
  kRange?: [number, number];
  /** What picks the best (k, model) (lower is better for all three). Default "bic". */
  criterion?: Criterion;
  /** Called after each (k, model) is fitted (or failed). */
  onModel?: (entry: SelectionEntry) => void;
}

/**
 * selectK's options: fit's without `k`, and the range to search. mvgaussian and gaussian: `covariance`
 * may be "all" (every covariance model, the default — as mclust's Mclust: gaussian's "E" and "V";
 * mvgaussian's 14, with `prior` the 10 that have one, as Mclust with a prior), a model or a list.
 * `family` may be a list of 1-D families: selection across families by the criterion (a family
 * with models is all of them there). gaussian's or mvgaussian's default start alone is init "hc"
 * (mclust's); the other families, and lists, keep k-means++ with 3 restarts.
 */
export type SelectOptions =
  | (DistributiveOmit<FitOptions, "k" | "covariance" | "labels" | "freeze"> & SelectCommon & { covariance?: CovarianceModelName | "all" | readonly CovarianceModelName[] })
  | (DistributiveOmit<FitOptions, "k" | "family" | "covariance" | "labels" | "freeze"> & SelectCommon & { family: readonly FamilyName[]; covariance?: CovarianceModelName | "all" | readonly CovarianceModelName[] });

/** The covariance models of every family that has them (mvgaussian's 18 names, gaussian's "E" and "V"). */
export type CovarianceModelName = NonNullable<{ [F in FamilyName]: FitOptionsFor<F> extends { covariance?: infer C } ? C : never }[FamilyName]>;

/** The family a selection with options O returns models of. */
export type SelectFamilyOf<O> = O extends { family: readonly (infer F extends FamilyName)[] } ? F : FamilyOfOptions<O>;

export interface SelectionEntry<F extends FamilyName = FamilyName> {
  k: number;
  /** The family fitted (given when selecting across families, or always: the fit's family). */
  family: F;
  /** gaussian, mvgaussian: the covariance model fitted (mixem's name), and `mclust`, mclust's name of it. */
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
  /** gaussian, mvgaussian: the best entry's covariance model (mixem's name), and `mclust`, mclust's name of it ("VVV"; "E"/"V" in 1-D); family lists: see `family`. */
  covariance?: string;
  mclust?: string;
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

/** The columns a selection's options ask for (validated), and the k range. */
export function selectionPlan(data: ModelData, options: Record<string, unknown>): { columns: Column[]; kRange: [number, number]; mclustLike: boolean } {
  const families = (Array.isArray(options.family) ? options.family : [options.family ?? DEFAULTS.family]) as FamilyName[];
  if (families.length === 0) throw optionError("options.family", "must name at least one family");
  families.forEach((f, i) => { if (!familyOf(f)) throw optionError(Array.isArray(options.family) ? `options.family[${i}]` : "options.family", `must be one of ${FAMILY_NAMES.join(", ")}, got ${describe(f)}`); });
  if (Array.isArray(options.family) && new Set(families).size !== families.length) throw optionError("options.family", "names a family twice");
  // The families whose covariance models selectK searches (mclust's): asked of the registry.
  const withModels = (f: FamilyName) => familyOf(f)!.mclustModels !== undefined;
  const mv = families.some(withModels);
  const cov = options.covariance ?? (mv ? "all" : undefined);
  if (cov !== undefined && !mv) throw optionError("options.covariance", `is an option of the families with covariance models (${FAMILY_NAMES.filter(withModels).join(", ")})`);
  // A first look (a throwing getter or Proxy reads as 1-D here; the fit's load names the problem).
  const first = peek(() => (arrowKind(data) ? undefined : (data as ArrayLike<unknown>)?.[0]), undefined);
  const dims = typeof options.dims === "number" ? options.dims : arrowKind(data) ? arrowDims(data, familyOf(families[0])!, options)
    : peek(() => (Array.isArray(first) || ArrayBuffer.isView(first) ? (first as ArrayLike<number>).length : 1), 1);
  const columns: Column[] = [];
  for (const family of families) {
    const models = familyOf(family)!.mclustModels;
    if (!models) { columns.push({ family }); continue; }
    let names: string[];
    if (cov === "all") names = [...models.all(dims, options.prior !== undefined && options.prior !== false)];
    else if (typeof cov === "string") names = [cov];
    else if (Array.isArray(cov) && cov.length > 0) names = cov as string[];
    else throw optionError("options.covariance", `must be "all", a covariance model or a list of them, got ${describe(cov)}`);
    // The family's own rule says what it takes (its message, with "all" added).
    const rule = familyOf(family)!.options.covariance;
    names.forEach((c, i) => {
      try { rule(c, Array.isArray(cov) ? `options.covariance[${i}]` : "options.covariance"); } catch (e) {
        if (!(e instanceof MixemError) || cov === "all") throw e;
        throw optionError(e.path!, e.message.slice(e.path!.length + 2).replace(/^must be one of /, 'must be "all" or one of '));
      }
    });
    for (const c of names) columns.push({ family, covariance: c, mclust: models.mclust(c, dims) });
  }
  const mclustLike = families.length === 1 && mv;
  const kRange = (options.kRange ?? (mclustLike ? [1, 9] : [1, 8])) as [number, number];
  if (!Array.isArray(kRange) || kRange.length !== 2 || !kRange.every((v) => Number.isInteger(v) && v >= 1 && v <= 1 << 20) || kRange[0] > kRange[1])
    throw optionError("options.kRange", `must be [min, max] with integers 1 ≤ min ≤ max, got ${describe(kRange)}`);
  return { columns, kRange, mclustLike };
}

/** The selection from its entries: the best sound entry by the criterion. */
function selectionOf(scores: SelectionEntry[], criterion: Criterion): Selection {
  const fitted = scores.filter((e) => e.model !== null && Number.isFinite(e[criterion]));
  if (fitted.length === 0) throw new MixemError("DEGENERATE", `no (k, model) of the selection could be fitted${scores[0]?.reason ? `: ${scores[0].reason}` : ""}`, "fit");
  const sound = fitted.filter((e) => e.error === undefined);
  const degenerate = sound.length === 0;
  const bestEntry = (degenerate ? fitted : sound).reduce((a, b) => (b[criterion] < a[criterion] ? b : a));
  return {
    criterion, best: bestEntry.model!, k: bestEntry.k, family: bestEntry.family,
    ...(bestEntry.covariance ? { covariance: bestEntry.covariance, mclust: bestEntry.mclust } : {}), scores, degenerate,
  };
}

function checkSelectOptions(options: unknown) {
  const all = ownOptions(options) as Record<string, unknown>;
  const { kRange: _k, criterion = "bic", onModel, onProgress: _p, signal, ...rest } = all;
  if (signal !== undefined) abortSignal(signal, "options.signal");
  if ("k" in rest && rest.k !== undefined) throw optionError("options.k", "is not an option of selectK: give kRange (the k to try)");
  if (rest.labels !== undefined) throw optionError("options.labels", "is not an option of selectK: fit one k with labels");
  if (rest.freeze !== undefined) throw optionError("options.freeze", "is not an option of selectK: fit one k with freeze");
  if (typeof criterion !== "string" || !["bic", "aic", "icl"].includes(criterion)) throw optionError("options.criterion", `must be one of "bic", "aic", "icl", got ${describe(criterion)}`);
  if (onModel !== undefined && typeof onModel !== "function") throw optionError("options.onModel", "must be a function");
  const { covariance: _c, family: _f, ...fitOptions } = rest;
  return { all, criterion: criterion as Criterion, onModel: onModel as ((e: SelectionEntry) => void) | undefined, fitOptions, signal: signal as AbortSignal | undefined };
}

/** Throws `signal.reason` once the signal is aborted (read as fit reads it: any object with `aborted`). */
function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");
}

/**
 * Fits every k in kRange (and, for gaussian and mvgaussian, every covariance model asked for; for a family
 * list, every family) and returns every score and the model with the lowest criterion. BIC =
 * −2 log L + p log n, AIC = −2 log L + 2p, ICL = BIC − 2 Σ_i log max_k z_ik, as mclust (whose BIC
 * has the opposite sign: higher is better there).
 *
 * gaussian (a vector: mclust's 1-D E and V) and mvgaussian by default answer as mclust's `Mclust(x)`: k = 1 … 9, every covariance model,
 * mclust's hierarchical start (init "hc"), computed once and shared by every k and model. A fit
 * that fails (a singular covariance) is entry `error: "FAILED"`, and a degenerate one (`model.warnings`)
 * `error: "DEGENERATE"`: neither is ever chosen (mclust's NA). If every entry is degenerate, the
 * least bad is returned with `degenerate: true`.
 */
export function selectK<const O extends SelectOptions>(data: ModelData, options?: O): Selection<SelectFamilyOf<O>>;
export function selectK(data: ModelData, options: SelectOptions = {}): Selection {
  const { all, criterion, onModel, fitOptions, signal } = checkSelectOptions(options);
  const { columns, kRange, mclustLike } = selectionPlan(data, all);
  const ks = Array.from({ length: kRange[1] - kRange[0] + 1 }, (_, i) => kRange[0] + i);
  checkAbort(signal); // the signal is read before the first cell and after each one
  return selectionOf(cellsHere(data, fitOptions, columns, ks, mclustLike, (entry) => { onModel?.(entry); checkAbort(signal); }), criterion);
}

/** Every (k, column) cell on the calling thread, k by k, each entry to `done` as it is fitted. */
function cellsHere(data: ModelData, fitOptions: Record<string, unknown>, columns: Column[], ks: number[], mclustLike: boolean, done: (entry: SelectionEntry) => void): SelectionEntry[] {
  const ctx: CellContext = { data, fitOptions, mclustLike, ks, starts: new Map(), loaded: new Map() };
  const scores: SelectionEntry[] = [];
  const stopped = new Set<FamilyName>();
  try {
    for (const k of ks) {
      for (const column of columns) {
        if (stopped.has(column.family)) continue;
        const entry = fitCell(ctx, column, k);
        // Past the number of distinct points no larger k can be fitted either: stop there.
        if (entry === "TOO_FEW") { stopped.add(column.family); continue; }
        scores.push(entry);
        done(entry);
      }
    }
  } finally {
    freeCells(ctx);
  }
  return scores;
}

/**
 * selectKAsync without `threads` runs a selection this small on the calling thread: values
 * (n · d) × the largest k × the columns at most this. Starting workers (each compiling its code
 * afresh) costs more than such a selection (Old Faithful, 14 models, k ≤ 9: 68,544).
 */
export const INLINE_WORK = 250_000;

/** n · d of in-memory data (arrays of rows or values); Infinity for Arrow tables and anything else. */
function valuesOf(data: ModelData): number {
  return peek(() => {
    if (arrowKind(data) || data === null || typeof data !== "object" || typeof (data as ArrayLike<unknown>).length !== "number") return Infinity;
    const a = data as ArrayLike<unknown>, first = a[0];
    return a.length * (Array.isArray(first) || ArrayBuffer.isView(first) ? Math.max((first as ArrayLike<number>).length, 1) : 1);
  }, Infinity); // data that cannot be read: the load on this thread names the problem
}

/** selectKAsync's options: selectK's, and how to run the fits. */
export type SelectAsyncOptions = SelectOptions & {
  /**
   * Workers fitting (k, model) pairs in parallel (default: the machine's cores, at most 4; without
   * `threads`, a small selection — n · d × the largest k × the models at most INLINE_WORK — runs on
   * the calling thread instead, as selectK).
   */
  threads?: number;
  /** Called as each (k, model) fit finishes, with how many are done of how many. */
  onProgress?: (done: number, total: number, entry: SelectionEntry) => void;
  /** Once aborted, the selection stops its workers and rejects with `signal.reason`. */
  signal?: AbortSignal;
};

/**
 * selectK with the (k, model) cells fitted in parallel on `threads` workers; the result is the same
 * as selectK's (the same cell code, src/select-cell.ts). The calling thread validates the data and
 * makes the hierarchical start once (while the workers start); each worker gets them once, keeps
 * each column's data loaded, and is handed cells IN_FLIGHT ahead, largest k first. Progress per finished
 * cell (`onProgress`), cancellation by `signal` (the workers are terminated).
 */
export async function selectKAsync<const O extends SelectAsyncOptions>(data: ModelData, options?: O): Promise<Selection<SelectFamilyOf<O>>>;
export async function selectKAsync(data: ModelData, options: SelectAsyncOptions = {}): Promise<Selection> {
  await init();
  // Read once into plain values (snapshotOptions): what is validated here is what the workers are sent.
  const { signal: given, ...own } = ownOptions(options); // the signal as it is (its `aborted` read when it is checked)
  const { all, criterion, onModel, fitOptions, signal } = checkSelectOptions({ ...snapshotOptions(own, ["sampleWeights"]), ...(given === undefined ? {} : { signal: given }) });
  const { threads: t, ...rest } = fitOptions;
  const { onProgress } = all as { onProgress?: SelectAsyncOptions["onProgress"] };
  if (onProgress !== undefined && typeof onProgress !== "function") throw optionError("options.onProgress", "must be a function");
  if (t !== undefined) COMMON_OPTIONS.threads(t, "options.threads");
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => any } };
  const cores = g.navigator?.hardwareConcurrency ?? g.process?.getBuiltinModule?.("node:os")?.availableParallelism?.() ?? 1;
  const threads = (t as number | undefined) ?? Math.max(1, Math.min(4, cores));
  const { columns, kRange, mclustLike } = selectionPlan(data, all);
  // No k above the number of points can be fitted (selectK stops below it): the cells end there, so
  // a kRange up to 2²⁰ on small data makes a small list (it made kRange[1] × models cells: out of memory).
  const points = peek(() => arrowRows(data) ?? (data as ArrayLike<unknown>).length, undefined);
  const kMax = typeof points === "number" && points >= 1 ? Math.max(kRange[0], Math.min(kRange[1], points)) : kRange[1];
  const ks = Array.from({ length: kMax - kRange[0] + 1 }, (_, i) => kRange[0] + i);
  const jobs: { k: number; column: Column; index: number }[] = [];
  for (const k of ks) for (const column of columns) jobs.push({ k, column, index: jobs.length });
  // Handed out largest k first (the costliest cells; index keeps selectK's order of the entries), so
  // the last cells to finish are small ones and both workers end together.
  const order = [...jobs].sort((a, b) => b.k - a.k || a.index - b.index);
  checkAbort(signal);
  if (t === undefined && valuesOf(data) * kRange[1] * columns.length <= INLINE_WORK) {
    // A small selection: selectK's cells here (the same entries), with progress; the signal is read between cells.
    let done = 0;
    return selectionOf(cellsHere(data, rest, columns, ks, mclustLike, (entry) => {
      onModel?.(entry);
      onProgress?.(++done, jobs.length, entry);
      checkAbort(signal);
    }), criterion);
  }
  await loadWorkerSource();
  const module = await compiledCore();
  checkAbort(signal); // an abort while the worker code loaded (its listener is not attached yet)
  const workers: PooledWorker[] = [];
  let finished = false;
  try {
    for (let i = 0; i < Math.min(threads, jobs.length); i++) workers.push(takeWorker());
    // While the workers start: each family's data as its first cell loads it (validated, flat), and its hc partitions.
    const families: SelectRequest["families"] = {};
    /** Per family, its distinct points counted up to the largest k: no larger k can be fitted (selectK stops there). */
    const distinct: Record<string, number> = {};
    /** Per family, what its models keep of the data as loaded here (level names: the workers see codes). */
    const kept: Record<string, Record<string, unknown>> = {};
    // Arrow data: the workers get the chosen columns' values, so not the names of the columns.
    const sentOptions: Record<string, unknown> = sendable(rest, ["sampleWeights"], []);
    if (arrowKind(data) && !columns.some((c) => Object.hasOwn(familyOf(c.family)!.options, "columns"))) delete sentOptions.columns;
    for (const family of new Set(columns.map((c) => c.family))) {
      const o = fitOptionsOf(rest, columns.find((c) => c.family === family)!, ks[0], mclustLike);
      const r = resolveFit(o);
      // Missing values: the rows as given (the loaded ones are split, src/missing.ts), as fitInWorker sends them.
      const sent = withDataset(loadDataset(r.family, data, r.options, "data"), (ds) => {
        const seeds = ds.seedPoints;
        distinct[family] = countDistinct(seeds, seeds.count ?? seeds.points.length / seeds.dims, kRange[1], ds.weights?.array ?? null);
        return {
          x: jsAllocation("a copy of the data for the workers", () => (ds.missing ? restoreRows(ds) : ds.x.array.slice())), aux: ds.aux && !ds.missing ? ds.aux.array.slice() : null, dims: ds.dims,
          kept: dataSettingsOf(r.family, ds),
        };
      });
      const options: Record<string, unknown> = {};
      if (r.family.shape === "rows") options.dims = sent.dims;
      if (r.family.perPoint && sent.aux) options[r.family.perPoint] = sent.aux;
      families[family] = { data: sent.x, options, starts: o.init === "hc" ? startsFor(data, o, fittable(ks, distinct[family])) : null };
      kept[family] = sent.kept;
    }
    const results: (SelectionEntry | undefined)[] = new Array(jobs.length);
    const specs = new Map<string, Spec>(); // the models' specs, one per column (modelFromParts)
    const tooFew = new Set<string>();
    let next = 0, done = 0;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: unknown) => { if (!settled) { settled = true; signal?.removeEventListener?.("abort", abort); reject(e); } };
      const abort = () => fail(signal!.reason);
      signal?.addEventListener?.("abort", abort, { once: true });
      if (signal?.aborted) return abort();
      /** A cell past its family's distinct points, or past a k it could not fit: not run (as selectK stops there). */
      const beyond = (job: { k: number; column: Column }) => {
        if (job.k === ks[0]) return false;
        if (job.k > distinct[job.column.family]) return true;
        for (let k = ks[0] + 1; k < job.k; k++) if (tooFew.has(`${job.column.family}:${k}`)) return true;
        return false;
      };
      const give = (w: PooledWorker) => {
        if (settled) return;
        while (next < order.length && beyond(order[next])) { const job = order[next++]; tooFew.add(`${job.column.family}:${job.k}`); done++; }
        if (next >= order.length) { if (done === jobs.length) { settled = true; signal?.removeEventListener?.("abort", abort); resolve(); } return; }
        const job = order[next++];
        w.handle.post({ kind: "cell", index: job.index, k: job.k, column: job.column }, []);
      };
      for (const w of workers) {
        w.fail = fail;
        w.on = (reply) => {
          if (settled) return;
          if (reply.type === "error") return fail(errorFrom(reply.error));
          if (reply.type !== "cell") return;
          w.memoryBytes = Math.max(w.memoryBytes, reply.memoryBytes);
          const job = jobs[reply.index];
          try {
            if (reply.entry === null) tooFew.add(`${job.column.family}:${job.k}`);
            else {
              const entry = { ...reply.entry, model: reply.entry.model ? modelFromParts({ ...reply.entry.model, settings: { ...reply.entry.model.settings, ...kept[job.column.family] } }, specs) : null } as SelectionEntry;
              results[reply.index] = entry;
              onModel?.(entry);
              onProgress?.(done + 1, jobs.length, entry);
            }
          } catch (e) {
            return fail(e);
          }
          done++;
          give(w);
        };
        try {
          w.handle.post({ kind: "select", module, families, fitOptions: sentOptions, mclustLike, ks }, []);
        } catch (e) {
          return fail(unsendable(e)); // a Proxy or function among the options
        }
      }
      // IN_FLIGHT cells queued per worker: a worker that finishes one starts the next at once,
      // without waiting for this thread to read its entry and answer.
      for (let depth = 0; depth < IN_FLIGHT; depth++) for (const w of workers) give(w);
    });
    finished = true;
    // As selectK: a family stops at the first k it cannot fit.
    const scores = results.filter((e, i): e is SelectionEntry => {
      const job = jobs[i];
      for (let k = kRange[0] + 1; k <= job.k; k++) if (tooFew.has(`${job.column.family}:${k}`)) return false;
      return e !== undefined;
    });
    return selectionOf(scores, criterion);
  } finally {
    // A worker that finished its last cell waits for the next selection; after an error or an abort, all end.
    for (const w of workers) (finished ? releaseWorker : endWorker)(w);
  }
}

/** Cells handed to each selection worker ahead of its replies (see selectKAsync). */
const IN_FLIGHT = 2;

/** A selection worker, the handlers of the selection it serves (replaced per selection), and its WebAssembly memory as last reported. */
interface PooledWorker { handle: WorkerHandle; on: (reply: WorkerReply) => void; fail: (e: unknown) => void; memoryBytes: number; id: number; released: boolean }

/**
 * Idle selection workers, kept for the next selectKAsync: a new worker's first cells run cold
 * (its code not compiled yet by the engine), so a second selection on warm workers takes a
 * fraction of the first's time. At most IDLE_WORKERS; in Node they are unref'd while idle (they
 * never keep a process alive); one that fails while idle is dropped.
 *
 * WebAssembly memory never shrinks, so a worker whose instance grew past IDLE_MEMORY_BYTES (a
 * large selection) is terminated rather than kept: idle workers hold at most IDLE_WORKERS ×
 * IDLE_MEMORY_BYTES of it. Such a selection took seconds; the next one starts a worker from the
 * compiled module (docs/performance.md: the cost measured).
 */
const idle: PooledWorker[] = [];
const IDLE_WORKERS = 4;
/** @internal The most WebAssembly memory (bytes) of a worker kept idle. */
export const IDLE_MEMORY_BYTES = 32 * 2 ** 20;
let idleMemoryLimit = IDLE_MEMORY_BYTES;
let serial = 0;

/**
 * @internal For tests and benches: the idle workers (serial id, WebAssembly bytes, whether the
 * worker has confirmed it freed the last selection's data); `limit` replaces IDLE_MEMORY_BYTES first.
 */
export function idleSelectionWorkers(limit?: number): { id: number; memoryBytes: number; released: boolean }[] {
  if (limit !== undefined) idleMemoryLimit = limit;
  return idle.map((w) => ({ id: w.id, memoryBytes: w.memoryBytes, released: w.released }));
}

function takeWorker(): PooledWorker {
  const reused = idle.pop();
  if (reused) { reused.handle.ref?.(); reused.released = false; return reused; }
  const w: PooledWorker = { handle: startWorker(), on: () => {}, fail: () => {}, memoryBytes: 0, id: ++serial, released: false };
  w.handle.onMessage((reply) => w.on(reply));
  w.handle.onError((e) => w.fail(e));
  return w;
}

function releaseWorker(w: PooledWorker): void {
  if (idle.length >= IDLE_WORKERS || w.memoryBytes > idleMemoryLimit) return endWorker(w);
  // The worker frees the selection's data while it waits (no caller data held between calls).
  w.on = (reply) => { if (reply.type === "released") w.released = true; };
  w.fail = () => endWorker(w);
  w.handle.post({ kind: "select-end" }, []);
  w.handle.unref?.();
  idle.push(w);
}

function endWorker(w: PooledWorker): void {
  w.on = () => {};
  w.fail = () => {};
  const at = idle.indexOf(w);
  if (at >= 0) idle.splice(at, 1);
  w.handle.terminate();
}
