// Multivariate Gaussian, d dimensions. θ_j = (mean_j (d), Σ_j (d × d, row-major)) for every
// covariance type, so components always expose a full matrix:
//   full       (mclust VVV): each component its own Σ_j            kernel assembly/mvn_full.ts
//   tied       (mclust EEE): one Σ shared by all components        kernel assembly/mvn_full.ts
//   diag       (mclust VVI): each Σ_j diagonal                     kernel assembly/mvn_diag.ts
//   spherical  (mclust VII): each Σ_j = σ²_j I                     kernel assembly/mvn_diag.ts
import type { Family, Spec } from "../family.js";
import { columnScales, copyMatrixIn, describe } from "../data.js";
import { finiteAtLeast, integer, numberList, oneOf } from "../options.js";
import { cholesky, floorCovariance } from "../linalg.js";
import { dataError, MixemError, optionError } from "../errors.js";
import { componentObject, forActive } from "./shared.js";

export type CovarianceType = "full" | "tied" | "diag" | "spherical";
export interface MvGaussianComponent { mean: number[]; covariance: number[][] }

const LOG_2PI = Math.log(2 * Math.PI);

export const mvgaussian: Family = {
  name: "mvgaussian",
  options: { covariance: oneOf("full", "tied", "diag", "spherical"), regCovar: finiteAtLeast(0), dims: integer(1, 4096) },

  load(core, data, options, path, dims) {
    const { region, n, dims: d } = copyMatrixIn(core, data, dims ?? (options.dims as number | undefined), path);
    if (dims === undefined && (options.covariance ?? "full") === "full" && n < d + 1) {
      core.free(region);
      throw dataError(path, `has ${n} rows; covariance "full" in ${d} dimensions needs at least d + 1 = ${d + 1}`);
    }
    return { n, dims: d, x: region, aux: null, logConstant: 0, auxConst: 0, scale: columnScales(region.array, n, d) };
  },

  configure(options, d): Spec {
    const covariance = (options.covariance as CovarianceType | undefined) ?? "full";
    const regCovar = (options.regCovar as number | undefined) ?? 1e-6;
    const dense = covariance === "full" || covariance === "tied";
    const T = d + d * d;
    const S = dense ? 1 + d + d * d : 1 + 2 * d;
    // Scratch for the M-step and sampling, allocated once per fit, not per iteration.
    const work = new Float64Array(d * d);
    const factor = new Float64Array(d * d);
    const pooledScatter = new Float64Array(d * d);
    const pooledSigma = new Float64Array(d * d);
    const diagonal = new Float64Array(d);
    const tri = (d * (d + 1)) / 2;

    /** Writes the Cholesky factor of Σ_j (inverse diagonal) and returns log|Σ_j|; throws if not positive definite. */
    const factorInto = (theta: Float64Array, j: number, params: Float64Array, at: number): number => {
      if (!cholesky(theta.subarray(j * T + d, (j + 1) * T), d, factor))
        throw new MixemError("DEGENERATE", `the covariance of component ${j} is not positive definite (the component collapsed onto a lower-dimensional subspace); raise options.regCovar`, "fit");
      let logDet = 0;
      for (let a = 0; a < d; a++) {
        logDet += 2 * Math.log(factor[a * d + a]);
        for (let b = 0; b < a; b++) params[at + a * d + b] = factor[a * d + b];
        params[at + a * d + a] = 1 / factor[a * d + a];
      }
      return logDet;
    };

    const spec: Spec = {
      kernel: dense ? "mvnFullPass" : "mvnDiagPass",
      dims: d,
      thetaSize: T,
      headerSize: dense ? 1 + d : 1,
      paramsSize: dense ? 1 + d + d * d : 1 + 2 * d,
      statsSize: S,
      initKeys: ["means", "covariances"],
      settings: { covariance, regCovar, dims: d },

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
              logDet += Math.log(v);
              params[at + 1 + d + a] = 1 / v;
            }
            params[at] = logWeights[j] - 0.5 * logDet - half;
          }
        }
      },

      // Statistics about the current mean m: S0 = Σr, S1 = Σr(x−m), S2 = Σr(x−m)(x−m)ᵀ (or its
      // diagonal). New mean m + δ with δ = S1/S0; scatter about it S2/S0 − δδᵀ; then the floor
      // Σ ⪰ regCovar · diag(var(data)) (see floorCovariance: the constrained maximiser, so soft EM
      // stays monotone). tied: Σ = Σ_j (S2_j − S0_j δ_j δ_jᵀ) / Σ_j S0_j.
      maximize(stats, theta, k, ds) {
        const floor = regCovar;
        let pooled = 0;
        pooledScatter.fill(0);
        forActive(stats, S, k, (j, s) => {
          const nk = stats[s];
          const t = j * T;
          for (let a = 0; a < d; a++) theta[t + a] += stats[s + 1 + a] / nk;
          if (dense) {
            for (let a = 0; a < d; a++) {
              const da = stats[s + 1 + a] / nk;
              for (let b = 0; b <= a; b++) {
                const db = stats[s + 1 + b] / nk;
                const v = stats[s + 1 + d + a * d + b] / nk - da * db;
                if (covariance === "tied") pooledScatter[a * d + b] += nk * v;
                else theta[t + d + a * d + b] = theta[t + d + b * d + a] = v;
              }
            }
            if (covariance === "tied") pooled += nk;
            else floorCovariance(theta, t + d, d, ds.scale, floor, work);
          } else {
            const v = diagonal;
            for (let a = 0; a < d; a++) {
              const da = stats[s + 1 + a] / nk;
              v[a] = Math.max(stats[s + 1 + d + a] / nk - da * da, 0);
            }
            if (covariance === "spherical") {
              let mean = 0, meanScale = 0;
              for (let a = 0; a < d; a++) { mean += v[a] / d; meanScale += ds.scale[a] / d; }
              v.fill(Math.max(mean, floor * meanScale));
            } else {
              for (let a = 0; a < d; a++) v[a] = Math.max(v[a], floor * ds.scale[a]);
            }
            for (let a = 0; a < d; a++) theta[t + d + a * d + a] = v[a];
          }
        });
        if (covariance === "tied" && pooled > 0) {
          const sigma = pooledSigma;
          for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) sigma[a * d + b] = sigma[b * d + a] = pooledScatter[a * d + b] / pooled;
          floorCovariance(sigma, 0, d, ds.scale, floor, work);
          for (let j = 0; j < k; j++) theta.set(sigma, j * T + d);
        }
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

/** tied: every component gets the average of the given covariances. */
function averageCovariances(theta: Float64Array, k: number, d: number, T: number): void {
  const avg = new Float64Array(d * d);
  for (let j = 0; j < k; j++) for (let i = 0; i < d * d; i++) avg[i] += theta[j * T + d + i] / k;
  for (let j = 0; j < k; j++) theta.set(avg, j * T + d);
}

