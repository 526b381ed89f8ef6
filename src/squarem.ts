// SQUAREM (Varadhan & Roland 2008, Scand. J. Statist. 35:335–353, scheme S3): the coordinates in
// which the EM driver (em.ts `iterate`) extrapolates θ, and a family's hook to provide them.
// Extrapolating in unconstrained coordinates (log variances and rates, logit probabilities, a
// Cholesky factor with log diagonal, centred log weights) keeps the extrapolated θ' inside the
// parameter space; the driver still checks that θ' can be evaluated and falls back to plain EM
// steps when it cannot or when the objective would drop (docs/numerics.md, "SQUAREM").
import type { DataScale } from "./family.js";
import { clampProbability, RATE_FLOOR } from "./families/shared.js";
import * as M from "./math.js";

/**
 * A family's unconstrained coordinates u of θ (Spec.free, optional): any finite u maps back to a
 * valid θ (up to overflow, which the driver catches by checking the packed kernel parameters).
 */
export interface FreeParameters {
  /** Coordinates per component. */
  readonly size: number;
  /** u from θ (k components); false when θ has no coordinates (then the cycle takes plain EM steps). */
  toFree(theta: Float64Array, k: number, data: DataScale, u: Float64Array): boolean;
  /** θ from u (k components). */
  fromFree(u: Float64Array, k: number, data: DataScale, theta: Float64Array): void;
}

/**
 * How one scalar parameter is made unconstrained: "location" x/√scale (a mean; unitless, so
 * means and log variances weigh alike in the step length), "variance" log σ², "rate" log λ
 * (back at or above the rate floor), "probability" logit p (back within the probability floor).
 */
export type Coordinate = "location" | "variance" | "rate" | "probability";

/** Coordinates of a family whose θ_j is `kinds.length` scalars (gaussian, poisson, binomial, bernoulli). */
export function coordinates(kinds: readonly Coordinate[]): FreeParameters {
  const T = kinds.length;
  return {
    size: T,
    toFree(theta, k, data, u) {
      for (let i = 0; i < k * T; i++) {
        const x = theta[i], kind = kinds[i % T];
        u[i] = kind === "location" ? x / Math.sqrt(data.scale[0]) : kind === "probability" ? M.log(x) - M.log1p(-x) : M.log(x);
      }
      return true;
    },
    fromFree(u, k, data, theta) {
      for (let i = 0; i < k * T; i++) {
        const y = u[i], kind = kinds[i % T];
        theta[i] = kind === "location" ? y * Math.sqrt(data.scale[0]) : kind === "probability" ? clampProbability(1 / (1 + M.exp(-y)))
          : kind === "rate" ? Math.max(M.exp(y), RATE_FLOOR) : M.exp(y);
      }
    },
  };
}

/**
 * Coordinates of θ_j = (mean (d), Σ (d × d), …) with T values per component (slots after Σ, such
 * as a covariance model's decomposition, are not coordinates: the driver fills them from the last
 * M-step's θ): the mean over √scale per dimension, then Σ's Cholesky factor L (Σ = L Lᵀ) row by
 * row, its diagonal as log L_aa and L_ab (b < a) over √scale_a. Any u gives a positive-definite Σ;
 * zeros stay zeros (diagonal models) and equal components stay equal (a shared Σ), since the map
 * is the same arithmetic on the same numbers.
 */
export function meanCovariance(d: number, T = d + d * d): FreeParameters {
  const U = d + (d * (d + 1)) / 2;
  const L = new Float64Array(d * d); // scratch, once per fit
  return {
    size: U,
    toFree(theta, k, data, u) {
      for (let j = 0; j < k; j++) {
        const t = j * T, at = j * U;
        for (let a = 0; a < d; a++) u[at + a] = theta[t + a] / Math.sqrt(data.scale[a]);
        // Cholesky–Banachiewicz on Σ_j.
        for (let a = 0, i = at + d; a < d; a++) {
          for (let b = 0; b <= a; b++, i++) {
            let s = theta[t + d + a * d + b];
            for (let c = 0; c < b; c++) s -= L[a * d + c] * L[b * d + c];
            if (a === b) {
              if (!(s > 0)) return false;
              L[a * d + a] = Math.sqrt(s);
              u[i] = M.log(L[a * d + a]);
            } else {
              L[a * d + b] = s / L[b * d + b];
              u[i] = L[a * d + b] / Math.sqrt(data.scale[a]);
            }
          }
        }
      }
      return true;
    },
    fromFree(u, k, data, theta) {
      for (let j = 0; j < k; j++) {
        const t = j * T, at = j * U;
        for (let a = 0; a < d; a++) theta[t + a] = u[at + a] * Math.sqrt(data.scale[a]);
        for (let a = 0, i = at + d; a < d; a++)
          for (let b = 0; b <= a; b++, i++) L[a * d + b] = a === b ? M.exp(u[i]) : u[i] * Math.sqrt(data.scale[a]);
        // Σ = L Lᵀ, each entry computed once and mirrored (exactly symmetric).
        for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
          let s = 0;
          for (let c = 0; c <= b; c++) s += L[a * d + c] * L[b * d + c];
          theta[t + d + a * d + b] = theta[t + d + b * d + a] = s;
        }
      }
    },
  };
}

/** Coordinates of a family without the hook: θ as it is (the driver's validity check then decides). */
export function identity(thetaSize: number): FreeParameters {
  return {
    size: thetaSize,
    toFree(theta, k, _data, u) { u.set(theta.subarray(0, k * thetaSize)); return true; },
    fromFree(u, k, _data, theta) { theta.set(u.subarray(0, k * thetaSize)); },
  };
}

/** Centred log weights u_j = log w_j − mean_j log w (the sum constraint's direction removed), into u[at …]. */
export function weightsToFree(w: Float64Array, k: number, u: Float64Array, at: number): void {
  let mean = 0;
  for (let j = 0; j < k; j++) mean += M.log(w[j]) / k;
  for (let j = 0; j < k; j++) u[at + j] = M.log(w[j]) - mean;
}

/** w = softmax(u[at …]). */
export function weightsFromFree(u: Float64Array, at: number, k: number, w: Float64Array): void {
  let top = -Infinity, total = 0;
  for (let j = 0; j < k; j++) top = Math.max(top, u[at + j]);
  for (let j = 0; j < k; j++) total += (w[j] = M.exp(u[at + j] - top));
  for (let j = 0; j < k; j++) w[j] /= total;
}

/** SQUAREM's step-length bounds (as the SQUAREM R package: the maximum starts at 1 and grows ×4 when reached). */
export const STEP_MAX0 = 1, STEP_FACTOR = 4;
