// The EM driver. It owns what is the same for every family — initialisation, restarts, the E/M
// loop, the convergence test, keeping the best run — and knows families only through `Family`.
import type { DatasetParts, DataScale, Points, Spec } from "./family.js";
import type { FitSummary, IterationInfo, StopReason } from "./types.js";
import { Evaluator, SUM_BLOCK, type Blocks } from "./evaluator.js";
import { getCore } from "./wasm.js";
import { Random } from "./random.js";
import { classMeans, countDistinct, kmeansPlusPlus, nearestSeed, randomDistinct, seedsAround } from "./seeding.js";
import { EMPTY_MASS } from "./families/shared.js";
import { logDirichlet } from "./prior.js";
import { MixemError } from "./errors.js";
import * as M from "./math.js";
import { degeneracies } from "./degenerate.js";
import { identity, STEP_FACTOR, STEP_MAX0, weightsFromFree, weightsToFree } from "./squarem.js";
import { conditionalStats, keepFrozen, shareWeights, type Frozen } from "./freeze.js";

export interface EMSettings {
  k: number;
  mode: "soft" | "hard";
  fixWeights: boolean;
  maxIter: number;
  tol: number;
  /** "perPoint": stop when |ΔQ| / n < tol; "relative": when |ΔQ| / (1 + |Q|) ≤ tol (mclust's rule). */
  stop?: "perPoint" | "relative";
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
  /** "squarem": SQUAREM cycles (soft EM only) instead of single EM steps; default "none". */
  accelerate?: "none" | "squarem";
  /** Frozen parameters (src/freeze.ts), at the explicit start's values. */
  frozen?: Frozen;
}

/**
 * The convergence test over an iteration: "perPoint" |ΔQ| / n < tol on the objective Q (with a prior
 * the log-posterior); "relative" |ΔL| / (1 + |L|) ≤ tol on the log-likelihood L, as mclust's EM
 * (`err = abs(hold-hood)/(one+abs(hood))`, going on while err > tol; `hood` is the log-likelihood
 * with a prior too). Without a prior Q = L.
 */
function settled(s: EMSettings, change: number, n: number, llChange: number, ll: number): boolean {
  // tol 0 never stops early, under either rule (mclust's `<=` would stop at an exactly repeated Q).
  return s.stop === "relative" ? s.tol > 0 && Math.abs(llChange) / (1 + Math.abs(ll)) <= s.tol : Math.abs(change / n) < s.tol;
}

/** One run's outcome: the model's fit summary (see FitSummary) plus its parameters. */
export interface EMResult extends Omit<FitSummary, "nObservations"> {
  theta: Float64Array;
  weights: Float64Array;
  restart: number;
  /** E-steps (passes over the data) of this run, counting the one at its start (not the seeding pass). */
  passes: number;
  /** Partial labels: the objective (log-likelihood plus the label term) at the result. */
  objective?: number;
  /** Whether a component is degenerate (see degenerate.ts): set by `runs` when it compares restarts. */
  degenerate?: boolean;
  /** The data's scale the run used when it is not the variance (Spec.robustScale): buildModel records it. */
  scale?: Float64Array;
}

export { EMPTY_MASS };
/** Added to every Σ r before the weights are formed (as scikit-learn does), so no weight is 0. */
const WEIGHT_EPS = 10 * Number.EPSILON;

/**
 * One E-step the loop asks for: responsibilities and statistics at (θ, w) — or, with `seeds`
 * (k × seedDims), the statistics of assigning every point to its nearest seed (the seeding pass).
 */
export interface PassRequest {
  theta: Float64Array; weights: Float64Array; hard: boolean; seeds?: Float64Array;
  /**
   * A search pass (Spec.refine answered "light"): the log-likelihood and the statistics `refine`
   * reads must be right, the others may be left out (0). A driver may ignore it (in-memory fits
   * take it); a search that ends on such a pass is followed by a full one at the same θ.
   */
  light?: boolean;
}
/** Its answer: the log-likelihood (constants included) and k × statsSize statistics, read at once. */
export interface PassResult {
  logLikelihood: number;
  stats: Float64Array;
  /** Partial labels: Σ_labelled w_i log r_i,l (≤ 0; see assembly/pass.ts), which the objective adds to the log-likelihood. */
  labelTerm?: number;
}

/**
 * What an ECME `refine` step maximises: the pass's objective — with partial labels the
 * log-likelihood plus the label term, in `view` (one per run), else the pass itself.
 */
function toRefine(view: { logLikelihood: number; stats: Float64Array }, pass: PassResult): { readonly logLikelihood: number; readonly stats: Float64Array } {
  if (pass.labelTerm === undefined) return pass;
  view.logLikelihood = pass.logLikelihood + pass.labelTerm;
  view.stats = pass.stats;
  return view;
}

/** The log-likelihood of a pass plus its label term: the objective EM ascends with partial labels (the log-likelihood without). */
function observed(pass: PassResult): number {
  const ll = finite(pass.logLikelihood);
  if (pass.labelTerm === undefined) return ll;
  if (!Number.isFinite(pass.labelTerm))
    throw new MixemError("DEGENERATE", "a labelled point is impossible under its own component (options.labels)", "fit");
  return ll + pass.labelTerm;
}

/**
 * M-step from a pass's statistics: θ by the family, then the weights w_j ∝ Σr_j + α − 1 (α = 1
 * without a Dirichlet prior; 10ε keeps every weight positive, as scikit-learn does).
 */
export function maximizeStep(spec: Spec, stats: Float64Array, theta: Float64Array, weights: Float64Array, k: number, data: DataScale, learnWeights: boolean, alpha: number, frozen?: Frozen): void {
  if (!frozen) spec.maximize(stats, theta, k, data);
  else {
    // The conditional M-step (src/freeze.ts): frozen means' shift statistics 0, frozen entries kept.
    spec.maximize(conditionalStats(frozen, stats), theta, k, data, frozen.held);
    keepFrozen(frozen, theta);
  }
  if (!learnWeights) return;
  const S = spec.statsSize, extra = alpha - 1 + WEIGHT_EPS;
  if (frozen?.weights) return shareWeights(frozen, weights, k, stats, S, extra);
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
  if (s.accelerate === "squarem" && s.mode === "soft") return yield* squarem(spec, k, n, data, s, theta, weights, restart);
  const alpha = s.prior?.weights ?? 1;
  /** The objective: log-likelihood, plus the log prior density under MAP-EM. */
  const objective = (ll: number) => (s.prior ? ll + spec.logPrior(theta, k) + (s.fixWeights ? 0 : logDirichlet(weights, alpha)) : ll);
  // One request object for the whole run (the driver answers it before the loop goes on).
  const request: PassRequest = { theta, weights, hard: s.mode === "hard" };
  const view = { logLikelihood: 0, stats: new Float64Array(0) }; // refine's view of a labelled pass
  let pass = yield request;
  let passes = 1;
  let ll = finite(pass.logLikelihood);
  let goal = objective(observed(pass));
  let seen = observed(pass); // the log-likelihood (labelled terms included), which the relative rule compares
  const history: number[] = [];
  const posteriorHistory: number[] = [];
  let stopReason: StopReason = "maxIter";
  let iterations = 0;
  while (iterations < s.maxIter) {
    if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted");
    iterations++;
    maximizeStep(spec, pass.stats, theta, weights, k, data, !s.fixWeights, alpha, s.frozen);
    request.light = spec.lightFirst?.() ?? false;
    pass = yield request;
    passes++;
    if (spec.refine) {
      // ECME steps (family.ts); a "light" answer asks the next pass for refine's statistics only, and
      // the search's last pass must hold them all (the next M-step reads it).
      for (let step; (step = spec.refine(theta, k, toRefine(view, pass), s.frozen?.held));) { request.light = step === "light"; pass = yield request; passes++; }
      if (request.light) { request.light = false; pass = yield request; passes++; }
    }
    ll = finite(pass.logLikelihood);
    const seenNext = observed(pass), next = objective(seenNext);
    const change = next - goal, delta = change / n, seenChange = seenNext - seen;
    goal = next;
    seen = seenNext;
    history.push(ll);
    if (s.prior) posteriorHistory.push(next);
    const keepGoing = s.onIteration?.({ iteration: iterations, logLikelihood: ll, logPosterior: s.prior ? next : undefined, delta, restart });
    if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted"); // also when aborted from the callback
    if (settled(s, change, n, seenChange, seenNext)) { stopReason = "converged"; break; }
    if (keepGoing === false) { stopReason = "callback"; break; }
  }
  return {
    theta, weights, logLikelihood: ll, history, iterations, passes,
    converged: stopReason === "converged", stopReason, restart,
    ...(pass.labelTerm === undefined ? {} : { objective: observed(pass) }),
    ...(s.prior ? { logPosterior: goal, posteriorHistory } : {}),
  };
}

/** What `pack` needs of the data when it only tests parameters (binomial reads constant trials). */
const PACK_ONLY = { settings: { trials: 1 } } as unknown as DatasetParts;

/**
 * SQUAREM (Varadhan & Roland 2008, scheme S3): one iteration is one cycle from θ₀ (whose pass the
 * previous cycle ended with). θ₁ = F(θ₀), θ₂ = F(θ₁) (F: one EM step); in free coordinates u
 * (squarem.ts) r = u₁ − u₀, v = u₂ − 2u₁ + u₀, α = −‖r‖/‖v‖ clamped to [−stepMax, −1],
 * u' = u₀ − 2αr + α²v, and the stabilising step θ_new = F(θ'). With α = −1, θ' = θ₂ and the cycle
 * is plain EM's two steps. θ' is given up for θ₂ when it cannot be evaluated (a packed kernel
 * parameter not finite; for a family without coordinates, its own parameter checks fail) or its
 * objective is below θ₀'s; F(θ') is given up for θ₂ when its objective is below θ₀'s (the M-step's
 * constraints, e.g. a variance floor, that θ' may break, void EM's ascent from θ'). So the
 * objective never decreases. stepMax starts at 1, is quartered (not below 1) when a step that
 * long was given up, and quadrupled when a step reached it (the SQUAREM R package's step.max rule).
 * Passes per cycle: 2 (α = −1, or θ' unusable), 3, or 4 (F(θ') given up).
 */
function* squarem(spec: Spec, k: number, n: number, data: DataScale, s: EMSettings, theta: Float64Array, weights: Float64Array, restart: number): Generator<PassRequest, EMResult, PassResult> {
  const alpha = s.prior?.weights ?? 1, learn = !s.fixWeights;
  const objective = (t: Float64Array, w: Float64Array, ll: number) => (s.prior ? ll + spec.logPrior(t, k) + (learn ? logDirichlet(w, alpha) : 0) : ll);
  const free = spec.free ?? identity(spec.thetaSize);
  const size = k * spec.thetaSize, U = k * free.size + (learn ? k : 0);
  // Every buffer once per run (no allocation in the cycle): θ₁, θ₂, θ' and their weights, the
  // coordinates, the packing check's scratch, one request per point a pass is asked at.
  const theta1 = new Float64Array(size), theta2 = new Float64Array(size), thetaX = new Float64Array(size), scratch = new Float64Array(size);
  const w1 = new Float64Array(k), w2 = new Float64Array(k), wX = new Float64Array(k), logW = new Float64Array(k);
  const u0 = new Float64Array(U), u1 = new Float64Array(U), u2 = new Float64Array(U), uX = new Float64Array(U);
  const params = new Float64Array(spec.headerSize + k * spec.paramsSize);
  const at0: PassRequest = { theta, weights, hard: false };
  const view = { logLikelihood: 0, stats: new Float64Array(0) }; // refine's view of a labelled pass
  const at1: PassRequest = { theta: theta1, weights: w1, hard: false };
  const atX: PassRequest = { theta: thetaX, weights: wX, hard: false };
  const toFree = (t: Float64Array, w: Float64Array, u: Float64Array) => {
    if (!free.toFree(t, k, data, u)) return false;
    if (learn) weightsToFree(w, k, u, k * free.size);
    return true;
  };
  /** Whether the kernel can evaluate (t, w): weights positive, packed parameters finite (and, without coordinates, the family's checks). */
  const evaluable = (t: Float64Array, w: Float64Array) => {
    for (let j = 0; j < k; j++) {
      if (!(w[j] > 0)) return false;
      logW[j] = M.log(w[j]);
    }
    try {
      if (!spec.free) {
        for (let j = 0; j < k; j++) spec.fromComponent(spec.component(t, j), scratch, j, "θ");
        spec.validate?.(t, k, "θ");
      }
      spec.pack(t, logW, PACK_ONLY, params);
    } catch (e) {
      if (e instanceof MixemError) return false;
      throw e;
    }
    for (let i = spec.headerSize; i < params.length; i++) if (!Number.isFinite(params[i])) return false;
    return true;
  };
  /** θ' ← F(θ') from its pass's statistics; false if the M-step refuses (a collapse plain EM did not meet). */
  const stabilise = (stats: Float64Array) => {
    try {
      maximizeStep(spec, stats, thetaX, wX, k, data, learn, alpha, s.frozen);
    } catch (e) {
      if (e instanceof MixemError) return false;
      throw e;
    }
    return evaluable(thetaX, wX);
  };

  let pass = yield at0;
  let passes = 1;
  let ll = finite(pass.logLikelihood);
  let goal = objective(theta, weights, observed(pass));
  let seen = observed(pass);
  const history: number[] = [];
  const posteriorHistory: number[] = [];
  let stopReason: StopReason = "maxIter";
  let iterations = 0, stepMax = STEP_MAX0, step = 1, extrapolated = false;
  /** The extrapolation is given up: θ₂ is the cycle's result, and a step as long as stepMax shortens it. */
  const giveUp = () => {
    if (step === stepMax) stepMax = Math.max(STEP_MAX0, stepMax / STEP_FACTOR);
    step = 1;
    extrapolated = false;
    theta.set(theta2); weights.set(w2);
  };
  while (iterations < s.maxIter) {
    if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted");
    iterations++;
    // Plain EM's two steps: θ₁ = F(θ₀), θ₂ = F(θ₁).
    theta1.set(theta); w1.set(weights);
    maximizeStep(spec, pass.stats, theta1, w1, k, data, learn, alpha, s.frozen);
    let pass1 = yield at1;
    passes++;
    if (spec.refine) while (spec.refine(theta1, k, toRefine(view, pass1), s.frozen?.held)) { pass1 = yield at1; passes++; } // F's ECME steps
    finite(pass1.logLikelihood);
    theta2.set(theta1); w2.set(w1);
    maximizeStep(spec, pass1.stats, theta2, w2, k, data, learn, alpha, s.frozen);
    // S3 step length |α| = ‖r‖/‖v‖ within [1, stepMax] (1 when v = 0 or θ has no coordinates).
    step = 1;
    if (toFree(theta, weights, u0) && toFree(theta1, w1, u1) && toFree(theta2, w2, u2)) {
      let rr = 0, vv = 0;
      for (let i = 0; i < U; i++) {
        const r = u1[i] - u0[i], v = u2[i] - 2 * u1[i] + u0[i];
        rr += r * r;
        vv += v * v;
      }
      const ratio = Math.sqrt(rr / vv);
      if (ratio > 1) step = Math.min(ratio, stepMax);
    }
    extrapolated = false;
    if (step > 1) {
      // u' = u₀ − 2αr + α²v with α = −step.
      for (let i = 0; i < U; i++) {
        const r = u1[i] - u0[i], v = u2[i] - 2 * u1[i] + u0[i];
        uX[i] = u0[i] + 2 * step * r + step * step * v;
      }
      thetaX.set(theta2); // what is not a coordinate (a covariance model's decomposition) as the last M-step left it
      free.fromFree(uX, k, data, thetaX);
      if (learn) weightsFromFree(uX, k * free.size, k, wX);
      else wX.set(weights);
      if (s.frozen) { // frozen parameters do not move (their coordinates' round trip is not exact)
        keepFrozen(s.frozen, thetaX);
        if (s.frozen.weights && learn) shareWeights(s.frozen, wX, k);
      }
      if (evaluable(thetaX, wX)) {
        const passX = yield atX;
        passes++;
        const lx = passX.logLikelihood + (passX.labelTerm ?? 0);
        extrapolated = Number.isFinite(lx) && objective(thetaX, wX, lx) >= goal && stabilise(passX.stats);
      }
    }
    if (extrapolated) {
      theta.set(thetaX); weights.set(wX);
    } else if (step > 1) giveUp();
    else { theta.set(theta2); weights.set(w2); }
    pass = yield at0;
    passes++;
    if (spec.refine && extrapolated && Number.isFinite(pass.logLikelihood)) while (spec.refine(theta, k, toRefine(view, pass), s.frozen?.held)) { pass = yield at0; passes++; }
    if (extrapolated && !(Number.isFinite(pass.logLikelihood + (pass.labelTerm ?? 0)) && objective(theta, weights, pass.logLikelihood + (pass.labelTerm ?? 0)) >= goal)) {
      giveUp();
      pass = yield at0;
      passes++;
    }
    if (spec.refine && !extrapolated) while (spec.refine(theta, k, toRefine(view, pass), s.frozen?.held)) { pass = yield at0; passes++; }
    if (step === stepMax) stepMax *= STEP_FACTOR;
    ll = finite(pass.logLikelihood);
    const seenNext = observed(pass), next = objective(theta, weights, seenNext);
    const change = next - goal, delta = change / n, seenChange = seenNext - seen;
    goal = next;
    seen = seenNext;
    history.push(ll);
    if (s.prior) posteriorHistory.push(next);
    const keepGoing = s.onIteration?.({ iteration: iterations, logLikelihood: ll, logPosterior: s.prior ? next : undefined, delta, restart });
    if (s.signal?.aborted) throw s.signal.reason ?? new Error("aborted");
    if (settled(s, change, n, seenChange, seenNext)) { stopReason = "converged"; break; }
    if (keepGoing === false) { stopReason = "callback"; break; }
  }
  return {
    theta, weights, logLikelihood: ll, history, iterations, passes,
    converged: stopReason === "converged", stopReason, restart,
    ...(pass.labelTerm === undefined ? {} : { objective: observed(pass) }),
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
  const score = (r: EMResult) => r.logPosterior ?? r.objective ?? r.logLikelihood;
  return score(b) > score(a) || Number.isNaN(score(a)) ? b : a;
};

/**
 * A whole fit as a generator: restarts, seeding (k-means++ or random seeds from `seedPoints`, then a
 * pass with nearest-seed labels and one M-step), the iterations, the best run. Drivers answer the
 * passes: runEM from one in-memory data set, fitStream from chunks, threaded fits from worker shards.
 */
export function* runs(spec: Spec, k: number, n: number, data: DataScale, seedPoints: Points, s: EMSettings, seedsFrom = ""): Generator<PassRequest, EMResult, PassResult> {
  const seedN = seedPoints.count ?? seedPoints.points.length / seedPoints.dims;
  // Sample weights (seeds drawn as among w_i copies), read afresh after each block of seed rows:
  // rows made on demand (Points.rows) allocate WebAssembly memory, and a growth detaches a view.
  const weightsRegion = data.weights, seedWeights = weightsRegion ? () => weightsRegion.array : null;
  // The robust families' scale (Spec.robustScale: t, mvt): outliers do not raise their floor.
  const variance = data.scale;
  if (spec.robustScale) data = { scale: spec.robustScale(seedPoints, seedN, data.scale, seedWeights), weights: data.weights, labels: data.labels };
  const distinct = countDistinct(seedPoints, seedN, k, seedWeights);
  if (distinct < k)
    throw new MixemError("INVALID_DATA", `has fewer than k = ${k} distinct ${seedPoints.dims > 1 ? "rows" : "values"} (${distinct})${seedsFrom}; lower options.k`, "data", "TOO_FEW_DISTINCT");
  const rng = new Random(s.seed);
  const seedLabels = data.labels?.array.slice(); // a copy: classMeans makes blocks of rows (as the weights above)
  const given = seedLabels && seedLabels.length === seedN ? classMeans(seedPoints, seedN, k, seedLabels, seedWeights) : undefined;
  let best: EMResult | undefined;
  const judge = s.nInit > 1 || s.extraRestarts > 0;
  for (let restart = 0; restart < s.nInit || (best?.degenerate && restart < s.nInit + s.extraRestarts); restart++) {
    const theta = new Float64Array(k * spec.thetaSize);
    const weights = new Float64Array(k).fill(1 / k);
    if (s.init === "kmeans++" || s.init === "random") {
      // Seeds → every point to its nearest seed → one M-step from those one-hot responsibilities.
      // Partial labels: the labelled components start at their class means (seeding.ts classMeans).
      // The family's screen of k-means++'s draws, if any (t, mvt: past isolated points).
      // The screen is made here (the first use of rng in either seeding function, so the same
      // draws) and kept: its sample also sets the components' starting scales (SeedScreen.spreads).
      const screen = s.init === "kmeans++" && spec.seedScreen ? spec.seedScreen(seedPoints, seedN, rng, seedWeights) : null;
      const screening = spec.seedScreen && (() => screen);
      const seeds = given
        ? seedsAround(seedPoints, seedN, k, rng, seedWeights, given, s.init, screening)
        : s.init === "kmeans++" ? kmeansPlusPlus(seedPoints, seedN, k, rng, seedWeights, undefined, screening) : randomDistinct(seedPoints, seedN, k, rng, seedWeights);
      // A robust family's second restart starts at the data's variance, not at the seeds' own
      // scales: a component may then take a broad background (restarts differ in kind, not only in seeds).
      const wide = spec.robustScale && restart === 1;
      spec.seed(seeds, wide ? { ...data, scale: variance } : data, theta, wide ? undefined : screen?.spreads?.(seeds, k, data.scale));
      const seeded = yield { theta, weights, hard: false, seeds };
      maximizeStep(spec, seeded.stats, theta, weights, k, data, !s.fixWeights, s.prior?.weights ?? 1, s.frozen);
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
  if (spec.robustScale) best!.scale = data.scale;
  return best!;
}

/** With missing values, the distinct-rows check counts the complete rows (whence the seeds come). */
export const COMPLETE_ROWS = " among the complete rows (seeds come from rows without missing values)";

/** With missing values, the rows with something observed (complete or not): the points the convergence test counts. */
export const observedRows = (ds: DatasetParts): number => (ds.missing ? ds.missing.rows - ds.missing.empty : ds.n);

/** In-memory EM: every pass of `runs` answered by the kernel over the whole data set. */
export function runEM(spec: Spec, ds: DatasetParts, s: EMSettings): EMResult {
  const ev = new Evaluator(spec, s.k);
  try {
    // Missing values: the rows with something observed (complete or not) are the points.
    const fit = runs(spec, s.k, ds.missing ? observedRows(ds) : ds.n, ds, ds.seedPoints, s, ds.missing ? COMPLETE_ROWS : "");
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
  if (!req.seeds) {
    const logLikelihood = ev.run(ds, req.theta, req.weights, { hard: req.hard, stats: true, light: req.light });
    return ds.labels ? { logLikelihood, stats: ev.stats, labelTerm: ev.labelTerm } : { logLikelihood, stats: ev.stats };
  }
  ev.sumBlocks(localBlocks(ev, ds, req), true);
  return { logLikelihood: ds.logConstant, stats: ev.stats };
}

/** One pass's partial sums per block, not yet added up (a threaded shard sends them). */
export function localBlocks(ev: Evaluator, ds: DatasetParts, req: PassRequest): Blocks {
  if (!req.seeds) return ev.runBlocks(ds, req.theta, req.weights, { hard: req.hard, stats: true, light: req.light });
  const mem = getCore().arena();
  try {
    const labels = mem.alloc(Math.min(SUM_BLOCK, ds.n));
    const d = ds.seedPoints.dims;
    for (let b = 0; b * SUM_BLOCK < ds.n; b++) {
      const from = b * SUM_BLOCK, count = Math.min(SUM_BLOCK, ds.n - from);
      const seed = ds.seedPoints, hot = seed.oneHot;
      // The block's codes (or rows) made before the labels' view is read below: making them may grow memory (independent's first).
      const codes = hot?.codes(from, count), w = hot?.offsets.length ?? 0;
      const part: Points = hot
        ? { get points(): Float64Array { throw new Error("mixem: one-hot rows are read as codes"); }, dims: d, oneHot: { ...hot, codes: (f, c) => codes!.subarray(f * w, (f + c) * w) } }
        : { points: seed.rows ? seed.rows(from, count) : seed.points.subarray(from * d, (from + count) * d), dims: d };
      nearestSeed(part, count, req.seeds, ev.k, labels.array);
      if (ds.labels) { // partial labels: a labelled point goes to its own component
        const given = ds.labels.array, a = labels.array;
        for (let i = 0; i < count; i++) if (given[from + i] >= 0) a[i] = given[from + i];
      }
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
