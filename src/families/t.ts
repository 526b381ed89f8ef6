// 1-D Student-t: θ_j = (mean_j, variance_j = scale², ν_j), fitted by ECME (student.ts states the
// steps). Kernel: assembly/kernels/mvt.ts, tPass (mvtDiagPass at d = 1, fused).
import { DEFAULTS } from "../defaults.js";
import type { Family, Spec } from "../family.js";
import { robustScales, skipIsolated } from "../isolation.js";
import { copyIn, columnScales, magnitudeProblem } from "../data.js";
import { finiteAtLeast, numberList } from "../options.js";
import { dataError, optionError } from "../errors.js";
import { collapsed, componentObject, finite, forActive, NONE, noOptions, regionPoints, scaleRule } from "./shared.js";
import type { PriorOption, RegCovarOption } from "./shared.js";
import { checkDof, DofSearch, dofOf, dofRule, DOF_START, ecmStep, headerLogJoint, packHeader, scaleDraw, type DofLayout, type DofOptionHolder } from "./student.js";
import { logGamma } from "../special.js";
import { dirichletAlpha, priorObject, priorRule } from "../prior.js";
import * as M from "../math.js";

/** A component of family "t": location `mean`, `variance` = scale² (the variance is ν/(ν − 2) times it, for ν > 2), degrees of freedom `dof`. */
export interface TComponent { mean: number; variance: number; dof: number }

/** Explicit init of family "t": k means, k variances (scale²) and k degrees of freedom. */
export interface TInit { means: number[]; variances: number[]; dofs: number[] }

export interface TOptions extends RegCovarOption, DofOptionHolder, PriorOption {}

const P = 8; // kernel parameters per component (after the header [kc, ks]): c, a, 1/ν, b, log b, C, mean, 1/σ²

export const t: Family<TComponent, TInit, TOptions, "means" | "variances" | "dofs"> = {
  summary: "real values with outliers; each component a Student t (mean, variance = scale², dof ν)",
  shape: "values",
  missing: "values",
  options: { dof: dofRule, regCovar: finiteAtLeast(0), prior: priorRule },
  evalOptions: NONE,
  dataSettings: { scale: scaleRule },
  kernels: ["tPass"],
  plot: { kind: "density" },

  load(mem, data, _options, path, _dims, trusted) {
    if (!trusted && Array.isArray(data) && data.length > 0 && Array.isArray(data[0]))
      throw dataError(`${path}[0]`, 'is not a number (an array); family "t" takes one number per point: for rows use family: "mvt"');
    const x = copyIn(mem, data, path, magnitudeProblem, trusted);
    const scale = columnScales(x.array, x.length, 1, path);
    return { n: x.length, dims: 1, x, aux: null, logConstant: 0, scale, seedPoints: regionPoints(x, 1), settings: { scale: Array.from(scale) } };
  },

  // Only the Dirichlet prior on the weights (MAP-EM in w; ν, μ and Σ by maximum likelihood).
  resolvePrior(raw, _ds, _k, _options, path) {
    return { weights: dirichletAlpha(priorObject(raw, [], path), path) };
  },

  configure(options): Spec<TComponent> {
    const regCovar = (options.regCovar as number | undefined) ?? DEFAULTS.regCovar;
    const dof = dofOf(options);
    // Statistics (assembly/kernels/mvt.ts): Σ τ, Σ τu, Σ τq, Σ τq², Σ τ(1 − u)², Σ τu (x − m),
    // Σ τu (x − m)², and the k ECME cross sums when k is known (a fit; not a stored model's spec).
    // k is known in a fit (not in a stored model's spec): then the kernel keeps 1 + δ²/ν and its log
    // per component (2k work columns, ks = 1) and, with ν estimated, sums the cross terms (kc = k).
    const kk = typeof options.k === "number" ? options.k : 0;
    const ks = kk > 0 ? 1 : 0, kc = typeof dof === "number" ? 0 : kk;
    const S = 7 + kc;
    const layout: DofLayout = { T: 3, nuAt: 2, S, p: 1, cross: 7, light: false }; // tPass's location sums cost little: no light passes
    const search = new DofSearch(dof, layout);
    const readDofs = (values: number[], path: string, theta: Float64Array) => {
      values.forEach((v, j) => { theta[3 * j + 2] = checkDof(v, dof, j > 0 ? values[0] : undefined, `${path}[${j}]`); });
    };
    return {
      dims: 1, kernel: "tPass", workColumns: 1 + 2 * kk * ks + kc + (2 * kk + 1) * ks, // then the power tables: 2 per component, 1 shared
      thetaSize: 3, headerSize: 2, paramsSize: P, statsSize: S,
      initKeys: ["means", "variances", "dofs"],
      seedScreen: skipIsolated, // data with far outliers: no seed on them (src/isolation.ts)
      robustScale: robustScales, // the floor's and the starts' scale: the MAD's where outliers make the variance
      settings: options.prior ? { dof, regCovar, prior: options.prior } : { dof, regCovar },
      componentParameters: (k) => 2 * k + (dof === "estimate" ? k : dof === "equal" ? 1 : 0),

      // The scale starts at the data's variance, or (spread: the seed screen's) a fraction of it.
      seed(seeds, ds, theta, spread) {
        seeds.forEach((m, j) => {
          theta[3 * j] = m;
          theta[3 * j + 1] = spread ? spread[j] * ds.scale[0] : ds.scale[0];
          theta[3 * j + 2] = typeof dof === "number" ? dof : DOF_START;
        });
      },

      fromInit(init, k, theta, path) {
        numberList(init.means, k, `${path}.means`).forEach((v, j) => { theta[3 * j] = v; });
        numberList(init.variances, k, `${path}.variances`).forEach((v, j) => {
          if (!(v > 0)) throw optionError(`${path}.variances[${j}]`, `must be a positive variance, got ${v}`);
          theta[3 * j + 1] = v;
        });
        readDofs(numberList(init.dofs, k, `${path}.dofs`), `${path}.dofs`, theta);
      },

      pack(theta, logWeights, _ds, params) {
        params[0] = kc;
        params[1] = ks;
        for (let j = 0; j < logWeights.length; j++) {
          const v = theta[3 * j + 1], at = 2 + P * j;
          packHeader(params, at, theta[3 * j + 2], 1, logWeights[j] - 0.5 * M.log(v));
          params[at + 6] = theta[3 * j];
          params[at + 7] = 1 / v;
        }
      },

      // CM-step 1 about the current mean m: mean m + S1/Su, variance (S2 − S1²/Su)/S0, floored at
      // regCovar × var(data) as the Gaussian's; then CM-step 2 (ECM) for ν.
      // freeze: a frozen mean's S1 is 0 (conditionalStats), so its variance is the scatter about it.
      maximize(stats, theta, k, ds, held) {
        forActive(stats, S, k, (j, s) => {
          const shift = stats[s + 5] / stats[s + 1];
          theta[3 * j] += shift;
          if (held?.[3 * j + 1]) return; // a frozen variance: the mean's step does not involve it
          theta[3 * j + 1] = Math.max((stats[s + 6] - stats[s + 5] * shift) / stats[s], regCovar * ds.scale[0]);
          if (!(theta[3 * j + 1] > 0)) throw collapsed(j);
        });
        ecmStep(dof, layout, stats, theta, k, held);
      },

      refine: (theta, k, pass, held) => search.refine(theta, k, pass, held),

      // freeze (src/freeze.ts): the CM-step of the mean and variance takes u from the E-step, so a
      // frozen one leaves the other's step as it is (a frozen mean: S1 = 0); a frozen ν is neither
      // stepped nor searched (student.ts ecmStep, DofSearch).
      freeze: {
        means: { slots: (j) => [3 * j], zeroStats: [5], parameters: (c) => c },
        variances: { slots: (j) => [3 * j + 1], parameters: (c) => c },
        dofs: {
          slots: (j) => [3 * j + 2], parameters: (c) => (dof === "equal" ? 1 : c),
          ...(dof === "equal" ? { shared: 'dof "equal" has one ν for all components' } : {}),
          ...(typeof dof === "number" ? { refused: `with options.dof ${dof}: ν is fixed already, not fitted` } : {}),
        },
      },

      logPrior: () => 0,

      logJoint(params, j, x, offset) {
        const at = 2 + P * j, e = x[offset] - params[at + 6];
        return headerLogJoint(params, at, e * e * params[at + 7]);
      },

      component: (theta, j): TComponent => ({ mean: theta[3 * j], variance: theta[3 * j + 1], dof: theta[3 * j + 2] }),
      fromComponent(c, theta, j, path) {
        const o = componentObject(c, ["mean", "variance", "dof"], path);
        const variance = finite(o.variance, `${path}.variance`);
        if (!(variance > 0)) throw optionError(`${path}.variance`, `must be positive, got ${variance}`);
        theta[3 * j] = finite(o.mean, `${path}.mean`);
        theta[3 * j + 1] = variance;
        theta[3 * j + 2] = checkDof(o.dof, dof, undefined, `${path}.dof`);
      },
      validate(theta, k, path) {
        if (dof === "equal") for (let j = 1; j < k; j++)
          if (theta[3 * j + 2] !== theta[2]) throw optionError(`${path}[${j}].dof`, 'must equal component 0\'s: dof "equal" shares one ν');
      },

      // x = mean + σ z / √W, z ~ N(0, 1), W ~ χ²_ν/ν.
      sampler: noOptions(() => (theta, j, rng, out, offset) => {
        out[offset] = theta[3 * j] + Math.sqrt(theta[3 * j + 1]) * rng.normal() * scaleDraw(rng, theta[3 * j + 2]);
      }),

      plotDensity: noOptions(() => ({
        logDensity: (theta, j, v) => {
          const s2 = theta[3 * j + 1], nu = theta[3 * j + 2];
          return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI * s2) - ((nu + 1) / 2) * Math.log1p((v - theta[3 * j]) ** 2 / (nu * s2));
        },
      })),
    };
  },
};
