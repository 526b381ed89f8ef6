// Multivariate Bernoulli: d independent 0/1 features, θ_j = p_j (d probabilities).
// Kernel: assembly/kernels/loglinear.ts.
import type { Family, Spec } from "../family.js";
import { copyMatrixIn } from "../data.js";
import { integer, numberList } from "../options.js";
import { optionError } from "../errors.js";
import { clampProbability, componentObject, forActive, needData, noOptions, NONE, regionPoints } from "./shared.js";
import type { DimsOption, PriorOption } from "./shared.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, logBetaDensity, priorNumber, priorObject, priorRule } from "../prior.js";
import { describe } from "../data.js";
import * as M from "../math.js";
import { coordinates } from "../squarem.js";
import { hcVVV } from "../hc.js";

export interface BernoulliComponent { p: number[] }

/**
 * Beta(a_a, b_a) prior on each feature's probability (a, b: numbers or one per feature). Default:
 * κ = shrinkage (0.01) pseudo-observations at p = ½: a = b = 1 + κ/2, so the MAP probability is
 * (Σ r x + κ/2) / (Σ r + κ): never exactly 0 or 1, even for a feature constant over all the data.
 */
export interface BernoulliPrior { weights: number; a: number[]; b: number[] }

function perFeature(o: Record<string, unknown>, key: string, d: number, fallback: () => number[], path: string): number[] {
  const v = o[key] === undefined ? fallback() : typeof o[key] === "number" ? new Array<number>(d).fill(o[key] as number) : o[key];
  if (!Array.isArray(v) || v.length !== d) throw optionError(`${path}.${key}`, `must be a number or ${d} numbers, got ${describe(v)}`);
  v.forEach((x, a) => { if (typeof x !== "number" || !(x >= 1) || !Number.isFinite(x)) throw optionError(`${path}.${key}[${a}]`, `must be a finite number ≥ 1, got ${describe(x)}`); });
  return v as number[];
}

export interface BernoulliOptions extends DimsOption, PriorOption {}

export const bernoulli: Family<BernoulliComponent, { p: number[][] }, BernoulliOptions, "p"> = {
  summary: "rows of d binary (0/1) features; each component d independent success probabilities",
  shape: "rows",
  missing: "rows",
  options: { dims: integer(1, 1 << 20), prior: priorRule },
  evalOptions: NONE,
  dataSettings: NONE,
  hierarchical: hcVVV,
  kernels: ["loglinearPass"],
  plot: { kind: "none", why: "bernoulli fits have no picture here (d binary features)" },

  load(mem, data, options, path, dims, trusted) {
    const { region, n, dims: d } = copyMatrixIn(mem, data, dims ?? (options.dims as number | undefined), path,
      (v) => (v === 0 || v === 1 ? null : `${v} is not 0 or 1`), trusted, 1 << 20);
    return { n, dims: d, x: region, aux: null, logConstant: 0, scale: new Float64Array(d).fill(1), seedPoints: regionPoints(region, d), settings: NONE };
  },

  resolvePrior(raw, ds, _k, options, path): BernoulliPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "a", "b"], path);
    const kappa = priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path);
    const d = ds?.dims ?? (options.dims as number);
    const half = (key: string) => { needData(ds, `${path}.${key}`); return new Array<number>(d).fill(1 + kappa / 2); };
    return {
      weights: dirichletAlpha(o, path),
      a: perFeature(o, "a", d, () => half("a"), path),
      b: perFeature(o, "b", d, () => half("b"), path),
    };
  },

  configure(options, d): Spec<BernoulliComponent> {
    const prior = options.prior as BernoulliPrior | undefined;
    return {
      kernel: "loglinearPass",
      workColumns: 0,
      dims: d,
      thetaSize: d,
      headerSize: 0,
      paramsSize: 1 + d,
      statsSize: 1 + d,
      free: coordinates(Array(d).fill("probability")), // SQUAREM: logit p per dimension
      initKeys: ["p"],
      // freeze: each component's probabilities have an M-step of their own (src/freeze.ts).
      freeze: { p: { slots: (j) => Array.from({ length: d }, (_, a) => j * d + a), parameters: (c) => c * d } },
      settings: prior ? { dims: d, prior } : { dims: d },
      componentParameters: (k) => k * d,
      seed(seeds, _ds, theta) {
        for (let i = 0; i < seeds.length; i++) theta[i] = clampProbability(seeds[i]);
      },

      fromInit(init, k, theta, path) {
        const p = init.p;
        if (!Array.isArray(p) || p.length !== k) throw optionError(`${path}.p`, `must be an array of ${k} probability vectors`);
        p.forEach((row, j) => numberList(row, d, `${path}.p[${j}]`).forEach((v, a) => {
          if (!(v >= 0 && v <= 1)) throw optionError(`${path}.p[${j}][${a}]`, `must be a probability in [0, 1], got ${v}`);
          theta[j * d + a] = clampProbability(v);
        }));
      },

      // c_j = log w_j + Σ_a log(1 − p_ja); logit p_ja.
      pack(theta, logWeights, _ds, params) {
        for (let j = 0; j < logWeights.length; j++) {
          const at = j * (1 + d);
          let c = logWeights[j];
          for (let a = 0; a < d; a++) {
            const p = theta[j * d + a], log1m = M.log1p(-p);
            c += log1m;
            params[at + 1 + a] = M.log(p) - log1m;
          }
          params[at] = c;
        }
      },

      // missing: "marginalize": a missing feature drops out of the product — the margin's
      // c_j = log w_j + Σ_{a observed} log(1 − p_ja); its statistic Σ r x_a is completed with
      // E[x_a | j] = p_ja for the missing features.
      margin: {
        pack(theta, logWeights, obs, params) {
          const q = obs.length;
          for (let j = 0; j < logWeights.length; j++) {
            const at = j * (1 + q);
            let c = logWeights[j];
            for (let b = 0; b < q; b++) {
              const p = theta[j * d + obs[b]], log1m = M.log1p(-p);
              c += log1m;
              params[at + 1 + b] = M.log(p) - log1m;
            }
            params[at] = c;
          }
        },
        expand(theta, k, obs, mis, _params, sub, stats) {
          const q = obs.length;
          for (let j = 0; j < k; j++) {
            const so = j * (1 + q), s = j * (1 + d), n = sub[so];
            if (!(n > 0)) continue;
            stats[s] += n;
            for (let b = 0; b < q; b++) stats[s + 1 + obs[b]] += sub[so + 1 + b];
            for (const a of mis) stats[s + 1 + a] += n * theta[j * d + a];
          }
        },
        conditional(theta, j, _obs, mis) {
          return {
            mean(_row, out) { for (const a of mis) out[a] = theta[j * d + a]; },
            draw(_row, rng, out) { for (const a of mis) out[a] = rng.uniform() < theta[j * d + a] ? 1 : 0; },
          };
        },
      },

      // p_ja = Σ r x_a / Σ r (with the prior: (Σ r x_a + a_a − 1) / (Σ r + a_a + b_a − 2)), kept in [1e-12, 1 − 1e-12].
      maximize(stats, theta, k) {
        forActive(stats, 1 + d, k, (j, s) => {
          for (let a = 0; a < d; a++) {
            const pa = prior ? prior.a[a] - 1 : 0, pab = prior ? prior.a[a] + prior.b[a] - 2 : 0;
            theta[j * d + a] = clampProbability((stats[s + 1 + a] + pa) / (stats[s] + pab));
          }
        });
      },

      logPrior(theta, k) {
        let s = 0;
        if (prior) for (let j = 0; j < k; j++) for (let a = 0; a < d; a++) s += logBetaDensity(theta[j * d + a], prior.a[a], prior.b[a]);
        return s;
      },

      component: (theta, j): BernoulliComponent => ({ p: Array.from(theta.subarray(j * d, (j + 1) * d)) }),
      fromComponent(c, theta, j, path) {
        numberList(componentObject(c, ["p"], path).p, d, `${path}.p`).forEach((v, a) => {
          if (!(v > 0 && v < 1)) throw optionError(`${path}.p[${a}]`, `must be a probability in (0, 1), got ${v}`);
          theta[j * d + a] = v;
        });
      },

      // c_j + Σ_a x_a·logit p_ja, summed in the kernel's order.
      logJoint(params, j, x, offset) {
        const at = j * (1 + d);
        let q = params[at];
        for (let a = 0; a < d; a++) q += x[offset + a] * params[at + 1 + a];
        return q;
      },

      sampler: noOptions(() => (theta, j, rng, out, offset) => {
        for (let a = 0; a < d; a++) out[offset + a] = rng.uniform() < theta[j * d + a] ? 1 : 0;
      }),
    };
  },
};
