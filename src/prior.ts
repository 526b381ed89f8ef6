// MAP-EM: conjugate priors. The fit then maximises log-likelihood + log prior density (the
// log-posterior up to the evidence), which EM with the MAP M-step never decreases.
// Shared here: option checking, the Dirichlet prior on the weights, and the log-densities.
import { optionError } from "./errors.js";
import { describe } from "./data.js";
import { ownOptions } from "./options.js";
import { logGamma } from "./special.js";
import type { DatasetParts, Rule } from "./family.js";
import * as M from "./math.js";

/** `prior: true` (every default) or an object of prior parameters; false/undefined = maximum likelihood. */
export const priorRule: Rule = (v, path) => {
  if (v === true || v === false) return;
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return; // keys: checked by the family
  throw optionError(path, `must be true or an object of prior parameters, got ${describe(v)}`);
};

/** The prior object with unknown keys rejected (`true` → {}). */
export function priorObject(raw: unknown, keys: readonly string[], path = "options.prior"): Record<string, unknown> {
  if (raw === true) return {};
  const o = ownOptions(raw, path);
  for (const key of Object.keys(o))
    if (o[key] !== undefined && !["weights", ...keys].includes(key)) throw optionError(`${path}.${key}`, `is not a prior parameter here (expected ${["weights", ...keys].join(", ")})`);
  return o;
}

/** A number from the prior object (or its default), checked against `min` (exclusive when `open`). */
export function priorNumber(o: Record<string, unknown>, key: string, fallback: () => number, min: number, open = false, path = "options.prior"): number {
  const v = o[key] === undefined ? fallback() : o[key];
  if (typeof v !== "number" || !Number.isFinite(v) || (open ? !(v > min) : !(v >= min)))
    throw optionError(`${path}.${key}`, `must be a finite number ${open ? ">" : "≥"} ${min}, got ${describe(v)}`);
  return v;
}

/** Dirichlet concentration α of the weights (default 1: no prior on the weights). */
export const dirichletAlpha = (o: Record<string, unknown>, path = "options.prior") => priorNumber(o, "weights", () => 1, 1, false, path);

/** log Dirichlet(w; α, …, α). */
export function logDirichlet(w: ArrayLike<number>, alpha: number): number {
  const k = w.length;
  let s = logGamma(k * alpha) - k * logGamma(alpha);
  if (alpha !== 1) for (let j = 0; j < k; j++) s += (alpha - 1) * M.log(w[j]);
  return s;
}

/** log Gamma(x; shape, rate). */
export const logGammaDensity = (x: number, shape: number, rate: number) =>
  shape * M.log(rate) - logGamma(shape) + (shape - 1) * M.log(x) - rate * x;

/** log Inverse-Gamma(x; shape, scale). */
export const logInvGamma = (x: number, shape: number, scale: number) =>
  shape * M.log(scale) - logGamma(shape) - (shape + 1) * M.log(x) - scale / x;

/** log Beta(p; a, b). */
export const logBetaDensity = (p: number, a: number, b: number) =>
  logGamma(a + b) - logGamma(a) - logGamma(b) + (a - 1) * M.log(p) + (b - 1) * M.log1p(-p);

/** Default strength of every prior, in pseudo-observations (mclust's priorControl() shrinkage). */
export const DEFAULT_SHRINKAGE = 0.01;

/**
 * The data's moments behind a prior's data-based defaults, under sample weights (frequency weights:
 * a row of weight 0 as if removed, integer weights as duplicated rows) and/or missing values (each
 * column over its observed values; with `cross`, each covariance over the rows observing both
 * columns). Each row counts w_i (1 without weights): mean_a = Σ w x_a / Σ w (over column a's rows),
 * cov_ab = Σ w (x_a − mean_a)(x_b − mean_b) / (W_ab − 1), W_ab = Σ w over the rows observing a and b
 * (÷ W_ab when W_ab ≤ 1, as weights scaled to sum 1 would have it, and ÷ 1 for 1 < W_ab < 2: the
 * divisor max(W − 1, min(W, 1)) is continuous — weights scaled to sum 1 that round to 1 + 2^-52 were
 * divided by 2^-52; 0 when at most one row of positive weight). Weights far from 1 (subnormal, or
 * huge) are scaled by a power of 2 first (exact), so w·x neither loses its digits nor overflows. `rows`: the rows of positive weight with some value observed. Without weights and missing
 * values the families keep their own (unweighted) sums, so those fits are unchanged to the bit.
 */
export function dataMoments(ds: DatasetParts, d: number, cross: boolean, path: string): { mean: number[]; cov: number[][]; rows: number } {
  // The blocks of rows: the complete rows (every column observed), then each pattern of missing values.
  const all = Int32Array.from({ length: d }, (_, a) => a);
  const blocks: { x: Float64Array; n: number; w: Float64Array | undefined; observed: Int32Array }[] = [{ x: ds.x.array, n: ds.n, w: ds.weights?.array, observed: all }];
  for (const p of ds.missing?.patterns ?? []) blocks.push({ x: p.x.array, n: p.n, w: p.weights?.array, observed: p.observed });
  // Per block, its rows of positive weight: their count and Σ w (each pair of its observed columns gets both).
  const sw = new Float64Array(d), sx = new Float64Array(d), pw = new Float64Array(d * d), pn = new Float64Array(d * d);
  const t = powerScale(blocks.map((b) => b.w)); // sums over w·t; W = Σ w·t / t
  let rows = 0;
  for (const { x, n, w, observed } of blocks) {
    const q = observed.length;
    let bw = 0, bn = 0;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] * t : 1;
      if (!(wi > 0)) continue;
      bw += wi;
      bn++;
      for (let c = 0; c < q; c++) sx[observed[c]] += wi * x[i * q + c];
    }
    rows += bn;
    for (let c = 0; c < q; c++) {
      sw[observed[c]] += bw;
      for (let e = 0; e <= c; e++) { pw[observed[c] * d + observed[e]] += bw; pn[observed[c] * d + observed[e]] += bn; }
    }
  }
  const mean = Array.from(sx, (v, a) => v / sw[a]);
  const none = mean.findIndex((_, a) => !(sw[a] > 0));
  if (none >= 0) throw optionError(path, `has no default: ${d > 1 ? `column ${none} of ` : ""}the data has no observed value of positive weight`);
  const ss = new Float64Array(d * d), dev = new Float64Array(d);
  for (const { x, n, w, observed } of blocks) {
    const q = observed.length;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] * t : 1;
      if (!(wi > 0)) continue;
      for (let c = 0; c < q; c++) dev[c] = x[i * q + c] - mean[observed[c]];
      for (let c = 0; c < q; c++) {
        const row = observed[c] * d, wd = wi * dev[c];
        if (cross) for (let e = 0; e <= c; e++) ss[row + observed[e]] += wd * dev[e];
        else ss[row + observed[c]] += wd * dev[c];
      }
    }
  }
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let a = 0; a < d; a++) for (let g = 0; g <= a; g++) {
    // Σ w (…)/max(W − 1, min(W, 1)) in the scaled sums (Wt = W·t, ss = t·Σ w (…)): ÷ (Wt − t), ÷ Wt or ÷ t.
    const Wt = pw[a * d + g], W = Wt / t;
    cov[a][g] = cov[g][a] = pn[a * d + g] > 1 ? ss[a * d + g] / (W >= 2 ? Wt - t : W <= 1 ? Wt : t) : 0;
  }
  return { mean, cov, rows };
}

/** Σ w_i x_i / Σ w_i over the rows of positive weight (a prior's default from weighted data). */
export function weightedMean(x: Float64Array, w: Float64Array): number {
  const t = powerScale([w]);
  let sw = 0, sx = 0;
  for (let i = 0; i < w.length; i++) if (w[i] > 0) { const wi = w[i] * t; sw += wi; sx += wi * x[i]; }
  return sx / sw;
}

/**
 * 1, or a power of 2 bringing the largest weight near 1 when it lies below 2^-500 (subnormal
 * weights: w·x kept only a few digits) or above 2^500 (w·x² overflowed). Exact: w·t has w's digits.
 */
function powerScale(ws: readonly (Float64Array | undefined)[]): number {
  let max = 0;
  for (const w of ws) if (w) for (let i = 0; i < w.length; i++) if (w[i] > max) max = w[i];
  return max > 0 && max < 2 ** -500 ? 2 ** 600 : max > 2 ** 500 ? 2 ** -600 : 1;
}
