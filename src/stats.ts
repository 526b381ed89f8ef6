// Mergeable sufficient statistics: the path beyond one machine. An application shards the E-step
// over processes or machines with any job system:
//   const parts = shards.map((chunk) => accumulate(model, chunk));  // anywhere, JSON-serialisable
//   model = maximize(model, mergeStats(...parts));                    // one M-step
// and gets the in-memory result (to the rounding of the merge order). Statistics are sums, so
// they add; the Gaussian ones are about the model's current means (exact far from the origin),
// so all parts must come from the same model — checked by a fingerprint of its parameters.
import { Evaluator } from "./evaluator.js";
import type { FamilyName } from "./families/index.js";
import { maximizeStep } from "./em.js";
import { frozenAt } from "./freeze.js";
import { checkModel, checkParameters, MixtureModel } from "./model.js";
import { ownOptions } from "./options.js";
import { sha256 } from "./sha256.js";
import type { AccumulateOptions, ModelData } from "./types.js";
import { withDataset } from "./dataset.js";
import { MixemError, optionError } from "./errors.js";
import { describe } from "./data.js";

export interface SufficientStatistics {
  format: "mixem-stats";
  version: 1;
  family: FamilyName;
  k: number;
  /** Fingerprint of the model (parameters and weights) the statistics were computed at. */
  at: string;
  /** Number of observations summed (Σ w with sample weights). */
  n: number;
  /** Their log-likelihood under that model. */
  logLikelihood: number;
  /** With partial labels (accumulate's `labels`): their objective, Σ_labelled log π_l p(x_i | θ_l) + Σ_unlabelled log-likelihood (see MixtureModel.objective). */
  objective?: number;
  /** k × (statistics per component), component-major; the first of each is Σ r. */
  values: number[];
}

/** SHA-256 of the bytes of the model's parameters and weights: equal models, equal fingerprints; different models, different ones. */
export function fingerprint(model: MixtureModel): string {
  const bytes = new Uint8Array((model.theta.length + model.weightArray.length) * 8);
  const values = new Float64Array(bytes.buffer);
  values.set(model.theta);
  values.set(model.weightArray, model.theta.length);
  return `${model.family}:${model.k}:${sha256(bytes)}`;
}

/** The E-step's statistics of `data` at the model's parameters (plus n and the log-likelihood). */
export function accumulate(model: MixtureModel, data: ModelData, options?: AccumulateOptions): SufficientStatistics {
  checkModel(model);
  return withDataset(model.load(data, options, true, true), (ds) => {
    const ev = new Evaluator(model.spec, model.k);
    try {
      const logLikelihood = ev.run(ds, model.theta, model.weightArray, { hard: model.settings.mode === "hard", stats: true });
      return {
        format: "mixem-stats", version: 1, family: model.family, k: model.k, at: fingerprint(model), n: ds.totalWeight ?? ds.n, logLikelihood,
        ...(ds.labels ? { objective: logLikelihood + ev.labelTerm } : {}), values: Array.from(ev.stats),
      };
    } finally {
      ev.free();
    }
  });
}

/**
 * Statistics as accumulate() makes them: the format, finite values, log-likelihood and count, and
 * expected counts Σr that are ≥ 0 and add up to the number of observations (each point's
 * responsibilities sum to 1). Read from own properties once.
 */
function checkStats(s: unknown, path: string): SufficientStatistics {
  const o = (typeof s === "object" && s !== null && !Array.isArray(s) ? ownOptions(s, path) : s) as SufficientStatistics;
  if (typeof o !== "object" || o === null || o.format !== "mixem-stats" || o.version !== 1)
    throw optionError(path, `must be statistics from accumulate() (format "mixem-stats", version 1), got ${describe(s)}`);
  if (!Array.isArray(o.values) || !o.values.every(Number.isFinite) || !Number.isFinite(o.logLikelihood) || !(Number.isFinite(o.n) && o.n >= 0) || !(o.objective === undefined || Number.isFinite(o.objective)))
    throw optionError(path, "has non-finite values, log-likelihood or count");
  if (!(Number.isSafeInteger(o.k) && o.k >= 1 && o.values.length % o.k === 0)) throw optionError(`${path}.k`, `must be a positive integer dividing the ${o.values.length} values`);
  const size = o.values.length / o.k;
  let counts = 0;
  for (let j = 0; j < o.k; j++) {
    const r = o.values[j * size];
    if (!(r >= 0)) throw optionError(`${path}.values[${j * size}]`, `is component ${j}'s expected count Σr, which cannot be negative (${r})`);
    counts += r;
  }
  if (!(Math.abs(counts - o.n) <= 1e-9 * Math.max(o.n, 1) + 1e-9))
    throw optionError(`${path}.values`, `hold expected counts that add up to ${counts}, not to the ${o.n} observations`);
  return { ...o, values: [...o.values] };
}

/** Sums statistics computed at the same model (any number of parts, in any grouping). */
export function mergeStats(...parts: SufficientStatistics[]): SufficientStatistics {
  if (parts.length === 0) throw optionError("parts", "needs at least one set of statistics");
  const first = checkStats(parts[0], "parts[0]");
  const values = Float64Array.from(first.values);
  let n = first.n, logLikelihood = first.logLikelihood;
  // Parts without labels count their log-likelihood as their objective.
  let objective = first.objective ?? first.logLikelihood, labelled = first.objective !== undefined;
  for (let p = 1; p < parts.length; p++) {
    const s = checkStats(parts[p], `parts[${p}]`);
    if (s.at !== first.at || s.values.length !== values.length)
      throw new MixemError("INVALID_OPTION", `were computed at another model (${s.at}) than parts[0] (${first.at}): statistics are relative to the model's parameters and only add up for the same model`, `parts[${p}]`);
    for (let i = 0; i < values.length; i++) values[i] += s.values[i];
    n += s.n;
    logLikelihood += s.logLikelihood;
    objective += s.objective ?? s.logLikelihood;
    if (s.objective !== undefined) labelled = true;
  }
  if (!values.every(Number.isFinite) || !Number.isFinite(logLikelihood) || !Number.isFinite(n))
    throw new MixemError("INVALID_OPTION", "overflow when added up (a sum is not finite)", "parts");
  return { ...first, n, logLikelihood, ...(labelled ? { objective } : {}), values: Array.from(values) };
}

/**
 * One M-step: the model that the statistics (of all the data, merged) lead to. Its
 * `logLikelihood` is the one the statistics carry — of the previous parameters (accumulate again
 * for the new ones); `iterations` counts on from the model's.
 */
export function maximize(model: MixtureModel, stats: SufficientStatistics): MixtureModel {
  checkModel(model);
  const s = checkStats(stats, "stats");
  if (s.at !== fingerprint(model)) throw new MixemError("INVALID_OPTION", `were computed at another model (${s.at}), not at this one (${fingerprint(model)})`, "stats");
  if (s.values.length !== model.k * model.spec.statsSize) throw optionError("stats.values", `must have ${model.k * model.spec.statsSize} values`);
  const theta = Float64Array.from(model.theta), weights = Float64Array.from(model.weightArray);
  const scale = Float64Array.from(model.settings.scale ?? new Array<number>(model.dims).fill(1));
  const alpha = (model.settings.prior as { weights?: number } | undefined)?.weights ?? 1;
  // Frozen parameters (settings.freeze) stay at the model's values: the conditional M-step.
  const frozen = model.settings.freeze ? frozenAt(model.spec, model.settings.freeze, model.k, model.theta, model.weightArray) : undefined;
  maximizeStep(model.spec, Float64Array.from(s.values), theta, weights, model.k, { scale }, !model.settings.fixWeights, alpha, frozen);
  // Forged statistics can pass every check above and still lead outside the parameter space.
  checkParameters(model.spec, theta, weights, "INVALID_OPTION", "stats");
  return new MixtureModel(model.family, model.spec, theta, weights, model.settings, {
    logLikelihood: s.logLikelihood, ...(s.objective === undefined ? {} : { objective: s.objective }), history: [...model.history, s.logLikelihood], iterations: model.iterations + 1, passes: model.passes + 1,
    converged: false, stopReason: "maxIter", nObservations: s.n,
  });
}
