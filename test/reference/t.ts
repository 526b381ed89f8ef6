// Plain-TypeScript reference ECME for Student-t mixtures (families t and mvt), independent of src/:
// its own log Γ, log − ψ, Cholesky and per-point loops over the full data at every candidate ν.
// θ_j = [mean (d), scale matrix (d × d row-major), ν]; for the 1-D family d = 1.
//
// One iteration, given responsibilities τ from the E-step at θ_old (Peel & McLachlan 2000; Liu &
// Rubin 1995):
//   u_i = (ν + p)/(ν + δ²_i) at θ_old;  μ = Σ τ u x / Σ τ u;  Σ = Σ τ u (x − μ)(x − μ)ᵀ / Σ τ
//   (tied: pooled over components / Σ τ over all); floors as mvgaussian's reference;
//   ECM: ν solving log(ν/2) − ψ(ν/2) + 1 + Σ τ(log u − u)/Σ τ + ψ((ν_old+p)/2) − log((ν_old+p)/2) = 0
//   (64 bisections in log ν on [log 0.5, log 200], the bound when the root lies beyond);
//   ECME: at the new (w, μ, Σ), the search on ∂L/∂ν (τ and u at the candidate ν) documented in
//   src/families/student.ts (ecmeSearch below), with full E-steps over the data for every candidate.
import type { RefFamily } from "./em.js";
import { choleskyRows, type CovarianceType } from "./mv.js";

const LOG_2PI = Math.log(2 * Math.PI);
const NU_MIN = 0.5, NU_MAX = 200;
const T_MIN = Math.log(NU_MIN), T_MAX = Math.log(NU_MAX);
const WEIGHT_EPS = 10 * Number.EPSILON;
const EMPTY = 1e-10;

/** log Γ(x), x > 0: Stirling's series at x + n ≥ 20, shifted back by Σ log(x + i). */
export function refLogGamma(x: number): number {
  let shift = 0;
  while (x < 20) { shift += Math.log(x); x += 1; }
  const z = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + 0.5 * LOG_2PI + (1 / x) * (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z * (1 / 1680 - z / 1188)))) - shift;
}

/** log x − ψ(x): recurrence up to 12, then the asymptotic series. */
export function refLogMinusDigamma(x: number): number {
  let extra = 0, y = x;
  while (y < 12) { extra += 1 / y; y += 1; }
  const z = 1 / (y * y);
  const tail = 1 / (2 * y) + z / 12 - z * z / 120 + z ** 3 / 252 - z ** 4 / 240 + z ** 5 / 132 - (691 * z ** 6) / 32760;
  return tail + extra - Math.log(y / x);
}

export type DofMode = "estimate" | "equal" | number;

interface Prepared { d: number; L: number[][]; logDet: number; mean: number[]; nu: number }

function prepare(th: number[], d: number): Prepared {
  const cov = Array.from({ length: d }, (_, a) => th.slice(d + a * d, d + (a + 1) * d));
  const L = choleskyRows(cov);
  return { d, L, logDet: 2 * L.reduce((s, row, a) => s + Math.log(row[a]), 0), mean: th.slice(0, d), nu: th[d + d * d] };
}

function delta2(p: Prepared, x: number[]): number {
  const z: number[] = [];
  let q = 0;
  for (let a = 0; a < p.d; a++) {
    let s = x[a] - p.mean[a];
    for (let b = 0; b < a; b++) s -= p.L[a][b] * z[b];
    z.push(s / p.L[a][a]);
    q += z[a] * z[a];
  }
  return q;
}

function logT(p: Prepared, q: number): number {
  const { d, nu } = p;
  return refLogGamma((nu + d) / 2) - refLogGamma(nu / 2) - (d / 2) * Math.log(nu * Math.PI) - 0.5 * p.logDet - ((nu + d) / 2) * Math.log1p(q / nu);
}

/** 1/x − ψ'(x): recurrence up to 12, then the asymptotic series of ψ'. */
export function refLogMinusTrigamma(x: number): number {
  let extra = 0, y = x;
  while (y < 12) { extra += 1 / (y * y); y += 1; }
  const trigamma = 1 / y + 1 / (2 * y * y) + 1 / (6 * y ** 3) - 1 / (30 * y ** 5) + 1 / (42 * y ** 7) - 1 / (30 * y ** 9) + 5 / (66 * y ** 11) - 691 / (2730 * y ** 13);
  return 1 / x - (trigamma + extra);
}

/**
 * An E-step at (θ, w): log-likelihood, per component Σ τ and Σ τ (log u − u), and the gradient and
 * Hessian of L in ν (K and K × K) computed point by point from their definitions:
 * ∂L/∂ν_j = ½ Σ_i τ_ij h_ij with h = ∂(2 log t)/∂ν = C(ν) + log u − u, and
 * ∂²L/∂ν_j∂ν_l = Σ_i [δ_jl (½ τ_ij ∂h_ij/∂ν_j + ¼ τ_ij h_ij²) − ¼ τ_ij h_ij τ_il h_il],
 * ∂h/∂ν = C'(ν) + (1 − u)²/(ν + p).
 */
function eStats(x: number[][], theta: number[][], w: number[], d: number, hard: boolean, labels?: number[]) {
  const K = theta.length, prep = theta.map((th) => prepare(th, d));
  const C = prep.map((p) => refLogMinusDigamma(p.nu / 2) - refLogMinusDigamma((p.nu + d) / 2) + 1);
  const dC = prep.map((p) => 0.5 * (refLogMinusTrigamma(p.nu / 2) - refLogMinusTrigamma((p.nu + d) / 2)));
  const s0 = new Array<number>(K).fill(0), sq = new Array<number>(K).fill(0), grad = new Array<number>(K).fill(0);
  const hess = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let ll = 0;
  x.forEach((xi, i) => {
    const q = prep.map((p) => delta2(p, xi));
    const lp = prep.map((p, j) => Math.log(w[j]) + logT(p, q[j]));
    const m = Math.max(...lp);
    const e = lp.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    // Partial labels: a labelled point counts log w_l t_l (the objective) with τ one-hot at l.
    const l = labels?.[i] ?? -1;
    ll += l >= 0 ? lp[l] : m + Math.log(s);
    // Classification EM: one-hot at the first maximum (the search then works on those τ, as mixem's passes do).
    const tau = l >= 0 ? lp.map((_, j) => (j === l ? 1 : 0)) : hard ? lp.map((_, j) => (j === lp.indexOf(m) ? 1 : 0)) : e.map((v) => v / s);
    const u = prep.map((p, j) => (p.nu + d) / (p.nu + q[j]));
    const h = u.map((uj, j) => C[j] + Math.log(uj) - uj);
    for (let j = 0; j < K; j++) {
      s0[j] += tau[j];
      sq[j] += tau[j] * (Math.log(u[j]) - u[j]);
      grad[j] += 0.5 * tau[j] * h[j];
      hess[j][j] += 0.5 * tau[j] * (dC[j] + (1 - u[j]) ** 2 / (prep[j].nu + d)) + 0.25 * tau[j] * h[j] * h[j];
      for (let l = 0; l < K; l++) hess[j][l] -= 0.25 * tau[j] * h[j] * tau[l] * h[l];
    }
  });
  return { ll, s0, sq, grad, hess };
}

function ecmRoot(nuOld: number, p: number, s0: number, sq: number): number {
  const c = 1 + sq / s0 - refLogMinusDigamma((nuOld + p) / 2);
  const f = (t: number) => refLogMinusDigamma(Math.exp(t) / 2) + c;
  if (f(T_MAX) >= 0) return NU_MAX;
  if (f(T_MIN) <= 0) return NU_MIN;
  let lo = T_MIN, hi = T_MAX;
  for (let i = 0; i < 64; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid; else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

const grad = (nu: number, p: number, s0: number, sq: number) => s0 * (refLogMinusDigamma(nu / 2) - refLogMinusDigamma((nu + p) / 2) + 1) + sq;

/**
 * The ECME search for ν at fixed (w, μ, Σ), θ's ν changed in place: Newton's method on L in log ν
 * over all groups (components with data, or the one shared ν), as src/families/student.ts
 * documents it — groups pinned at a bound by their gradient left out; damped (−H + λI) where L is
 * not concave; steps capped at 2 and clamped; a round worse than the best (beyond 1e-13
 * relative) halves the way back; stop when no step reaches 1e-11, when a step is at least half the
 * one before and that one was at most 1e-6 (rounding), or after 20 rounds, on the best.
 */
function ecmeSearch(x: number[][], theta: number[][], w: number[], d: number, mode: "estimate" | "equal", hard: boolean, labels?: number[]): void {
  const K = theta.length, shared = mode === "equal";
  const G = shared ? 1 : K;
  const members = (a: number) => (shared ? theta.map((_, j) => j) : [a]);
  const nuOf = (a: number) => theta[a][d + d * d];
  const setNu = (a: number, nu: number) => { for (const j of members(a)) theta[j][d + d * d] = nu; };
  let bestLL = -Infinity, bestT: number[] = [], last = Infinity;
  for (let step = 0; ; ) {
    const ev = eStats(x, theta, w, d, hard, labels);
    const t = Array.from({ length: G }, (_, a) => Math.log(nuOf(a)));
    if (step > 0 && !(ev.ll >= bestLL - 1e-13 * Math.abs(bestLL))) {
      step++;
      last = Infinity;
      const back = t.map((v, a) => (v + bestT[a]) / 2);
      const moved = Math.max(...back.map((v, a) => Math.abs(v - t[a])));
      if (moved >= 1e-11 && step <= 20) { back.forEach((v, a) => setNu(a, Math.exp(v))); continue; }
      bestT.forEach((v, a) => setNu(a, Math.exp(v)));
      return;
    }
    bestLL = ev.ll;
    bestT = [...t];
    const active = (j: number) => ev.s0[j] > EMPTY;
    const free: number[] = [], g: number[] = [];
    for (let a = 0; a < G; a++) {
      const js = members(a).filter(active);
      if (js.length === 0) continue;
      const ga = nuOf(a) * js.reduce((s, j) => s + ev.grad[j], 0);
      if ((ga > 0 && t[a] >= T_MAX) || (ga < 0 && t[a] <= T_MIN)) continue;
      free.push(a);
      g.push(ga);
    }
    if (free.length === 0) return;
    const n = free.length;
    // −Hessian in log ν: −(ν_a ν_b Σ H_jl + δ_ab ν_a ∂L/∂ν_a).
    const negH = free.map((a, x) => free.map((b, y) => {
      let v = 0;
      for (const j of members(a).filter(active)) for (const l of members(b).filter(active)) v += ev.hess[j][l];
      v *= nuOf(a) * nuOf(b);
      return -(v + (x === y ? g[x] : 0));
    }));
    // Damped Newton: −H + λI with λ = 0, then 1e-8, 1e-7, … × max |diag(−H)| until positive definite.
    const base = Math.max(...negH.map((row, i) => Math.abs(row[i]))) || 1;
    let delta: number[] | null = null;
    for (let attempt = 0, lambda = 0; attempt <= 30 && !delta; attempt++, lambda = lambda === 0 ? 1e-8 * base : 10 * lambda) {
      let L: number[][];
      try { L = choleskyRows(negH.map((row, i) => row.map((v, j) => v + (i === j ? lambda : 0)))); } catch { continue; }
      const z: number[] = [];
      for (let i = 0; i < n; i++) z.push((g[i] - z.reduce((s, v, k) => s + L[i][k] * v, 0)) / L[i][i]);
      const sol = new Array<number>(n).fill(0);
      for (let i = n - 1; i >= 0; i--) {
        let v = z[i];
        for (let k = i + 1; k < n; k++) v -= L[k][i] * sol[k];
        sol[i] = v / L[i][i];
      }
      const scale = Math.min(1, ...sol.map((v) => 2 / Math.abs(v)));
      delta = sol.map((v) => v * scale);
    }
    if (!delta) {
      delta = free.map((a) => {
        const js = members(a).filter(active);
        const s0 = js.reduce((s, j) => s + ev.s0[j], 0), sq = js.reduce((s, j) => s + ev.sq[j], 0);
        return Math.log(ecmRoot(nuOf(a), d, s0, sq)) - t[a];
      });
    }
    let moved = 0;
    const next = [...t];
    free.forEach((a, i) => {
      next[a] = Math.min(T_MAX, Math.max(T_MIN, t[a] + delta![i]));
      moved = Math.max(moved, Math.abs(next[a] - t[a]));
    });
    step++;
    const stalled = last <= 1e-6 && moved >= 0.5 * last;
    last = moved;
    if (!(moved >= 1e-11 && !stalled && step <= 20)) return;
    next.forEach((v, a) => setNu(a, Math.exp(v)));
  }
}

/**
 * The reference for mvt (x rows) with a covariance type and a dof mode (`hard`: classification
 * EM, whose ν search sees one-hot τ); with `ecme: false` only the ECM steps (what the public
 * maximize(model, stats) does).
 */
export function mvtRef(x: number[][], type: CovarianceType, mode: DofMode = "estimate", hard = false, regCovar = 1e-6, ecme = true, labels?: number[]): RefFamily<number[]> {
  const d = x[0].length, n = x.length;
  const scale = Array.from({ length: d }, (_, a) => {
    const m = x.reduce((s, xi) => s + xi[a], 0) / n;
    const v = x.reduce((s, xi) => s + (xi[a] - m) ** 2, 0) / n;
    return v > 0 ? v : 1;
  });
  const shape = (cov: number[][]): number[][] => {
    if (type === "diag") return cov.map((row, a) => row.map((v, b) => (a === b ? Math.max(v, regCovar * scale[a]) : 0)));
    if (type === "spherical") {
      const m = cov.reduce((s, row, a) => s + row[a], 0) / d, floor = (regCovar * scale.reduce((s, v) => s + v, 0)) / d;
      return cov.map((row, a) => row.map((_, b) => (a === b ? Math.max(m, floor) : 0)));
    }
    const scaled = cov.map((row, a) => row.map((v, b) => v / Math.sqrt(scale[a] * scale[b]) - (a === b ? regCovar : 0)));
    choleskyRows(scaled); // the floor is inactive (throws otherwise: choose data accordingly)
    return cov;
  };
  return {
    logDensity: (x, _a, i, th) => { const p = prepare(th, d); return logT(p, delta2(p, x[i])); },
    maximize: () => { throw new Error("mvtRef: maximizeAll"); },
    maximizeAll(x, resp, nks, previous) {
      const K = previous.length;
      const theta = previous.map((th) => [...th]);
      const pooled = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      let pooledN = 0;
      const s0 = new Array<number>(K).fill(0), sq = new Array<number>(K).fill(0);
      previous.forEach((th, j) => {
        if (!(nks[j] > EMPTY)) return;
        const p = prepare(th, d);
        const u = x.map((xi) => (p.nu + d) / (p.nu + delta2(p, xi)));
        const ru = x.map((_, i) => resp[i][j] * u[i]);
        const A = ru.reduce((s, v) => s + v, 0);
        const mean = Array.from({ length: d }, (_, a) => x.reduce((s, xi, i) => s + ru[i] * xi[a], 0) / A);
        const scatter = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => x.reduce((s, xi, i) => s + ru[i] * (xi[a] - mean[a]) * (xi[b] - mean[b]), 0)));
        s0[j] = nks[j];
        sq[j] = x.reduce((s, _, i) => s + resp[i][j] * (Math.log(u[i]) - u[i]), 0);
        if (type === "tied") {
          scatter.forEach((row, a) => row.forEach((v, b) => { pooled[a][b] += v; }));
          pooledN += nks[j];
          theta[j] = [...mean, ...th.slice(d)];
        } else {
          theta[j] = [...mean, ...shape(scatter.map((row) => row.map((v) => v / nks[j]))).flat(), th[d + d * d]];
        }
      });
      if (type === "tied" && pooledN > 0) {
        const cov = shape(pooled.map((row) => row.map((v) => v / pooledN))).flat();
        theta.forEach((th, j) => { theta[j] = [...th.slice(0, d), ...cov, th[d + d * d]]; });
      }
      if (typeof mode === "number") return theta;
      // ECM for ν.
      if (mode === "estimate") {
        theta.forEach((th, j) => { if (s0[j] > EMPTY) th[d + d * d] = ecmRoot(previous[j][d + d * d], d, s0[j], sq[j]); });
      } else {
        let a = 0, b = 0;
        s0.forEach((v, j) => { if (v > EMPTY) { a += v; b += sq[j]; } });
        if (a > EMPTY) { const nu = ecmRoot(previous[0][d + d * d], d, a, b); theta.forEach((th) => { th[d + d * d] = nu; }); }
      }
      if (!ecme) return theta;
      // ECME at the new weights (referenceEM's: (n_j + ε)/Σ).
      const total = nks.reduce((s, v) => s + v + WEIGHT_EPS, 0);
      ecmeSearch(x, theta, nks.map((v) => (v + WEIGHT_EPS) / total), d, mode, hard, labels);
      return theta;
    },
    withLabels: (l) => mvtRef(x, type, mode, hard, regCovar, ecme, l),
  };
}

/** The reference for family t (x values): mvtRef at d = 1, θ_j = [mean, variance, ν]. */
export function tRef(x: number[], mode: DofMode = "estimate", hard = false, regCovar = 1e-6): RefFamily<number> {
  const rows = x.map((v) => [v]);
  const inner = mvtRef(rows, "diag", mode, hard, regCovar);
  return {
    logDensity: (_x, a, i, th) => inner.logDensity(rows, a, i, th),
    maximize: () => { throw new Error("tRef: maximizeAll"); },
    maximizeAll: (_x, resp, nks, previous) => inner.maximizeAll!(rows, resp, nks, previous),
    withLabels: (l) => { const r = mvtRef(rows, "diag", mode, hard, regCovar, true, l); return { ...tRef(x, mode, hard, regCovar), maximizeAll: (_x, resp, nks, previous) => r.maximizeAll!(rows, resp, nks, previous) }; },
  };
}
