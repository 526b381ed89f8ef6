// Multivariate Gaussian, d dimensions. θ_j = (mean_j (d), Σ_j (d × d, row-major)) for every
// covariance type, so components always expose a full matrix:
//   full       (mclust VVV): each component its own Σ_j            kernel assembly/mvn_full.ts
//   tied       (mclust EEE): one Σ shared by all components        kernel assembly/mvn_full.ts
//   diag       (mclust VVI): each Σ_j diagonal                     kernel assembly/mvn_diag.ts
//   spherical  (mclust VII): each Σ_j = σ²_j I                     kernel assembly/mvn_diag.ts
import type { Family, Spec } from "../family.js";
import { columnScales, copyMatrixIn, describe, magnitudeProblem } from "../data.js";
import { finiteAtLeast, integer, numberList, oneOf } from "../options.js";
import { cholesky, floorCovariance } from "../linalg.js";
import { dataError, MixemError, optionError } from "../errors.js";
import { LOG_2PI, componentObject, forActive, logNormal, needData } from "./shared.js";
import { KERNEL_BLOCK } from "../wasm.js";
import { collapsed } from "./gaussian.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, logInvGamma, priorNumber, priorObject, priorRule } from "../prior.js";
import { logMultiGamma } from "../special.js";
import * as M from "../math.js";

export type CovarianceType = "full" | "tied" | "diag" | "spherical";
export interface MvGaussianComponent { mean: number[]; covariance: number[][] }

/**
 * mclust's conjugate priors (Fraley & Raftery 2007) with priorControl()'s defaults: mean | Σ ~
 * N(mean, Σ/shrinkage); full and tied: Σ ~ inverse-Wishart(dof, scale) with scale a d × d matrix;
 * diag: each σ²_a ~ InvGamma(dof/2, scale/2); spherical: σ² ~ InvGamma(dof/2, scale/2).
 * Defaults: shrinkage 0.01, the data's mean, dof d + 2, scale var(data) / k^(2/d) (full, tied; the
 * sample covariance matrix) or Σ_a var_a / d / k^(2/d) (diag, spherical).
 */
export interface MvGaussianPrior { weights: number; shrinkage: number; mean: number[]; dof: number; scale: number | number[][] }


export const mvgaussian: Family = {
  name: "mvgaussian",
  options: { covariance: oneOf("full", "tied", "diag", "spherical"), regCovar: finiteAtLeast(0), dims: integer(1, 4096), prior: priorRule },

  load(core, data, options, path, dims) {
    const { region, n, dims: d } = copyMatrixIn(core, data, dims ?? (options.dims as number | undefined), path, magnitudeProblem);
    try {
      if (dims === undefined && (options.covariance ?? "full") === "full" && n < d + 1)
        throw dataError(path, `has ${n} rows; covariance "full" in ${d} dimensions needs at least d + 1 = ${d + 1}`);
      return { n, dims: d, x: region, aux: null, logConstant: 0, auxConst: 0, scale: columnScales(region.array, n, d, path) };
    } catch (e) {
      core.free(region);
      throw e;
    }
  },

  resolvePrior(raw, ds, k, options, path): MvGaussianPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "mean", "dof", "scale"], path);
    const covariance = (options.covariance as CovarianceType | undefined) ?? "full";
    const d = ds?.dims ?? (options.dims as number);
    const dense = covariance === "full" || covariance === "tied";
    const moments = (key: string) => {
      const data = needData(ds, `${path}.${key}`), x = data.x.array, n = data.n;
      const mean = new Array<number>(d).fill(0);
      for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += x[i * d + a] / n;
      const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++)
        cov[a][b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / Math.max(n - 1, 1);
      for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[b][a] = cov[a][b];
      return { mean, cov, n };
    };
    const fac = M.pow(1 / k, 2 / d);
    const mean = o.mean === undefined ? moments("mean").mean : numberList(o.mean, d, `${path}.mean`);
    let scale: number | number[][];
    if (dense) {
      if (o.scale === undefined) {
        const { cov, n } = moments("scale");
        scale = cov.map((row, a) => row.map((v, b) => (n > d ? fac * v : a === b ? fac * v : 0)));
      } else {
        scale = listOf(o.scale, d, `${path}.scale`).map((r, a) => numberList(r, d, `${path}.scale[${a}]`));
      }
      if (!cholesky(scale.flat(), d)) throw optionError(`${path}.scale`, "must be a symmetric positive-definite d × d matrix");
    } else {
      scale = priorNumber(o, "scale", () => { const { cov } = moments("scale"); return (fac * cov.reduce((t, r, a) => t + r[a], 0)) / d; }, 0, true, path);
    }
    return {
      weights: dirichletAlpha(o, path),
      shrinkage: priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path),
      mean,
      dof: priorNumber(o, "dof", () => d + 2, dense ? d - 1 : 0, true, path),
      scale,
    };
  },

  configure(options, d): Spec {
    const covariance = (options.covariance as CovarianceType | undefined) ?? "full";
    const regCovar = (options.regCovar as number | undefined) ?? 1e-6;
    const prior = options.prior as MvGaussianPrior | undefined;
    const priorScale = prior && typeof prior.scale !== "number" ? Float64Array.from(prior.scale.flat()) : null;
    const deviation = new Float64Array(d);
    const dense = covariance === "full" || covariance === "tied";
    const T = d + d * d;
    const S = dense ? 1 + d + d * d : 1 + 2 * d;
    // Scratch for the M-step and sampling, allocated once per fit, not per iteration.
    const work = new Float64Array(d * d);
    const factor = new Float64Array(d * d);
    const pooledScatter = new Float64Array(d * d);
    const pooledSigma = new Float64Array(d * d);
    const diagonal = new Float64Array(d);
    let active = new Uint8Array(0); // which components had data in this M-step (tied), grown once
    const tri = (d * (d + 1)) / 2;

    /**
     * Writes P_j = L_j⁻¹ for the Cholesky factor Σ_j = L_j L_jᵀ (lower triangle, row-major) and
     * returns log|Σ_j|; throws if Σ_j is not positive definite. Column c of P by forward
     * substitution: P_cc = 1/L_cc, P_ac = −(Σ_{c≤b<a} L_ab P_bc) / L_aa.
     */
    const factorInto = (theta: Float64Array, j: number, params: Float64Array, at: number): number => {
      if (!cholesky(theta.subarray(j * T + d, (j + 1) * T), d, factor))
        throw new MixemError("DEGENERATE", `the covariance of component ${j} is not positive definite (the component collapsed onto a lower-dimensional subspace); raise options.regCovar`, "fit");
      let logDet = 0;
      for (let c = 0; c < d; c++) {
        logDet += 2 * M.log(factor[c * d + c]);
        params[at + c * d + c] = 1 / factor[c * d + c];
        for (let a = c + 1; a < d; a++) {
          let sum = 0;
          for (let b = c; b < a; b++) sum += factor[a * d + b] * params[at + b * d + c];
          params[at + a * d + c] = -sum / factor[a * d + a];
        }
      }
      return logDet;
    };

    const spec: Spec = {
      kernel: dense ? "mvnFullPass" : "mvnDiagPass",
      dims: d,
      thetaSize: T,
      headerSize: dense ? 1 + 2 * d * KERNEL_BLOCK : 1, // see assembly/mvn_full.ts
      paramsSize: dense ? 1 + d + d * d : 1 + 2 * d,
      statsSize: S,
      initKeys: ["means", "covariances"],
      settings: prior ? { covariance, regCovar, dims: d, prior } : { covariance, regCovar, dims: d },

      // Free parameters (scikit-learn's _n_parameters): means k·d plus the covariances.
      componentParameters: (k) => k * d + { full: k * tri, tied: tri, diag: k * d, spherical: k }[covariance],

      seedPoints: (ds) => ({ points: ds.x.array, dims: d }),

      // Means at the seeds, covariance diag(var(data)) for the seeding M-step's shift.
      seed(seeds, ds, theta) {
        for (let j = 0; j < seeds.length / d; j++) {
          theta.fill(0, j * T + d, (j + 1) * T);
          for (let a = 0; a < d; a++) {
            theta[j * T + a] = seeds[j * d + a];
            theta[j * T + d + a * d + a] = ds.scale[a];
          }
        }
      },

      fromInit(init, k, theta, path) {
        const means = listOf(init.means, k, `${path}.means`);
        means.forEach((m, j) => numberList(m, d, `${path}.means[${j}]`).forEach((v, a) => { theta[j * T + a] = v; }));
        const covs = listOf(init.covariances, k, `${path}.covariances`);
        covs.forEach((c, j) => readCovariance(c, covariance, d, theta, j * T + d, `${path}.covariances[${j}]`));
        if (covariance === "tied") averageCovariances(theta, k, d, T);
        for (let j = 0; j < k; j++)
          if (!cholesky(theta.subarray(j * T + d, (j + 1) * T), d, factor)) throw optionError(`${path}.covariances[${j}]`, "must be positive definite");
      },

      pack(theta, logWeights, _ds, params) {
        const k = logWeights.length;
        params[0] = d;
        const P = spec.paramsSize, H = spec.headerSize;
        const half = 0.5 * d * LOG_2PI;
        let tiedLogDet = 0;
        for (let j = 0; j < k; j++) {
          const at = H + j * P;
          for (let a = 0; a < d; a++) params[at + 1 + a] = theta[j * T + a];
          if (dense) {
            // c_j = log w_j − ½ log|Σ_j| − (d/2) log 2π; then the factor of Σ_j (tied: computed once).
            if (covariance === "tied" && j > 0) {
              params.copyWithin(at + 1 + d, H + 1 + d, H + P);
              params[at] = logWeights[j] - 0.5 * tiedLogDet - half;
            } else {
              const logDet = factorInto(theta, j, params, at + 1 + d);
              tiedLogDet = logDet;
              params[at] = logWeights[j] - 0.5 * logDet - half;
            }
          } else {
            let logDet = 0;
            for (let a = 0; a < d; a++) {
              const v = theta[j * T + d + a * d + a];
              logDet += M.log(v);
              params[at + 1 + d + a] = 1 / v;
            }
            params[at] = logWeights[j] - 0.5 * logDet - half;
          }
        }
      },

      // Statistics about the current mean m: S0 = Σr, S1 = Σr(x−m), S2 = Σr(x−m)(x−m)ᵀ (or its
      // diagonal). With n = S0, ȳ = m + S1/S0 and scatter W = S2 − n δδᵀ (δ = S1/S0):
      //   maximum likelihood: mean ȳ, Σ = W / n;  tied: Σ = Σ_j W_j / Σ_j n_j.
      //   MAP (Fraley & Raftery 2007, as mclust): mean (n ȳ + κ μ₀)/(n + κ), and with
      //   B = W + κn/(κ+n) (ȳ − μ₀)(ȳ − μ₀)ᵀ:  full Σ = (Λ + B)/(n + ν + d + 2);
      //   tied Σ = (Λ + Σ_j B_j)/(Σ_j n_j + ν + d + 1 + k); diag σ²_a = (ς² + B_aa)/(n + ν + 3);
      //   spherical σ² = (ς² + tr B)/(n d + ν + d + 2)   (κ = 0: no mean prior, the mean terms drop).
      // Then the floor Σ ⪰ regCovar · diag(var(data)) (floorCovariance: the constrained maximiser,
      // so EM stays monotone).
      maximize(stats, theta, k, ds) {
        const kappa = prior ? prior.shrinkage : 0;
        const mu0 = prior?.mean;
        const meanTerms = prior && kappa > 0 ? 1 : 0;
        let pooled = 0, pooledMeans = 0;
        pooledScatter.fill(0);
        if (active.length < k) active = new Uint8Array(k);
        active.fill(0, 0, k);
        forActive(stats, S, k, (j, s) => {
          active[j] = 1;
          const nk = stats[s];
          const t = j * T;
          // ȳ − μ₀ (before the mean moves), and the new mean.
          for (let a = 0; a < d; a++) {
            const ybar = theta[t + a] + stats[s + 1 + a] / nk;
            deviation[a] = mu0 ? ybar - mu0[a] : 0;
            theta[t + a] = mu0 ? (nk * ybar + kappa * mu0[a]) / (nk + kappa) : ybar;
          }
          const shrink = prior && kappa > 0 ? (kappa * nk) / (kappa + nk) : 0;
          if (dense) {
            const target = covariance === "tied" ? pooledScatter : theta;
            const at = covariance === "tied" ? 0 : t + d;
            const denominator = covariance === "tied" ? 1 : prior ? nk + prior.dof + d + 1 + meanTerms : nk;
            for (let a = 0; a < d; a++) {
              const da = stats[s + 1 + a] / nk;
              for (let b = 0; b <= a; b++) {
                const db = stats[s + 1 + b] / nk;
                let v = stats[s + 1 + d + a * d + b] - nk * da * db + shrink * deviation[a] * deviation[b];
                if (priorScale && covariance !== "tied") v += priorScale[a * d + b];
                v /= denominator;
                if (covariance === "tied") target[a * d + b] += v;
                else target[at + a * d + b] = target[at + b * d + a] = v;
              }
            }
            if (covariance === "tied") { pooled += nk; pooledMeans += meanTerms; }
            else floorCovariance(theta, t + d, d, ds.scale, regCovar, work);
          } else {
            const v = diagonal;
            let trace = 0;
            for (let a = 0; a < d; a++) {
              const da = stats[s + 1 + a] / nk;
              v[a] = Math.max(stats[s + 1 + d + a] - nk * da * da, 0) + shrink * deviation[a] * deviation[a];
              trace += v[a];
            }
            const scalar = prior ? (prior.scale as number) : 0;
            if (covariance === "spherical") {
              let meanScale = 0;
              for (let a = 0; a < d; a++) meanScale += ds.scale[a] / d;
              const variance = prior ? (scalar + trace) / (nk * d + prior.dof + 2 + meanTerms * d) : trace / (nk * d);
              v.fill(Math.max(variance, regCovar * meanScale));
            } else {
              for (let a = 0; a < d; a++) {
                const variance = prior ? (scalar + v[a]) / (nk + prior.dof + 2 + meanTerms) : v[a] / nk;
                v[a] = Math.max(variance, regCovar * ds.scale[a]);
              }
            }
            for (let a = 0; a < d; a++) {
              if (!(v[a] > 0)) throw collapsed(j);
              theta[t + d + a * d + a] = v[a];
            }
          }
        });
        if (covariance === "tied" && pooled > 0) {
          const sigma = pooledSigma;
          let denominator = pooled;
          if (prior) {
            // Components without data keep their means, but their mean priors still involve Σ.
            if (kappa > 0) for (let j = 0; j < k; j++) if (!active[j]) {
              for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) pooledScatter[a * d + b] += kappa * (theta[j * T + a] - mu0![a]) * (theta[j * T + b] - mu0![b]);
              pooledMeans++;
            }
            for (let i = 0; i < d * d; i++) pooledScatter[i] += priorScale![i];
            denominator = pooled + prior.dof + d + 1 + pooledMeans;
          }
          for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) sigma[a * d + b] = sigma[b * d + a] = pooledScatter[a * d + b] / denominator;
          floorCovariance(sigma, 0, d, ds.scale, regCovar, work);
          for (let j = 0; j < k; j++) theta.set(sigma, j * T + d);
        }
      },

      // Normalised log-densities: N(mean | μ₀, Σ/κ) (κ > 0) and inverse-Wishart / inverse-gamma.
      logPrior(theta, k) {
        if (!prior) return 0;
        const { shrinkage: kappa, mean: mu0, dof } = prior;
        let total = 0;
        for (let j = 0; j < k; j++) {
          const t = j * T;
          if (dense) {
            if (!cholesky(theta.subarray(t + d, t + T), d, factor)) return -Infinity;
            let logDet = 0;
            for (let a = 0; a < d; a++) logDet += 2 * M.log(factor[a * d + a]);
            if (kappa > 0) {
              for (let a = 0; a < d; a++) deviation[a] = theta[t + a] - mu0[a];
              const q = solveQuadratic(factor, d, deviation, work);
              total += -0.5 * (d * M.log((2 * Math.PI) / kappa) + logDet + kappa * q);
            }
            if (covariance === "full" || j === 0) {
              // log IW(Σ; ν, Λ) = ν/2 log|Λ| − νd/2 log 2 − log Γ_d(ν/2) − (ν+d+1)/2 log|Σ| − ½ tr(Λ Σ⁻¹)
              const lam = priorScale!;
              cholesky(lam, d, work);
              let logDetLam = 0;
              for (let a = 0; a < d; a++) logDetLam += 2 * M.log(work[a * d + a]);
              let trace = 0;
              for (let c = 0; c < d; c++) {
                for (let a = 0; a < d; a++) deviation[a] = lam[a * d + c];
                trace += solveQuadratic(factor, d, deviation, work, c);
              }
              total += (dof / 2) * logDetLam - ((dof * d) / 2) * Math.LN2 - logMultiGamma(dof / 2, d) - ((dof + d + 1) / 2) * logDet - 0.5 * trace;
            }
          } else {
            const scale = prior.scale as number;
            if (covariance === "spherical") {
              const v = theta[t + d];
              if (kappa > 0) for (let a = 0; a < d; a++) total += logNormal(theta[t + a], mu0[a], v / kappa);
              total += logInvGamma(v, dof / 2, scale / 2);
            } else {
              for (let a = 0; a < d; a++) {
                const v = theta[t + d + a * d + a];
                if (kappa > 0) total += logNormal(theta[t + a], mu0[a], v / kappa);
                total += logInvGamma(v, dof / 2, scale / 2);
              }
            }
          }
        }
        return total;
      },

      component(theta, j): MvGaussianComponent {
        const t = j * T;
        return {
          mean: Array.from(theta.subarray(t, t + d)),
          covariance: Array.from({ length: d }, (_, a) => Array.from(theta.subarray(t + d + a * d, t + d + (a + 1) * d))),
        };
      },

      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["mean", "covariance"], path);
        numberList(o.mean, d, `${path}.mean`).forEach((v, a) => { theta[j * T + a] = v; });
        const rows = listOf(o.covariance, d, `${path}.covariance`);
        rows.forEach((r, a) => numberList(r, d, `${path}.covariance[${a}]`).forEach((v, b) => { theta[j * T + d + a * d + b] = v; }));
        for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) {
          const x = theta[j * T + d + a * d + b], y = theta[j * T + d + b * d + a];
          if (x !== y) throw optionError(`${path}.covariance`, `must be symmetric ([${a}][${b}] = ${x}, [${b}][${a}] = ${y})`);
          if (!dense && x !== 0) throw optionError(`${path}.covariance[${a}][${b}]`, `must be 0 for covariance "${covariance}", got ${x}`);
        }
        if (covariance === "spherical")
          for (let a = 1; a < d; a++) if (theta[j * T + d + a * d + a] !== theta[j * T + d]) throw optionError(`${path}.covariance`, "must have equal diagonal entries for covariance \"spherical\"");
        if (!cholesky(theta.subarray(j * T + d, (j + 1) * T), d, factor)) throw optionError(`${path}.covariance`, "must be positive definite");
      },

      sample(theta, j, rng, _trials, out, offset) {
        // x = mean + L z, z ~ N(0, I), Σ = L Lᵀ.
        cholesky(theta.subarray(j * T + d, (j + 1) * T), d, factor);
        for (let a = 0; a < d; a++) work[a] = rng.normal();
        for (let a = 0; a < d; a++) {
          let v = theta[j * T + a];
          for (let b = 0; b <= a; b++) v += factor[a * d + b] * work[b];
          out[offset + a] = v;
        }
      },
    };
    return spec;
  },
};

function listOf(v: unknown, length: number, path: string): unknown[] {
  if (!Array.isArray(v)) throw optionError(path, `must be an array of ${length} entries, got ${describe(v)}`);
  if (v.length !== length) throw optionError(path, `must have ${length} entries, got ${v.length}`);
  return v;
}

/**
 * One explicit covariance into θ as a full d × d matrix: a d × d matrix for every type (diag keeps
 * its diagonal, spherical the mean of it), a d-vector for diag, a number for spherical.
 */
function readCovariance(c: unknown, type: CovarianceType, d: number, theta: Float64Array, at: number, path: string): void {
  theta.fill(0, at, at + d * d);
  if (typeof c === "number" && type === "spherical") {
    if (!(c > 0 && Number.isFinite(c))) throw optionError(path, `must be a positive variance, got ${c}`);
    for (let a = 0; a < d; a++) theta[at + a * d + a] = c;
    return;
  }
  if (Array.isArray(c) && c.length === d && typeof c[0] === "number" && type === "diag") {
    numberList(c, d, path).forEach((v, a) => {
      if (!(v > 0)) throw optionError(`${path}[${a}]`, `must be a positive variance, got ${v}`);
      theta[at + a * d + a] = v;
    });
    return;
  }
  const rows = listOf(c, d, path);
  const m = rows.map((r, a) => numberList(r, d, `${path}[${a}]`));
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++)
    if (m[a][b] !== m[b][a]) throw optionError(path, `must be symmetric ([${a}][${b}] = ${m[a][b]}, [${b}][${a}] = ${m[b][a]})`);
  if (type === "full" || type === "tied") {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) theta[at + a * d + b] = m[a][b];
  } else if (type === "diag") {
    for (let a = 0; a < d; a++) theta[at + a * d + a] = m[a][a];
  } else {
    const mean = m.reduce((s, r, a) => s + r[a], 0) / d;
    for (let a = 0; a < d; a++) theta[at + a * d + a] = mean;
  }
}

/**
 * With Σ = L Lᵀ (L row-major lower): returns vᵀ Σ⁻¹ v (column < 0) or, for column c, the c-th
 * entry of Σ⁻¹ v (used for tr(Λ Σ⁻¹) = Σ_c (Σ⁻¹ Λ)_cc). Triangular solves, no inverse.
 */
function solveQuadratic(L: Float64Array, d: number, v: Float64Array, z: Float64Array, column = -1): number {
  for (let a = 0; a < d; a++) {
    let s = v[a];
    for (let b = 0; b < a; b++) s -= L[a * d + b] * z[b];
    z[a] = s / L[a * d + a];
  }
  if (column < 0) {
    let q = 0;
    for (let a = 0; a < d; a++) q += z[a] * z[a];
    return q;
  }
  for (let a = d - 1; a >= 0; a--) {
    let s = z[a];
    for (let b = a + 1; b < d; b++) s -= L[b * d + a] * z[b];
    z[a] = s / L[a * d + a];
  }
  return z[column];
}

/** tied: every component gets the average of the given covariances. */
function averageCovariances(theta: Float64Array, k: number, d: number, T: number): void {
  const avg = new Float64Array(d * d);
  for (let j = 0; j < k; j++) for (let i = 0; i < d * d; i++) avg[i] += theta[j * T + d + i] / k;
  for (let j = 0; j < k; j++) theta.set(avg, j * T + d);
}

