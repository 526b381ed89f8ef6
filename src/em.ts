// The EM driver. It owns what is the same for every family — initialisation, restarts, the E/M
// loop, the convergence test, keeping the best run — and knows families only through `Family`.
import type { Dataset, DataScale, Spec } from "./family.js";
import type { FitSummary } from "./model.js";
import { Evaluator } from "./evaluator.js";
import { FLAG_ACCUMULATE, FLAG_HARD, type WasmCore } from "./wasm.js";
import { Random } from "./random.js";
import { countDistinct, kmeansPlusPlus, nearestSeed, randomDistinct } from "./seeding.js";
import { EMPTY_MASS } from "./families/shared.js";
import { logDirichlet } from "./prior.js";
import { dataError, MixemError } from "./errors.js";

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

export interface EMSettings {
  k: number;
  mode: "soft" | "hard";
  fixWeights: boolean;
  maxIter: number;
  tol: number;
  nInit: number;
  seed: number;
  /** "kmeans++", "random", or explicit θ (k × thetaSize) with optional weights. */
  init: "kmeans++" | "random" | { theta: Float64Array; weights?: Float64Array };
  onIteration?: (info: IterationInfo) => boolean | void;
  signal?: AbortSignal;
  /** MAP-EM: Dirichlet concentration of the weights (1 = none); the spec carries the rest of the prior. */
  prior?: { weights: number };
}

/** One run's outcome: the model's fit summary (see FitSummary) plus its parameters. */
export interface EMResult extends Omit<FitSummary, "nObservations"> {
  theta: Float64Array;
  weights: Float64Array;
  restart: number;
}

export { EMPTY_MASS };
/** Added to every Σ r before the weights are formed (as scikit-learn does), so no weight is 0. */
const WEIGHT_EPS = 10 * Number.EPSILON;

/** One E-step the iteration loop asks for: responsibilities and statistics at (θ, w). */
export interface PassRequest { theta: Float64Array; weights: Float64Array; flags: number }
/** Its answer: the log-likelihood (constants included) and k × statsSize statistics, read at once. */
export interface PassResult { logLikelihood: number; stats: Float64Array }

/**
 * M-step from a pass's statistics: θ by the family, then the weights w_j ∝ Σr_j + α − 1 (α = 1
 * without a Dirichlet prior; 10ε keeps every weight positive, as scikit-learn does).
 */
export function maximizeStep(spec: Spec, stats: Float64Array, theta: Float64Array, weights: Float64Array, k: number, data: DataScale, learnWeights: boolean, alpha: number): void {
  spec.maximize(stats, theta, k, data);
  if (!learnWeights) return;
  const S = spec.statsSize, extra = alpha - 1 + WEIGHT_EPS;
  let total = 0;
  for (let j = 0; j < k; j++) total += stats[j * S] + extra;
  for (let j = 0; j < k; j++) weights[j] = (stats[j * S] + extra) / total;
}

/**
 * The EM iterations of one run from (θ, w), as a generator: it yields every pass it needs and
 * receives the result. In-memory fits answer synchronously from the kernel (runEM); streams and
 * other shard layouts can answer asynchronously — the loop, its convergence test, callbacks and
 * history are the same code.
 */
export function* iterate(spec: Spec, k: number, n: number, data: DataScale, s: EMSettings, theta: Float64Array, weights: Float64Array, restart: number): Generator<PassRequest, EMResult, PassResult> {
  const flags = FLAG_ACCUMULATE | (s.mode === "hard" ? FLAG_HARD : 0);
  const alpha = s.prior?.weights ?? 1;
  /** The objective: log-likelihood, plus the log prior density under MAP-EM. */
  const objective = (ll: number) => (s.prior ? ll + spec.logPrior(theta, k) + (s.fixWeights ? 0 : logDirichlet(weights, alpha)) : ll);
  let pass = yield { theta, weights, flags };
  let ll = finite(pass.logLikelihood);
  let goal = objective(ll);
  const history: number[] = [];
  const posteriorHistory: number[] = [];
  let stopReason: StopReason = "maxIter";
  let iterations = 0;
  while (iterations < s.maxIter) {
    if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted");
    iterations++;
    maximizeStep(spec, pass.stats, theta, weights, k, data, !s.fixWeights, alpha);
    pass = yield { theta, weights, flags };
    ll = finite(pass.logLikelihood);
    const next = objective(ll);
    const delta = (next - goal) / n;
    goal = next;
    history.push(ll);
    if (s.prior) posteriorHistory.push(next);
    const keepGoing = s.onIteration?.({ iteration: iterations, logLikelihood: ll, logPosterior: s.prior ? next : undefined, delta, restart });
    if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted"); // also when aborted from the callback
    if (Math.abs(delta) < s.tol) { stopReason = "converged"; break; }
    if (keepGoing === false) { stopReason = "callback"; break; }
  }
  return {
    theta, weights, logLikelihood: ll, history, iterations,
    converged: stopReason === "converged", stopReason, restart,
    ...(s.prior ? { logPosterior: goal, posteriorHistory } : {}),
  };
}

/** The better of two runs (higher log-posterior, or log-likelihood). */
export const better = (a: EMResult | undefined, b: EMResult): EMResult => {
  const score = (r: EMResult) => r.logPosterior ?? r.logLikelihood;
  return !a || score(b) > score(a) || Number.isNaN(score(a)) ? b : a;
};

/** In-memory EM: seeding and restarts here, the iterations from `iterate`, every pass by the kernel. */
export function runEM(core: WasmCore, spec: Spec, ds: Dataset, s: EMSettings): EMResult {
  const { k } = s;
  const distinct = countDistinct(spec.seedPoints(ds), ds.n, k);
  if (distinct < k) throw dataError("data", `has fewer than k = ${k} distinct ${ds.dims > 1 ? "rows" : "values"} (${distinct}); lower options.k`);

  const ev = new Evaluator(core, spec, k);
  try {
    const rng = new Random(s.seed);
    let best: EMResult | undefined;
    for (let restart = 0; restart < s.nInit; restart++) {
      const theta = new Float64Array(k * spec.thetaSize);
      const weights = new Float64Array(k).fill(1 / k);
      if (s.init === "kmeans++" || s.init === "random") {
        // Seeds → every point to its nearest seed → one M-step from those one-hot responsibilities.
        const labels = core.alloc(ds.n); // before any view is taken: allocation may grow memory
        try {
          const points = spec.seedPoints(ds);
          const seeds = (s.init === "kmeans++" ? kmeansPlusPlus : randomDistinct)(points, ds.n, k, rng);
          spec.seed(seeds, ds, theta);
          nearestSeed(points, ds.n, seeds, k, labels.array);
          ev.run(ds, theta, weights, FLAG_ACCUMULATE, 0, labels);
        } finally {
          core.free(labels);
        }
        maximizeStep(spec, ev.stats, theta, weights, k, ds, !s.fixWeights, s.prior?.weights ?? 1);
      } else {
        theta.set(s.init.theta);
        if (s.init.weights) weights.set(s.init.weights);
      }
      const run = iterate(spec, k, ds.n, ds, s, theta, weights, restart);
      let step = run.next();
      while (!step.done) {
        const { theta: t, weights: w, flags } = step.value;
        step = run.next({ logLikelihood: ev.run(ds, t, w, flags), stats: ev.stats });
      }
      best = better(best, step.value);
      if (step.value.stopReason === "callback") break;
    }
    return best!;
  } finally {
    ev.free();
  }
}

/** The last line of defence: a log-likelihood that is not finite stops the fit with a clear error. */
export function finite(ll: number): number {
  if (Number.isFinite(ll)) return ll;
  throw new MixemError("DEGENERATE", `the log-likelihood became ${ll}: some point is impossible under every component; check the data's scale or raise options.regCovar`, "fit");
}
