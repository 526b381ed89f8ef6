/**
 * mixem — mixture models fitted by Expectation-Maximization, with the hot loop in WebAssembly.
 *
 *     import { fit } from "mixem";
 *     const model = await fit([1.2, 0.8, 5.1, 4.9, 5.3], { family: "gaussian", k: 2 });
 */
import type { FamilyName } from "./family.js";
import { COMMON_OPTIONS } from "./options.js";
import { runEM, type IterationInfo } from "./em.js";
import type { MixtureModel, ModelData } from "./model.js";
import { getCore, init } from "./wasm.js";
import { optionError } from "./errors.js";

export { MixtureModel, loadModel } from "./model.js";
export type { Component, EvalOptions, SampleOptions, ModelJSON, ModelSettings, FitSummary, ModelData } from "./model.js";
export type { MvGaussianComponent, CovarianceType } from "./families/mvgaussian.js";
export type { BernoulliComponent } from "./families/bernoulli.js";
export type { GaussianComponent } from "./families/gaussian.js";
export type { PoissonComponent } from "./families/poisson.js";
export type { BinomialComponent } from "./families/binomial.js";
export type { FamilyName } from "./family.js";
export type { IterationInfo, StopReason } from "./em.js";
export { MixemError, type MixemErrorCode } from "./errors.js";
export { init, initSync } from "./wasm.js";

/** Bytes of WebAssembly memory of this thread's instance (it grows as needed and never shrinks). */
export function wasmMemoryBytes(): number {
  return getCore().memoryBytes;
}
export { fitInWorker, type WorkerFitOptions } from "./worker.js";
export { selectK, type SelectOptions, type Selection, type SelectionEntry, type Criterion } from "./select.js";
export { plotFit, plotSelection, type PlotOptions } from "./plot.js";
export { accumulate, mergeStats, maximize, type SufficientStatistics } from "./stats.js";
export { fitStream, type ChunkSource } from "./stream.js";
export { DEFAULTS } from "./resolve.js";
import { resolveFit } from "./resolve.js";
import { fitThreaded } from "./threads.js";

/** Explicit initial parameters, one value per component. `weights` defaults to equal. */
export type ExplicitInit =
  | { weights?: number[]; means: number[]; variances: number[] }
  | { weights?: number[]; lambdas: number[] }
  | { weights?: number[]; p: number[] }
  | { weights?: number[]; means: number[][]; covariances: (number[][] | number[] | number)[] }
  | { weights?: number[]; p: number[][] };

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
  /** fit() only: workers to split the data over (default: 1 for small data, up to 4 cores above 2·10⁶ points × k). */
  threads?: number;
  /** gaussian, mvgaussian: floor on every variance, as a multiple of the data's variance (default 1e-6). */
  regCovar?: number;
  /** Binomial: trials per observation, one number or one per value (required). */
  trials?: number | ArrayLike<number>;
  /** mvgaussian: "full" (default), "tied", "diag" or "spherical" (mclust VVV, EEE, VVI, VII). */
  covariance?: "full" | "tied" | "diag" | "spherical";
  /** mvgaussian, bernoulli: values per row when the data is one flat row-major array. */
  dims?: number;
  /**
   * MAP-EM with conjugate priors: `true` for the defaults, or an object of prior parameters
   * (`weights`: Dirichlet concentration ≥ 1, default 1; `shrinkage` κ, default 0.01; and per family
   * gaussian/mvgaussian `mean`, `dof`, `scale`; poisson `shape`, `rate`; binomial/bernoulli `a`, `b`).
   */
  prior?: boolean | Record<string, unknown>;
}


/**
 * Fits a k-component mixture to `data` (number[] or any numeric typed array) by EM.
 * Compiles the WebAssembly core on first use; the fit itself runs synchronously.
 */
export async function fit(data: ModelData, options: FitOptions): Promise<MixtureModel> {
  await init();
  const threads = chooseThreads(data, options);
  if (threads > 1) return fitThreaded(data, { ...options, threads: undefined }, threads);
  return fitSync(data, { ...options, threads: undefined });
}

/**
 * `threads`: a number, or by default 1 below 2·10⁶ points × components (workers cost tens of
 * milliseconds to start) and otherwise up to 4, no more than the machine's cores.
 */
function chooseThreads(data: ModelData, options: FitOptions): number {
  const t = (options as { threads?: unknown } | null)?.threads;
  if (t !== undefined) { COMMON_OPTIONS.threads(t, "options.threads"); return t as number; }
  const n = (data as ArrayLike<unknown>)?.length ?? 0;
  const k = typeof options?.k === "number" ? options.k : 1;
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => any } };
  const cores = g.navigator?.hardwareConcurrency ?? g.process?.getBuiltinModule?.("node:os")?.availableParallelism?.() ?? 1;
  return n * k >= 2_000_000 ? Math.max(1, Math.min(4, cores)) : 1;
}

/** As `fit`, without awaiting (Node, Workers, or after `await init()` in a browser). */
export function fitSync(data: ModelData, options: FitOptions): MixtureModel {
  const threads = (options as { threads?: unknown } | null)?.threads;
  if (threads !== undefined && threads !== 1) throw optionError("options.threads", "needs the asynchronous fit() (fitSync runs on the calling thread)");
  const { family, o, settings, configure, model } = resolveFit(options);
  const core = getCore();
  const ds = family.load(core, data, o, "data");
  try {
    const spec = configure(ds);
    const r = runEM(core, spec, ds, settings);
    return model(spec, r, ds.n, ds.scale, ds.aux ? null : ds.auxConst);
  } finally {
    core.free(ds.x, ds.aux);
  }
}
