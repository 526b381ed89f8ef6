// Multivariate Student-t, d dimensions (Peel & McLachlan 2000): θ_j = (mean_j (d), Σ_j (d × d
// scale matrix, row-major), ν_j), fitted by ECME (student.ts states the steps). The covariance
// models are mvgaussian's table (mvgaussian/covariance.ts: full, tied, diag, spherical), fed the
// u-weighted statistics; the dense ones run mvtFullPass (through P_j = L_j⁻¹, Σ_j = L_j L_jᵀ), the
// diagonal ones mvtDiagPass (assembly/kernels/mvt.ts).
import { DEFAULTS } from "../defaults.js";
import type { Family, Spec } from "../family.js";
import { robustScales, skipIsolated } from "../isolation.js";
import { columnScales, copyMatrixIn, magnitudeProblem } from "../data.js";
import { finiteAtLeast, integer, numberList, oneOf } from "../options.js";
import { cholesky, inverseCholesky } from "../linalg.js";
import { dataError, MixemError, optionError } from "../errors.js";
import { NONE, componentObject, forActive, noOptions, regionPoints, scaleRule } from "./shared.js";
import type { DimsOption, PriorOption, RegCovarOption } from "./shared.js";
import { COVARIANCE_MODELS, COVARIANCE_TYPES, type CovarianceType, type MStep } from "./mvgaussian/covariance.js";
import { listOf, readCovariance, readMean } from "./mvgaussian/io.js";
import { newScratch } from "./mvgaussian/models.js";

/** The covariance models of mvt: mvgaussian's unconstrained four (and their mclust names). */
const MVT_COVARIANCES = ["full", "tied", "diag", "spherical", "VVV", "EEE", "VVI", "VII"] as const;
import { checkDof, DofSearch, dofOf, dofRule, DOF_START, ecmStep, headerLogJoint, packHeader, scaleDraw, type DofLayout, type DofOptionHolder } from "./student.js";
import { dirichletAlpha, priorObject, priorRule } from "../prior.js";
import * as M from "../math.js";
import { hcVVV } from "../hc.js";

/** A component of family "mvt": location `mean`, scale matrix `covariance` (the covariance is ν/(ν − 2) times it, for ν > 2), degrees of freedom `dof`. */
export interface MvtComponent { mean: number[]; covariance: number[][]; dof: number }

/** Explicit init of family "mvt": means (k × d), covariances (scale matrices, as mvgaussian's) and k degrees of freedom. */
export interface MvtInit { means: number[][]; covariances: (number[][] | number[] | number)[]; dofs: number[] }

export interface MvtOptions extends RegCovarOption, DimsOption, DofOptionHolder, PriorOption {
  /** mvt: the scale matrices, as mvgaussian's `covariance`: "full" (default), "tied", "diag" or "spherical". */
  covariance?: CovarianceType;
}

const MAX_DIMS = 4096;
const HEAD = 6; // the kernel header per component: c, a, 1/ν, b, log b, C
const covarianceOf = (options: Readonly<Record<string, unknown>>) => (options.covariance as CovarianceType | undefined) ?? "full";

export const mvt: Family<MvtComponent, MvtInit, MvtOptions, "means" | "covariances" | "dofs"> = {
  summary: "rows of d real values with outliers; each component a multivariate Student t (mean, scale matrix: full, tied, diag or spherical; dof ν)",
  shape: "rows",
  options: { dof: dofRule, covariance: oneOf(...MVT_COVARIANCES), regCovar: finiteAtLeast(0), prior: priorRule, dims: integer(1, MAX_DIMS) },
  evalOptions: NONE,
  dataSettings: { scale: scaleRule },
  hierarchical: hcVVV,
  kernels: ["mvtFullPass", "mvtDiagPass"],
  plot: { kind: "scatter" },

  load(mem, data, options, path, dims, trusted) {
    const { region, n, dims: d } = copyMatrixIn(mem, data, dims ?? (options.dims as number | undefined), path, magnitudeProblem, trusted, MAX_DIMS);
    if (dims === undefined && covarianceOf(options) === "full" && n < d + 1)
      throw dataError(path, `has ${n} rows; covariance "full" in ${d} dimensions needs at least d + 1 = ${d + 1}`);
    const scale = columnScales(region.array, n, d, path);
    return { n, dims: d, x: region, aux: null, logConstant: 0, scale, seedPoints: regionPoints(region, d), settings: { scale: Array.from(scale) } };
  },

  // Only the Dirichlet prior on the weights (MAP-EM in w; ν, μ and Σ by maximum likelihood).
  resolvePrior(raw, _ds, _k, _options, path) {
    return { weights: dirichletAlpha(priorObject(raw, [], path), path) };
  },

  configure(options, d): Spec<MvtComponent> {
    const covariance = covarianceOf(options);
    const model = COVARIANCE_MODELS[covariance];
    const regCovar = (options.regCovar as number | undefined) ?? DEFAULTS.regCovar;
    const dof = dofOf(options);
    const dense = model.dense;
    const T = d + d * d + 1; // mean, Σ, ν
    const P = HEAD + d + (dense ? d * d : d);
    // Statistics (assembly/kernels/mvt.ts): Σ τ, Σ τu, Σ τq, Σ τq², Σ τ(1 − u)², S1 (d), S2, and the
    // k ECME cross sums when k is known (a fit; not a stored model's spec).
    // k is known in a fit (not in a stored model's spec): then the kernel keeps 1 + δ²/ν and its log
    // per component (2k work columns, ks = 1) and, with ν estimated, sums the cross terms (kc = k).
    const kk = typeof options.k === "number" ? options.k : 0;
    const ks = kk > 0 ? 1 : 0, kc = typeof dof === "number" ? 0 : kk;
    const cross = 5 + d + (dense ? d * d : d);
    const S = cross + kc;
    const layout: DofLayout = { T, nuAt: d + d * d, S, p: d, cross, light: true };
    const search = new DofSearch(dof, layout);
    // mvgaussian's M-step state (no prior, no ridge) and the statistics handed to its covariance step.
    const m: MStep = {
      d, T, prior: undefined, regCovar, ridge: 0, kappa: 0, meanTerms: 0, lambda: null,
      work: new Float64Array(d * d), factor: new Float64Array(d * d), deviation: new Float64Array(d),
      pooledScatter: new Float64Array(d * d), pooledSigma: new Float64Array(d * d), diagonal: new Float64Array(d), noData: new Float64Array(0),
      active: new Uint8Array(0), pooled: 0, pooledMeans: 0, x: newScratch(d), stride: T,
    };
    const gaussianStats = new Float64Array(1 + d + (dense ? d * d : d));
    const S1 = 5, S2 = 5 + d;
    const notPositiveDefinite = (j: number) =>
      new MixemError("DEGENERATE", `the scale matrix of component ${j} is not positive definite (the component collapsed onto a lower-dimensional subspace); raise options.regCovar`, "fit");

    return {
      kernel: dense ? "mvtFullPass" : "mvtDiagPass",
      workColumns: (dense ? 2 * d + 1 : 1) + 2 * kk * ks + kc + (dense ? (2 * kk + 1) * ks : 0), // assembly/kernels/mvt.ts (dense: then the power tables, 2 per component, 1 shared)
      dims: d,
      thetaSize: T,
      headerSize: 2, // [kc, ks]
      paramsSize: P,
      statsSize: S,
      initKeys: ["means", "covariances", "dofs"],
      seedScreen: skipIsolated, // data with far outliers: no seed on them (src/isolation.ts)
      robustScale: robustScales, // the floor's and the starts' scale: the MAD's where outliers make the variance
      settings: options.prior ? { covariance, dof, regCovar, dims: d, prior: options.prior } : { covariance, dof, regCovar, dims: d },

      componentParameters: (k) => k * d + model.parameters(k, d) + (dof === "estimate" ? k : dof === "equal" ? 1 : 0),

      // Σ_j starts diagonal at the data's variances, or (spread: the seed screen's) fractions of them.
      seed(seeds, data, theta, spread) {
        for (let j = 0; j < seeds.length / d; j++) {
          theta.fill(0, j * T + d, (j + 1) * T);
          for (let a = 0; a < d; a++) {
            theta[j * T + a] = seeds[j * d + a];
            theta[j * T + d + a * d + a] = spread ? spread[j] * data.scale[a] : data.scale[a];
          }
          theta[j * T + d + d * d] = typeof dof === "number" ? dof : DOF_START;
        }
      },

      fromInit(init, k, theta, path) {
        listOf(init.means, k, `${path}.means`).forEach((mean, j) => readMean(mean, d, theta, j * T, `${path}.means[${j}]`));
        listOf(init.covariances, k, `${path}.covariances`).forEach((c, j) => readCovariance(c, model.input, d, theta, j * T + d, `${path}.covariances[${j}]`));
        if (model.shared) {
          const avg = new Float64Array(d * d);
          for (let j = 0; j < k; j++) for (let i = 0; i < d * d; i++) avg[i] += theta[j * T + d + i] / k;
          for (let j = 0; j < k; j++) theta.set(avg, j * T + d);
        }
        for (let j = 0; j < k; j++)
          if (!cholesky(theta.subarray(j * T + d, j * T + d + d * d), d, m.factor)) throw optionError(`${path}.covariances[${j}]`, "must be positive definite");
        const dofs = numberList(init.dofs, k, `${path}.dofs`);
        dofs.forEach((v, j) => { theta[j * T + d + d * d] = checkDof(v, dof, j > 0 ? dofs[0] : undefined, `${path}.dofs[${j}]`); });
      },

      // Per component: the t header (student.ts) with log w_j − ½ log|Σ_j|, mean_j, then P_j = L_j⁻¹
      // (dense) or 1/σ²_j (diagonal).
      pack(theta, logWeights, _ds, params) {
        params[0] = kc;
        params[1] = ks;
        for (let j = 0; j < logWeights.length; j++) {
          const at = 2 + j * P, t = j * T;
          for (let a = 0; a < d; a++) params[at + HEAD + a] = theta[t + a];
          let logDet = 0;
          if (dense) {
            const ld = inverseCholesky(theta, t + d, d, params, at + HEAD + d, m.factor);
            if (ld === null) throw notPositiveDefinite(j);
            logDet = ld;
          } else {
            for (let a = 0; a < d; a++) {
              const v = theta[t + d + a * d + a];
              logDet += M.log(v);
              params[at + HEAD + d + a] = 1 / v;
            }
          }
          packHeader(params, at, theta[t + d + d * d], d, logWeights[j] - 0.5 * logDet);
        }
      },

      // CM-step 1: mean m + S1/Su; Σ = (S2 − S1 S1ᵀ/Su)/S0 by mvgaussian's covariance step, handed
      // [S0, S1·√(S0/Su), S2] — its scatter S2 − S1' S1'ᵀ/S0 is then S2 − S1 S1ᵀ/Su, divided by S0
      // (tied: Σ_j of them over Σ_j S0), floored as mvgaussian's. Then CM-step 2 (ECM) for ν.
      maximize(stats, theta, k, data, held) {
        m.pooled = 0;
        m.pooledMeans = 0;
        m.pooledScatter.fill(0);
        if (m.active.length < k) m.active = new Uint8Array(k);
        m.active.fill(0, 0, k);
        const g = gaussianStats;
        forActive(stats, S, k, (j, s) => {
          m.active[j] = 1;
          const s0 = stats[s], su = stats[s + 1], t = j * T, root = Math.sqrt(s0 / su);
          g[0] = s0;
          for (let a = 0; a < d; a++) {
            theta[t + a] += stats[s + S1 + a] / su;
            g[1 + a] = stats[s + S1 + a] * root;
          }
          g.set(stats.subarray(s + S2, s + cross), 1 + d);
          model.component(m, g, 0, s0, 0, theta, t, j, data.scale);
        });
        model.finish?.(m, theta, k, data.scale);
        ecmStep(dof, layout, stats, theta, k, held);
      },

      refine: (theta, k, pass, held) => search.refine(theta, k, pass, held),
      lightFirst: () => search.lightFirst(),

      // freeze (src/freeze.ts): as family "t" — the CM-step of means and scale matrices takes u from
      // the E-step, so a frozen mean (its S1 = 0: the scatter about it) or scale matrix leaves the
      // other's step as it is; a frozen ν is neither stepped nor searched.
      freeze: {
        means: { slots: (j) => Array.from({ length: d }, (_, a) => j * T + a), zeroStats: Array.from({ length: d }, (_, a) => S1 + a), parameters: (c) => c * d },
        covariances: {
          slots: (j) => Array.from({ length: d * d }, (_, i) => j * T + d + i),
          parameters: (c, k) => (c === k ? model.parameters(k, d) : (c * model.parameters(k, d)) / k),
          ...(model.shared ? { shared: `covariance "${covariance}" shares one matrix` } : {}),
        },
        dofs: {
          slots: (j) => [j * T + d + d * d], parameters: (c) => (dof === "equal" ? 1 : c),
          ...(dof === "equal" ? { shared: 'dof "equal" has one ν for all components' } : {}),
          ...(typeof dof === "number" ? { refused: `with options.dof ${dof}: ν is fixed already, not fitted` } : {}),
        },
      },

      logPrior: () => 0,

      // The kernels' formula: c_j − a_j log(1 + δ²/ν_j), δ² = ‖P_j (x − mean_j)‖² or Σ_a (x_a − mean_a)²/σ²_a.
      logJoint(params, j, x, offset) {
        const at = 2 + j * P;
        let q = 0;
        if (dense) {
          for (let a = 0; a < d; a++) {
            let z = 0;
            for (let b = 0; b <= a; b++) z += params[at + HEAD + d + a * d + b] * (x[offset + b] - params[at + HEAD + b]);
            q += z * z;
          }
        } else {
          for (let a = 0; a < d; a++) {
            const e = x[offset + a] - params[at + HEAD + a];
            q += e * e * params[at + HEAD + d + a];
          }
        }
        return headerLogJoint(params, at, q);
      },

      component: (theta, j): MvtComponent => {
        const t = j * T;
        return {
          mean: Array.from(theta.subarray(t, t + d)),
          covariance: Array.from({ length: d }, (_, a) => Array.from(theta.subarray(t + d + a * d, t + d + (a + 1) * d))),
          dof: theta[t + d + d * d],
        };
      },
      validate(theta, k, path) {
        for (let j = 1; j < k; j++) {
          if (model.shared) for (let i = d; i < d + d * d; i++)
            if (theta[j * T + i] !== theta[i]) throw optionError(`${path}[${j}].covariance`, `must equal component 0's: covariance "${covariance}" shares one matrix`);
          if (dof === "equal" && theta[j * T + d + d * d] !== theta[d + d * d]) throw optionError(`${path}[${j}].dof`, 'must equal component 0\'s: dof "equal" shares one ν');
        }
      },
      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["mean", "covariance", "dof"], path);
        const t = j * T;
        readMean(o.mean, d, theta, t, `${path}.mean`);
        const rows = listOf(o.covariance, d, `${path}.covariance`);
        rows.forEach((r, a) => numberList(r, d, `${path}.covariance[${a}]`).forEach((v, b) => { theta[t + d + a * d + b] = v; }));
        for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) {
          const x = theta[t + d + a * d + b], y = theta[t + d + b * d + a];
          if (x !== y) throw optionError(`${path}.covariance`, `must be symmetric ([${a}][${b}] = ${x}, [${b}][${a}] = ${y})`);
          if (model.input !== "matrix" && x !== 0) throw optionError(`${path}.covariance[${a}][${b}]`, `must be 0 for covariance "${covariance}", got ${x}`);
        }
        if (model.input === "scalar")
          for (let a = 1; a < d; a++) if (theta[t + d + a * d + a] !== theta[t + d]) throw optionError(`${path}.covariance`, `must have equal diagonal entries for covariance "${covariance}"`);
        if (!cholesky(theta.subarray(t + d, t + d + d * d), d, m.factor)) throw optionError(`${path}.covariance`, "must be positive definite");
        theta[t + d + d * d] = checkDof(o.dof, dof, undefined, `${path}.dof`);
      },

      // x = mean + L z / √W, z ~ N(0, I), W ~ χ²_ν/ν, Σ = L Lᵀ.
      sampler: noOptions(() => {
        const z = new Float64Array(d), factor = new Float64Array(d * d);
        return (theta, j, rng, out, offset) => {
          const t = j * T;
          cholesky(theta.subarray(t + d, t + d + d * d), d, factor);
          for (let a = 0; a < d; a++) z[a] = rng.normal();
          const w = scaleDraw(rng, theta[t + d + d * d]);
          for (let a = 0; a < d; a++) {
            let v = 0;
            for (let b = 0; b <= a; b++) v += factor[a * d + b] * z[b];
            out[offset + a] = theta[t + a] + v * w;
          }
        };
      }),
    };
  },
};
