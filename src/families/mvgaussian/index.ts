// Multivariate Gaussian, d dimensions. θ_j = (mean_j (d), Σ_j (d × d, row-major)) for every
// covariance model, so components always expose a full matrix. The covariance models are rows of
// COVARIANCE_MODELS (covariance.ts); the dense ones run the kernel assembly/kernels/mvn_full.ts
// (through P_j = L_j⁻¹, Σ_j = L_j L_jᵀ), the diagonal ones assembly/kernels/mvn_diag.ts.
import { DEFAULTS } from "../../defaults.js";
import type { Family, Spec } from "../../family.js";
import { columnScales, copyMatrixIn, magnitudeProblem } from "../../data.js";
import { finiteAtLeast, integer, oneOf } from "../../options.js";
import { cholesky, inverseCholesky } from "../../linalg.js";
import { dataError, MixemError, optionError } from "../../errors.js";
import { EMPTY_MASS, LOG_2PI, NONE, noOptions, regionPoints, scaleRule } from "../shared.js";
import type { RegCovarOption, DimsOption, PriorOption, RidgeOption } from "../shared.js";
import { priorRule } from "../../prior.js";
import { COVARIANCE_MODELS, COVARIANCE_TYPES, MCLUST_MODELS, PRIOR_MODELS, type CovarianceType, type MclustModelName, type MStep } from "./covariance.js";
import { checkConstraint, sharesExactly } from "./constraint.js";
import { decomposeSigma, growScratch, layout, newScratch } from "./models.js";
import { componentOf, listOf, readComponent, readCovariance, readMean, takeStoredDecomposition, type MvGaussianComponent } from "./io.js";
import { resolveMvPrior, type MvGaussianPrior } from "./prior.js";
import * as M from "../../math.js";
import { meanCovariance } from "../../squarem.js";
import { mvMargin } from "./margin.js";
import { hcVVV } from "../../hc.js";

export type { CovarianceType, MclustModelName } from "./covariance.js";
export type { MvGaussianComponent } from "./io.js";
export type { MvGaussianPrior } from "./prior.js";

export interface MvGaussianOptions extends RegCovarOption, RidgeOption, DimsOption, PriorOption {
  /**
   * mvgaussian: one of mclust's 14 models "EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE",
   * "EVE", "VVE", "EEV", "VEV", "EVV", "VVV" (Σ_k = λ_k D_k A_k D_kᵀ; volume, shape, orientation
   * Equal, Variable or Identity), or "full" (default), "tied", "diag", "spherical" (VVV, EEE, VVI, VII).
   */
  covariance?: CovarianceType;
}

/**
 * Explicit init: means (k × d) and covariances (k entries: d × d matrices; d-vectors for the
 * diagonal models; numbers for the spherical ones), checked against the model's constraint.
 */
export interface MvGaussianInit { means: number[][]; covariances: (number[][] | number[] | number)[] }

/** The most dimensions (d × d covariances, O(d²) work per point and component). */
const MAX_DIMS = 4096;

/** mclust's name of a model: "VVV" for "full"; in 1-D its volume's letter ("E", "V"). */
const mclustName = (c: CovarianceType, dims: number) => (dims === 1 ? COVARIANCE_MODELS[c].mclust[0] : COVARIANCE_MODELS[c].mclust);

const covarianceOf = (options: Readonly<Record<string, unknown>>) => (options.covariance as CovarianceType | undefined) ?? "full";

export const mvgaussian: Family<MvGaussianComponent, MvGaussianInit, MvGaussianOptions, "means" | "covariances"> = {
  summary: "rows of d real values; each component a multivariate normal (mean, covariance: full, tied, diag, spherical or one of mclust's 14 models)",
  shape: "rows",
  mclustModels: {
    // mclust's models in its order, each by its first name here ("full" for VVV); in 1-D only E and V
    // differ (EII, VII). With a prior, those Mclust fits with one (VEE, EVE, VVE, EVV left out).
    all: (dims, prior) => (dims === 1 ? (["EII", "VII"] as const) : MCLUST_MODELS.filter((m) => !prior || !COVARIANCE_MODELS[m].decomposes || PRIOR_MODELS.includes(m)))
      .map((m) => COVARIANCE_TYPES.find((c) => COVARIANCE_MODELS[c].mclust === m)!),
    mclust: (c, dims) => mclustName(c as CovarianceType, dims),
  },
  missing: "rows",
  options: { covariance: oneOf(...COVARIANCE_TYPES), regCovar: finiteAtLeast(0), ridge: finiteAtLeast(0), dims: integer(1, MAX_DIMS), prior: priorRule },
  evalOptions: NONE,
  dataSettings: { scale: scaleRule },
  hierarchical: hcVVV,
  kernels: ["mvnFullPass", "mvnDiagPass"],
  plot: { kind: "scatter" },

  load(mem, data, options, path, dims, trusted) {
    const { region, n, dims: d } = copyMatrixIn(mem, data, dims ?? (options.dims as number | undefined), path, magnitudeProblem, trusted, MAX_DIMS);
    const named = covarianceOf(options);
    if (dims === undefined && (named === "full" || named === "VVV") && n < d + 1)
      throw dataError(path, `has ${n} rows; covariance "${named}" in ${d} dimensions needs at least d + 1 = ${d + 1}`);
    const scale = columnScales(region.array, n, d, path);
    return { n, dims: d, x: region, aux: null, logConstant: 0, scale, seedPoints: regionPoints(region, d), settings: { scale: Array.from(scale) } };
  },

  resolvePrior(raw, ds, k, options, path) {
    return resolveMvPrior(raw, ds, k, ds?.dims ?? (options.dims as number), COVARIANCE_MODELS[covarianceOf(options)].dense, path);
  },

  configure(options, d): Spec<MvGaussianComponent> {
    const covariance = covarianceOf(options);
    const model = COVARIANCE_MODELS[covariance];
    const constrained = model.decomposes; // one of models.ts's (not full/tied/diag/spherical's code)
    if (d < 2 && (MCLUST_MODELS as readonly string[]).includes(covariance) && covariance !== "EII" && covariance !== "VII")
      throw optionError("covariance", `"${covariance}" needs data of at least 2 dimensions (its shape and orientation are undefined in 1-D); this data has 1: use "EII" or "VII" (or family "gaussian")`);
    if (constrained && options.ridge !== undefined)
      throw optionError("ridge", `applies to covariance "full", "tied", "diag", "spherical" (VVV, EEE, VVI, VII) only; covariance "${covariance}" takes none`);
    if (constrained && options.prior !== undefined && !PRIOR_MODELS.includes(model.mclust as MclustModelName))
      throw optionError("prior", `is available for covariance VVV, EEE, VVI, VII (full, tied, diag, spherical), EII, EEI, VEI, EVI, EEV, VEV only; covariance "${covariance}" has none yet`);
    const regCovar = (options.regCovar as number | undefined) ?? DEFAULTS.regCovar;
    const ridge = options.ridge as number | undefined;
    const prior = options.prior as MvGaussianPrior | undefined;
    const settings: Record<string, unknown> = { covariance, regCovar };
    if (ridge !== undefined) settings.ridge = ridge;
    settings.dims = d;
    if (prior) settings.prior = prior;
    const dense = model.dense;
    const T = layout(d).size; // mean, Σ, volume, shape, orientation (models.ts)
    const S = dense ? 1 + d + d * d : 1 + 2 * d;
    const kappa = prior ? prior.shrinkage : 0;
    const m: MStep = {
      d, T, prior, regCovar, ridge: ridge ?? 0, kappa, meanTerms: prior && kappa > 0 ? 1 : 0,
      lambda: prior && typeof prior.scale !== "number" ? Float64Array.from(prior.scale.flat()) : null,
      work: new Float64Array(d * d), factor: new Float64Array(d * d), deviation: new Float64Array(d),
      pooledScatter: new Float64Array(d * d), pooledSigma: new Float64Array(d * d), diagonal: new Float64Array(d), noData: new Float64Array(S),
      active: new Uint8Array(0), pooled: 0, pooledMeans: 0, x: newScratch(d), stride: T,
    };
    const diagonal = model.terms[2] === "I";
    /** Fills θ's decomposition slots from Σ (the models whose M-step does not). */
    const decompose = (theta: Float64Array, j: number) => {
      if (!decomposeSigma(theta, j * T, d, diagonal, m.x)) throw notPositiveDefinite(j);
    };
    const notPositiveDefinite = (j: number) =>
      new MixemError("DEGENERATE", `the covariance of component ${j} is not positive definite (the component collapsed onto a lower-dimensional subspace); raise options.regCovar`, "fit");

    return {
      kernel: dense ? "mvnFullPass" : "mvnDiagPass",
      workColumns: dense ? 2 * d : 0, // the kernel's centred and weighted block (assembly/kernels/mvn_full.ts)
      dims: d,
      thetaSize: T,
      headerSize: 0,
      paramsSize: S, // [c_j, mean_j (d), P_j (d × d) or 1/σ²_j (d)]: as many values as statistics
      statsSize: S,
      margin: mvMargin(d, T, dense, notPositiveDefinite), // missing: "marginalize" (margin.ts)
      free: meanCovariance(d, T), // SQUAREM: mean/√scale, Cholesky factor with log diagonal (every covariance model)
      initKeys: ["means", "covariances"],
      // freeze (src/freeze.ts): a frozen mean's shift statistics S1 = 0 make every covariance
      // model's step take the scatter Σ r (x − m)(x − m)ᵀ about it; the means' step does not involve
      // the covariances, so a frozen covariance (with its decomposition slots) is just kept.
      freeze: {
        means: {
          slots: (j) => Array.from({ length: d }, (_, a) => j * T + a), zeroStats: Array.from({ length: d }, (_, a) => 1 + a), parameters: (c) => c * d,
        },
        covariances: {
          slots: (j) => Array.from({ length: T - d }, (_, i) => j * T + d + i),
          parameters: (c, k) => (c === k ? model.parameters(k, d) : (c * model.parameters(k, d)) / k),
          ...(model.shared || model.terms.includes("E") ? { shared: `covariance "${covariance}" shares ${model.shared ? "one matrix" : "a volume, shape or orientation"}` } : {}),
        },
      },
      settings,

      // Free parameters (mclust's nMclustParams less the weights): means k·d plus the covariances (nVarParams).
      componentParameters: (k) => k * d + model.parameters(k, d),

      // Means at the seeds, covariance diag(var(data)) for the seeding M-step's shift.
      seed(seeds, data, theta) {
        for (let j = 0; j < seeds.length / d; j++) {
          theta.fill(0, j * T + d, (j + 1) * T);
          for (let a = 0; a < d; a++) {
            theta[j * T + a] = seeds[j * d + a];
            theta[j * T + d + a * d + a] = data.scale[a];
          }
          decompose(theta, j);
          if (!diagonal) theta.copyWithin(j * T + layout(d).orientation, layout(d).orientation, layout(d).orientation + d * d); // one orientation (I)
        }
      },

      fromInit(init, k, theta, path) {
        listOf(init.means, k, `${path}.means`).forEach((mean, j) => readMean(mean, d, theta, j * T, `${path}.means[${j}]`));
        listOf(init.covariances, k, `${path}.covariances`).forEach((c, j) => {
          // The constrained models take a number (shape I), a d-vector (orientation I) or a matrix, then check it.
          const input = !constrained ? model.input : typeof c === "number" && model.terms[1] === "I" ? "scalar" : Array.isArray(c) && typeof c[0] === "number" && diagonal ? "diagonal" : "matrix";
          readCovariance(c, input, d, theta, j * T + d, `${path}.covariances[${j}]`);
        });
        if (constrained) return checkConstraint(model, covariance, theta, k, d, m.x, (j) => `${path}.covariances[${j}]`);
        if (model.shared) {
          // One Σ: the average of the given ones.
          const avg = new Float64Array(d * d);
          for (let j = 0; j < k; j++) for (let i = 0; i < d * d; i++) avg[i] += theta[j * T + d + i] / k;
          for (let j = 0; j < k; j++) theta.set(avg, j * T + d);
        }
        for (let j = 0; j < k; j++) {
          if (!cholesky(theta.subarray(j * T + d, (j + 1) * T), d, m.factor)) throw optionError(`${path}.covariances[${j}]`, "must be positive definite");
          decompose(theta, j);
        }
      },

      // Per component: c_j = log w_j − ½ log|Σ_j| − (d/2) log 2π, mean_j, then P_j = L_j⁻¹ (dense;
      // a shared Σ is factored once) or 1/σ²_j (diagonal).
      pack(theta, logWeights, _ds, params) {
        const k = logWeights.length, half = 0.5 * d * LOG_2PI;
        let sharedLogDet = 0;
        for (let j = 0; j < k; j++) {
          const at = j * S;
          for (let a = 0; a < d; a++) params[at + 1 + a] = theta[j * T + a];
          if (dense) {
            if (model.shared && j > 0) {
              params.copyWithin(at + 1 + d, 1 + d, S);
              params[at] = logWeights[j] - 0.5 * sharedLogDet - half;
            } else {
              const logDet = inverseCholesky(theta, j * T + d, d, params, at + 1 + d, m.factor);
              if (logDet === null) throw notPositiveDefinite(j);
              sharedLogDet = logDet;
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

      // The means (here), then the covariance model's step (covariance.ts states the formulas).
      // freeze with the prior: a frozen mean m (its S1 = 0, so ȳ = m) enters the covariance step's
      // prior term as κ (m − μ₀)(m − μ₀)ᵀ — the MAP covariance given m — not κn/(κ+n) (ȳ − μ₀)(ȳ − μ₀)ᵀ,
      // which is that term with the mean maximised out.
      maximize(stats, theta, k, data, held) {
        const mu0 = prior?.mean;
        m.pooled = 0;
        m.pooledMeans = 0;
        m.pooledScatter.fill(0);
        if (m.active.length < k) m.active = new Uint8Array(k);
        m.active.fill(0, 0, k);
        if (constrained) growScratch(m.x, k, d);
        for (let j = 0; j < k; j++) { // forActive's loop, written out: no closure per M-step
          const s = j * S;
          if (!(stats[s] > EMPTY_MASS)) {
            // A constrained model's MAP step is joint (shared volume, shape or orientation): an empty
            // component keeps its mean but its prior still pulls on the shared terms, so it joins the
            // step with no data — count and scatter from the prior alone (the mean's term about its kept
            // mean: κ (m − μ₀)(m − μ₀)ᵀ) — and the step maximises the log-posterior over every component.
            if (!(prior && constrained)) continue;
            m.active[j] = 1;
            for (let a = 0; a < d; a++) m.deviation[a] = mu0 ? theta[j * T + a] - mu0[a] : 0;
            model.component(m, m.noData, 0, 0, kappa, theta, j * T, j, data.scale);
            continue;
          }
          m.active[j] = 1;
          const nk = stats[s], t = j * T;
          // ȳ − μ₀ (before the mean moves), and the new mean.
          for (let a = 0; a < d; a++) {
            const ybar = theta[t + a] + stats[s + 1 + a] / nk;
            m.deviation[a] = mu0 ? ybar - mu0[a] : 0;
            theta[t + a] = mu0 ? (nk * ybar + kappa * mu0[a]) / (nk + kappa) : ybar;
          }
          const shrink = prior && kappa > 0 ? (held?.[t] ? kappa : (kappa * nk) / (kappa + nk)) : 0;
          model.component(m, stats, s, nk, shrink, theta, t, j, data.scale);
        }
        model.finish?.(m, theta, k, data.scale);
        if (!constrained) for (let j = 0; j < k; j++) if (m.active[j] || model.shared) decompose(theta, j);
      },

      // Normalised log-densities: N(mean | μ₀, Σ/κ) (κ > 0) and inverse-Wishart / inverse-gamma.
      logPrior: (theta, k) => (prior ? model.logPrior(m, prior, theta, k) : 0),

      // The kernels' formula: c_j − ½ ‖P_j (x − mean_j)‖² (dense), c_j − ½ Σ_a (x_a − mean_a)²/σ²_a (diagonal).
      logJoint(params, j, x, offset) {
        const at = j * S;
        let q = 0;
        if (dense) {
          for (let a = 0; a < d; a++) {
            let z = 0;
            for (let b = 0; b <= a; b++) z += params[at + 1 + d + a * d + b] * (x[offset + b] - params[at + 1 + b]);
            q += z * z;
          }
        } else {
          for (let a = 0; a < d; a++) {
            const e = x[offset + a] - params[at + 1 + a];
            q += e * e * params[at + 1 + d + a];
          }
        }
        return params[at] - 0.5 * q;
      },

      // Each dimension's S2_aa/S0 − (S1_a/S0)²: the points' own variance about their mean.
      ownVariance(stats, j) {
        const s = j * S, nk = stats[s];
        return Array.from({ length: d }, (_, a) => {
          const shift = stats[s + 1 + a] / nk;
          return stats[s + 1 + d + (dense ? a * d + a : a)] / nk - shift * shift;
        });
      },

      component: (theta, j) => componentOf(theta, j, d),
      validate(theta, k, path, stored) {
        if (constrained) {
          const given = stored ? theta.slice() : null;
          checkConstraint(model, covariance, theta, k, d, m.x, (j) => `${path}[${j}].covariance`);
          // A stored model keeps its own decomposition (fromComponent took it) where its shared parts are equal.
          if (given && sharesExactly(model, given, k, d)) theta.set(given);
          return;
        }
        if (!model.shared) return;
        for (let j = 1; j < k; j++) for (let i = d; i < T; i++)
          if (theta[j * T + i] !== theta[i]) throw optionError(`${path}[${j}].covariance`, `must equal component 0's: covariance "${covariance}" shares one matrix`);
      },
      fromComponent(c, theta, j, path) {
        readComponent(c, constrained ? "matrix" : model.input, covariance, d, theta, j, m.factor, path);
        decompose(theta, j);
        takeStoredDecomposition(c, d, diagonal, theta, j);
      },

      // x = mean + L z, z ~ N(0, I), Σ = L Lᵀ.
      sampler: noOptions(() => {
        const z = new Float64Array(d), factor = new Float64Array(d * d);
        return (theta, j, rng, out, offset) => {
          cholesky(theta.subarray(j * T + d, (j + 1) * T), d, factor);
          for (let a = 0; a < d; a++) z[a] = rng.normal();
          for (let a = 0; a < d; a++) {
            let v = theta[j * T + a];
            for (let b = 0; b <= a; b++) v += factor[a * d + b] * z[b];
            out[offset + a] = v;
          }
        };
      }),
    };
  },
};
