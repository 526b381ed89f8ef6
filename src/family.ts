// The contract between the EM driver and a family. The driver, the model, the plots, the CLI,
// streams and threads never ask which family they run: they ask the family through this contract.
// A family is one module in families/ (plus, when no existing kernel fits, one kernel in
// assembly/kernels/), one entry in FAMILIES (families/index.ts) and one row in the conformance
// table (test/conformance.test.ts); docs/architecture.md says how. Every number that decides a fit
// uses src/math.ts (log, exp from the WebAssembly core), not Math, so results are the same bits in
// every JavaScript engine.
import type { Arena, Region } from "./wasm.js";
import type { Column } from "./arrow.js";
import type { Random } from "./random.js";
import type { FreeParameters } from "./squarem.js";

/** Chooses each seed among `draws` independent draws (row indices in draw order; `row` reads one). */
export interface SeedScreen {
  readonly draws: number;
  /** `draws` rows drawn with probability mass_i / total in one pass; `scan` calls visit(i, mass_i) in row order until it returns false. */
  draw(total: number, rng: Random, scan: (visit: (i: number, v: number) => boolean) => void): number[];
  /** The seed among the drawn rows; `near`: the seeds so far (count of them, d values each), for a fallback when every draw is refused. */
  choose(drawn: readonly number[], row: (i: number) => Float64Array, near?: { seeds: Float64Array; count: number }): number;
  /**
   * One factor per seed (k seeds of d values each) in (0, 1] on the data's variance (`scale`, per
   * column) for its component's starting scale (Spec.seed's `spread`): small where the points
   * nearest to the seed lie close to it (src/isolation.ts).
   */
  spreads?(seeds: Float64Array, k: number, scale: ArrayLike<number>): Float64Array;
}

/** Validator of one option: throws a MixemError naming `path` when `value` is not acceptable. */
export type Rule = (value: unknown, path: string) => void;

/** Seeding locations, n × dims row-major. `points` may be a view into WebAssembly memory: read it when needed, do not keep it. */
export interface Points {
  readonly points: Float64Array;
  readonly dims: number;
  /**
   * Rows [from, from + count) of `points` without making all of them (a family whose seed points
   * are not its data: seeding then reads them a block at a time, src/seeding.ts, and holds no
   * n × dims of them); the array is valid until the next call.
   */
  rows?(from: number, count: number): Float64Array;
  /** The number of rows (given with `rows`: counting them need not make `points`). */
  readonly count?: number;
  /**
   * Rows given by codes (categorical, independent): column a of row i is `codes(i, 1)[a]`, its
   * dims start at offsets[a]; a code column's dims are its levels, one-hot (a 1 at offsets[a] + code,
   * 0 elsewhere), a value column (independent's numeric ones) is the one dim offsets[a] with that
   * value. Seeding then reads the codes (n × columns) through `ops` and never makes a one-hot row:
   * a distance costs the columns, not the levels (src/coded-rows.ts).
   */
  readonly oneHot?: OneHotCodes;
}

/** See Points.oneHot. */
export interface OneHotCodes {
  /** Where each column starts among the dims (offsets[a] = Σ_{b<a} width_b: a code column's levels, a value column's 1). */
  readonly offsets: Int32Array;
  /** Rows [from, from + count) of codes, row-major (valid until WebAssembly memory grows). */
  codes(from: number, count: number): Float64Array;
  /** Seeding's operations on rows of these codes (fresh ones per call: they keep per-seed state). */
  ops(): SeedRowOps;
}

/**
 * What seeding does with row o of a block of rows x (dense: dims values a row; codes: Points.oneHot):
 * its squared distance to seed s (|x − seed|², as the sum in coordinate order over the dense row
 * gives it), its key (equal rows, equal keys), writing it as seed s (`put`) or adding w times it to
 * seed j (`add`). Seeds are dense (dims values each); `seeded(seeds, s)` is called after seed s is set.
 */
export interface SeedRowOps {
  dist2(x: Float64Array, o: number, seeds: Float64Array, s: number): number;
  key(x: Float64Array, o: number): number | string;
  put(x: Float64Array, o: number, seeds: Float64Array, s: number): void;
  add(x: Float64Array, o: number, w: number, seeds: Float64Array, j: number): void;
  seeded(seeds: Float64Array, s: number): void;
}

/** What a family's `load` returns: the data in WebAssembly memory plus what the family derived from it. */
export interface DatasetParts {
  readonly n: number;
  /** Values per point (1 for the 1-D families). */
  readonly dims: number;
  /** n × dims values, row-major (f64). */
  readonly x: Region;
  /** A second value per point (binomial: trials), or null. */
  readonly aux: Region | null;
  /** Σ_i of the log-density terms that do not depend on the parameters (−log x!, log C(n, x)). */
  readonly logConstant: number;
  /** Population variance of each dimension of the data (1 where it is 0): scales regCovar. */
  readonly scale: Float64Array;
  /** One seeding location per point (binomial: the proportion x/n). */
  readonly seedPoints: Points;
  /** What a fitted model keeps about its training data (gaussian: scale; binomial: trials); see Family.dataSettings. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Sample weights (one per point; set by loadDataset from `sampleWeights`), or absent: every point counts once. */
  readonly weights?: Region | null;
  /** Partial labels (one per point: −1 unknown, else the component; set by loadDataset from `labels`), or absent / null: none labelled. */
  readonly labels?: Region | null;
  /** Σ w_i (n without sample weights): the number of observations BIC counts. */
  readonly totalWeight?: number;
  /**
   * `missing: "marginalize"` with NaN in the data: `x` then holds the complete rows only (n of
   * them), and this the rest (see src/missing.ts). Absent when every value was observed.
   */
  readonly missing?: MissingRows;
}

/** Rows of a data set with missing values (NaN), stored apart from the complete rows. */
export interface MissingRows {
  /** Rows as given: complete, incomplete and empty. */
  readonly rows: number;
  /** Missing values (NaN) in the data. */
  readonly values: number;
  /** Rows with every value missing: they contribute nothing. */
  readonly empty: number;
  /** Storage order → index as given: the complete rows (ds.x), each pattern's rows in turn, the empty rows. */
  readonly order: Int32Array;
  /** Incomplete rows grouped by which dimensions are observed; x holds n × observed.length values (the observed ones). */
  readonly patterns: readonly MissingPattern[];
}

export interface MissingPattern {
  /** The observed dimensions, ascending. */
  readonly observed: Int32Array;
  /** The missing dimensions, ascending. */
  readonly missing: Int32Array;
  readonly n: number;
  readonly x: Region;
  /** The pattern's rows' sample weights and partial labels (n each), when the data has them (set by loadDataset). */
  readonly weights?: Region | null;
  readonly labels?: Region | null;
}

/**
 * What a family with rows (mvgaussian, bernoulli) provides for `missing: "marginalize"`: EM over the
 * observed margins (Ghahramani & Jordan 1994). Each pattern of observed dimensions runs the family's
 * own kernel in those dimensions; its statistics are then completed with the expected values of the
 * missing ones.
 */
export interface Margin {
  /** Kernel parameters (the family's layout in observed.length dimensions) of the observed margin, from θ. */
  pack(theta: Float64Array, logWeights: Float64Array, observed: Int32Array, params: Float64Array): void;
  /**
   * Adds the statistics of the full dimension — E[statistic | x_obs, component], from the margin's
   * statistics `sub` and the parameters `params` that `pack` wrote — to `stats` (k × statsSize).
   */
  expand(theta: Float64Array, k: number, observed: Int32Array, missing: Int32Array, params: Float64Array, sub: Float64Array, stats: Float64Array): void;
  /**
   * Component j's conditional distribution of the missing dimensions given the observed ones: its mean
   * (written at out[missing[m]]) and a draw from it.
   */
  conditional(theta: Float64Array, j: number, observed: Int32Array, missing: Int32Array): {
    mean(row: Float64Array, out: Float64Array): void;
    draw(row: Float64Array, rng: Random, out: Float64Array): void;
  };
}

/** A loaded dataset: its memory is freed by `free()` (see dataset.ts `withDataset`). */
export interface Dataset extends DatasetParts {
  free(): void;
}

/** What an M-step needs to know of the data: its per-dimension variances (the Gaussian floor's scale). */
export interface DataScale {
  readonly scale: Float64Array;
  /** Sample weights of the data, if any (seeding draws points as among w_i copies). */
  readonly weights?: Region | null;
  /** Partial labels of the data (seeding starts labelled components at their class means), if any. */
  readonly labels?: Region | null;
}

/** How plotFit draws a family: a histogram with densities, bars of counts with probabilities, a 2-D scatter, a heat map of probabilities (Spec.heatmap), or not at all. */
export type PlotKind =
  | { readonly kind: "density" }
  | { readonly kind: "counts"; readonly axis: string }
  | { readonly kind: "scatter" }
  | { readonly kind: "heatmap" }
  | { readonly kind: "columns" } // one panel per column, each as its family draws it (Spec.columnPictures)
  | { readonly kind: "none"; readonly why: string };

/** Draws one point of component j into out[offset … offset + dims). */
export type Sampler = (theta: Float64Array, j: number, rng: Random, out: Float64Array, offset: number) => void;

/**
 * What a heat map draws: per group (a column of the data) one row per level, each with its value
 * in [0, 1] for every component, and the data's own share of that level.
 */
export interface HeatmapTable {
  readonly groups: readonly { readonly name: string; readonly rows: readonly { readonly name: string; readonly values: readonly number[]; readonly observed: number }[] }[];
}

/** A 1-D family's density for plots (after the plot's options were checked). */
export interface PlotDensity {
  /** log p(x | θ_j); −∞ outside the support (the density plot's grid reaches a little beyond the data). */
  logDensity(theta: Float64Array, j: number, x: number): number;
  /** Counts: the largest value to draw (the support's end, or where the mass is negligible). */
  upTo?(theta: Float64Array, k: number): number;
}

/**
 * A family. C is the public component type, I the explicit-init type, O the family's own fit
 * options; the registry derives the public types (ComponentOf, ExplicitInit, FitOptions) from them.
 */
export interface Family<C extends object = object, I extends object = object, O extends object = object, Z extends string = string> {
  /** Phantom: the family's public types, for the registry's type derivations (never set). Z: the keys of `freeze` besides weights. */
  readonly types?: { component: C; init: I; options: O; freeze: Z };
  /** One sentence for the CLI's help and the docs. */
  readonly summary: string;
  /** "values": one number per point; "rows": dims numbers per point (number[][] or flat with `dims`). */
  readonly shape: "values" | "rows";
  /** Options only this family takes, each with its validator. */
  readonly options: Readonly<Record<string, Rule>>;
  /** Options that evaluating new data also takes (predict, score, accumulate; binomial: trials). */
  readonly evalOptions: Readonly<Record<string, Rule>>;
  /** Rules for Dataset.settings as a stored model holds them (loadModel calls each, also for an absent key). */
  readonly dataSettings: Readonly<Record<string, Rule>>;
  /**
   * The data settings of a data set read in parts (fitStream's chunks, fitDistributed's shards) from
   * the first part's and the next one's. Default (mergeDataSettings): a setting that differs becomes
   * null (binomial: per-row trials). categorical keeps the first part's levels (the fit is configured
   * from them) and throws when the next part's do not fit them; `parts` names the two in its error.
   */
  mergeDataSettings?(first: Readonly<Record<string, unknown>>, next: Readonly<Record<string, unknown>>, options: Readonly<Record<string, unknown>>, parts?: DataParts): Record<string, unknown>;
  /** The option whose per-point values `load` puts in Dataset.aux (binomial: "trials"); threaded shards carry them. */
  readonly perPoint?: string;
  readonly plot: PlotKind;
  /**
   * The WebAssembly kernels (exports of assembly/kernels/) this family's specs may run: the
   * family's own entry point (`mixem/<family>`) compiles these only.
   */
  readonly kernels: readonly string[];
  /**
   * Families of rows: the merge tree of init "hc" on the seeding points (n × d, row-major) —
   * src/hc.ts's hcVVV, mclust's — as pairs merged in order. Without it, "hc" on rows is refused.
   */
  readonly hierarchical?: (x: ArrayLike<number>, n: number, d: number) => Int32Array;
  /**
   * Arrow Dictionary columns of strings as level names (categorical, independent: src/families/arrow-text.ts):
   * sets each one's levels and codes, and the level names in `options` (a copy).
   */
  readonly arrowText?: (columns: Column[], options: Record<string, unknown>, all: boolean, path: string) => void;
  /**
   * Copies the data into WebAssembly memory (allocating from `mem`, which the caller frees, also
   * when this throws), validating it unless `trusted` (already validated once in this fit).
   * `dims` is given when the shape is already known (a fitted model reading new data).
   */
  /**
   * `missing: "marginalize"`: "values" — a missing value (NaN) is a point that contributes nothing
   * (the 1-D families); "rows" — a missing value drops out of its row's density (the spec's
   * `margin`). Families without it refuse the option.
   */
  readonly missing?: "values" | "rows";
  /**
   * Families whose `covariance` is one of mclust's models: selectK searches them (`covariance:
   * "all"`, its default — as mclust's Mclust). `all`: the models of "all" for data of `dims`
   * dimensions (with a prior: those mclust's Mclust fits with one), one per mclust model, in
   * mclust's order; `mclust`: mclust's name of a model in `dims` dimensions ("E"/"V" in 1-D).
   */
  readonly mclustModels?: { all(dims: number, prior: boolean): readonly string[]; mclust(covariance: string, dims: number): string };
  load(mem: Arena, data: unknown, options: Readonly<Record<string, unknown>>, path: string, dims?: number, trusted?: boolean): DatasetParts;
  /**
   * Families whose log-density has a per-point term without parameters (DatasetParts.logConstant:
   * −log x!, log C(n, x)): that term summed with sample weights, Σ_i w_i c_i. Without it, such a
   * family refuses sample weights.
   */
  weightedConstant?(ds: DatasetParts, weights: Float64Array, options: Readonly<Record<string, unknown>>): number;
  /**
   * The prior of `options.prior` (true or an object) with every default filled in from the data
   * (ds is null when loading a model: then every parameter must be given; with sample weights,
   * ds.weights, the weighted data's: src/prior.ts dataMoments). Includes `weights`,
   * the Dirichlet concentration. Stored in the model, so a loaded model needs no data.
   */
  resolvePrior(raw: unknown, ds: DatasetParts | null, k: number, options: Readonly<Record<string, unknown>>, path: string): Record<string, unknown>;
  /**
   * The specification of one fit: sizes fixed by the options and the data's dimension.
   * `options.prior`, when present, is already resolved (see `resolvePrior`).
   */
  configure(options: Readonly<Record<string, unknown>>, dims: number): Spec<C>;
}

/**
 * One parameter a fit can freeze (`freeze`; src/freeze.ts), keyed as its explicit-init entry. The
 * family guarantees that keeping it at its start after the M-step, with `zeroStats` zeroed before,
 * is the conditional M-step (the maximum over the other parameters with this one fixed).
 */
export interface FreezeKey {
  /** Indices into θ (k × thetaSize) of component j's entries of this parameter. */
  slots(j: number, k: number): readonly number[];
  /** Offsets within a component's statistics set to 0 when it is frozen (a mean: its shift statistics). */
  readonly zeroStats?: readonly number[];
  /** Free parameters taken away when `count` of the k components have it frozen. */
  parameters(count: number, k: number): number;
  /** Set when the parameter is shared by every component (why: for the error), so only `true` can freeze it. */
  readonly shared?: string;
  /** Set when this fit's settings leave no conditional M-step for it (why: for the error). */
  readonly refused?: string;
}

/** θ is a flat Float64Array of k × thetaSize; the kernel reads headerSize + k × paramsSize values. */
export interface Spec<C extends object = object> {
  /** The kernel's export name (assembly/kernels/). */
  readonly kernel: string;
  /** Scratch columns the kernel uses beyond the shared ones (mvn full: 2·d); the evaluator sizes the scratch. */
  readonly workColumns: number;
  readonly dims: number;
  readonly thetaSize: number;
  readonly headerSize: number;
  readonly paramsSize: number;
  /** Statistics per component; statistic 0 is always Σ r (the component's expected count). */
  readonly statsSize: number;
  /** Names of the explicit-init entries besides `weights` (gaussian: means, variances). */
  readonly initKeys: readonly string[];
  /** The parameters `freeze` can hold at their start (besides the weights, which every family can), by explicit-init name. */
  readonly freeze?: Readonly<Record<string, FreezeKey>>;
  /**
   * A family of columns (independent): `freeze.columns`, an array of one freeze object per column,
   * read as entries [key "columns.a.key", value, path for errors] of `freeze` (src/freeze.ts).
   */
  freezeColumns?(raw: unknown, path: string): [string, unknown, string][];
  /**
   * Screens the seeds k-means++ draws (src/seeding.ts): given the seeding points, their number, the
   * fit's random stream and the sample weights, a screen (or null: none), which chooses each seed
   * among `draws` independent draws. t and mvt pass over isolated points (src/isolation.ts), so no
   * component starts on a handful of far outliers; without it, plain k-means++.
   */
  readonly seedScreen?: (points: Points, n: number, rng: Random, weights: Float64Array | (() => Float64Array) | null) => SeedScreen | null;
  /**
   * The data's scale (DataScale.scale: the variance floor, the starting scales) measured robustly:
   * per dimension the smaller of the variance and (1.4826 · MAD)² of the seed rows
   * (src/isolation.ts robustScales, given the seed rows and the variance), so that a few far outliers
   * do not raise the floor above the groups' own variances. t and mvt; without it, the variance.
   */
  readonly robustScale?: (points: Points, n: number, variance: ArrayLike<number>, weights: Float64Array | (() => Float64Array) | null) => Float64Array;
  /** What a model keeps to rebuild this spec (family options such as covariance, regCovar, dims, prior). */
  readonly settings: Readonly<Record<string, unknown>>;

  /** Free parameters of k components (the weights are counted by the driver). */
  componentParameters(k: number): number;
  /**
   * Initial θ from k seed locations (k × seedDims, each one of the data's `seedPoints`, chosen by
   * k-means++ or at random): it must be a valid θ (the kernel is packed from it), since the driver
   * then assigns every point to its nearest seed and runs one M-step from those statistics.
   * `spread` (k factors in (0, 1], from the seed screen's `spreads`; t and mvt): each component's
   * scale starts at that factor times the data's variance instead of the variance itself.
   */
  seed(seeds: Float64Array, data: DataScale, theta: Float64Array, spread?: Float64Array): void;
  /** Validates the explicit init entries (`initKeys`) and writes θ. */
  fromInit(init: Readonly<Record<string, unknown>>, k: number, theta: Float64Array, path: string): void;
  /** Writes the kernel parameters (header + per component) from θ and log-weights. */
  pack(theta: Float64Array, logWeights: Float64Array, ds: DatasetParts, params: Float64Array): void;
  /**
   * M-step (MAP with the prior, if any): θ from the statistics of the last pass. Components whose
   * Σ r ≤ EMPTY_MASS keep their parameters (see `forActive`). `held` (k × thetaSize, 1 at a
   * frozen entry; src/freeze.ts) is given when some parameters are frozen: a family whose
   * parameters' steps are joint (gamma shape and rate) takes the conditional step of the free ones
   * with the held ones at their values; the driver puts the held entries back after.
   */
  maximize(stats: Float64Array, theta: Float64Array, k: number, data: DataScale, held?: Uint8Array): void;
  /** log p(θ) of the component parameters under the prior (0 without one). */
  logPrior(theta: Float64Array, k: number): number;
  /** The public view of component j, and back (validated, for loadModel). */
  component(theta: Float64Array, j: number): C;
  fromComponent(c: unknown, theta: Float64Array, j: number, path: string): void;
  /**
   * The variance of component j's own points in each dimension — Σ_i r_ij (x_i − x̄_j)² / Σ_i r_ij —
   * from a pass's statistics (Gaussian families). selectK flags a component whose points have no
   * spread of their own (a spike on a repeated value, whatever its prior keeps its variance at).
   */
  ownVariance?(stats: Float64Array, j: number): number[];
  /**
   * Constraints across components (tied covariance: all equal), for stored models; throws a MixemError
   * naming `path`. `stored`: θ was read from a saved model's components (loadModel), whose derived
   * parts (a covariance's decomposition) are kept where valid instead of derived again.
   */
  validate?(theta: Float64Array, k: number, path: string, stored?: boolean): void;
  /** Checks sampling options (the model's settings merged in as defaults) and returns the draw of one point. */
  sampler(options: Readonly<Record<string, unknown>>): Sampler;
  /**
   * log w_j + log p(x | θ_j) for the point at x[offset … offset + dims), with its per-point
   * constants, from the kernel parameters `pack` wrote (the kernel's own formula, evaluated in
   * TypeScript). `aux` is the data's second value per point (binomial trials) or null, `i` the
   * point's index. The model's `scoreSamples` needs it.
   */
  logJoint?(params: Float64Array, j: number, x: Float64Array, offset: number, aux: Float64Array | null, i: number): number;
  /**
   * Families with a heat map plot: each component's probability of every level of every column,
   * and the shares of the levels in `data` (read and checked as the model reads data, in plain
   * JavaScript: no WebAssembly), for plotFit. `names`: the columns' names, or undefined;
   * `weights`: checked sample weights, one per row (a level's share is then its Σ w over Σ w).
   */
  heatmap?(theta: Float64Array, k: number, data: unknown, names: readonly string[] | undefined, weights?: ArrayLike<number>): HeatmapTable;
  /** Plot kind "columns": each column as a 1-D model of its own family (its picture, spec, θ of k components and settings). */
  columnPictures?(theta: Float64Array, k: number): { family: string; plot: PlotKind; spec: Spec; theta: Float64Array; settings: Record<string, unknown> }[];
  /**
   * Conditional maximisations of the observed log-likelihood itself that need the data, after the
   * M-step (ECME, Liu & Rubin 1994: the Student-t degrees of freedom). The driver answers the pass
   * at the M-step's θ and calls `refine` with it; `refine` may change θ in place and return true to
   * have the pass at the new θ answered and be called again, and returns false when the last pass
   * it was given was answered at the current θ — that pass is then the next E-step. "light" is
   * true, with the next pass asked for the log-likelihood and the statistics `refine` reads only
   * (PassRequest.light: when it expects to step again); the driver follows a search that ends on
   * such a pass with a full one. It leaves the entries `held` marks (frozen; see `maximize`) as they are.
   */
  refine?(theta: Float64Array, k: number, pass: { readonly logLikelihood: number; readonly stats: Float64Array }, held?: Uint8Array): boolean | "light";
  /** With `refine`: whether the pass after the next M-step may be light too (`refine` expects to step from it). */
  lightFirst?(): boolean;
  /**
   * Unconstrained coordinates of θ in which SQUAREM (`accelerate: "squarem"`) extrapolates
   * (src/squarem.ts). Without them θ is extrapolated as it is, and each extrapolated θ must pass
   * the family's own parameter checks (fromComponent, validate) before it is evaluated.
   */
  free?: FreeParameters;
  /** Families with `missing: "rows"`: EM over observed margins. */
  margin?: Margin;
  /** 1-D families with a density or counts plot: checks the plot's options (settings merged in) and returns the density. */
  plotDensity?(options: Readonly<Record<string, unknown>>): PlotDensity;
}

/** The data settings of parts of one data set, merged by the family's rule (Family.mergeDataSettings; by default a setting that differs is null). */
export function mergeDataSettings(family: Family, first: Readonly<Record<string, unknown>>, next: Readonly<Record<string, unknown>>, options: Readonly<Record<string, unknown>>, parts?: DataParts): Record<string, unknown> {
  return family.mergeDataSettings ? family.mergeDataSettings(first, next, options, parts) : differingToNull(first, next);
}

/** The parts whose data settings are merged, as errors name them ("chunks[0]", "chunks[3]"). */
export interface DataParts { first: string; next: string }

/** The first part's settings with each one the next part has otherwise set to null. */
export function differingToNull(first: Readonly<Record<string, unknown>>, next: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...first };
  for (const key of Object.keys(out)) if (JSON.stringify(next[key]) !== JSON.stringify(out[key])) out[key] = null;
  return out;
}
