// Plain-TypeScript references for the multivariate families, independent of src/: θ_j is
// [mean (d), covariance (d × d row-major)] for mvgaussian and [p (d)] for bernoulli.
import type { RefFamily } from "./em.js";

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

/** Lower Cholesky factor as rows; throws if not positive definite. */
export function choleskyRows(m: number[][]): number[][] {
  const d = m.length;
  const L = m.map(() => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
    let s = m[i][j];
    for (let p = 0; p < j; p++) s -= L[i][p] * L[j][p];
    if (i === j) {
      if (!(s > 0)) throw new Error("reference: not positive definite");
      L[i][i] = Math.sqrt(s);
    } else L[i][j] = s / L[j][j];
  }
  return L;
}

function logNormal(x: number[], mean: number[], cov: number[][]): number {
  const d = x.length, L = choleskyRows(cov);
  const z: number[] = [];
  for (let a = 0; a < d; a++) {
    let s = x[a] - mean[a];
    for (let b = 0; b < a; b++) s -= L[a][b] * z[b];
    z.push(s / L[a][a]);
  }
  const logDet = 2 * sum(L.map((row, a) => Math.log(row[a])));
  return -0.5 * (d * Math.log(2 * Math.PI) + logDet + sum(z.map((v) => v * v)));
}

const unpack = (th: number[], d: number) => ({ mean: th.slice(0, d), cov: Array.from({ length: d }, (_, a) => th.slice(d + a * d, d + (a + 1) * d)) });
const pack = (mean: number[], cov: number[][]) => [...mean, ...cov.flat()];

function weightedMoments(x: number[][], r: number[], nk: number) {
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, a) => sum(x.map((xi, i) => r[i] * xi[a])) / nk);
  const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => sum(x.map((xi, i) => r[i] * (xi[a] - mean[a]) * (xi[b] - mean[b]))) / nk));
  return { mean, cov };
}

export type CovarianceType = "full" | "tied" | "diag" | "spherical";

/**
 * mvgaussian reference. The floor Σ ⪰ regCovar · diag(var(data)) is implemented for diag and
 * spherical; for full and tied the reference asserts it is inactive (choose data accordingly).
 */
export function mvGaussianRef(x: number[][], type: CovarianceType, regCovar = 1e-6): RefFamily<number[]> {
  const d = x[0].length, n = x.length;
  const scale = Array.from({ length: d }, (_, a) => {
    const m = sum(x.map((xi) => xi[a])) / n;
    const v = sum(x.map((xi) => (xi[a] - m) ** 2)) / n;
    return v > 0 ? v : 1;
  });
  const assertFloorInactive = (cov: number[][]) => {
    const scaled = cov.map((row, a) => row.map((v, b) => v / Math.sqrt(scale[a] * scale[b]) - (a === b ? regCovar : 0)));
    choleskyRows(scaled); // throws when an eigenvalue of the scaled covariance is below the floor
  };
  const shape = (cov: number[][]): number[][] => {
    if (type === "diag") return cov.map((row, a) => row.map((v, b) => (a === b ? Math.max(v, regCovar * scale[a]) : 0)));
    if (type === "spherical") {
      const m = sum(cov.map((row, a) => row[a])) / d, floor = (regCovar * sum(scale)) / d;
      return cov.map((row, a) => row.map((_, b) => (a === b ? Math.max(m, floor) : 0)));
    }
    assertFloorInactive(cov);
    return cov;
  };
  const fam: RefFamily<number[]> = {
    logDensity: (x, _a, i, th) => { const { mean, cov } = unpack(th, d); return logNormal(x[i], mean, cov); },
    maximize(x, _a, r, nk) {
      const { mean, cov } = weightedMoments(x, r, nk);
      return pack(mean, shape(cov));
    },
  };
  if (type === "tied") {
    fam.maximizeAll = (x, resp, nks, previous) => {
      const total = sum(nks.filter((nk) => nk > 1e-10));
      const pooled = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      const means = previous.map((th, j) => {
        if (!(nks[j] > 1e-10)) return th.slice(0, d);
        const { mean, cov } = weightedMoments(x, resp.map((r) => r[j]), nks[j]);
        cov.forEach((row, a) => row.forEach((v, b) => { pooled[a][b] += (nks[j] * v) / total; }));
        return mean;
      });
      assertFloorInactive(pooled);
      return means.map((m) => pack(m, pooled));
    };
  }
  return fam;
}

/** θ = p (d); with Beta(a_a, b_a) priors the M-step is the posterior mode. */
export function bernoulliRef(d: number, a: number[] = Array(d).fill(1), b: number[] = Array(d).fill(1)): RefFamily<number[]> {
  const clamp = (p: number) => Math.min(1 - 1e-12, Math.max(1e-12, p));
  return {
    logDensity: (x, _a, i, p) => sum(x[i].map((v, f) => (v ? Math.log(p[f]) : Math.log1p(-p[f])))),
    maximize: (x, _a, r, nk) => Array.from({ length: d }, (_, f) => clamp((sum(x.map((xi, i) => r[i] * xi[f])) + (a[f] - 1)) / (nk + (a[f] + b[f] - 2)))),
  };
}
