// The contract between the EM driver and a family. The driver never asks which family it runs:
// it loads data, seeds, packs kernel parameters, calls the family's fused WASM pass and hands the
// sufficient statistics back for the M-step. Adding a family = one module in families/ and one
// kernel in assembly/.
import type { KernelName, Region, WasmCore } from "./wasm.js";
import type { Random } from "./random.js";

export type FamilyName = "gaussian" | "poisson" | "binomial" | "mvgaussian" | "bernoulli";

/** Data copied into WebAssembly memory once, plus what the family derived from it. */
export interface Dataset {
  readonly n: number;
  /** Values per point (1 for the 1-D families). */
  readonly dims: number;
  /** n × dims values, row-major (f64). */
  readonly x: Region;
  /** A second value per point (binomial: trials), or null. */
  readonly aux: Region | null;
  /** Σ_i of the log-density terms that do not depend on the parameters (−log x!, log C(n, x)). */
  readonly logConstant: number;
  /** Binomial: the constant number of trials (0 when per observation). */
  readonly auxConst: number;
  /** Population variance of each dimension of the data (1 where it is 0): scales regCovar. */
  readonly scale: Float64Array;
}

/** What an M-step needs to know of the data: its per-dimension variances (the Gaussian floor's scale). */
export type DataScale = Pick<Dataset, "scale">;

/** Validator of one option: throws a MixemError naming `path` when `value` is not acceptable. */
export type Rule = (value: unknown, path: string) => void;

export interface Family {
  readonly name: FamilyName;
  /** Options only this family takes, each with its validator. */
  readonly options: Readonly<Record<string, Rule>>;
  /**
   * Validates the data (naming the first bad index) and copies it into WebAssembly memory.
   * `dims` is given when the shape is already known (a fitted model reading new data).
   */
  load(core: WasmCore, data: unknown, options: Readonly<Record<string, unknown>>, path: string, dims?: number): Dataset;
  /**
   * The specification of one fit: sizes fixed by the options and the data's dimension.
   * `options.prior`, when present, is already resolved (see `resolvePrior`).
   */
  configure(options: Readonly<Record<string, unknown>>, dims: number): Spec;
  /**
   * The prior of `options.prior` (true or an object) with every default filled in from the data
   * (ds is null when loading a model: then every parameter must be given). Includes `weights`,
   * the Dirichlet concentration. Stored in the model, so a loaded model needs no data.
   */
  resolvePrior(raw: unknown, ds: Dataset | null, k: number, options: Readonly<Record<string, unknown>>, path: string): Record<string, unknown>;
}

/** θ is a flat Float64Array of k × thetaSize; the kernel reads headerSize + k × paramsSize values. */
export interface Spec {
  readonly kernel: KernelName;
  readonly dims: number;
  readonly thetaSize: number;
  readonly headerSize: number;
  readonly paramsSize: number;
  /** Statistics per component; statistic 0 is always Σ r (the component's expected count). */
  readonly statsSize: number;
  /** Names of the explicit-init entries besides `weights` (gaussian: means, variances). */
  readonly initKeys: readonly string[];
  /** What a model keeps to rebuild this spec (family options such as covariance, regCovar, trials). */
  readonly settings: Readonly<Record<string, unknown>>;

  /** Free parameters of k components (the weights are counted by the driver). */
  componentParameters(k: number): number;
  /** One seeding location per point, n × seedDims row-major (binomial: the proportion x/n). */
  seedPoints(ds: Dataset): { points: Float64Array; dims: number };
  /** θ centred on the seed locations (k × seedDims), the start of the seeding M-step. */
  seed(seeds: Float64Array, ds: Dataset, theta: Float64Array): void;
  /** Validates the explicit init entries (`initKeys`) and writes θ. */
  fromInit(init: Readonly<Record<string, unknown>>, k: number, theta: Float64Array, path: string): void;
  /** Writes the kernel parameters (header + per component) from θ and log-weights. */
  pack(theta: Float64Array, logWeights: Float64Array, ds: Dataset, params: Float64Array): void;
  /**
   * M-step (MAP with the prior, if any): θ from the statistics of the last pass. Components whose
   * Σ r ≤ EMPTY_MASS keep their parameters (see `forActive`).
   */
  maximize(stats: Float64Array, theta: Float64Array, k: number, data: DataScale): void;
  /** log p(θ) of the component parameters under the prior (0 without one). */
  logPrior(theta: Float64Array, k: number): number;
  /** The public view of component j, and back (validated, for loadModel). */
  component(theta: Float64Array, j: number): object;
  fromComponent(c: unknown, theta: Float64Array, j: number, path: string): void;
  /** Draws one point of component j into out[offset … offset + dims). */
  sample(theta: Float64Array, j: number, rng: Random, trials: number, out: Float64Array, offset: number): void;
}
