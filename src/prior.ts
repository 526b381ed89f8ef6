// MAP-EM: conjugate priors. The fit then maximises log-likelihood + log prior density (the
// log-posterior up to the evidence), which EM with the MAP M-step never decreases.
// Shared here: option checking, the Dirichlet prior on the weights, and the log-densities.
import { optionError } from "./errors.js";
import { describe } from "./data.js";
import { ownOptions } from "./options.js";
import { logGamma } from "./special.js";
import type { Rule } from "./family.js";
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
