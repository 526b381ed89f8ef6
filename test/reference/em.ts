// Plain-TypeScript reference EM, written for clarity, independent of src/: it builds the full
// N×K matrix of log densities, normalises it, and applies the textbook M-step formulas.
// It follows mixem's documented policies (regCovar scaling, floors, empty components, weight ε)
// so the WASM path must match it to rounding.

export interface RefFamily<X = number> {
  /** Full log-density of point i under component parameters th (constants included). */
  logDensity(x: X[], aux: number[] | null, i: number, th: number[]): number;
  /** M-step for one component from its responsibilities r (length N). */
  maximize(x: X[], aux: number[] | null, r: number[], nk: number, previous: number[]): number[];
  /** M-step for all components at once, when they share parameters (tied covariance). */
  maximizeAll?(x: X[], resp: number[][], nks: number[], previous: number[][]): number[][];
  /**
   * The conditional M-step with the θ entries marked in `frozen` fixed at `previous` (frozen
   * parameters); without it, the free entries' ordinary M-step is the conditional one.
   */
  maximizeFrozen?(x: X[], aux: number[] | null, r: number[], nk: number, previous: number[], frozen: boolean[]): number[];
  /** Families whose M-step maximises the observed likelihood itself (ECME): the same family for partially labelled data. */
  withLabels?(labels: number[]): RefFamily<X>;
}

export interface RefOptions {
  maxIter: number;
  tol: number;
  mode: "soft" | "hard";
  fixWeights: boolean;
  /** Dirichlet(α) prior on the weights: w_j ∝ n_j + α − 1 (default 1: none). */
  alpha?: number;
  /** Partial labels (−1 unknown): a labelled point's responsibilities are one-hot at its label. */
  labels?: number[];
  /** Frozen parameters: per component, which θ entries stay; and which weights stay (the free ones share the rest). */
  frozen?: boolean[][];
  frozenWeights?: boolean[];
}

export interface RefResult {
  theta: number[][];
  weights: number[];
  history: number[];
  logLikelihood: number;
  iterations: number;
  /** Σ_labelled log π_l p(x_i | θ_l) + Σ_unlabelled log Σ_j π_j p(x_i | θ_j) (= logLikelihood without labels), and after each iteration. */
  objective: number;
  objectiveHistory: number[];
}

const EMPTY_MASS = 1e-10;
const WEIGHT_EPS = 10 * Number.EPSILON;

/** E-step: responsibilities (N×K) and the incomplete log-likelihood. */
export function eStep<X>(fam: RefFamily<X>, x: X[], aux: number[] | null, theta: number[][], weights: number[], hard: boolean, labels?: number[]) {
  const K = theta.length;
  let ll = 0, objective = 0;
  const resp = x.map((_, i) => {
    const lp = theta.map((th, j) => Math.log(weights[j]) + fam.logDensity(x, aux, i, th));
    const m = Math.max(...lp);
    const e = lp.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    ll += m + Math.log(s);
    const l = labels?.[i] ?? -1;
    objective += l >= 0 ? lp[l] : m + Math.log(s);
    if (l >= 0) return Array.from({ length: K }, (_, j) => (j === l ? 1 : 0));
    if (!hard) return e.map((v) => v / s);
    const best = lp.indexOf(m);
    return Array.from({ length: K }, (_, j) => (j === best ? 1 : 0));
  });
  return { resp, ll, objective };
}

export function referenceEM<X>(fam: RefFamily<X>, x: X[], aux: number[] | null, theta0: number[][], weights0: number[], o: RefOptions): RefResult {
  let theta = theta0.map((t) => [...t]);
  let weights = [...weights0];
  const K = theta.length;
  let { resp, ll, objective } = eStep(fam, x, aux, theta, weights, o.mode === "hard", o.labels);
  const history: number[] = [], objectiveHistory: number[] = [];
  let it = 0;
  while (it < o.maxIter) {
    it++;
    const nks = Array.from({ length: K }, (_, j) => resp.reduce((a, r) => a + r[j], 0));
    const one = (th: number[], j: number) => {
      const r = resp.map((ri) => ri[j]), f = o.frozen?.[j];
      if (!f || !f.some(Boolean)) return fam.maximize(x, aux, r, nks[j], th);
      const free = fam.maximizeFrozen ? fam.maximizeFrozen(x, aux, r, nks[j], th, f) : fam.maximize(x, aux, r, nks[j], th);
      return free.map((v, t) => (f[t] ? th[t] : v));
    };
    theta = fam.maximizeAll
      ? fam.maximizeAll(x, resp, nks, theta)
      : theta.map((th, j) => (nks[j] > EMPTY_MASS ? one(th, j) : th));
    if (!o.fixWeights) {
      const extra = (o.alpha ?? 1) - 1 + WEIGHT_EPS;
      const fw = o.frozenWeights;
      if (fw && fw.some(Boolean)) {
        // Frozen weights stay; the free ones share what is left in proportion to n_j + α − 1.
        const left = 1 - weights.reduce((a, w, j) => a + (fw[j] ? w : 0), 0);
        const total = nks.reduce((a, nk, j) => a + (fw[j] ? 0 : nk + extra), 0);
        weights = weights.map((w, j) => (fw[j] ? w : (left * (nks[j] + extra)) / total));
      } else {
        const total = nks.reduce((a, b) => a + b + extra, 0);
        weights = nks.map((nk) => (nk + extra) / total);
      }
    }
    const next = eStep(fam, x, aux, theta, weights, o.mode === "hard", o.labels);
    const delta = (next.objective - objective) / x.length;
    resp = next.resp;
    ll = next.ll;
    objective = next.objective;
    history.push(ll);
    objectiveHistory.push(objective);
    if (Math.abs(delta) < o.tol) break;
  }
  return { theta, weights, history, logLikelihood: ll, iterations: it, objective, objectiveHistory };
}

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
/**
 * log n! as a running sum of logs, tabulated as far as needed (counts up to 1e6 in the property
 * tests). Kahan-compensated: a plain running sum of 10⁶ logs drifts by ~1e-6.
 */
const logFactorialTable = [0];
let compensation = 0;
function logFactorial(n: number): number {
  for (let i = logFactorialTable.length; i <= n; i++) {
    const prev = logFactorialTable[i - 1];
    const y = Math.log(i) - compensation;
    const t = prev + y;
    compensation = t - prev - y;
    logFactorialTable.push(t);
  }
  return logFactorialTable[n];
}
const PROB_FLOOR = 1e-12;
const clamp = (p: number) => Math.min(1 - PROB_FLOOR, Math.max(PROB_FLOOR, p));

/** θ = [mean, variance]; the variance is floored at regCovar × (population variance of all data). */
export function gaussianRef(x: number[], regCovar = 1e-6): RefFamily {
  const mean = sum(x) / x.length;
  const v = sum(x.map((xi) => (xi - mean) ** 2)) / x.length;
  const reg = regCovar * (v > 0 ? v : 1);
  return {
    logDensity: (x, _a, i, [m, s2]) => -0.5 * Math.log(2 * Math.PI * s2) - (x[i] - m) ** 2 / (2 * s2),
    maximize(x, _a, r, nk) {
      const m = sum(r.map((ri, i) => ri * x[i])) / nk;
      const s2 = sum(r.map((ri, i) => ri * (x[i] - m) ** 2)) / nk;
      return [m, Math.max(s2, reg)];
    },
    // A frozen mean: the variance about it, Σ r (x − m)² / Σ r.
    maximizeFrozen(x, _a, r, nk, [m0], [fm]) {
      const m = fm ? m0 : sum(r.map((ri, i) => ri * x[i])) / nk;
      const s2 = sum(r.map((ri, i) => ri * (x[i] - m) ** 2)) / nk;
      return [m, Math.max(s2, reg)];
    },
  };
}

/** θ = [λ]; with a Gamma(shape, rate) prior the M-step is the posterior mode. */
export const poissonRefMAP = (shape = 1, rate = 0): RefFamily => ({
  logDensity: (x, _a, i, [l]) => x[i] * Math.log(l) - l - logFactorial(x[i]),
  maximize: (x, _a, r, nk) => [Math.max((sum(r.map((ri, i) => ri * x[i])) + (shape - 1)) / (nk + rate), 1e-12)],
});
export const poissonRef = poissonRefMAP();

/** θ = [p]; aux = trials per point; with a Beta(a, b) prior the M-step is the posterior mode. */
export const binomialRefMAP = (a = 1, b = 1): RefFamily => ({
  logDensity: (x, n, i, [p]) =>
    logFactorial(n![i]) - logFactorial(x[i]) - logFactorial(n![i] - x[i]) + x[i] * Math.log(p) + (n![i] - x[i]) * Math.log1p(-p),
  maximize: (x, n, r) => [clamp((sum(r.map((ri, i) => ri * x[i])) + (a - 1)) / (sum(r.map((ri, i) => ri * n![i])) + (a + b - 2)))],
});
export const binomialRef = binomialRefMAP();
