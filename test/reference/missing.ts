// Plain-TypeScript reference of EM with missing values (NaN), independent of src/: Ghahramani &
// Jordan (1994), Little & Rubin (2002) ch. 11. Per row and component, directly from the formulas:
// log w_j + log N(x_o; μ_o, Σ_oo); x̂ = x with x_m = μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o); and
// Ĉ (d × d, zero but for Ĉ_mm = Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om). M-step: N_j = Σ r, μ_j = Σ r x̂ / N_j,
// Σ_j = Σ r [(x̂ − μ_j)(x̂ − μ_j)ᵀ + Ĉ] / N_j. Matrix inverses by Gauss–Jordan elimination (not the
// library's Cholesky). Also the observed-data log-likelihood, for gradient checks, and the
// Bernoulli version (a missing feature drops out; E[x_a | j] = p_ja).

export interface MvParams { weights: number[]; means: number[][]; covs: number[][][] }

/** Inverse and log-determinant by Gauss–Jordan with partial pivoting. */
export function inverse(m: number[][]): { inv: number[][]; logDet: number } {
  const n = m.length, a = m.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const pivot = a[c][c];
    if (!(pivot !== 0)) throw new Error("reference: singular");
    logDet += Math.log(Math.abs(pivot));
    for (let j = 0; j < 2 * n; j++) a[c][j] /= pivot;
    for (let r = 0; r < n; r++) if (r !== c) {
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return { inv: a.map((r) => r.slice(n)), logDet };
}

const sub = (m: number[][], rows: number[], cols: number[]) => rows.map((r) => cols.map((c) => m[r][c]));

/** log N(x_o; μ_o, Σ_oo) for the observed entries of x (NaN = missing); 0 when nothing is observed. */
export function logMarginal(x: number[], mean: number[], cov: number[][]): number {
  const o = x.map((_, a) => a).filter((a) => !Number.isNaN(x[a]));
  if (o.length === 0) return 0;
  const { inv, logDet } = inverse(sub(cov, o, o));
  const z = o.map((a) => x[a] - mean[a]);
  let q = 0;
  for (let a = 0; a < o.length; a++) for (let b = 0; b < o.length; b++) q += z[a] * inv[a][b] * z[b];
  return -0.5 * (o.length * Math.log(2 * Math.PI) + logDet + q);
}

const lse = (v: number[]) => { const m = Math.max(...v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); };

/**
 * Row weights and partial labels for the reference EMs (optional): row i counts w_i times; a row
 * with label l ≥ 0 has responsibilities one-hot at l and adds w_i log π_l p(x_i,o | θ_l) to the
 * objective (semi-supervised EM), −1 unknown.
 */
export interface RowOptions { sampleWeights?: number[]; labels?: number[] }

/**
 * Observed-data log-likelihood Σ_i w_i log Σ_j π_j N(x_i,o; μ_j,o, Σ_j,oo) (rows with nothing
 * observed add 0); with labels, the objective (labelled rows: w_i log π_l N(x_i,o; …_l)).
 */
export function observedLogLik(X: number[][], p: MvParams, o: RowOptions = {}): number {
  let ll = 0;
  X.forEach((x, i) => {
    if (x.every((v) => Number.isNaN(v))) return;
    const logs = p.weights.map((w, j) => Math.log(w) + logMarginal(x, p.means[j], p.covs[j]));
    const l = o.labels?.[i] ?? -1;
    ll += (o.sampleWeights?.[i] ?? 1) * (l >= 0 ? logs[l] : lse(logs));
  });
  return ll;
}

/** Soft EM iterations from `start` (full covariances); returns the parameters and the log-likelihood before each M-step. */
export function missingEM(X: number[][], start: MvParams, iterations: number, opts: RowOptions = {}): { params: MvParams; history: number[] } {
  const d = X[0].length, k = start.weights.length;
  let p = structuredClone(start);
  const history: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const N = new Array<number>(k).fill(0);
    const S1 = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    const rows: { r: number[]; xhat: number[][]; C: number[][][] }[] = [];
    let ll = 0;
    for (const [i, x] of X.entries()) {
      const o = x.map((_, a) => a).filter((a) => !Number.isNaN(x[a])), m = x.map((_, a) => a).filter((a) => Number.isNaN(x[a]));
      if (o.length === 0) continue;
      const logs = p.weights.map((w, j) => Math.log(w) + logMarginal(x, p.means[j], p.covs[j]));
      const total = lse(logs), wi = opts.sampleWeights?.[i] ?? 1, l = opts.labels?.[i] ?? -1;
      ll += wi * (l >= 0 ? logs[l] : total);
      const r = logs.map((v, j) => wi * (l >= 0 ? (j === l ? 1 : 0) : Math.exp(v - total)));
      const xhat: number[][] = [], C: number[][][] = [];
      for (let j = 0; j < k; j++) {
        const mu = p.means[j], S = p.covs[j];
        const xh = [...x], c = Array.from({ length: d }, () => new Array<number>(d).fill(0));
        if (m.length > 0) {
          const { inv } = inverse(sub(S, o, o));
          const Smo = sub(S, m, o);
          const B = Smo.map((row) => o.map((_, b) => row.reduce((s, v, a) => s + v * inv[a][b], 0))); // Σ_mo Σ_oo⁻¹
          m.forEach((mi, t) => { xh[mi] = mu[mi] + o.reduce((s, oi, b) => s + B[t][b] * (x[oi] - mu[oi]), 0); });
          m.forEach((mi, t) => m.forEach((ml, u) => { c[mi][ml] = S[mi][ml] - o.reduce((s, oi, b) => s + B[t][b] * S[oi][ml], 0); }));
        }
        xhat.push(xh);
        C.push(c);
        N[j] += r[j];
        for (let a = 0; a < d; a++) S1[j][a] += r[j] * xh[a];
      }
      rows.push({ r, xhat, C });
    }
    history.push(ll);
    const means = S1.map((s, j) => s.map((v) => v / N[j]));
    const covs = means.map((mu, j) => {
      const S = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      for (const { r, xhat, C } of rows)
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++)
          S[a][b] += r[j] * ((xhat[j][a] - mu[a]) * (xhat[j][b] - mu[b]) + C[j][a][b]);
      return S.map((row) => row.map((v) => v / N[j]));
    });
    const n = N.reduce((s, v) => s + v, 0);
    p = { weights: N.map((v) => v / n), means, covs };
  }
  return { params: p, history };
}

/** Bernoulli EM with missing features: a missing feature drops out of the product; E[x_a | j] = p_ja. */
export function missingBernoulliEM(X: number[][], start: { weights: number[]; p: number[][] }, iterations: number, opts: RowOptions = {}) {
  const d = X[0].length, k = start.weights.length;
  let w = [...start.weights], P = start.p.map((r) => [...r]);
  const history: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const N = new Array<number>(k).fill(0), S = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    let ll = 0;
    for (const [i, x] of X.entries()) {
      if (x.every((v) => Number.isNaN(v))) continue;
      const logs = w.map((wj, j) => Math.log(wj) + x.reduce((s, v, a) => (Number.isNaN(v) ? s : s + (v === 1 ? Math.log(P[j][a]) : Math.log(1 - P[j][a]))), 0));
      const total = lse(logs), wi = opts.sampleWeights?.[i] ?? 1, l = opts.labels?.[i] ?? -1;
      ll += wi * (l >= 0 ? logs[l] : total);
      logs.forEach((v, j) => {
        const r = wi * (l >= 0 ? (j === l ? 1 : 0) : Math.exp(v - total));
        N[j] += r;
        x.forEach((xa, a) => { S[j][a] += r * (Number.isNaN(xa) ? P[j][a] : xa); });
      });
    }
    history.push(ll);
    const n = N.reduce((s, v) => s + v, 0);
    w = N.map((v) => v / n);
    P = S.map((row, j) => row.map((v) => v / N[j]));
  }
  return { weights: w, p: P, history };
}
