// The contract between the EM driver and a family. The driver never asks which family it runs:
// it loads data, seeds, packs kernel parameters, calls the family's fused WASM pass and hands each
// component's sufficient statistics back for the M-step. Adding a family = one module here and
// one kernel in assembly/.
import type { KernelName, Region, WasmCore } from "./wasm.js";
import type { Random } from "./random.js";

export type FamilyName = "gaussian" | "poisson" | "binomial";

/** Data copied into WebAssembly memory once, plus what the family derived from it. */
export interface Dataset {
  readonly n: number;
  /** One value per point (f64). */
  readonly x: Region;
  /** A second value per point (binomial: trials), or null. */
  readonly aux: Region | null;
  /** Σ_i of the log-density terms that do not depend on the parameters (−log x!, log C(n, x)). */
  readonly logConstant: number;
  /** Family-specific scalars the kernel header or the M-step needs (binomial: constant trials). */
  readonly auxConst: number;
  /** Variance of the seeding points (gaussian: scales regCovar and the seeding variance). */
  readonly spread: number;
}

/** Validator of one option: throws a MixemError naming `path` when `value` is not acceptable. */
export type Rule = (value: unknown, path: string) => void;

export interface Family<Config = unknown, Component = Record<string, number>> {
  readonly name: FamilyName;
  readonly kernel: KernelName;
  /** Parameters per component in θ (the driver's flat Float64Array of k × thetaSize). */
  readonly thetaSize: number;
  /** Kernel parameters: a header, then paramsSize values per component (see assembly/<family>.ts). */
  readonly headerSize: number;
  readonly paramsSize: number;
  /** Statistics per component; statistic 0 is always Σ r (the component's expected count). */
  readonly statsSize: number;
  /** Free parameters per component, for BIC/AIC (the weights are counted by the driver). */
  readonly freeParameters: number;
  /** Names of the explicit-init arrays, in θ order (gaussian: means, variances). */
  readonly initKeys: readonly string[];
  /** Options only this family takes, each with its validator. */
  readonly options: Readonly<Record<string, Rule>>;

  configure(options: Record<string, unknown>): Config;
  /** Validates the data (naming the first bad index) and copies it into WebAssembly memory. */
  load(core: WasmCore, data: unknown, config: Config, path: string): Dataset;
  /** One seeding location per point (binomial: the proportion x/n). */
  location(ds: Dataset, i: number): number;
  /** θ centred on the given seed locations, for the hard assignment that starts EM. */
  seed(seeds: readonly number[], ds: Dataset, config: Config, theta: Float64Array): void;
  /** Validates one explicit initial value of `initKeys[key]` (already finite) and returns θ's value. */
  initValue(key: number, value: number, path: string): number;
  /** Writes the kernel parameters (header + per component) from θ and log-weights. */
  pack(theta: Float64Array, logWeights: Float64Array, ds: Dataset, params: Float64Array): void;
  /** M-step for component j from its statistics stats[s .. s+statsSize) (only called when Σ r > 0). */
  maximize(stats: Float64Array, s: number, theta: Float64Array, t: number, ds: Dataset, config: Config): void;
  /** The public view of component j, and back (validated, for loadModel). */
  component(theta: Float64Array, t: number): Component;
  fromComponent(c: unknown, theta: Float64Array, t: number, path: string): void;
  /** Draws one value from component j; `trials` is the binomial's n. */
  sample(theta: Float64Array, t: number, rng: Random, trials: number): number;
}
