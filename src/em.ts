// The EM driver. It owns what is the same for every family — initialisation, restarts, the E/M
// loop, the convergence test, keeping the best run — and knows families only through `Family`.
import type { Dataset, Spec } from "./family.js";
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

export function runEM(core: WasmCore, spec: Spec, ds: Dataset, s: EMSettings): EMResult {
  const { k } = s;
  const distinct = countDistinct(spec.seedPoints(ds), ds.n, k);
  if (distinct < k) throw dataError("data", `has fewer than k = ${k} distinct ${ds.dims > 1 ? "rows" : "values"} (${distinct}); lower options.k`);

  const ev = new Evaluator(core, spec, k);
  try {
    const rng = new Random(s.seed);
    const T = spec.thetaSize, S = spec.statsSize;
    const flags = FLAG_ACCUMULATE | (s.mode === "hard" ? FLAG_HARD : 0);
    const alpha = s.prior?.weights ?? 1;
    const extraCount = alpha - 1 + WEIGHT_EPS;
    let best: EMResult | undefined;

    for (let restart = 0; restart < s.nInit; restart++) {
      const theta = new Float64Array(k * T);
      const weights = new Float64Array(k).fill(1 / k);

      /**
       * M-step from the statistics of the last pass: θ, then the weights w_j ∝ Σr_j (+ α − 1 with
       * a Dirichlet(α) prior: the posterior mode).
       */
      const mStep = (learnWeights: boolean) => {
        const stats = ev.stats;
        spec.maximize(stats, theta, k, ds);
        if (!learnWeights) return;
        let total = 0;
        for (let j = 0; j < k; j++) total += stats[j * S] + extraCount;
        for (let j = 0; j < k; j++) weights[j] = (stats[j * S] + extraCount) / total;
      };
      /** The objective: log-likelihood, plus the log prior density under MAP-EM. */
      const objective = (ll: number) => (s.prior ? ll + spec.logPrior(theta, k) + (s.fixWeights ? 0 : logDirichlet(weights, alpha)) : ll);

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
        mStep(!s.fixWeights);
      } else {
        theta.set(s.init.theta);
        if (s.init.weights) weights.set(s.init.weights);
      }

      let ll = finite(ev.run(ds, theta, weights, flags));
      let goal = objective(ll);
      const history: number[] = [];
      const posteriorHistory: number[] = [];
      let stopReason: StopReason = "maxIter";
      let iterations = 0;
      while (iterations < s.maxIter) {
        if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted");
        iterations++;
        mStep(!s.fixWeights);
        ll = finite(ev.run(ds, theta, weights, flags));
        const next = objective(ll);
        const delta = (next - goal) / ds.n;
        goal = next;
        history.push(ll);
        if (s.prior) posteriorHistory.push(next);
        const keepGoing = s.onIteration?.({ iteration: iterations, logLikelihood: ll, logPosterior: s.prior ? next : undefined, delta, restart });
        if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted"); // also when aborted from the callback
        if (Math.abs(delta) < s.tol) { stopReason = "converged"; break; }
        if (keepGoing === false) { stopReason = "callback"; break; }
      }

      const run: EMResult = {
        theta, weights, logLikelihood: ll, history, iterations,
        converged: stopReason === "converged", stopReason, restart,
        ...(s.prior ? { logPosterior: goal, posteriorHistory } : {}),
      };
      const score = (r: EMResult) => r.logPosterior ?? r.logLikelihood;
      if (!best || score(run) > score(best) || Number.isNaN(score(best))) best = run;
      if (stopReason === "callback") break;
    }
    return best!;
  } finally {
    ev.free();
  }
}

/** The last line of defence: a log-likelihood that is not finite stops the fit with a clear error. */
function finite(ll: number): number {
  if (Number.isFinite(ll)) return ll;
  throw new MixemError("DEGENERATE", `the log-likelihood became ${ll}: some point is impossible under every component; check the data's scale or raise options.regCovar`, "fit");
}
