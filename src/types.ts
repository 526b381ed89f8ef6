// The public types of options and results. At the bottom of the module graph: no run-time
// imports; the family-specific parts are derived from the family registry (type-only imports).
import type { ComponentOf, FamilyName, FreezeKeysOf, InitOf, OptionsOf } from "./families/index.js";
import type { DefaultFamily } from "./defaults.js";
import type { MixtureModel, ModelJSON } from "./model.js";
import type { ArrowTableLike, ArrowVectorLike } from "./arrow.js";

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
  /** Partial labels only: Σ_labelled log π_l p(x_i | θ_l) + Σ_unlabelled log Σ_j π_j p(x_i | θ_j) (see MixtureModel.objective). */
  objective?: number;
  /** MAP-EM only: log-likelihood + log prior density, at the result and after each iteration. */
  logPosterior?: number;
  posteriorHistory?: number[];
  iterations: number;
  /** E-steps (passes over the data) of the returned run, counting the one at its start: iterations + 1 for plain EM (t, mvt: plus their ECME passes). */
  passes: number;
  converged: boolean;
  stopReason: StopReason;
  nObservations: number;
  /** `missing: "marginalize"`: the missing values (NaN) in the training data (absent: none). */
  nMissing?: number;
}

/**
 * Data for fits and a fitted model's methods: values (1-D families) or rows (mvgaussian, bernoulli;
 * categorical rows may hold level names), or an Apache Arrow `Table`, `RecordBatch` or `Vector`
 * (numeric columns, chosen with the `columns` option; see ArrowTableLike).
 */
export type ModelData = ArrayLike<number> | ArrayLike<ArrayLike<number>> | ArrayLike<ArrayLike<number | string>> | ArrowTableLike | ArrowVectorLike;

/**
 * `columns`: the columns of an Arrow table given as the data, in the order of each row's values
 * (optional for a one-column table or a Vector). Not for a family whose `columns` option is its
 * own (independent: there the table's columns are read in order, one per entry).
 */
export type ArrowColumnsOption<F extends FamilyName> = "columns" extends keyof OptionsOf<F> ? unknown : { columns?: readonly string[] };

/** Parameters of one component, of any family (see each family's component type; `ComponentOf<F>` for one family). */
export type Component = ComponentOf<FamilyName>;

export type { DefaultFamily };

/** Explicit initial parameters of family F, one value per component. `weights` defaults to equal. */
export type InitFor<F extends FamilyName> = { weights?: number[] } & InitOf<F>;

/** Explicit initial parameters of any family. */
export type ExplicitInit = { [F in FamilyName]: InitFor<F> }[FamilyName];

/** The options every family takes. */
export interface CommonFitOptions {
  /** Number of components (required). */
  k: number;
  /** "soft" (default): EM. "hard": classification EM, each point wholly in its most likely component. */
  mode?: "soft" | "hard";
  /** Keep the mixing weights at their initial values (equal, or `init.weights`). Default false. */
  fixWeights?: boolean;
  /** Maximum number of E+M iterations (default 500). */
  maxIter?: number;
  /** Stop when the mean log-likelihood per point changes by less than this (default 1e-8; 0 never stops early). See `stop`. */
  tol?: number;
  /**
   * What `tol` is compared with. "perPoint" (fit's default): |ΔQ| / n, the change of the objective
   * Q (log-likelihood, or log-posterior with a prior) per point. "relative": |ΔQ| / (1 + |Q|) ≤ tol,
   * mclust's rule (`emControl()$tol[1]`, 1e-5 there) — selectK's default with init "hc", where its
   * `tol` defaults to 1e-5 as mclust's so that each cell stops where `Mclust()` stops.
   */
  stop?: "perPoint" | "relative";
  /**
   * Restarts from different seeds; the best log-likelihood among the non-degenerate runs wins (see
   * `MixtureModel.warnings`). Default 1 — and when that run is degenerate, up to 2 more restarts
   * (`DEFAULTS.extraRestarts`) until one is sound. An explicit `nInit` runs exactly that many.
   */
  nInit?: number;
  /** Seed of the PRNG used for initialisation: an integer 0 ≤ seed < 2³² (default 0: the same data and options give the same fit). */
  seed?: number;
  /** Called after every iteration; return false to stop. */
  onIteration?: (info: IterationInfo) => boolean | void;
  /** Checked between iterations: once aborted, the fit throws `signal.reason`. */
  signal?: AbortSignal;
  /**
   * "none" (fit's default): one EM step per iteration. "squarem" (selectK's and the CLI's default
   * for soft EM): SQUAREM (Varadhan & Roland 2008) — each iteration extrapolates from two EM steps
   * and takes one more from there, falling back to the plain steps when that would leave the
   * parameter space or lower the objective; the same fixed point in fewer passes over the data
   * (see `MixtureModel.passes`). Soft EM only: with `mode: "hard"` it must be "none".
   */
  accelerate?: "none" | "squarem";
  /** fit() only: workers to split the data over (default: 1 for small data, up to 4 cores above 2·10⁶ points × k). */
  threads?: number;
  /**
   * Sample weights: one non-negative finite number per point (at least one positive); point i
   * counts w_i times — the log-likelihood is Σ w_i log Σ_j π_j p(x_i | θ_j), BIC's n is Σ w_i, and
   * integer weights fit as duplicated rows would. One thread only, for now.
   */
  sampleWeights?: ArrayLike<number>;
  /**
   * NaN in the data: "error" (default) refuses it, naming the index; "marginalize" reads it as a
   * missing value and fits by EM over the observed values (mvgaussian — every covariance model —
   * and bernoulli: each row's density is that of its observed dimensions; the 1-D families: a NaN
   * point contributes nothing). `logLikelihood` is then Σ_i log Σ_j π_j p(x_i,obs | θ_j), and the
   * model's predict, predictProba, score and `impute` take rows with NaN. See docs/missing-values.md.
   */
  missing?: "error" | "marginalize";
  /**
   * Partial labels (semi-supervised EM, as mclust's MclustSSC): one integer per point, −1 where the
   * component is unknown, else the point's component 0 … k − 1. A labelled point's responsibilities
   * stay one-hot at its label; EM then increases `MixtureModel.objective` (labelled points count
   * log π_l p(x | θ_l)), while `logLikelihood` still treats every point as unlabelled. k-means++
   * and random seeding start the labelled components at their points' means.
   */
  labels?: ArrayLike<number>;
  /**
   * init "hc": above this many points the hierarchical clustering runs on a random subset of this
   * size (seeded by `seed`), as mclust's default subset; false runs it on every point (at most 5000).
   * Default 2000.
   */
  hcSubset?: number | false;
}

/**
 * Options of a fit of family F: the common ones, the family's own (see its options type) and an
 * init of its own shape. `family` may be left out for the default family only.
 */
export type FitOptionsFor<F extends FamilyName> = CommonFitOptions & OptionsOf<F> & ArrowColumnsOption<F> &
  (F extends DefaultFamily ? { family?: F } : { family: F }) & {
    /**
     * "kmeans++" (default), "random" (k distinct data values), "hc" (mclust's start: the model-based
     * hierarchical clustering cut at k — quantile classes in 1-D — then one M-step), explicit
     * parameters of the family, or a fitted model of the family (a warm start: its parameters and
     * weights, exactly; same k and dimensions) or its JSON.
     */
    init?: "kmeans++" | "random" | "hc" | InitFor<F> | MixtureModel<F> | ModelJSON<F>;
    /**
     * Parameters that keep their initial values while EM fits the rest (see FreezeFor): the
     * M-step is the conditional one (a frozen mean: the variance is taken about it; frozen weights
     * of some components: the free ones share the remaining mass), and `nParameters` (so BIC)
     * counts only the free parameters. Needs an explicit `init` or a fitted model as init — except
     * `{ weights: true }`, the same as `fixWeights: true`.
     */
    freeze?: FreezeFor<F>;
  };

/**
 * Parameters of family F held at their initial values (`FitOptions.freeze`): per key `true` (every
 * component) or a list of component indices. Keys: `weights`, and the family's freezable parameters,
 * named as its explicit-init entries (gaussian: means, variances; mvgaussian: means, covariances;
 * poisson: lambdas; bernoulli, binomial, categorical: p; exponential: rates; lognormal: meanlogs, varlogs).
 */
export type FreezeFor<F extends FamilyName> = { [K in "weights" | Exclude<FreezeKeysOf<F>, "columns">]?: true | readonly number[] } &
  ("columns" extends FreezeKeysOf<F> ? { columns?: readonly (ColumnFreeze | null | undefined)[] } : unknown);

/**
 * A family of columns (independent): one entry per column of `freeze.columns`, keyed by that column family's
 * freezable parameters (gaussian: means, variances; poisson: lambdas; binomial, bernoulli,
 * categorical: p), each `true` or a list of component indices.
 */
export type ColumnFreeze = Readonly<Record<string, true | readonly number[] | undefined>>;

/** Options of fit, fitSync, fitStream and fitInWorker, discriminated by `family`. */
export type FitOptions = { [F in FamilyName]: FitOptionsFor<F> }[FamilyName];

/** The family that options of type O fit (the default family when O names none). */
export type FamilyOfOptions<O> = O extends { family: infer F extends FamilyName } ? F : DefaultFamily;

/**
 * Options O checked as options of their family: a key that family does not take becomes `never`,
 * so `{ family: "poisson", covariance: "full" }` does not compile (a generic parameter escapes
 * TypeScript's excess-property check otherwise).
 */
export type ExactFitOptions<O> = O & { [K in Exclude<keyof O, keyof FitOptionsFor<FamilyOfOptions<O>> | "threads">]: never };

/** T without the keys K, member by member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Options of predict / predictProba / score / bic / aic / accumulate. */
export interface EvalOptions {
  /** Binomial only: trials for the new data (one number or one per value); defaults to the fit's constant trials. */
  trials?: number | ArrayLike<number>;
  /** The columns of an Arrow table given as the data (see `ArrowColumnsOption`; not for a family whose `columns` option is its own). */
  columns?: readonly string[];
}

/** Options of score, logLikelihoodOf, bic and aic: the evaluation options, and sample weights (see FitOptions.sampleWeights). */
export interface ScoreOptions extends EvalOptions {
  /** One non-negative weight per point: the log-likelihood is Σ w_i log p(x_i), BIC's n is Σ w_i. */
  sampleWeights?: ArrayLike<number>;
}

/** Options of accumulate: as score's, and partial labels (see FitOptions.labels) for a semi-supervised M-step. */
export interface AccumulateOptions extends ScoreOptions {
  /** One integer per point: −1 unknown, else the point's component (its responsibilities one-hot there). */
  labels?: ArrayLike<number>;
}

/** Options of predictProba: the evaluation options, and the shape of the result. */
export interface ProbaOptions extends EvalOptions {
  /** Return one `number[]` of k responsibilities per point (`number[][]`) instead of the flat n × k Float64Array. Default false. */
  rows?: boolean;
}

/**
 * The means of a model of family F in scikit-learn's shapes (`means_`): gaussian `number[]` (k),
 * mvgaussian `number[][]` (k × d); `undefined` for the families whose components have no mean.
 */
export type MeansOf<F extends FamilyName> = F extends unknown ? (ComponentOf<F> extends { mean: infer M } ? M[] : undefined) : never;

/**
 * The covariances of a model of family F: gaussian `number[]` (the k variances, scikit-learn's
 * 1-D `covariances_` flattened), mvgaussian `number[][][]` (k full d × d matrices, whatever the
 * covariance type); `undefined` for the other families.
 */
export type CovariancesOf<F extends FamilyName> = F extends unknown
  ? ComponentOf<F> extends { variance: infer V } ? V[] : ComponentOf<F> extends { covariance: infer C } ? C[] : undefined
  : never;

export interface SampleOptions {
  /**
   * PRNG seed: an integer 0 ≤ seed < 2³². With a seed the draws are reproducible; without one each
   * call continues the model's own stream (seeded with 0 when the model is made), so repeated calls
   * give fresh draws and a program's sequence of calls is still reproducible.
   */
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
  /** gaussian, mvgaussian: the constant added to every variance after each M-step, when the fit set one. */
  ridge?: number;
  /** binomial: the constant number of trials of the fit, or null when it had one per observation. */
  trials?: number | null;
  /** mvgaussian: "full" | "tied" | "diag" | "spherical". */
  covariance?: string;
  /** mvgaussian, bernoulli: dimensions per point. */
  dims?: number;
  /** Frozen parameters other than all the weights (those are `fixWeights`): key → component indices (see FitOptions.freeze). */
  freeze?: Record<string, number[]>;
  /** MAP-EM: the prior with every default resolved (see FitOptions.prior). */
  prior?: Record<string, unknown>;
  /** gaussian, mvgaussian: the fit data's variance per dimension (what regCovar's floor scales); t, mvt: the smaller of it and (1.4826 · MAD)², at least 1e-200 × it. */
  scale?: number[];
  /** categorical: each column's levels (a count, or the level names). */
  levels?: (number | string[])[];
  /** independent: each column's family and options. */
  columns?: Record<string, unknown>[];
  /** independent: what each column's family keeps of its data (categorical levels, binomial trials). */
  columnData?: Record<string, unknown>[];
  /** "marginalize" when the fit took it: the model's methods then read NaN as a missing value. */
  missing?: "marginalize";
}
