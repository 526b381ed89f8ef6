/**
 * mixem — mixture models fitted by Expectation-Maximization, with the hot loop in WebAssembly.
 *
 *     import { fit } from "mixem";
 *     const model = await fit([1.2, 0.8, 5.1, 4.9, 5.3], { family: "gaussian", k: 2 });
 *
 * @packageDocumentation
 */
export { fit, fitSync } from "./fit.js";
export { MixtureModel, loadModel, type ModelJSON } from "./model.js";
export type { Degeneracy, DegeneracyCode } from "./degenerate.js";
export type {
  Component, CommonFitOptions, DefaultFamily, DistributiveOmit, EvalOptions, ScoreOptions, AccumulateOptions, ExactFitOptions, ExplicitInit, FamilyOfOptions, FitOptions, FitOptionsFor, FreezeFor,
  FitSummary, InitFor, IterationInfo, ModelData, ArrowColumnsOption, ModelSettings, SampleOptions, StopReason, ProbaOptions, MeansOf, CovariancesOf,
} from "./types.js";
export type { AllFamilyOptions, ComponentOf, FamilyName, FreezeKeysOf, InitOf, OptionsOf } from "./families/index.js";
export type { ColumnFreeze } from "./types.js";
export type { GaussianComponent, GaussianOptions, GaussianPrior } from "./families/gaussian.js";
export type { PoissonComponent, PoissonOptions, PoissonPrior } from "./families/poisson.js";
export type { ExponentialComponent, ExponentialOptions, ExponentialPrior } from "./families/exponential.js";
export type { GammaComponent, GammaOptions } from "./families/gamma.js";
export type { LognormalComponent, LognormalOptions, LognormalPrior } from "./families/lognormal.js";
export type { NegbinomialComponent, NegbinomialOptions } from "./families/negbinomial.js";
export type { BinomialComponent, BinomialOptions, BinomialPrior } from "./families/binomial.js";
export type { CovarianceType, MclustModelName, MvGaussianComponent, MvGaussianInit, MvGaussianOptions, MvGaussianPrior } from "./families/mvgaussian/index.js";
export type { BernoulliComponent, BernoulliOptions, BernoulliPrior } from "./families/bernoulli.js";
export type { CategoricalComponent, CategoricalLevels, CategoricalOptions, CategoricalPrior } from "./families/categorical.js";
export type { IndependentColumn, IndependentComponent, IndependentOptions, IndependentPrior } from "./families/independent.js";
export type { TComponent, TInit, TOptions } from "./families/t.js";
export type { MvtComponent, MvtInit, MvtOptions } from "./families/mvt.js";
export type { DofOption } from "./families/student.js";
export { MixemError, type MixemErrorCode, type MixemErrorReason } from "./errors.js";
export { init, initSync, wasmMemoryBytes } from "./wasm.js";
export { fitInWorker, type WorkerFitOptions } from "./worker.js";
export { selectK, selectKAsync, type SelectOptions, type SelectCommon, type SelectAsyncOptions, type SelectFamilyOf, type CovarianceModelName, type Selection, type SelectionEntry, type Criterion } from "./select.js";
export { plotFit, plotSelection, type PlotOptions } from "./plot.js";
export { accumulate, mergeStats, maximize, type SufficientStatistics } from "./stats.js";
export { fitStream, type Chunk, type ChunkSource, type WeightedChunk } from "./stream.js";
export { DEFAULTS } from "./defaults.js";
export type { ArrowTableLike, ArrowVectorLike, ArrowDataLike, ArrowTypeLike } from "./arrow.js";
