// The public types of options and results. At the bottom of the module graph: no run-time
// imports; the family-specific parts are derived from the family registry (type-only imports).
import type { AllFamilyOptions, ComponentOf, FamilyName, InitOf } from "./families/index.js";

/** Why a fit stopped. */
export type StopReason =
  | "converged" // the mean log-likelihood per point changed by less than `tol`
  | "maxIter" // `maxIter` iterations ran without meeting `tol`
  | "callback"; // `onIteration` returned false

export interface IterationInfo {
  /** 1-based iteration within the current restart. */
  iteration: number;
  /** Log-likelihood at the parameters after this iteration's M-step. */
  logLikelihood: number;
  /** With a prior: log-likelihood + log prior density (the objective MAP-EM increases). */
  logPosterior?: number;
  /** Change of the objective (log-likelihood, or log-posterior with a prior) per point since the previous iteration. */
  delta: number;
  /** 0-based index of the restart (see `nInit`). */
  restart: number;
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

/** Data for fits and a fitted model's methods: values (1-D families) or rows (mvgaussian, bernoulli). */
export type ModelData = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** Parameters of one component, of any family (see each family's component type). */
export type Component = ComponentOf<FamilyName>;

/** Explicit initial parameters, one value per component. `weights` defaults to equal. */
export type ExplicitInit = { [F in FamilyName]: { weights?: number[] } & InitOf<F> }[FamilyName];

/** The options every family takes. */
export interface CommonFitOptions {
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
  /** Seed of the PRNG used for initialisation: an integer 0 ≤ seed < 2³² (default 0: the same data and options give the same fit). */
  seed?: number;
  /** Called after every iteration; return false to stop. */
  onIteration?: (info: IterationInfo) => boolean | void;
  /** Checked between iterations: once aborted, the fit throws `signal.reason`. */
  signal?: AbortSignal;
  /** fit() only: workers to split the data over (default: 1 for small data, up to 4 cores above 2·10⁶ points × k). */
  threads?: number;
}

/** Options of fit, fitSync, fitStream and fitInWorker: the common ones plus each family's own (see the family modules). */
export type FitOptions = CommonFitOptions & AllFamilyOptions;

/** Options of predict / predictProba / score / bic / aic / accumulate. */
export interface EvalOptions {
  /** Binomial only: trials for the new data (one number or one per value); defaults to the fit's constant trials. */
  trials?: number | ArrayLike<number>;
}

export interface SampleOptions {
  /** PRNG seed: an integer 0 ≤ seed < 2³² (default 0). */
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
