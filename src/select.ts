// Model selection over the number of components: fit each k (with restarts) and score it.
import { fitSync } from "./fit.js";
import type { DistributiveOmit, FamilyOfOptions, FitOptions, ModelData } from "./types.js";
import type { MixtureModel } from "./model.js";
import { familyOf, type FamilyName } from "./families/index.js";
import { DEFAULTS } from "./defaults.js";
import { aic, bic } from "./criteria.js";
import { accumulate } from "./stats.js";
import { MixemError, optionError } from "./errors.js";
import { ownOptions } from "./options.js";
import { describe } from "./data.js";
import * as M from "./math.js";

export type Criterion = "bic" | "aic" | "icl";

/** selectK's options: fit's without `k`, and the range to search. */
export type SelectOptions = DistributiveOmit<FitOptions, "k"> & {
  /** Smallest and largest k to try (inclusive). Default [1, 8]. */
  kRange?: [number, number];
  /** What picks the best k (lower is better for all three). Default "bic". */
  criterion?: Criterion;
  /** Called after each k is fitted. */
  onModel?: (entry: SelectionEntry) => void;
};

export interface SelectionEntry<F extends FamilyName = FamilyName> {
  k: number;
  bic: number;
  aic: number;
  /** Integrated completed likelihood (mclust's): BIC − 2 Σ_i log max_k p(k | x_i). */
  icl: number;
  logLikelihood: number;
  nParameters: number;
  model: MixtureModel<F>;
  /**
   * "DEGENERATE" when the model has warnings (`model.warnings`: a component at the variance floor,
   * with fewer points than parameters, or singular): its scores are kept but it is never `best`
   * (mclust reports BIC = NA for such fits). Absent for a sound fit.
   */
  error?: "DEGENERATE";
  /** Components whose own points have no spread (see selectK): a reason for `error`, besides `model.warnings`. */
  spikes?: number[];
}

export interface Selection<F extends FamilyName = FamilyName> {
  criterion: Criterion;
  best: MixtureModel<F>;
  k: number;
  /** One entry per k tried, in order; k values that cannot be fitted (fewer distinct points) are left out. */
  scores: SelectionEntry<F>[];
  /**
   * True when every k tried gave a degenerate fit (every entry has `error: "DEGENERATE"`): `best`
   * is then the least bad of them by the criterion, and its `warnings` say why. False otherwise,
   * and `best` is the best sound fit.
   */
  degenerate: boolean;
}

/**
 * Fits k = kRange[0] … kRange[1] components (nInit restarts each, default 3) and returns every
 * score and the model with the lowest criterion. BIC = −2 log L + p log n, AIC = −2 log L + 2p,
 * ICL = BIC − 2 Σ_i log max_k z_ik (the classification entropy of the MAP labels), as mclust.
 * A degenerate fit (`model.warnings` not empty: a spurious component on a repeated value, a single
 * point, or too few points for its parameters) keeps its entry, marked `error: "DEGENERATE"`, but is
 * never chosen — as mclust, which gives such fits BIC = NA. If every k is degenerate, the least bad
 * is returned with `degenerate: true`.
 */
export function selectK<const O extends SelectOptions>(data: ModelData, options?: O): Selection<FamilyOfOptions<O>>;
export function selectK(data: ModelData, options: SelectOptions = {}): Selection {
  const { kRange = [1, 8], criterion = "bic", onModel, ...fitOptions } = ownOptions(options) as SelectOptions;
  if ("k" in fitOptions && (fitOptions as { k?: unknown }).k !== undefined) throw optionError("options.k", "is not an option of selectK: give kRange (the k to try)");
  if (!Array.isArray(kRange) || kRange.length !== 2 || !kRange.every((v) => Number.isInteger(v) && v >= 1 && v <= 1 << 20) || kRange[0] > kRange[1])
    throw optionError("options.kRange", `must be [min, max] with integers 1 ≤ min ≤ max, got ${describe(kRange)}`);
  if (typeof criterion !== "string" || !["bic", "aic", "icl"].includes(criterion)) throw optionError("options.criterion", `must be one of "bic", "aic", "icl", got ${describe(criterion)}`);
  if (onModel !== undefined && typeof onModel !== "function") throw optionError("options.onModel", "must be a function");
  const scores: SelectionEntry[] = [];
  // The fit options that evaluating the data again also needs (binomial: trials).
  const family = familyOf(fitOptions.family ?? DEFAULTS.family);
  const evalOptions = Object.fromEntries(Object.keys(family?.evalOptions ?? {}).map((key) => [key, (fitOptions as Record<string, unknown>)[key]]));
  for (let k = kRange[0]; k <= kRange[1]; k++) {
    let model: MixtureModel;
    try {
      model = fitSync(data, { nInit: fitOptions.init && typeof fitOptions.init === "object" ? 1 : 3, ...fitOptions, k } as FitOptions);
    } catch (e) {
      // Past the number of distinct points no larger k can be fitted either: stop there.
      if (k > kRange[0] && e instanceof MixemError && e.reason === "TOO_FEW_DISTINCT") break;
      throw e;
    }
    const n = model.nObservations;

    const proba = model.predictProba(data, evalOptions);
    let entropy = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 0; j < k; j++) best = Math.max(best, proba[i * k + j]);
      entropy += M.log(best);
    }
    const b = bic(model.logLikelihood, model.nParameters, n);
    const entry: SelectionEntry = { k, bic: b, aic: aic(model.logLikelihood, model.nParameters), icl: b - 2 * entropy, logLikelihood: model.logLikelihood, nParameters: model.nParameters, model };
    const spikes = spikesOf(model, data, evalOptions);
    if (spikes.length > 0) entry.spikes = spikes;
    if (model.warnings.length > 0 || spikes.length > 0) entry.error = "DEGENERATE";
    scores.push(entry);
    onModel?.(entry);
  }
  const sound = scores.filter((e) => e.error === undefined);
  const degenerate = sound.length === 0;
  const bestEntry = (degenerate ? scores : sound).reduce((a, b) => (b[criterion] < a[criterion] ? b : a));
  return { criterion, best: bestEntry.model, k: bestEntry.k, scores, degenerate };
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
