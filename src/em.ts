// The EM driver. It owns what is the same for every family — initialisation, restarts, the E/M
// loop, the convergence test, keeping the best run — and knows families only through `Family`.
import type { DatasetParts, DataScale, Points, Spec } from "./family.js";
import type { FitSummary, IterationInfo, StopReason } from "./types.js";
import { Evaluator, SUM_BLOCK } from "./evaluator.js";
import { getCore } from "./wasm.js";
import { Random } from "./random.js";
import { countDistinct, kmeansPlusPlus, nearestSeed, randomDistinct } from "./seeding.js";
import { EMPTY_MASS } from "./families/shared.js";
import { logDirichlet } from "./prior.js";
import { MixemError } from "./errors.js";
import { degeneracies } from "./degenerate.js";

export interface EMSettings {
  k: number;
  mode: "soft" | "hard";
  fixWeights: boolean;
  maxIter: number;
  tol: number;
  nInit: number;
  /** Restarts added, one at a time, while the best run so far is degenerate (nInit left to its default). */
  extraRestarts: number;
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
  /** Whether a component is degenerate (see degenerate.ts): set by `runs` when it compares restarts. */
  degenerate?: boolean;
}

export { EMPTY_MASS };
/** Added to every Σ r before the weights are formed (as scikit-learn does), so no weight is 0. */
const WEIGHT_EPS = 10 * Number.EPSILON;

/**
 * One E-step the loop asks for: responsibilities and statistics at (θ, w) — or, with `seeds`
 * (k × seedDims), the statistics of assigning every point to its nearest seed (the seeding pass).
 */
export interface PassRequest { theta: Float64Array; weights: Float64Array; hard: boolean; seeds?: Float64Array }
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
  const alpha = s.prior?.weights ?? 1;
  /** The objective: log-likelihood, plus the log prior density under MAP-EM. */
  const objective = (ll: number) => (s.prior ? ll + spec.logPrior(theta, k) + (s.fixWeights ? 0 : logDirichlet(weights, alpha)) : ll);
  // One request object for the whole run (the driver answers it before the loop goes on).
  const request: PassRequest = { theta, weights, hard: s.mode === "hard" };
  let pass = yield request;
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
    pass = yield request;
    if (spec.refine) while (spec.refine(theta, k, pass)) pass = yield request; // ECME steps (family.ts)
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
/**
 * The better of two runs: a sound one over a degenerate one (a spurious component at the variance
 * floor has a higher likelihood than the real optimum, so more restarts would find such fits more
 * often), then the higher log-posterior, or log-likelihood.
 */
export const better = (a: EMResult | undefined, b: EMResult): EMResult => {
  if (!a) return b;
  if (a.degenerate !== b.degenerate) return a.degenerate ? b : a;
  const score = (r: EMResult) => r.logPosterior ?? r.logLikelihood;
  return score(b) > score(a) || Number.isNaN(score(a)) ? b : a;
};

/**
 * A whole fit as a generator: restarts, seeding (k-means++ or random seeds from `seedPoints`, then a
 * pass with nearest-seed labels and one M-step), the iterations, the best run. Drivers answer the
 * passes: runEM from one in-memory data set, fitStream from chunks, threaded fits from worker shards.
 */
export function* runs(spec: Spec, k: number, n: number, data: DataScale, seedPoints: Points, s: EMSettings): Generator<PassRequest, EMResult, PassResult> {
  const seedN = seedPoints.points.length / seedPoints.dims;
  const seedWeights = data.weights?.array ?? null; // sample weights: seeds drawn as among w_i copies
  const distinct = countDistinct(seedPoints, seedN, k, seedWeights);
  if (distinct < k)
    throw new MixemError("INVALID_DATA", `has fewer than k = ${k} distinct ${seedPoints.dims > 1 ? "rows" : "values"} (${distinct}); lower options.k`, "data", "TOO_FEW_DISTINCT");
  const rng = new Random(s.seed);
  let best: EMResult | undefined;
  const judge = s.nInit > 1 || s.extraRestarts > 0;
  for (let restart = 0; restart < s.nInit || (best?.degenerate && restart < s.nInit + s.extraRestarts); restart++) {
    const theta = new Float64Array(k * spec.thetaSize);
    const weights = new Float64Array(k).fill(1 / k);
    if (s.init === "kmeans++" || s.init === "random") {
      // Seeds → every point to its nearest seed → one M-step from those one-hot responsibilities.
      const seeds = (s.init === "kmeans++" ? kmeansPlusPlus : randomDistinct)(seedPoints, seedN, k, rng, seedWeights);
      spec.seed(seeds, data, theta);
      const seeded = yield { theta, weights, hard: false, seeds };
      maximizeStep(spec, seeded.stats, theta, weights, k, data, !s.fixWeights, s.prior?.weights ?? 1);
    } else {
      theta.set(s.init.theta);
      if (s.init.weights) weights.set(s.init.weights);
    }
    const run = yield* iterate(spec, k, n, data, s, theta, weights, restart);
    if (judge) {
      const view = {
        k, dims: spec.dims, weights: Array.from(run.weights), nObservations: n, spec,
        components: Array.from({ length: k }, (_, j) => spec.component(run.theta, j)),
        settings: { ...spec.settings, scale: Array.from(data.scale) },
      };
      run.degenerate = degeneracies(view).length > 0;
    }
    best = better(best, run);
    if (run.stopReason === "callback") break;
  }
  return best!;
}

/** In-memory EM: every pass of `runs` answered by the kernel over the whole data set. */
export function runEM(spec: Spec, ds: DatasetParts, s: EMSettings): EMResult {
  const ev = new Evaluator(spec, s.k);
  try {
    const fit = runs(spec, s.k, ds.n, ds, ds.seedPoints, s);
    let step = fit.next();
    while (!step.done) step = fit.next(localPass(ev, ds, step.value));
    return step.value;
  } finally {
    ev.free();
  }
}

/**
 * Answers one pass over a data set in this instance (the blocks added up as evaluator.ts says). A
 * seeding pass labels each point with its nearest seed and accumulates those one-hot statistics,
 * one block of points at a time.
 */
export function localPass(ev: Evaluator, ds: DatasetParts, req: PassRequest): PassResult {
  if (!req.seeds) return { logLikelihood: ev.run(ds, req.theta, req.weights, { hard: req.hard, stats: true }), stats: ev.stats };
  ev.sumBlocks(localBlocks(ev, ds, req), true);
  return { logLikelihood: ds.logConstant, stats: ev.stats };
}

/** One pass's partial sums per block, not yet added up (a threaded shard sends them). */
export function localBlocks(ev: Evaluator, ds: DatasetParts, req: PassRequest): { count: number; ll: Float64Array; stats: Float64Array } {
  if (!req.seeds) return ev.runBlocks(ds, req.theta, req.weights, { hard: req.hard, stats: true });
  const mem = getCore().arena();
  try {
    const labels = mem.alloc(Math.min(SUM_BLOCK, ds.n));
    const d = ds.seedPoints.dims;
    for (let b = 0; b * SUM_BLOCK < ds.n; b++) {
      const from = b * SUM_BLOCK, count = Math.min(SUM_BLOCK, ds.n - from);
      const part = { points: ds.seedPoints.points.subarray(from * d, (from + count) * d), dims: d };
      nearestSeed(part, count, req.seeds, ev.k, labels.array);
      ev.runLabels(ds, req.theta, req.weights, b, labels);
    }
    return ev.labelBlocks(ds.n);
  } finally {
    mem.free();
  }
}

/** The last line of defence: a log-likelihood that is not finite stops the fit with a clear error. */
export function finite(ll: number): number {
  if (Number.isFinite(ll)) return ll;
  throw new MixemError("DEGENERATE", `the log-likelihood became ${ll}: some point is impossible under every component; check the data's scale or raise options.regCovar`, "fit");
}
