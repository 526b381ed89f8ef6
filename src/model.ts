// A fitted mixture: parameters, fit diagnostics, and evaluation on new data through the same
// WASM kernels the fit used (so fit(x).predict(x) matches the fit's last E-step exactly).
import { freeWeights, frozenParameters, readFreeze } from "./freeze.js";
import type { DatasetParts, Rule, Spec } from "./family.js";
import * as M from "./math.js";
import type { Component, CovariancesOf, EvalOptions, FitSummary, ScoreOptions, MeansOf, ModelData, ModelSettings, ProbaOptions, SampleOptions, StopReason } from "./types.js";
import { Evaluator } from "./evaluator.js";
import { familyOf, type ComponentOf, type FamilyName } from "./families/index.js";
import { getCore, MAX_REGION_VALUES } from "./wasm.js";
import { loadDataset, withDataset } from "./dataset.js";
import { Random } from "./random.js";
import { jsAllocation, MixemError, optionError, recode, readFailure } from "./errors.js";
import { boolean, checkOptions, integer, ownOptions, sampleWeightsRule, labelsRule, weightList } from "./options.js";
import { describe } from "./data.js";
import { arrowColumnsRule, arrowKind, arrowRows, arrowRowsInto } from "./arrow.js";
import { aic, bic } from "./criteria.js";
import { degeneracies, type Degeneracy } from "./degenerate.js";

/** The serialised form: plain JSON, exact (every double survives JSON.stringify/parse). */
export interface ModelJSON<F extends FamilyName = FamilyName> {
  format: "mixem-model";
  version: 1;
  family: F;
  k: number;
  weights: number[];
  components: ComponentOf<F>[];
  settings: ModelSettings;
  fit: FitSummary;
}

/** Options merged over the model's settings (an option left undefined keeps the setting). */
const over = (settings: Readonly<ModelSettings>, options: Readonly<Record<string, unknown>>) => {
  const merged: Record<string, unknown> = { ...settings };
  for (const [key, v] of Object.entries(options)) if (v !== undefined) merged[key] = v;
  return merged;
};

/** A fitted mixture of family F (`MixtureModel<"poisson">`); `MixtureModel` alone is a model of any family. */
export class MixtureModel<F extends FamilyName = FamilyName> {
  readonly family: F;
  readonly k: number;
  /** Values per point (1 for gaussian, poisson, binomial). */
  readonly dims: number;
  /** Mixing weights (sum to 1). */
  readonly weights: readonly number[];
  /** Parameters of each component: {mean, variance} | {lambda} | {p}. */
  readonly components: readonly ComponentOf<F>[];
  readonly settings: Readonly<ModelSettings>;
  /** Incomplete log-likelihood Σ_i log Σ_k w_k p(x_i | θ_k) of the training data at these parameters. */
  readonly logLikelihood: number;
  /** Log-likelihood after each iteration; the last equals `logLikelihood`. */
  readonly history: readonly number[];
  /**
   * What EM increased: with partial labels (`labels`), Σ_labelled w_i log π_l p(x_i | θ_l) +
   * Σ_unlabelled w_i log Σ_j π_j p(x_i | θ_j) (mclust's MclustSSC loglik); without, `logLikelihood`.
   * (`logLikelihood` itself always counts every point as unlabelled.)
   */
  readonly objective: number;
  /**
   * MAP-EM only (undefined otherwise): log-likelihood + log p(θ) + log p(weights), with normalised
   * prior densities — the objective the fit increases — and its value after each iteration.
   */
  readonly logPosterior: number | undefined;
  readonly posteriorHistory: readonly number[] | undefined;
  readonly iterations: number;
  /**
   * E-steps (passes over the data) the returned run made, counting the one at its start (not the
   * seeding pass): iterations + 1 for plain EM; with `accelerate: "squarem"` 2 to 4 per iteration
   * (t and mvt: plus their ECME passes).
   */
  readonly passes: number;
  readonly converged: boolean;
  readonly stopReason: StopReason;
  readonly nObservations: number;
  /** `missing: "marginalize"`: the number of missing values (NaN) in the training data; 0 otherwise. */
  readonly nMissing: number;
  /**
   * Degenerate components (empty for a sound fit), computed from the parameters: `VARIANCE_AT_FLOOR`
   * (a variance or covariance eigenvalue held up by the floor `regCovar` × var(data), not the data),
   * `TOO_FEW_POINTS` (weight × n below the component's free parameters), `SINGULAR` (mclust's `eps`
   * test on the covariance). `selectK` never picks a model with warnings (mclust gives such fits
   * BIC = NA). See docs/numerics.md, "Model selection".
   */
  readonly warnings: readonly Degeneracy[];

  /** @internal */
  readonly spec: Spec;
  /** @internal */
  readonly theta: Float64Array;
  /** @internal */
  readonly weightArray: Float64Array;
  /** @internal FitSummary.nMissing as the fit gave it (toJSON keeps it only then). */
  readonly fitMissing: number | undefined;
  /** The PRNG of `sample` calls without a seed (made at the first). */
  private sampleStream: Random | undefined;

  /** @internal Use `fit` or `loadModel`. */
  constructor(family: F, spec: Spec, theta: Float64Array, weights: Float64Array, settings: ModelSettings, fit: FitSummary) {
    this.family = family;
    this.spec = spec;
    this.k = weights.length;
    this.dims = spec.dims;
    this.theta = theta;
    this.weightArray = weights;
    this.weights = Object.freeze(Array.from(weights));
    this.components = Object.freeze(Array.from({ length: this.k }, (_, j) => deepFreeze(spec.component(theta, j) as ComponentOf<F>)));
    this.settings = deepFreeze(structuredClone({ ...settings })); // a copy: nothing the caller keeps can change it
    this.logLikelihood = fit.logLikelihood;
    this.history = Object.freeze([...fit.history]);
    this.objective = fit.objective ?? fit.logLikelihood;
    this.logPosterior = fit.logPosterior;
    this.posteriorHistory = fit.posteriorHistory ? Object.freeze([...fit.posteriorHistory]) : undefined;
    this.iterations = fit.iterations;
    this.passes = fit.passes;
    this.converged = fit.converged;
    this.stopReason = fit.stopReason;
    this.nObservations = fit.nObservations;
    this.nMissing = fit.nMissing ?? 0;
    this.fitMissing = fit.nMissing;
    this.warnings = Object.freeze(degeneracies(this).map((w) => Object.freeze(w)));
  }

  /** Number of free parameters: k × (per component) + (k − 1) weights, less the frozen ones (`fixWeights`, `freeze`). */
  get nParameters(): number {
    const freeze = this.settings.freeze;
    return this.spec.componentParameters(this.k) - frozenParameters(this.spec, freeze, this.k) + freeWeights(this.k, freeze, this.settings.fixWeights);
  }

  /**
   * Means in scikit-learn's shapes (`means_`): gaussian `number[]` (k), mvgaussian `number[][]`
   * (k × d); `undefined` for families without means (poisson, binomial, bernoulli). A fresh copy
   * on every read.
   */
  get means(): MeansOf<F> {
    if (!this.components.every((c) => "mean" in c)) return undefined as MeansOf<F>;
    return this.components.map((c) => structuredClone((c as { mean: unknown }).mean)) as MeansOf<F>;
  }

  /**
   * Covariances: gaussian `number[]` (the k variances), mvgaussian `number[][][]` (k full d × d
   * matrices for every covariance type: scikit-learn's `covariances_` as with
   * `covariance_type="full"`; its tied / diag / spherical shapes are one matrix, k diagonals, k
   * numbers); `undefined` for the other families. A fresh copy on every read.
   */
  get covariances(): CovariancesOf<F> {
    const key = this.components.every((c) => "variance" in c) ? "variance" : this.components.every((c) => "covariance" in c) ? "covariance" : undefined;
    if (key === undefined) return undefined as CovariancesOf<F>;
    return this.components.map((c) => structuredClone((c as unknown as Record<string, unknown>)[key])) as CovariancesOf<F>;
  }

  /**
   * Responsibilities p(component j | x_i): a row-major Float64Array of n × k
   * (`proba[i * k + j]`), or with `{ rows: true }` one array of k numbers per point.
   */
  predictProba(data: ModelData, options: ProbaOptions & { rows: true }): number[][];
  predictProba(data: ModelData, options?: ProbaOptions & { rows?: false }): Float64Array;
  predictProba(data: ModelData, options?: ProbaOptions): Float64Array | number[][];
  predictProba(data: ModelData, options?: ProbaOptions): Float64Array | number[][] {
    const o = options === undefined ? undefined : ownOptions(options);
    const rows = o?.rows;
    if (o) delete o.rows;
    if (rows !== undefined) boolean(rows, "options.rows");
    const proba = this.evaluate(data, o, true).proba!;
    if (rows !== true) return proba;
    const k = this.k, n = proba.length / k;
    return jsAllocation(`${n} rows of responsibilities`, () => Array.from({ length: n }, (_, i) => Array.from(proba.subarray(i * k, (i + 1) * k))));
  }

  /**
   * Log density of each point under the mixture, log Σ_j w_j p(x_i | θ_j) (scikit-learn's
   * `score_samples`): a Float64Array of n. Their sum is `logLikelihoodOf(data)` up to rounding.
   * gaussian and mvgaussian (other families throw INVALID_OPTION).
   *
   * The responsibilities come from the same WebAssembly pass as `predictProba`; for each point the
   * component j* of largest responsibility r (≥ 1/k) gives log p(x_i) = log w_j* p(x_i | θ_j*) −
   * log r_ij*, with that one log-density evaluated in TypeScript by the kernel's formula: O(n d²)
   * beside the kernel's O(n k d²), and accurate to a few ulps of |log w_j* p(x_i | θ_j*)| plus the
   * exp's 1 ulp (docs/numerics.md).
   */
  scoreSamples(data: ModelData, options?: EvalOptions): Float64Array {
    const logJoint = this.spec.logJoint;
    if (!logJoint) throw optionError("model", `scoreSamples is not available for family "${this.family}" (its Spec has no logJoint)`);
    return withDataset(this.load(data, options), (ds) => {
      const mem = getCore().arena();
      const ev = new Evaluator(this.spec, this.k);
      try {
        const k = this.k, d = ds.dims, n = ds.n;
        const resp = mem.alloc(n * k);
        // Missing values (a "marginalize" model): the complete rows as below; each other row's log
        // density of its observed margin, log Σ_j w_j p(x_obs | θ_j), from the margin's kernel.
        const complete = ds.missing ? { ...ds, missing: undefined } : ds;
        ev.run(complete, this.theta, this.weightArray, { respOut: resp });
        const params = new Float64Array(this.spec.headerSize + k * this.spec.paramsSize);
        this.spec.pack(this.theta, Float64Array.from(this.weightArray, (w) => M.log(w)), ds, params);
        const rows = ds.missing?.rows ?? n;
        const out = jsAllocation(`${rows} log-densities`, () => new Float64Array(rows));
        const r = resp.array, x = ds.x.array, aux = ds.aux ? ds.aux.array : null; // no allocation below: the views stay valid
        const at = ds.missing ? ds.missing.order : null;
        for (let i = 0; i < n; i++) {
          let best = 0;
          for (let j = 1; j < k; j++) if (r[i * k + j] > r[i * k + best]) best = j;
          out[at ? at[i] : i] = logJoint.call(this.spec, params, best, x, i * d, aux, i) - M.log(r[i * k + best]);
        }
        if (ds.missing) ev.runMissing(ds, this.theta, this.weightArray, { scores: out }, out); // rows with nothing observed: 0 (log 1)
        return out;
      } finally {
        ev.free();
        mem.free();
      }
    });
  }

  /** Most likely component of each value (0-based). */
  predict(data: ModelData, options?: EvalOptions): Int32Array {
    const proba = this.evaluate(data, options, true).proba!;
    const k = this.k, n = proba.length / k;
    const labels = jsAllocation(`${n} labels`, () => new Int32Array(n));
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
      labels[i] = best;
    }
    return labels;
  }

  /** Each point's classification uncertainty, 1 − max_j p(j | x_i) (mclust's `uncertainty`). */
  uncertainty(data: ModelData, options?: EvalOptions): Float64Array {
    const proba = this.evaluate(data, options, true).proba!;
    const k = this.k, n = proba.length / k;
    const out = jsAllocation(`${n} uncertainties`, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 0; j < k; j++) if (proba[i * k + j] > best) best = proba[i * k + j];
      out[i] = 1 - best;
    }
    return out;
  }

  /** Mean log-likelihood per value (as scikit-learn's `score`; with sampleWeights, Σ w_i log p(x_i) / Σ w_i). */
  score(data: ModelData, options?: ScoreOptions): number {
    const { logLikelihood, n } = this.evaluate(data, options, false);
    return logLikelihood / n;
  }

  /** Total log-likelihood of the data under the model. */
  logLikelihoodOf(data: ModelData, options?: ScoreOptions): number {
    return this.evaluate(data, options, false).logLikelihood;
  }

  /** Bayesian information criterion −2 log L + p log n (lower is better; mclust reports its negative). */
  bic(data: ModelData, options?: ScoreOptions): number {
    const { logLikelihood, n } = this.evaluate(data, options, false);
    return bic(logLikelihood, this.nParameters, n);
  }

  /** Akaike information criterion −2 log L + 2p (lower is better). */
  aic(data: ModelData, options?: ScoreOptions): number {
    return aic(this.evaluate(data, options, false).logLikelihood, this.nParameters);
  }

  /**
   * After a `missing: "marginalize"` fit (mvgaussian, bernoulli): a copy of the rows with each
   * missing value (NaN) replaced by its conditional mean under the mixture,
   * E[x_mis | x_obs] = Σ_j p(j | x_obs) E_j[x_mis | x_obs]. With `draws: m`, m such copies, each
   * missing value drawn from the conditional distribution instead (a component from p(j | x_obs),
   * then x_mis from that component's conditional normal or Bernoulli) — multiple imputation;
   * `seed` as in `sample`. Rows come as `number[][]` (or a flat array of `dims` values per row)
   * and go back as `number[][]`; the caller's data is not changed.
   */
  impute(data: ModelData, options?: { seed?: number; columns?: string[] }): number[][];
  impute(data: ModelData, options: { draws: number; seed?: number; columns?: string[] }): number[][][];
  impute(data: ModelData, options: { draws?: number; seed?: number; columns?: string[] } = {}): number[][] | number[][][] {
    const o = checkOptions(options, { draws: integer(1, 1e6), seed: integer(0, 2 ** 32 - 1), columns: arrowColumnsRule });
    const margin = this.spec.margin;
    if (!margin || this.settings.missing !== "marginalize")
      throw optionError("model", `impute needs a model fitted with options.missing "marginalize" (family mvgaussian or bernoulli); this ${this.family} model was not`);
    if (arrowKind(data)) {
      // Arrow data: the chosen columns (every column when left out) as rows, a null as NaN.
      const names = o.columns as string[] | undefined, rows = arrowRows(data)!;
      const flat = new Float64Array(rows * (names?.length ?? this.dims));
      arrowRowsInto(data, names, flat, 0, "data", 0, true);
      data = flat;
    } else if (o.columns !== undefined) throw optionError("options.columns", "names columns of an Arrow table; the data is not one");
    const proba = this.evaluate(data, undefined, true).proba!; // validated: read as given below
    const k = this.k, d = this.dims, n = proba.length / k;
    if (o.draws !== undefined && (o.draws as number) * n * d > 1e8)
      throw optionError("options.draws", `× rows × dimensions is ${(o.draws as number) * n * d}; at most 1e8 values are drawn in one call (draw in several calls)`);
    const nested = Array.isArray(data) && n > 0 && typeof data[0] !== "number";
    const read = (i: number, a: number) => (nested ? (data as ArrayLike<ArrayLike<number>>)[i][a] : (data as ArrayLike<number>)[i * d + a]);
    // Each pattern's conditionals, made once per pattern and component.
    const patterns = new Map<string, ReturnType<NonNullable<Spec["margin"]>["conditional"]>[]>();
    const row = new Float64Array(d), part = new Float64Array(d);
    const copy = (rng: Random | null): number[][] => {
      const out: number[][] = [];
      for (let i = 0; i < n; i++) {
        let key = "";
        for (let a = 0; a < d; a++) { row[a] = read(i, a); key += row[a] === row[a] ? "1" : "0"; }
        if (!key.includes("0")) { out.push(Array.from(row)); continue; }
        let cond = patterns.get(key);
        if (!cond) {
          const obs: number[] = [], mis: number[] = [];
          for (let a = 0; a < d; a++) (key[a] === "1" ? obs : mis).push(a);
          const observed = Int32Array.from(obs), missing = Int32Array.from(mis);
          cond = Array.from({ length: k }, (_, j) => margin.conditional(this.theta, j, observed, missing));
          patterns.set(key, cond);
        }
        const r = proba.subarray(i * k, (i + 1) * k), filled = Array.from(row);
        if (rng) {
          let u = rng.uniform(), j = 0;
          while (j < k - 1 && u >= r[j]) { u -= r[j]; j++; }
          cond[j].draw(row, rng, part);
          for (let a = 0; a < d; a++) if (key[a] === "0") filled[a] = part[a];
        } else {
          for (let a = 0; a < d; a++) if (key[a] === "0") filled[a] = 0;
          for (let j = 0; j < k; j++) {
            if (r[j] === 0) continue;
            cond[j].mean(row, part);
            for (let a = 0; a < d; a++) if (key[a] === "0") filled[a] += r[j] * part[a];
          }
        }
        out.push(filled);
      }
      return out;
    };
    if (o.draws === undefined) return copy(null);
    const rng = new Random((o.seed as number | undefined) ?? 0);
    return Array.from({ length: o.draws as number }, () => copy(rng));
  }

  /**
   * Draws n points and the component each came from. `values` is n × dims, row-major
   * (n values for the 1-D families).
   */
  sample(n: number, options: SampleOptions = {}): { values: Float64Array; labels: Int32Array; dims: number } {
    integer(0, Math.floor(MAX_REGION_VALUES / this.dims))(n, "n");
    const { seed, ...rest } = checkOptions(options, { seed: integer(0, 2 ** 32 - 1), trials: integer(1) });
    const draw = this.spec.sampler(over(this.settings, rest));
    // Without a seed: the model's own stream, so each call draws afresh (the first as seed 0 does).
    const rng = seed === undefined ? (this.sampleStream ??= new Random(0)) : new Random(seed as number);
    const d = this.dims;
    const { values, labels } = jsAllocation(`${n} samples`, () => ({ values: new Float64Array(n * d), labels: new Int32Array(n) }));
    for (let i = 0; i < n; i++) {
      let u = rng.uniform(), j = 0;
      while (j < this.k - 1 && u >= this.weightArray[j]) { u -= this.weightArray[j]; j++; }
      labels[i] = j;
      draw(this.theta, j, rng, values, i * d);
    }
    return { values, labels, dims: d };
  }

  toJSON(): ModelJSON<F> {
    return {
      format: "mixem-model",
      version: 1,
      family: this.family,
      k: this.k,
      weights: [...this.weights],
      components: this.components.map((c) => JSON.parse(JSON.stringify(c))),
      settings: structuredClone({ ...this.settings }) as ModelSettings,
      fit: {
        logLikelihood: this.logLikelihood,
        history: [...this.history],
        ...(this.objective === this.logLikelihood ? {} : { objective: this.objective }),
        ...(this.logPosterior === undefined ? {} : { logPosterior: this.logPosterior, posteriorHistory: [...this.posteriorHistory!] }),
        iterations: this.iterations,
        passes: this.passes,
        converged: this.converged,
        stopReason: this.stopReason,
        nObservations: this.nObservations,
        ...(this.fitMissing === undefined ? {} : { nMissing: this.fitMissing }),
      },
    };
  }

  /** @internal The data loaded as this model reads new data (evaluation options merged over its settings). */
  load(data: ModelData, options: EvalOptions | undefined, weighted = false, labelled = false) {
    const family = familyOf(this.family)!;
    // `columns`: the columns of an Arrow table (not for a family whose `columns` option is its own, kept in its settings).
    const arrow: Record<string, Rule> = Object.hasOwn(family.options, "columns") ? {} : { columns: arrowColumnsRule };
    const rules = weighted ? { ...family.evalOptions, ...arrow, sampleWeights: sampleWeightsRule, ...(labelled ? { labels: labelsRule } : {}) } : { ...family.evalOptions, ...arrow };
    const opts = checkOptions(options ?? {}, rules);
    return loadDataset(family, data, { ...over(this.settings, opts), ...(labelled ? { k: this.k } : {}) }, "data", this.dims);
  }

  private evaluate(data: ModelData, options: ScoreOptions | undefined, wantProba: boolean) {
    return withDataset(this.load(data, options, !wantProba), (ds) => {
      const mem = getCore().arena();
      const ev = new Evaluator(this.spec, this.k);
      try {
        const rows = ds.missing?.rows ?? ds.n; // missing values: every row as given (evaluator.ts runMissing)
        const resp = wantProba ? mem.alloc(rows * this.k) : null;
        const logLikelihood = ev.run(ds, this.theta, this.weightArray, { respOut: resp });
        return { logLikelihood, n: ds.totalWeight ?? ds.n, proba: resp ? jsAllocation(`${rows} × ${this.k} responsibilities`, () => resp.array.slice()) : undefined };
      } finally {
        ev.free();
        mem.free();
      }
    });
  }
}

/** Rebuilds a model from `model.toJSON()` (after any JSON round trip), validating every field. */
export function loadModel<F extends FamilyName>(json: ModelJSON<F>): MixtureModel<F>;
export function loadModel(json: unknown): MixtureModel;
export function loadModel(json: unknown): MixtureModel {
  const m = modelObject(json, "model");
  if (m.format !== "mixem-model") throw badModel("model.format", `must be "mixem-model", got ${describe(m.format)}`);
  if (m.version !== 1) throw badModel("model.version", `unsupported version ${describe(m.version)} (this mixem reads version 1)`);
  const family = m.family as FamilyName;
  const fam = familyOf(family);
  if (!fam) throw badModel("model.family", `unknown family ${describe(m.family)}`);
  const k = m.k;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) throw badModel("model.k", `must be a positive integer, got ${describe(k)}`);
  const weights = weightList(m.weights, k, "model.weights", "INVALID_MODEL");
  if (!Array.isArray(m.components) || m.components.length !== k) throw badModel("model.components", `must be an array of ${k} components`);
  const { spec, settings, storedFreeze } = readSettings(family, k, m.settings);
  const theta = new Float64Array(k * spec.thetaSize);
  m.components.forEach((c, j) => {
    try {
      spec.fromComponent(c, theta, j, `model.components[${j}]`);
    } catch (e) {
      throw readFailure(e, "INVALID_MODEL", `model.components[${j}]`);
    }
  });
  readFrozen(settings, storedFreeze, spec, k, family);
  const f = modelObject(m.fit, "model.fit");
  const history = f.history;
  const finiteList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
  if (!finiteList(history)) throw badModel("model.fit.history", "must be an array of finite numbers");
  if (typeof f.logLikelihood !== "number" || !Number.isFinite(f.logLikelihood)) throw badModel("model.fit.logLikelihood", `must be a finite number, got ${describe(f.logLikelihood)}`);
  if (typeof f.iterations !== "number" || !Number.isInteger(f.iterations) || f.iterations < 0) throw badModel("model.fit.iterations", `must be a non-negative integer, got ${describe(f.iterations)}`);
  // Σ w_i with sample weights: any finite non-negative number.
  if (typeof f.nObservations !== "number" || !Number.isFinite(f.nObservations) || f.nObservations < 0) throw badModel("model.fit.nObservations", `must be a finite number ≥ 0, got ${describe(f.nObservations)}`);
  // Absent in models saved before it was reported, all fitted by plain EM: iterations + 1.
  const passes = f.passes ?? (f.iterations as number) + 1;
  if (typeof passes !== "number" || !Number.isInteger(passes) || passes < 1) throw badModel("model.fit.passes", `must be a positive integer, got ${describe(passes)}`);
  if (typeof f.converged !== "boolean") throw badModel("model.fit.converged", "must be true or false");
  if (!["converged", "maxIter", "callback"].includes(f.stopReason as string)) throw badModel("model.fit.stopReason", `unknown stop reason ${describe(f.stopReason)}`);
  const summary: FitSummary = {
    logLikelihood: f.logLikelihood as number, history: history as number[], iterations: f.iterations as number, passes,
    converged: f.converged, stopReason: f.stopReason as StopReason, nObservations: f.nObservations as number,
  };
  if (f.nMissing !== undefined) {
    if (typeof f.nMissing !== "number" || !Number.isInteger(f.nMissing) || f.nMissing < 0) throw badModel("model.fit.nMissing", `must be a non-negative integer, got ${describe(f.nMissing)}`);
    summary.nMissing = f.nMissing;
  }
  if (f.objective !== undefined) {
    if (typeof f.objective !== "number" || !Number.isFinite(f.objective)) throw badModel("model.fit.objective", `must be a finite number, got ${describe(f.objective)}`);
    summary.objective = f.objective;
  }
  if (settings.prior !== undefined) {
    const ph = f.posteriorHistory;
    if (typeof f.logPosterior !== "number" || !Number.isFinite(f.logPosterior)) throw badModel("model.fit.logPosterior", `must be a finite number for a model with a prior, got ${describe(f.logPosterior)}`);
    if (!finiteList(ph)) throw badModel("model.fit.posteriorHistory", "must be an array of finite numbers");
    summary.logPosterior = f.logPosterior;
    summary.posteriorHistory = ph as number[];
  }
  checkParameters(spec, theta, weights, "INVALID_MODEL", "model", true);
  return new MixtureModel(family, spec, theta, weights, settings, summary);
}

const badModel = (path: string, msg: string) => new MixemError("INVALID_MODEL", msg, path);
const modelObject = (v: unknown, path: string) => {
  if (typeof v !== "object" || v === null) throw badModel(path, `must be an object, got ${describe(v)}`);
  return asModelError(() => ownOptions(v, path)); // own properties, read once (an array is not an object here)
};

/** A stored model's settings (validated): the spec they configure, the settings the model holds (without `freeze`), and the stored `freeze`. */
function readSettings(family: FamilyName, k: number, raw: unknown): { spec: Spec; settings: ModelSettings; storedFreeze: unknown } {
  const fam = familyOf(family)!;
  const s = modelObject(raw, "model.settings");
  if (s.mode !== "soft" && s.mode !== "hard") throw badModel("model.settings.mode", `must be "soft" or "hard", got ${describe(s.mode)}`);
  if (typeof s.fixWeights !== "boolean") throw badModel("model.settings.fixWeights", `must be true or false, got ${describe(s.fixWeights)}`);
  const { mode: _m, fixWeights: _f, missing, freeze: storedFreeze, ...familySettings } = s;
  if (missing !== undefined && missing !== "marginalize") throw badModel("model.settings.missing", `must be "marginalize" or absent, got ${describe(missing)}`);
  const dims = familySettings.dims ?? 1;
  if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1) throw badModel("model.settings.dims", `must be a positive integer, got ${describe(dims)}`);
  // What the model keeps of its data: each rule is called, also for an absent key (a required one throws).
  const dataSettings: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(fam.dataSettings)) {
    try {
      rule(familySettings[key], `model.settings.${key}`);
    } catch (e) {
      throw recode(e, "INVALID_MODEL");
    }
    if (familySettings[key] !== undefined) dataSettings[key] = Array.isArray(familySettings[key]) ? [...(familySettings[key] as unknown[])] : familySettings[key];
  }
  let spec: Spec;
  try {
    checkOptions(familySettings, { ...fam.options, ...fam.dataSettings }, "model.settings");
    if (Array.isArray(dataSettings.scale) && dataSettings.scale.length !== dims)
      throw optionError("model.settings.scale", `must have ${dims} values (one per dimension)`);
    if (familySettings.prior !== undefined)
      familySettings.prior = fam.resolvePrior(familySettings.prior, null, k, { ...familySettings, dims }, "model.settings.prior");
    spec = fam.configure(familySettings, dims);
  } catch (e) {
    throw recode(e, "INVALID_MODEL");
  }
  const settings: ModelSettings = { mode: s.mode, fixWeights: s.fixWeights, ...(missing ? { missing } : {}), ...(spec.settings as Partial<ModelSettings>), ...dataSettings };
  return { spec, settings, storedFreeze };
}

/** A stored `freeze` (lists of component indices, checked against the family) into `settings`. */
function readFrozen(settings: ModelSettings, storedFreeze: unknown, spec: Spec, k: number, family: FamilyName): void {
  if (storedFreeze === undefined) return;
  const f = asModelError(() => readFreeze(storedFreeze, spec, k, family, "model.settings.freeze"));
  if (f.allWeights) throw badModel("model.settings.freeze.weights", "must not list every component (a model stores that as fixWeights)");
  if (Object.keys(f.settings).length > 0) settings.freeze = f.settings;
}

/**
 * A fitted model as selectKAsync's workers send it: θ and the weights exactly as fitted
 * (no round trip through the components, which re-derives decompositions), its settings and fit summary.
 */
export interface ModelParts { family: FamilyName; theta: Float64Array; weights: Float64Array; settings: ModelSettings; fit: FitSummary }

/** @internal A model's parts (see ModelParts): copies, so they can be sent and moved. */
export function modelParts(model: MixtureModel): ModelParts {
  const fit: FitSummary = {
    logLikelihood: model.logLikelihood, history: [...model.history], iterations: model.iterations, passes: model.passes,
    converged: model.converged, stopReason: model.stopReason, nObservations: model.nObservations,
    ...(model.objective === model.logLikelihood ? {} : { objective: model.objective }),
    ...(model.logPosterior === undefined ? {} : { logPosterior: model.logPosterior, posteriorHistory: [...model.posteriorHistory!] }),
    ...(model.fitMissing === undefined ? {} : { nMissing: model.fitMissing }),
  };
  return { family: model.family, theta: model.theta.slice(), weights: model.weightArray.slice(), settings: model.settings as ModelSettings, fit };
}

/**
 * @internal The model of `parts` (from modelParts in a worker): its spec as loadModel configures it
 * from the settings — made once per distinct settings (and k, when a prior is resolved per k) in `specs` —
 * and the worker's θ, weights, settings and summary as they are.
 */
export function modelFromParts(parts: ModelParts, specs: Map<string, Spec>): MixtureModel {
  const k = parts.weights.length;
  const key = `${parts.family}:${parts.settings.prior === undefined ? "" : k}:${JSON.stringify(parts.settings)}`;
  let spec = specs.get(key);
  if (!spec) specs.set(key, spec = readSettings(parts.family, k, parts.settings).spec);
  return new MixtureModel(parts.family, spec, parts.theta, parts.weights, parts.settings, parts.fit);
}

/** Runs f; a MixemError it throws becomes INVALID_MODEL (loadModel's code). */
function asModelError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw recode(e, "INVALID_MODEL");
  }
}

/** Throws unless `model` is a MixtureModel (from fit, loadModel or maximize). */
export function checkModel(model: unknown, path = "model"): MixtureModel {
  if (!(model instanceof MixtureModel)) {
    const foreign = typeof model === "object" && model !== null && Object.hasOwn(model, "theta") && typeof (model as { toJSON?: unknown }).toJSON === "function";
    throw optionError(path, foreign
      ? "is a model of another copy of mixem (its CommonJS and ESM builds, or a per-family entry such as mixem/gaussian, each have their own): load it into this one with loadModel(model.toJSON())"
      : `must be a fitted model (from fit or loadModel), got ${describe(model)}`);
  }
  return model;
}

/**
 * Checks that (θ, weights) is a model every method can evaluate: weights positive and summing to 1,
 * each component valid for its family (its own checks, as loadModel's), the family's constraints
 * across components, and kernel parameters that are all finite (a variance of 1e-310 is positive
 * but its 1/σ² overflows).
 */
export function checkParameters(spec: Spec, theta: Float64Array, weights: Float64Array, code: "INVALID_MODEL" | "INVALID_OPTION", path: string, stored = false): void {
  const bad = (where: string, message: string) => new MixemError(code, message, where);
  const k = weights.length;
  let sum = 0;
  for (let j = 0; j < k; j++) {
    if (!(weights[j] > 0 && weights[j] <= 1)) throw bad(`${path}.weights[${j}]`, `must be a weight in (0, 1], got ${weights[j]}`);
    sum += weights[j];
  }
  if (!(Math.abs(sum - 1) <= 1e-9)) throw bad(`${path}.weights`, `must sum to 1, got ${sum}`);
  const copy = new Float64Array(theta.length);
  for (let j = 0; j < k; j++) {
    try {
      spec.fromComponent(spec.component(theta, j), copy, j, `${path}.components[${j}]`);
    } catch (e) {
      throw recode(e, code);
    }
  }
  try {
    spec.validate?.(theta, k, `${path}.components`, stored);
  } catch (e) {
    throw recode(e, code);
  }
  const params = new Float64Array(spec.headerSize + k * spec.paramsSize);
  // The packed values are only tested for finiteness, then discarded: without the WebAssembly core
  // (an app that imports loadModel alone, before init()) the engine's Math does for the logarithms.
  M.withCoreOrEngineMath(() => {
    const logWeights = Float64Array.from(weights, (w) => M.log(w));
    spec.pack(theta, logWeights, { settings: { trials: 1 } } as unknown as DatasetParts, params);
  });
  for (let i = spec.headerSize; i < params.length; i++) {
    if (!Number.isFinite(params[i])) {
      const j = Math.floor((i - spec.headerSize) / spec.paramsSize);
      throw bad(`${path}.components[${j}]`, "has parameters too extreme to evaluate (a density term is not finite in double precision)");
    }
  }
}

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
